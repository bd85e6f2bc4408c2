"""`cluster down` leaves nothing behind: no process, listener, mount, network namespace, bridge or firewall rule.

Named to run last in this folder: it stops the session's cluster (the fixture's own stop is then a no-op)."""

from __future__ import annotations

import subprocess
from dataclasses import astuple
from pathlib import Path

import pytest

from argo_toolset.cluster import network
from argo_toolset.cluster.stack_access import forward_ports

pytestmark = [pytest.mark.slow]

STALE_PORT = 1  # tcpmux: nothing here listens on it


def processes_of(run_dir: Path) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(run_dir) in cmdline:
                found.append(f"{proc.name}: {cmdline[:160]}")
    return found


def listening_ports() -> set[int]:
    """Ports of every listening TCP socket on this machine, read locally (no connection is made: once the bridge is
    gone, the node address is no longer this machine's, and nothing may be sent there)."""
    listing = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=True).stdout
    return {int(line.split()[3].rsplit(":", 1)[1]) for line in listing.splitlines() if line.strip()}


def test_down_leaves_nothing_running_or_listening(cluster):
    assert cluster.is_up()
    # A rule for a port no state file records, as a session killed before its `down` leaves: down removes it too.
    forward_ports((STALE_PORT,), cluster.settings.nat_comment)
    assert f"--dport {STALE_PORT} " in subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
    cluster.down()
    run_dir = cluster.layout.run_dir
    assert processes_of(run_dir) == []
    assert set(astuple(cluster.ports)) & listening_ports() == set()
    assert not network.bridge_exists()
    assert network.leftover_mounts(cluster.layout) == []
    assert network.pod_network_namespaces() == []
    rules = subprocess.run(["iptables-save"], capture_output=True, text=True, check=True).stdout
    assert cluster.settings.guard_comment not in rules
    assert cluster.settings.nat_comment not in rules
    assert "KUBE-SERVICES" not in rules


def test_submit_to_the_stopped_cluster_is_refused_without_sending_anything(cluster):
    """After `cluster down` the certificates stay but the node address is gone: nothing may be sent to it (it would
    route to the default gateway), so the refusal comes from the local check."""
    from click.testing import CliRunner

    from generator.cli import main

    workflows = Path(__file__).resolve().parents[2] / "workflows" / "churn-daily.yaml"
    result = CliRunner().invoke(main, ["submit", str(workflows), "--template", "churn-daily", "-p", "ds=2026-01-01",
                                       "--run-dir", str(cluster.layout.run_dir)])
    assert result.exit_code == 2, result.output
    assert "is down (no node address 10.244.0.1 on this machine)" in result.output
