"""history's partition rows from MLflow REST run records (pure; the real server: tests/integration/test_monitor.py)."""

from __future__ import annotations

from generator.history.partitions import latest_per_partition, table


def _run(ds: str, version: str, psi: float | None, drift: str | None, checks: str = "true") -> dict:
    metrics = [{"key": "output_rows", "value": 569.0}, {"key": "score_p50", "value": 0.61}]
    if psi is not None:
        metrics.append({"key": "score_psi_previous", "value": psi})
    tags = [{"key": "batch_scoring.checks_passed", "value": checks}]
    if drift:
        tags.append({"key": "batch_scoring.drift_status", "value": drift})
    return {"info": {"status": "FINISHED"}, "data": {"params": [{"key": "ds", "value": ds},
                                                                {"key": "model_version", "value": version}],
                                                     "metrics": metrics, "tags": tags}}


def test_latest_run_per_partition_oldest_first_and_limited():
    runs = [_run("2024-01-03", "2", 0.3, "fail"), _run("2024-01-02", "2", 0.01, "ok"),
            _run("2024-01-02", "1", 0.5, "fail"), _run("2024-01-01", "1", None, None, checks="false")]
    rows = latest_per_partition(runs, limit=2)
    assert [(r.ds, r.model_version, r.status) for r in rows] == [("2024-01-02", "2", "ok"), ("2024-01-03", "2", "fail")]
    assert latest_per_partition(runs, limit=5)[0].status == "FAILED"


def test_table_shows_missing_measures_as_dashes():
    text = table(latest_per_partition([_run("2024-01-01", "1", None, "ok")], limit=5))
    header, line = text.splitlines()
    assert header.split() == ["ds", "model", "rows", "p10", "p50", "p90", "psi_prev", "psi_ref", "status"]
    assert line.split() == ["2024-01-01", "1", "569", "-", "0.6100", "-", "-", "-", "ok"]
