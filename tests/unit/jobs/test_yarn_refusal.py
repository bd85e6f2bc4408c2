"""How a SparkContext that YARN refused becomes the step's exit code (a real refusal, by hand: docs/HADOOP.md)."""

from __future__ import annotations

from contract import exit_codes
from jobs.common.spark import session_refusal

UNKNOWN_QUEUE = (
    "An error occurred while calling None.org.apache.spark.api.java.JavaSparkContext.\n"
    ": org.apache.hadoop.yarn.exceptions.YarnException: Failed to submit application_1_0003 to YARN : Application "
    "application_1_0003 submitted by user root to unknown queue: nope\n\tat org.apache.spark.deploy.yarn.Client"
)


def test_unknown_queue_is_permanent_and_names_yarn_and_the_queue():
    error = session_refusal("yarn", UNKNOWN_QUEUE)
    assert error is not None and error.exit_code == exit_codes.PERMANENT
    assert "YARN ResourceManager" in error.message and "unknown queue: nope" in error.message


def test_resourcemanager_unreachable_is_transient():
    error = session_refusal("yarn", "java.net.ConnectException: Call From vm to 127.0.0.1:8032 failed on connection "
                                    "exception: java.net.ConnectException: Connection refused")
    assert error is not None and error.exit_code == exit_codes.TRANSIENT
    assert "YARN ResourceManager" in error.message


def test_other_masters_and_other_failures_keep_their_own_error():
    assert session_refusal("local[2]", UNKNOWN_QUEUE) is None
    assert session_refusal("yarn", "java.lang.OutOfMemoryError: Java heap space") is None
