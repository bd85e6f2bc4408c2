"""The opt-in Hive password check without a JVM: the password file's format and errors, the Thrift server's options,
and what `stack up` refuses before starting anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.localstack import LocalStack, StackError, StackPorts
from generator.localstack.hive_password import (
    FILE_FORMAT,
    PASSWORD_FILE_PROPERTY,
    PROVIDER_CLASS,
    PROVIDER_SOURCE,
    ThriftAuth,
    install_password_check,
    password_file,
    read_login,
)
from generator.localstack.processes import free_port
from generator.localstack.services import THRIFT, build_specs
from generator.localstack.state import ServiceRecord, read_state, write_state


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "login"
    path.write_text(text)
    return path


def test_the_password_is_everything_after_the_first_colon_and_stays_out_of_repr(tmp_path):
    login = read_login(_file(tmp_path, "alice:pa:ss word\n"))
    assert (login.user, login.password) == ("alice", "pa:ss word")
    assert "pa:ss" not in repr(login)
    assert read_login(_file(tmp_path, "alice:secret\r\n")).password == "secret"
    assert read_login(_file(tmp_path, "alice:secret")).password == "secret"


@pytest.mark.parametrize(("text", "problem"), [
    ("", "it is empty"),
    ("\n", "it is empty"),
    ("alice:one\nbob:two\n", "it holds more than one line"),
    ("alice-with-no-colon-secret\n", "it has no ':'"),
    (":secret-without-user\n", "the user is empty"),
    ("alice:\n", "the password is empty"),
])
def test_a_malformed_file_is_named_with_the_problem_and_the_format_never_its_content(tmp_path, text, problem):
    path = _file(tmp_path, text)
    with pytest.raises(StackError) as caught:
        read_login(path)
    message = caught.value.message
    assert str(path) in message and problem in message and FILE_FORMAT in message
    assert "secret" not in message


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(StackError, match=f"cannot read the Hive password file {tmp_path / 'absent'}"):
        read_login(tmp_path / "absent")


def test_missing_javac_names_the_jdk_to_install_and_leaves_no_copy(tmp_path, monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(StackError, match="javac is missing.*openjdk-17-jdk-headless"):
        install_password_check(tmp_path / "run", _file(tmp_path, "alice:secret\n"), tmp_path)
    assert not password_file(tmp_path / "run").exists()


def _thrift_command(tmp_path: Path, auth: ThriftAuth | None) -> list[str]:
    return build_specs(tmp_path, StackPorts(1, 2, 3), "java", auth)[THRIFT].command


def _hiveconf(command: list[str]) -> dict[str, str]:
    pairs = [command[i + 1] for i, arg in enumerate(command) if arg == "--hiveconf"]
    return dict(pair.split("=", 1) for pair in pairs)


def test_the_default_stack_does_not_check_passwords(tmp_path):
    command = _thrift_command(tmp_path, None)
    assert _hiveconf(command)["hive.server2.authentication"] == "NONE"
    assert "hive.server2.custom.authentication.class" not in _hiveconf(command)
    assert "--driver-class-path" not in command and PASSWORD_FILE_PROPERTY not in " ".join(command)


def test_the_password_check_is_hiveserver2_custom_auth_with_our_provider_on_the_driver_class_path(tmp_path):
    classes, secret_file = tmp_path / "hive-auth" / "classes", password_file(tmp_path)
    auth = ThriftAuth("CUSTOM", (classes,), (f"-D{PASSWORD_FILE_PROPERTY}={secret_file}",))
    command = _thrift_command(tmp_path, auth)
    assert _hiveconf(command)["hive.server2.authentication"] == "CUSTOM"
    assert _hiveconf(command)["hive.server2.custom.authentication.class"] == PROVIDER_CLASS
    assert command[command.index("--driver-class-path") + 1] == str(classes)
    java_options = command[command.index("--driver-java-options") + 1].split()
    assert f"-D{PASSWORD_FILE_PROPERTY}={secret_file}" in java_options
    assert f"-Dlocalstack.run.dir={tmp_path}" in java_options  # the stack's process marker is kept


def test_the_provider_reads_the_property_and_class_this_module_names():
    source = PROVIDER_SOURCE.read_text()
    package, name = PROVIDER_CLASS.rsplit(".", 1)
    assert f"package {package};" in source and f"public final class {name} " in source
    assert f'FILE_PROPERTY = "{PASSWORD_FILE_PROPERTY}"' in source


def _ports() -> StackPorts:
    return StackPorts(free_port(), free_port(), free_port())


def test_stack_up_with_a_malformed_file_names_it_and_starts_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr("generator.localstack.stack.jdk_program", lambda name: name)
    bad = _file(tmp_path, "no-colon-here\n")
    with pytest.raises(StackError, match=f"{bad} is not in the expected format"):
        LocalStack(tmp_path / "run", _ports(), hive_password_file=bad).up()
    assert read_state((tmp_path / "run").resolve()) == {}


def test_a_running_server_without_the_check_is_not_silently_reused_for_one_with_it(tmp_path, monkeypatch):
    monkeypatch.setattr("generator.localstack.stack.jdk_program", lambda name: name)
    run_dir = (tmp_path / "run").resolve()
    run_dir.mkdir()
    # Our own child counts as alive whatever its command line: it plays the recorded Thrift server.
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        write_state(run_dir, {THRIFT: ServiceRecord(THRIFT, child.pid, 1, "/x.log", "NONE")})
        with pytest.raises(StackError, match="already runs with authentication NONE, not CUSTOM.*stack down"):
            LocalStack(run_dir, _ports(), hive_password_file=_file(tmp_path, "alice:secret\n")).up()
        write_state(run_dir, {THRIFT: ServiceRecord(THRIFT, child.pid, 1, "/x.log", "CUSTOM")})
        assert LocalStack(run_dir).endpoints().step_env()["HIVE_AUTH"] == "CUSTOM"
        with pytest.raises(StackError, match="already runs with authentication CUSTOM, not NONE"):
            LocalStack(run_dir, _ports()).up()
    finally:
        child.stdin.close()
        child.wait(timeout=30)


def test_stack_down_removes_the_password_copy(tmp_path):
    copy = password_file(tmp_path)
    copy.parent.mkdir(parents=True)
    copy.write_text("alice:secret\n")
    LocalStack(tmp_path).down()
    assert not copy.exists()
