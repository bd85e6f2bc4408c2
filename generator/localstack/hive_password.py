"""Opt-in password check of the local Spark Thrift Server: HiveServer2's own CUSTOM authentication with a provider
that accepts one user and password from a file.

The provider (PasswordFileAuthenticator.java beside this module) is a stand-in for a company's LDAP or identity
provider; the SASL PLAIN handshake over Thrift and HiveServer2's refusal of a wrong password are real. `stack up`
copies the user's password file into the run dir (mode 0600), compiles the provider there with `javac` against
pyspark's Thrift server jar, and puts it on the server's driver class path.

Password file format: one line `user:password`, split at the first colon (so the password may hold colons, the
user may not); neither part empty; a trailing line end is ignored.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from generator.localstack.errors import StackError
from generator.localstack.processes import jdk_program

PROVIDER_SOURCE = Path(__file__).with_name("PasswordFileAuthenticator.java")
PROVIDER_CLASS = "localstack.PasswordFileAuthenticator"
# The Java system property the provider reads the password file's path from (PasswordFileAuthenticator.FILE_PROPERTY).
PASSWORD_FILE_PROPERTY = "localstack.hive.password.file"
AUTH_DIR = "hive-auth"
PASSWORD_FILE_NAME = "hive-password"
FILE_FORMAT = "one line 'user:password' (the user without ':', neither part empty)"
NO_CHECK = "NONE"
PASSWORD_CHECK = "CUSTOM"


@dataclass(frozen=True)
class HiveLogin:
    """The one user and password the server accepts (the password is kept out of repr)."""

    user: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class ThriftAuth:
    """How the Spark Thrift Server authenticates clients.

    Attributes:
        mode: `hive.server2.authentication`: NONE (the default stack) or CUSTOM (the password check).
        class_path: folders to add to the server's driver class path (the compiled provider).
        java_options: extra driver JVM options (the password file's path, never the password).
    """

    mode: str = NO_CHECK
    class_path: tuple[Path, ...] = ()
    java_options: tuple[str, ...] = ()

    @property
    def hiveconf(self) -> dict[str, str]:
        """The server's `--hiveconf` settings for this mode."""
        settings = {"hive.server2.authentication": self.mode}
        if self.mode == PASSWORD_CHECK:
            settings["hive.server2.custom.authentication.class"] = PROVIDER_CLASS
        return settings


def read_login(path: Path) -> HiveLogin:
    """The user and password in `path`; a StackError naming the file and the expected format otherwise (the
    message never quotes the file's content)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise StackError(f"cannot read the Hive password file {path}: {error}; expected {FILE_FORMAT}") from None
    line = text.removesuffix("\n").removesuffix("\r")
    user, colon, password = line.partition(":")
    problem = (
        "it is empty" if not line
        else "it holds more than one line" if "\n" in line or "\r" in line
        else "it has no ':'" if not colon
        else "the user is empty" if not user
        else "the password is empty" if not password
        else None
    )
    if problem:
        raise StackError(f"the Hive password file {path} is not in the expected format: {problem}; expected "
                         f"{FILE_FORMAT}")
    return HiveLogin(user, password)


def password_file(run_dir: Path) -> Path:
    """Where the stack keeps its copy of the password file (mode 0600)."""
    return run_dir / AUTH_DIR / PASSWORD_FILE_NAME


def install_password_check(run_dir: Path, source: Path, spark_home: Path) -> ThriftAuth:
    """Copies the password file into `run_dir` (0600), compiles the provider there and returns the server's auth.

    Raises:
        StackError: the file is unreadable or not `user:password`, javac is missing, or the provider does not compile.
    """
    login = read_login(source)
    javac = jdk_program("javac")
    if javac is None:
        raise StackError(
            "javac is missing: the Hive password check (--hive-password-file) compiles its provider with a Java 17 "
            "JDK. Install it (Debian: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME to a JDK."
        )
    jars = sorted((spark_home / "jars").glob("spark-hive-thriftserver_*.jar"))
    if not jars:
        raise StackError(f"no spark-hive-thriftserver jar in {spark_home / 'jars'}: the pyspark install is incomplete")
    auth_dir = run_dir / AUTH_DIR
    classes = auth_dir / "classes"
    classes.mkdir(parents=True, exist_ok=True)
    os.chmod(auth_dir, 0o700)
    compiled = subprocess.run(
        [javac, "--release", "17", "-nowarn", "-d", str(classes), "-cp", str(jars[0]), str(PROVIDER_SOURCE)],
        capture_output=True, text=True, check=False,
    )
    if compiled.returncode != 0:
        raise StackError(f"javac could not compile {PROVIDER_SOURCE}:\n{compiled.stdout}{compiled.stderr}")
    _write_private(password_file(run_dir), f"{login.user}:{login.password}\n")
    return ThriftAuth(
        mode=PASSWORD_CHECK, class_path=(classes,),
        java_options=(f"-D{PASSWORD_FILE_PROPERTY}={password_file(run_dir)}",),
    )


def remove_password_copy(run_dir: Path) -> None:
    """Deletes the stack's copy of the password file (after `stack down`, no server needs it)."""
    password_file(run_dir).unlink(missing_ok=True)


def _write_private(path: Path, text: str) -> None:
    # Created 0600 from the start (never readable by others, not even for a moment), and chmod-ed in case it existed.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)
