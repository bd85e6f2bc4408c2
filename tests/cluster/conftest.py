"""Cluster fixtures: the loopback cluster built here (tools/cluster) started once per session, reaching the test
stack, and stopped at the end (tests/cluster/test_zz_down.py checks it left nothing behind)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cluster.cluster import Cluster, ClusterError
from generator.cluster.stack_access import StackAccess

REPO = Path(__file__).resolve().parents[2]
# One cluster per machine (fixed bridge, subnet and ports): the tests use their own run dir, never a developer's.
TEST_RUN_DIR = REPO / ".run" / "test-cluster"


@pytest.fixture(scope="session")
def cluster(local_stack) -> Iterator[Cluster]:
    """The cluster, up, its pods reaching the session's test stack; a cluster that cannot start FAILS the tests."""
    if os.geteuid() != 0:
        pytest.fail("the cluster tests need root (containerd, the kubelet, iptables): run them as root, as CI does")
    for tool in ("containerd", "podman", "iptables"):
        if shutil.which(tool) is None:
            pytest.fail(f"the cluster tests need {tool}: .ci/run installs it (apt-get install containerd podman "
                        "iptables containernetworking-plugins)")
    test_cluster = Cluster(TEST_RUN_DIR, echo=print)
    stack = StackAccess(local_stack.service_ports(), local_stack.warehouse_dir)
    try:
        test_cluster.up(stack)
    except ClusterError as error:
        test_cluster.down()
        pytest.fail(f"the cluster could not start: {error}")
    yield test_cluster
    test_cluster.down()
