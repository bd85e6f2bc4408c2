"""Credentials that really travel leak nowhere: the demo workflow run by the local runner against an MLflow server
that checks passwords (MLflow's own basic-auth app, `mlflow server --app-name basic-auth`) and a local stack whose
Spark Thrift Server checks the Hive password (HiveServer2 CUSTOM authentication, `stack up --hive-password-file`;
its provider is a stand-in for LDAP, the SASL PLAIN handshake and the server's refusal are real), with planted
Secret values; then the planted values are searched for in everything the run and the services left behind."""

from __future__ import annotations

import base64
import getpass
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyhive import hive
from thrift.transport.TTransport import TTransportException

from argo_toolset.processes import log_tail, spawn, stop
from argo_toolset.runner import NodePhase, RunResult, load_documents, run_workflow, secret_variable
from generator.localstack import StackEndpoints
from generator.localstack.hive_password import password_file
from generator.localstack.processes import free_port, port_accepts
from generator.specs.render import planned_outputs, write_outputs
from tests.integration.helpers import REPO_ROOT, output_files
from tests.reliability.helpers import DEMO_JOB, files_holding, files_under, write_demo_conf
from tests.stacks import running_stack

pytestmark = [pytest.mark.slow, pytest.mark.integration]
DS = "2026-05-02"
READY_SECONDS = 180
OUTPUT_TABLE = "demo_scores.authenticated_scores"
WRONG_PASSWORD = "not-the-password"


@pytest.fixture(scope="module")
def planted() -> dict[tuple[str, str], str]:
    """Secret values made up for this module: (Secret name, key) -> value."""
    return {(name, key): f"planted-{key}-{uuid.uuid4().hex}"
            for name in ("hive-credentials", "mlflow-credentials") for key in ("username", "password")}


@dataclass(frozen=True)
class PasswordStack:
    """A local stack of its own whose Spark Thrift Server accepts only the planted Hive user and password.

    Attributes:
        endpoints: where its services listen (`hive_auth` CUSTOM).
        run_dir: all its state and logs.
        login: (user, password) the server accepts.
    """

    endpoints: StackEndpoints
    run_dir: Path
    login: tuple[str, str]

    def connect(self, user: str, password: str | None, auth: str = "CUSTOM") -> hive.Connection:
        return hive.Connection(host=self.endpoints.hive_host, port=self.endpoints.hive_port, auth=auth,
                               username=user, password=password)


@pytest.fixture(scope="module")
def password_stack(tmp_path_factory, planted) -> Iterator[PasswordStack]:
    login = (planted[("hive-credentials", "username")], planted[("hive-credentials", "password")])
    # The file handed to `stack up` sits outside the run dir (as a user's would); the stack keeps a 0600 copy.
    source = tmp_path_factory.mktemp("hive-login") / "login"
    source.write_text(f"{login[0]}:{login[1]}\n")
    run_dir = tmp_path_factory.mktemp("password-stack")
    with running_stack(run_dir, "the password-checking stack", hive_password_file=source) as endpoints:
        yield PasswordStack(endpoints, run_dir.resolve(), login)


@dataclass(frozen=True)
class AuthServer:
    """An MLflow server that refuses requests without a valid user and password.

    Attributes:
        uri: `http://127.0.0.1:<port>`.
        folder: everything the server keeps: its log, tracking and user databases, artifacts.
        admin: (user, password) of the administrator that set the server up.
    """

    uri: str
    folder: Path
    admin: tuple[str, str]

    def request(self, path: str, credentials: tuple[str, str] | None = None, body: dict | None = None) -> int:
        """HTTP status of one REST call (POST with a JSON body, else GET)."""
        request = urllib.request.Request(f"{self.uri}{path}", data=json.dumps(body).encode() if body else None,
                                         headers={"Content-Type": "application/json"})
        if credentials:
            token = base64.b64encode(":".join(credentials).encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory) -> Iterator[AuthServer]:
    folder = tmp_path_factory.mktemp("mlflow-auth")
    admin = ("admin", secrets.token_urlsafe(16))  # made up for this session only
    (folder / "basic_auth.ini").write_text(
        "[mlflow]\ndefault_permission = READ\n"
        f"database_uri = sqlite:///{folder / 'basic_auth.db'}\nadmin_username = {admin[0]}\n"
        f"admin_password = {admin[1]}\nauthorization_function = mlflow.server.auth:authenticate_request_basic_auth\n")
    port = free_port()
    env = {**os.environ, "MLFLOW_AUTH_CONFIG_PATH": str(folder / "basic_auth.ini"),
           # CSRF key of the auth app's Flask side (it refuses to start without one); made up per session.
           "MLFLOW_FLASK_SERVER_SECRET_KEY": secrets.token_hex(16),
           "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false", "MLFLOW_DISABLE_TELEMETRY": "true",
           "TMPDIR": str(folder)}
    log = folder / "server.log"
    pid = spawn([sys.executable, "-m", "mlflow", "server", "--app-name", "basic-auth",
                 "--backend-store-uri", f"sqlite:///{folder / 'mlflow.db'}",
                 "--artifacts-destination", str(folder / "artifacts"), "--serve-artifacts",
                 "--host", "127.0.0.1", "--port", str(port), "--workers", "1"], env, folder, log)
    server = AuthServer(f"http://127.0.0.1:{port}", folder, admin)
    try:
        _wait_until_healthy(server, log)
        yield server
    finally:
        stop(pid, str(folder))


