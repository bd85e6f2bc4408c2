"""RUNNER-LOAD TEST, not a scoring test: the real generated retro template over 30 dates at parallelism 3.

The local runner executes demo/conf's generated `cancer-risk-daily-retro` as written, and the real
`jobs.plan_dates` and `jobs.report` run; wait-for-input, prepare, fetch-model, score, validate and monitor are FAST
STAND-INS (a stub `jobs` package first on PYTHONPATH) so the test measures the runner's fan-out, mutexes, parameter
passing and bookkeeping over 30 pipelines, not Spark. The stand-in score writes one marker per partition. Real
scoring of a retro range is proven by tests/e2e (three dates, real Spark and Hive).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from argo_toolset.runner import NodePhase, load_documents, run_workflow
from generator.specs.render import planned_outputs, write_outputs

pytestmark = [pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
JOB = "cancer-risk-daily"
STAND_IN = '''
"""Fast stand-in for a Spark/Hive/MLflow step (runner-load test only): records its call, writes its outputs."""
import json, os, pathlib, sys, time
args = sys.argv[1:]
options = {args[i][2:]: args[i + 1] for i in range(0, len(args) - 1) if args[i].startswith("--")}
step = pathlib.Path(__file__).stem
out = pathlib.Path(options.get("out-dir", "/nonexistent"))
out.mkdir(parents=True, exist_ok=True)
if step == "fetch_model":
    for name, value in {"model-name": "cancer_risk", "model-version": "3", "model-run-id": "run3",
                        "pinned-uri": "models:/cancer_risk/3", "requirements": "scikit-learn"}.items():
        (out / name).write_text(value)
elif step == "score":
    time.sleep(0.2)
    marker = pathlib.Path(os.environ["PARTITIONS"]) / f"dt={options['ds']}"
    marker.write_text(json.dumps({"ds": options["ds"], "model_version": options["model-version"]}))
    (out / "rows-written").write_text("569")
    (out / "model-environment").write_text('{"mode": "image"}')
elif step == "validate":
    (out / "report").write_text("{}")
    (out / "lineage-run-id").write_text("lineage-" + options["ds"])
elif step == "monitor":
    for name, value in {"score-psi": "0.01", "rows": "569", "drift-status": "ok"}.items():
        (out / name).write_text(value)
'''


@pytest.fixture
def stand_in_env(tmp_path) -> dict[str, str]:
    """PYTHONPATH with a `jobs` package: real common/plan_dates/report, stand-ins for the Spark/Hive/MLflow steps."""
    package = tmp_path / "stand-ins" / "jobs"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for real in ("common", "plan_dates.py", "report.py", "alert.py"):
        (package / real).symlink_to(REPO / "jobs" / real)
    for step in ("wait_for_input", "prepare", "fetch_model", "score", "validate", "monitor"):
        (package / f"{step}.py").write_text(STAND_IN)
    partitions = tmp_path / "partitions"
    partitions.mkdir()
    return {"PYTHONPATH": str(tmp_path / "stand-ins"), "PARTITIONS": str(partitions)}


@pytest.fixture(scope="module")
def retro_documents(tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("workflows")
    write_outputs(planned_outputs([REPO / "demo" / "conf"], out))
    return load_documents(out / f"{JOB}.yaml")


def _peak(intervals: list[tuple]) -> int:
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    open_now = peak = 0
    for _, change in events:
        open_now += change
        peak = max(peak, open_now)
    return peak


def test_runner_load_thirty_date_retro_at_parallelism_three(retro_documents, stand_in_env, tmp_path):
    result = run_workflow(retro_documents, f"{JOB}-retro",
                          {"start": "2026-01-01", "end": "2026-01-30", "parallelism": "3"}, stand_in_env,
                          tmp_path / "work", tmp_path / "locks", backoff_scale=0, echo=None,
                          check_services=False)  # stand-in steps: the demo's loopback services are not needed

    assert result.phase is NodePhase.SUCCEEDED, [(n.display_name, n.message) for n in result.nodes() if n.message]
    scores = [node for node in result.pods() if node.template_name == "score"]
    assert sorted(node.inputs["ds"] for node in scores) == [f"2026-01-{day:02d}" for day in range(1, 31)]
    assert all(node.phase is NodePhase.SUCCEEDED for node in result.pods())
    assert _peak([(node.started_at, node.finished_at) for node in scores]) <= 3
    markers = sorted(Path(stand_in_env["PARTITIONS"]).iterdir())
    assert [marker.name for marker in markers] == [f"dt=2026-01-{day:02d}" for day in range(1, 31)]
    assert all(json.loads(marker.read_text())["model_version"] == "3" for marker in markers)
    assert result.exit_handler is not None and result.exit_handler.phase is NodePhase.SUCCEEDED


def test_a_ten_year_retro_is_refused_by_plan_dates_before_any_date_is_scored(retro_documents, stand_in_env,
                                                                               tmp_path):
    result = run_workflow(retro_documents, f"{JOB}-retro",
                          {"start": "2016-01-01", "end": "2025-12-31", "parallelism": "3"}, stand_in_env,
                          tmp_path / "work", tmp_path / "locks", backoff_scale=0, echo=None,
                          check_services=False)  # stand-in steps: the demo's loopback services are not needed

    assert result.phase is NodePhase.FAILED
    planners = [node for node in result.pods() if node.template_name.startswith("plan")]
    assert len(planners) == 1  # plan-dates has a retryStrategy, but a refused range exits 2: never retried
    assert "spans 3653 days; at most 62 are allowed" in (planners[0].folder / "main.log").read_text()
    assert not [node for node in result.pods() if node.template_name == "score"]
    assert not list(Path(stand_in_env["PARTITIONS"]).iterdir())
