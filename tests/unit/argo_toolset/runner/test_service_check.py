"""The pre-run check of loopback services: which addresses it reads from the steps' env, and what it refuses."""

from __future__ import annotations

import socket

import pytest

from argo_toolset.runner.checks.services import check_loopback_services, loopback_services
from argo_toolset.runner.documents import DocumentSet
from generator.commands.run_local import STEP_SERVICES
from generator.errors import UserError
from generator.localstack.processes import free_port


def _workflow(env: dict[str, str]):
    document = {"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate", "metadata": {"name": "w"},
                "spec": {"entrypoint": "main", "templates": [{"name": "main", "container": {
                    "image": "x", "command": ["true"], "env": [{"name": k, "value": v} for k, v in env.items()]}}]}}
    return DocumentSet([document]).runnable(None)


def test_reads_urls_and_host_port_pairs_on_loopback_only():
    workflow = _workflow({"MLFLOW_TRACKING_URI": "http://localhost:5001", "HIVE_HOST": "127.0.0.1",
                          "HIVE_PORT": "10001", "HIVE_METASTORE_URI": "thrift://metastore.prod:9083",
                          "OTHER_URL": "http://127.0.0.1:{{inputs.parameters.port}}"})
    found = {(a.title, a.host, a.port) for a in loopback_services(workflow, {}, STEP_SERVICES.titles)}
    assert found == {("MLflow tracking server", "localhost", 5001),
                     ("HiveServer2 (Spark Thrift Server)", "127.0.0.1", 10001)}


def test_overrides_win_over_the_container_env():
    workflow = _workflow({"MLFLOW_TRACKING_URI": "http://127.0.0.1:5001"})
    assert [a.port for a in loopback_services(workflow, {"MLFLOW_TRACKING_URI": "http://127.0.0.1:6001"})] == [6001]


def test_a_listening_service_passes_and_a_closed_one_is_named():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        open_port, closed_port = server.getsockname()[1], free_port()
        check_loopback_services(_workflow({"MLFLOW_TRACKING_URI": f"http://127.0.0.1:{open_port}"}), {})
        with pytest.raises(UserError, match=f"Hive metastore at 127.0.0.1:{closed_port}: nothing listens"):
            check_loopback_services(_workflow({"MLFLOW_TRACKING_URI": f"http://127.0.0.1:{open_port}",
                                               "HIVE_METASTORE_URI": f"thrift://127.0.0.1:{closed_port}"}), {},
                                    STEP_SERVICES)