def _wait_until_healthy(server: AuthServer, log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if port_accepts(int(server.uri.rsplit(":", 1)[1])) and server.request("/health") == 200:
            return
        time.sleep(0.5)
    pytest.fail(f"the MLflow basic-auth server did not start; last lines of {log}:\n{log_tail(log)}")


@dataclass(frozen=True)
class AuthenticatedRun:
    """One demo workflow run whose steps reached Hive and MLflow with planted credentials."""

    result: RunResult
    planted: dict[tuple[str, str], str]
    lines: list[str]
    workflows_file: Path
    conf_dir: Path
    experiment: str
    model_uri: str


@pytest.fixture(scope="module")
def authenticated_run(tmp_path_factory, auth_server, password_stack, planted) -> AuthenticatedRun:
    import mlflow

    import demo.data
    from demo.model import register_pyfunc_model

    user = {"username": planted[("mlflow-credentials", "username")],
            "password": planted[("mlflow-credentials", "password")]}
    assert auth_server.request("/api/2.0/mlflow/users/create", auth_server.admin, user) == 200
    previous_tracking_uri = mlflow.get_tracking_uri()
    with pytest.MonkeyPatch.context() as patch:  # the administrator registers the model; the steps only read it
        patch.setenv("MLFLOW_TRACKING_USERNAME", auth_server.admin[0])
        patch.setenv("MLFLOW_TRACKING_PASSWORD", auth_server.admin[1])
        try:
            model = register_pyfunc_model(f"auth_{uuid.uuid4().hex[:6]}", tracking_uri=auth_server.uri)
        finally:
            mlflow.set_tracking_uri(previous_tracking_uri)  # the session's other tests use the stack's server

    stack = password_stack.endpoints
    hive_user, hive_password = password_stack.login
    demo.data.load_days(stack.hive_host, stack.hive_port, [DS], hive_user, "CUSTOM", hive_password)
    root = tmp_path_factory.mktemp("authenticated")
    experiment = f"auth-{uuid.uuid4().hex[:8]}"
    conf_dir = write_demo_conf(root / "conf", stack, auth_server.uri, model.alias_uri, OUTPUT_TABLE, experiment)
    write_outputs(planned_outputs([conf_dir], root / "workflows"))
    workflows_file = root / "workflows" / f"{DEMO_JOB}.yaml"
    lines: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        for (name, key), value in planted.items():
            patch.setenv(secret_variable(name, key), value)
        result = run_workflow(load_documents(workflows_file), DEMO_JOB, {"ds": DS}, {}, root / "run", root / "locks",
                              backoff_scale=0, echo=lines.append, stream_logs=True)
    return AuthenticatedRun(result, planted, lines, workflows_file, conf_dir, experiment, model.alias_uri)


def test_hiveserver2_refuses_a_wrong_hive_password_and_accepts_the_planted_one(password_stack):
    """So the run below could only reach Hive because the planted password travelled (SASL PLAIN over Thrift)."""
    from contract import exit_codes
    from jobs.common.errors import LoginRefused
    from jobs.common.hive import HiveClient, HiveSettings

    user, password = password_stack.login
    refused = [(user, WRONG_PASSWORD, "CUSTOM"), ("someone-else", password, "CUSTOM"), (user, None, "NONE")]
    for login_user, login_password, auth in refused:
        with pytest.raises(TTransportException, match="Error validating the login"):
            password_stack.connect(login_user, login_password, auth)
    connection = password_stack.connect(user, password)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT 1")
        assert cursor.fetchall() == [(1,)]
    finally:
        connection.close()

    # The steps' own client, as a step with the wrong Secret runs it: refused at once as permanent (exit 2), not
    # retried for its budget as an unreachable server would be (that would end as ServiceUnavailable instead).
    endpoints = password_stack.endpoints
    settings = HiveSettings(endpoints.hive_host, endpoints.hive_port, "CUSTOM", user, WRONG_PASSWORD,
                            retry_seconds=30)
    with pytest.raises(LoginRefused, match="refused the login") as caught, HiveClient(settings) as client:
        client.query("SELECT 1")
    assert caught.value.exit_code == exit_codes.PERMANENT and WRONG_PASSWORD not in caught.value.message
    settings = HiveSettings(endpoints.hive_host, endpoints.hive_port, "CUSTOM", user, password, retry_seconds=0)
    with HiveClient(settings) as client:
        assert client.query("SELECT 1") == [(1,)]


def test_the_password_copy_is_private_to_the_stack(password_stack):
    copy = password_file(password_stack.run_dir)
    assert copy.stat().st_mode & 0o777 == 0o600 and copy.parent.stat().st_mode & 0o077 == 0
    assert copy.read_text() == f"{password_stack.login[0]}:{password_stack.login[1]}\n"


def test_the_mlflow_server_refuses_requests_without_the_planted_password(auth_server, authenticated_run, tmp_path):
    """So the run below could only succeed because the planted password reached MLflow."""
    path = "/api/2.0/mlflow/experiments/search?max_results=1"
    user = authenticated_run.planted[("mlflow-credentials", "username")]
    password = authenticated_run.planted[("mlflow-credentials", "password")]
    assert auth_server.request(path) == 401
    assert auth_server.request(path, (user, WRONG_PASSWORD)) == 401
    assert auth_server.request(path, (user, password)) == 200

    env = {**os.environ, "MLFLOW_TRACKING_URI": auth_server.uri, "MLFLOW_TRACKING_USERNAME": user,
           "MLFLOW_TRACKING_PASSWORD": WRONG_PASSWORD, "STEP_RETRY_SECONDS": "3",
           "MLFLOW_DISABLE_TELEMETRY": "true"}
    refused = subprocess.run([sys.executable, "-m", "jobs.fetch_model", "--model-uri", authenticated_run.model_uri,
                              "--out-dir", str(tmp_path / "out")], env=env, cwd=REPO_ROOT, capture_output=True,
                             text=True, timeout=300, check=False)
    assert refused.returncode != 0 and "401" in refused.stderr + refused.stdout
    assert not (tmp_path / "out").exists() or not output_files(tmp_path / "out")


def test_the_run_authenticated_with_the_planted_credentials_and_logged_its_lineage(authenticated_run, auth_server,
                                                                                   password_stack):
    result = authenticated_run.result
    assert result.phase is NodePhase.SUCCEEDED, result.message
    assert "auth: CUSTOM" in (authenticated_run.conf_dir / "defaults.yaml").read_text()
    connection = password_stack.connect(*password_stack.login)
    try:  # the scores landed in the password-checking stack's Hive
        cursor = connection.cursor()
        cursor.execute(f"SELECT COUNT(*) FROM {OUTPUT_TABLE} WHERE dt = '{DS}'")
        assert cursor.fetchall() == [(569,)]
    finally:
        connection.close()
    from mlflow.tracking import MlflowClient

    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_USERNAME", auth_server.admin[0])
        patch.setenv("MLFLOW_TRACKING_PASSWORD", auth_server.admin[1])
        client = MlflowClient(auth_server.uri)
        experiment = client.get_experiment_by_name(authenticated_run.experiment)
        runs = client.search_runs([experiment.experiment_id])
    assert len(runs) == 1  # validate's lineage run, written through the password-checking server
    author = runs[0].data.tags.get("mlflow.user")
    assert author in {authenticated_run.planted[("mlflow-credentials", "username")], getpass.getuser()}


def test_planted_credentials_appear_in_no_yaml_log_file_database_or_artifact(authenticated_run, auth_server,
                                                                           password_stack):
    """Passwords appear nowhere: not in what we generate or the run writes, not in the services' own logs,
    databases or artifact stores. The one exception, excluded by its path: the stack's own copy of the Hive password
    file (mode 0600), which the server's check reads; it is asserted to be the only file of the stack holding the
    Hive password, so the search demonstrably finds what it looks for. (The file handed to `stack up` lies outside
    every searched folder.) Login names appear nowhere on our side; MLflow's own stores may hold the MLflow
    login (its user table, and the run's author tag `mlflow.user`), as any server keeps its users."""
    run = authenticated_run
    assert "secretKeyRef" in run.workflows_file.read_text()  # the values were referenced, never written
    passwords = [run.planted[(name, "password")] for name in ("hive-credentials", "mlflow-credentials")]
    usernames = [run.planted[(name, "username")] for name in ("hive-credentials", "mlflow-credentials")]
    ours = [run.workflows_file.parent, run.conf_dir, run.result.work_dir]
    stack_dir = password_stack.run_dir  # metastore, Spark Thrift Server, MLflow: logs, databases, files, tmp
    services = [stack_dir, auth_server.folder]
    searched = sum(len(files_under(folder)) for folder in ours + services)
    assert searched > 50 and (auth_server.folder / "server.log").stat().st_size > 0
    assert len(files_under(run.result.work_dir)) > 10  # the steps' logs, outputs, Spark and model folders
    with pytest.raises(TTransportException):  # a refused login carrying the planted password: the server logs it
        password_stack.connect("someone-else", run.planted[("hive-credentials", "password")])
    assert "Error validating the login" in (stack_dir / "logs" / "thrift.log").read_text(errors="replace")

    hive_password = run.planted[("hive-credentials", "password")]
    assert files_holding([stack_dir], passwords) == [(str(password_file(stack_dir)), hive_password)]
    assert files_holding(ours + [auth_server.folder], passwords) == []
    assert files_holding(ours, usernames) == []
    assert files_holding([auth_server.folder / "server.log", auth_server.folder / "artifacts"], usernames) == []
    runner_output = "\n".join(run.lines)
    assert not [value for value in passwords + usernames if value in runner_output]
