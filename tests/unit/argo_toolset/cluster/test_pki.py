"""The cluster's certificates name the identities Kubernetes' authorizers expect, and are made only once."""

from __future__ import annotations

import ipaddress

from cryptography import x509
from cryptography.x509.oid import NameOID

from argo_toolset.cluster.layout import KUBERNETES_SERVICE_IP, NODE_IP, NODE_NAME
from argo_toolset.cluster.pki import ADMIN, KUBELET, ensure_pki

CA_NAME = "a test cluster CA"


def subject(path) -> tuple[str, list[str]]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    common = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    groups = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    return common, groups


def test_identities_are_what_rbac_and_the_node_authorizer_read(tmp_path):
    pki = ensure_pki(tmp_path / "pki", CA_NAME)
    assert subject(pki.client_cert(KUBELET)) == (f"system:node:{NODE_NAME}", ["system:nodes"])
    assert subject(pki.client_cert(ADMIN)) == ("cluster-admin", ["system:masters"])
    assert subject(pki.ca_cert) == (CA_NAME, [])
    serving = x509.load_pem_x509_certificate(pki.serving_cert.read_bytes())
    addresses = serving.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.IPAddress)
    # Pods reach the API server through the kubernetes Service; the node's parts at the node address.
    assert {ipaddress.ip_address(KUBERNETES_SERVICE_IP), ipaddress.ip_address(NODE_IP)} <= set(addresses)
    assert oct(pki.ca_key.stat().st_mode & 0o777) == "0o600"


def test_a_second_call_keeps_the_certificates(tmp_path):
    first = ensure_pki(tmp_path / "pki", CA_NAME).ca_cert.read_bytes()
    assert ensure_pki(tmp_path / "pki", CA_NAME).ca_cert.read_bytes() == first
