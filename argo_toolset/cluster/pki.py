"""The cluster's certificates and keys: one CA, the API server's serving certificate, a client certificate per
identity, and the service-account signing key; made once per run dir with `cryptography`."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from argo_toolset.cluster.layout import CLUSTER_DOMAIN, KUBERNETES_SERVICE_IP, NODE_IP, NODE_NAME

VALID_DAYS = 365


@dataclass(frozen=True)
class ClientIdentity:
    """A client certificate's subject: Kubernetes reads the user from CN and the groups from O."""

    file_stem: str
    user: str
    groups: tuple[str, ...] = ()


ADMIN = ClientIdentity("admin", "cluster-admin", ("system:masters",))
CONTROLLER_MANAGER = ClientIdentity("controller-manager", "system:kube-controller-manager")
SCHEDULER = ClientIdentity("scheduler", "system:kube-scheduler")
KUBELET = ClientIdentity("kubelet", f"system:node:{NODE_NAME}", ("system:nodes",))
KUBE_PROXY = ClientIdentity("kube-proxy", "system:kube-proxy")
# The API server calling the kubelet (logs, exec): kubeadm gives it a group bound to the kubelet API.
API_SERVER_KUBELET_CLIENT = ClientIdentity("apiserver-kubelet-client", "kube-apiserver-kubelet-client",
                                           ("system:masters",))
CLIENT_IDENTITIES = (ADMIN, CONTROLLER_MANAGER, SCHEDULER, KUBELET, KUBE_PROXY, API_SERVER_KUBELET_CLIENT)


@dataclass(frozen=True)
class Pki:
    """Paths of the files `ensure_pki` writes into `folder`."""

    folder: Path

    @property
    def ca_cert(self) -> Path:
        return self.folder / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca.key"

    @property
    def serving_cert(self) -> Path:
        return self.folder / "serving.crt"

    @property
    def serving_key(self) -> Path:
        return self.folder / "serving.key"

    @property
    def service_account_key(self) -> Path:
        return self.folder / "service-account.key"

    @property
    def service_account_pub(self) -> Path:
        return self.folder / "service-account.pub"

    def client_cert(self, identity: ClientIdentity) -> Path:
        return self.folder / f"{identity.file_stem}.crt"

    def client_key(self, identity: ClientIdentity) -> Path:
        return self.folder / f"{identity.file_stem}.key"


def ensure_pki(folder: Path, ca_name: str) -> Pki:
    """Writes every certificate and key the cluster needs into `folder`, keeping those already there; a new CA is
    named `ca_name`."""
    pki = Pki(folder)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    if not pki.ca_cert.exists():
        key = _new_key()
        name = _name(ca_name)
        cert = (_builder(name, name, key.public_key())
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                             content_commitment=False, key_encipherment=False, data_encipherment=False,
                                             key_agreement=False, encipher_only=False, decipher_only=False),
                               critical=True)
                .sign(key, hashes.SHA256()))
        _write(pki.ca_key, pki.ca_cert, key, cert)
    ca_key = serialization.load_pem_private_key(pki.ca_key.read_bytes(), password=None)
    ca_cert = x509.load_pem_x509_certificate(pki.ca_cert.read_bytes())
    if not pki.serving_cert.exists():
        names = [x509.DNSName(dns) for dns in ("localhost", "kubernetes", "kubernetes.default",
                                               "kubernetes.default.svc", f"kubernetes.default.svc.{CLUSTER_DOMAIN}",
                                               NODE_NAME)]
        addresses = [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ("127.0.0.1", NODE_IP, KUBERNETES_SERVICE_IP)]
        _issue(pki.serving_key, pki.serving_cert, ca_key, ca_cert, _name("kube-apiserver"),
               ExtendedKeyUsageOID.SERVER_AUTH, x509.SubjectAlternativeName(names + addresses))
    for identity in CLIENT_IDENTITIES:
        if not pki.client_cert(identity).exists():
            _issue(pki.client_key(identity), pki.client_cert(identity), ca_key, ca_cert,
                   _name(identity.user, identity.groups), ExtendedKeyUsageOID.CLIENT_AUTH)
    if not pki.service_account_key.exists():
        key = _new_key()
        pki.service_account_key.write_bytes(_private_bytes(key))
        pki.service_account_key.chmod(0o600)
        pki.service_account_pub.write_bytes(key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return pki


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, organizations: tuple[str, ...] = ()) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org) for org in organizations]
    return x509.Name([*attributes, x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: x509.Name, issuer: x509.Name, public_key) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=VALID_DAYS)))


def _issue(key_path: Path, cert_path: Path, ca_key, ca_cert: x509.Certificate, subject: x509.Name, usage,
           alt_names: x509.SubjectAlternativeName | None = None) -> None:
    key = _new_key()
    builder = (_builder(subject, ca_cert.subject, key.public_key())
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
    if alt_names is not None:
        builder = builder.add_extension(alt_names, critical=False)
    _write(key_path, cert_path, key, builder.sign(ca_key, hashes.SHA256()))


def _private_bytes(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(key_path: Path, cert_path: Path, key, cert: x509.Certificate) -> None:
    key_path.write_bytes(_private_bytes(key))
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
