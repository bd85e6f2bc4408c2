"""The exit handler's alert against a real local HTTP receiver: sent on failure, not on a quiet success, and the
webhook URL (a secret) never appears in the step's output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.webhook_receiver import Receiver

REPO = Path(__file__).resolve().parents[3]
SECRET_PATH = "/hooks/T0KEN-s3cr3t-9f8e7d"
FAILURES = json.dumps([{"displayName": "score", "message": "input partition is empty"}])


def _report(url: str, status: str, *extra: str) -> subprocess.CompletedProcess:
    args = ["--workflow-name", "churn-daily-abc12", "--status", status, "--failures", FAILURES if status != "Succeeded"
            else "", "--job", "churn-daily", "--ds", "2024-03-01", *extra]
    return subprocess.run([sys.executable, "-m", "jobs.report", *args], cwd=REPO, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "ALERT_WEBHOOK_URL": url}, timeout=60, check=False)


def test_failure_posts_one_message_and_never_prints_the_url():
    with Receiver() as receiver:
        result = _report(receiver.url(SECRET_PATH), "Failed")
    assert result.returncode == 0, result.stderr
    assert receiver.paths == [SECRET_PATH]
    [message] = receiver.messages
    assert message["job"] == "churn-daily" and message["ds"] == "2024-03-01" and message["status"] == "Failed"
    assert message["kind"] == "failure" and message["failures"] == ["score: input partition is empty"]
    assert "alert posted to the webhook (HTTP 200)" in result.stdout
    assert "T0KEN" not in result.stdout + result.stderr and "127.0.0.1" not in result.stdout + result.stderr


def test_quiet_success_sends_nothing_unless_asked():
    with Receiver() as receiver:
        quiet = _report(receiver.url(SECRET_PATH), "Succeeded")
        asked = _report(receiver.url(SECRET_PATH), "Succeeded", "--notify-on", "failure,success")
    assert quiet.returncode == asked.returncode == 0
    assert "no alert: a success run" in quiet.stdout
    assert [m["kind"] for m in receiver.messages] == ["success"]


def test_an_unreachable_or_failing_webhook_never_fails_the_handler():
    with Receiver(status=403) as receiver:
        refused = _report(receiver.url(SECRET_PATH), "Failed")
    assert refused.returncode == 0 and "alert NOT delivered: the webhook answered HTTP 403" in refused.stdout
    assert "T0KEN" not in refused.stdout + refused.stderr
