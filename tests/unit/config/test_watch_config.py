"""Config of the watching parts: monitoring lines (with their defaults), input.wait_for and alerts."""

from __future__ import annotations

from generator.config import load_job
from tests.unit.config.test_loader import changed, errors_of, write_job


def test_monitoring_defaults_are_the_documented_lines(tmp_path):
    monitoring = load_job(write_job(tmp_path)).config.monitoring
    assert (monitoring.score_psi.warn, monitoring.score_psi.fail) == (0.1, 0.25)
    assert (monitoring.feature_psi.warn, monitoring.feature_psi.fail) == (0.2, None)
    assert (monitoring.row_change.warn, monitoring.row_change.fail) == (0.3, None)
    assert monitoring.bins == 10 and monitoring.features == []


def test_bad_monitoring_values_name_the_key(tmp_path):
    path = write_job(tmp_path, changed("monitoring: {score_psi: {warn: 0.3, fail: 0.2}, bins: 1, row_change: "
                                       "{warn: -1}, colour: red}"))
    errors = {key: message for _, key, message in errors_of(path)}
    assert "fail 0.2 is below warn 0.3; allowed: fail >= warn" in errors["monitoring.score_psi"]
    assert "monitoring.bins" in errors and "monitoring.row_change.warn" in errors and "monitoring.colour" in errors


def test_wait_for_and_alerts(tmp_path):
    job = changed("input: {table: features.churn_daily, partition_column: dt, id_columns: [subscriber_id], "
                  "wait_for: {timeout: 2h, poll: 1m, min_rows: 10}}\nalerts: {webhook_secret: scoring-alerts}")
    config = load_job(write_job(tmp_path, job)).config
    assert config.input.wait_for.timeout == "2h" and config.input.wait_for.min_rows == 10
    assert config.alerts.webhook_key == "url" and config.alerts.notify_on == ["failure", "warning"]


def test_bad_wait_for_and_alerts_name_the_key(tmp_path):
    job = changed("input: {table: features.churn_daily, partition_column: dt, id_columns: [subscriber_id], "
                  "wait_for: {timeout: 6 hours}}\nalerts: {webhook_secret: Not_A_Name, notify_on: [sometimes]}")
    keys = {key for _, key, _ in errors_of(write_job(tmp_path, job))}
    assert {"input.wait_for.timeout", "alerts.webhook_secret", "alerts.notify_on.0"} <= keys
