"""Local stack pieces that need no running service: hive-site, state file, port, liveness and Java checks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from argo_toolset.processes import is_alive
from generator.localstack import LocalStack, StackError, StackPorts
from generator.localstack.hive_site import metastore_properties, write_hive_site
from generator.localstack.processes import free_port, port_is_free
from generator.localstack.state import ServiceRecord, read_state, write_state


def test_hive_site_keeps_all_state_in_the_run_dir(tmp_path):
    path = write_hive_site(tmp_path / "conf", metastore_properties(tmp_path, tmp_path / "warehouse"))
    text = path.read_text()
    assert f"databaseName={tmp_path}/metastore_db" in text
    assert (tmp_path / "warehouse").as_uri() in text and "hive.async.log.enabled" in text


def test_state_round_trip(tmp_path):
    records = {"mlflow": ServiceRecord("mlflow", 123, 5000, "/x.log")}
    write_state(tmp_path, records)
    assert read_state(tmp_path) == records


def test_status_of_a_never_started_stack_is_down(tmp_path):
    statuses = LocalStack(tmp_path, StackPorts(1, 2, 3)).status()
    assert [s.up for s in statuses] == [False, False, False]
    assert statuses[2].address == "http://127.0.0.1:3"


def test_taken_port_is_named_with_its_service(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        assert not port_is_free(taken)
        stack = LocalStack(tmp_path, StackPorts(free_port(), free_port(), taken))
        with pytest.raises(StackError, match=f"port {taken} for the MLflow server is already in use.*--mlflow-port"):
            stack.up()
    assert read_state(tmp_path) == {}


def test_missing_java_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(StackError, match="Java is missing"):
        LocalStack(tmp_path).up()


def test_own_child_is_alive_until_it_exits_whatever_its_command_line(tmp_path):
    # While spark-submit execs from script to script its command line can lack the marker; our child still runs.
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        assert is_alive(child.pid, "a-marker-its-command-line-lacks")
        child.stdin.close()
        child.wait(timeout=30)
        assert not is_alive(child.pid, "a-marker-its-command-line-lacks")
    finally:
        child.kill()


def test_a_process_that_is_not_our_child_needs_the_marker():
    # This test process is nobody's child here: only its command line can tell it from a recycled PID.
    own_command_line = Path(f"/proc/{os.getpid()}/cmdline").read_bytes().split(b"\0")[0].decode()
    assert is_alive(os.getpid(), own_command_line)
    assert not is_alive(os.getpid(), "a-marker-no-command-line-has")


def _time_wait_port() -> int:
    """A loopback port with no listener left, only a connection in TIME_WAIT (what `stack down` leaves)."""
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the JVM services and uvicorn bind
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        accepted.close()  # the server side closes first, so the server's port holds the TIME_WAIT
        client.recv(1)
        client.close()
    return port


def _time_wait_ports() -> set[int]:
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    # st 06 = TIME_WAIT; local address is HEXIP:HEXPORT.
    return {int(fields[1].split(":")[1], 16) for fields in (line.split() for line in lines) if fields[3] == "06"}


def test_a_port_with_only_time_wait_connections_is_free():
    port = _time_wait_port()
    assert port in _time_wait_ports()  # the situation really is the one `stack up` after `stack down` meets
    assert port_is_free(port)


def test_a_listener_is_still_reported_even_with_time_wait_beside_it():
    port = _time_wait_port()
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", port))
        holder.listen()
        assert not port_is_free(port)


def test_free_ports_lie_below_the_ephemeral_range_and_are_never_handed_out_twice():
    from generator.localstack.processes import ephemeral_port_range

    low, _high = ephemeral_port_range()
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports)
    assert all(1024 <= port < low for port in ports)  # bind(0) elsewhere never lands on them
    assert all(port_is_free(port) for port in ports)
