"""timed() records a phase only when it ends; service waits share one helper and name the service they waited for."""

from __future__ import annotations

import socket

import pytest

from jobs.common.errors import ServiceUnavailable, StepError
from jobs.common.services import wait_for_metastore, wait_for_port
from jobs.common.timing import timed


def test_timed_records_the_phase_when_the_block_ends():
    timings: dict[str, float] = {}
    with timed(timings, "checks"):
        pass
    assert list(timings) == ["checks"] and timings["checks"] >= 0


def test_timed_records_nothing_when_the_block_fails():
    timings: dict[str, float] = {}
    with pytest.raises(RuntimeError), timed(timings, "probe"):
        raise RuntimeError("model failed")
    assert timings == {}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_wait_for_port_returns_once_the_port_listens():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        wait_for_port("127.0.0.1", server.getsockname()[1], "test server", budget_seconds=0)


def test_wait_for_metastore_names_the_metastore_when_it_never_answers():
    port = _closed_port()
    with pytest.raises(ServiceUnavailable, match=f"Hive metastore at 127.0.0.1:{port}"):
        wait_for_metastore(f"thrift://127.0.0.1:{port}", budget_seconds=0)


def test_wait_for_metastore_refuses_a_uri_that_is_not_thrift():
    with pytest.raises(StepError, match="--metastore-uri: 'http://x:1' must look like thrift://host:port"):
        wait_for_metastore("http://x:1", budget_seconds=0)
