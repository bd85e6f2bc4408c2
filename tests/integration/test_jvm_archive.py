"""The JVM class-data archive really matches the steps' Spark driver JVM (real Spark, no services needed)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jobs.common.jvm_archive import ARCHIVE_ENV
from tests.integration.helpers import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.integration]

# -Xshare:on turns "archive does not match" (other JDK, other class path) from a silent slow start into a failure.
SESSION = textwrap.dedent("""
    import sys
    from pathlib import Path
    from jobs.common.jvm_archive import archive_java_options
    from jobs.common.spark import build_spark
    spark = build_spark("archive-check", "local[1]", "thrift://127.0.0.1:1", Path(sys.argv[1]),
                        conf={"spark.driver.extraJavaOptions": f"-Xshare:on {archive_java_options()}"})
    assert spark.range(10).count() == 10
    spark.stop()
""")


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """`make`'s archive when SPARK_CDS_ARCHIVE names one, else one built here."""
    given = os.environ.get(ARCHIVE_ENV, "")
    if given and Path(given).is_file():
        return Path(given)
    # In a process of its own: a Spark session an earlier test left in this one would be reused without the
    # archive option, and no archive would be written.
    path = tmp_path_factory.mktemp("jvm") / "driver.jsa"
    subprocess.run([sys.executable, "-m", "jobs.common.jvm_archive", str(path)], cwd=REPO_ROOT, check=True, timeout=900)
    return path


def test_the_steps_driver_jvm_maps_the_archive(archive, tmp_path):
    env = dict(os.environ, **{ARCHIVE_ENV: str(archive)})
    session = subprocess.run([sys.executable, "-c", SESSION, str(tmp_path)], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=600, check=False)
    assert session.returncode == 0, session.stderr[-3000:]
