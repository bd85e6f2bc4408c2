"""The committed workflows/*.yaml run under the runner: nothing refused, and the retro fans out correctly.

The steps are replaced by stub `jobs` modules (found first through PYTHONPATH, set with an env override)
that record their arguments and write the output files the templates declare, so the shape of the
generated YAML is exercised without Hive, Spark or MLflow.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from argo_toolset.runner import NodePhase, load_documents, run_workflow
from argo_toolset.runner.checks.features import check_supported
from argo_toolset.runner.documents import DocumentSet

# The Argo documents only: <job>.rbac.yaml beside them holds Kubernetes RBAC objects, which Argo never runs.
WORKFLOWS = sorted(path for path in (Path(__file__).resolve().parents[4] / "workflows").glob("*.yaml")
                   if not path.name.endswith(".rbac.yaml"))
STUB = '''
import datetime, json, os, pathlib, sys
args = sys.argv[1:]
options = {args[i][2:]: args[i + 1] for i in range(0, len(args) - 1) if args[i].startswith("--")}
step = pathlib.Path(__file__).stem
with open(os.path.join(os.environ["REC"], "calls.jsonl"), "a") as log:
    log.write(json.dumps({"step": step, "options": options}) + "\\n")
out = pathlib.Path(options.get("out-dir", "/nonexistent"))
if step == "fetch_model":
    out.mkdir(parents=True, exist_ok=True)
    for name, value in {"model-name": "churn", "model-version": "7", "model-run-id": "r1",
                        "pinned-uri": "models:/churn/7", "requirements": "scikit-learn"}.items():
        (out / name).write_text(value + "\\n")
elif step == "score":
    out.mkdir(parents=True, exist_ok=True)
    (out / "rows-written").write_text("10")
    (out / "model-environment").write_text('{"mode": "image"}')
elif step == "validate":
    out.mkdir(parents=True, exist_ok=True)
    (out / "report").write_text("{}")
    (out / "lineage-run-id").write_text("run-" + options["ds"])
elif step == "monitor":
    out.mkdir(parents=True, exist_ok=True)
    for name, value in {"score-psi": "0.01", "rows": "10", "drift-status": "ok"}.items():
        (out / name).write_text(value)
elif step == "plan_dates":
    start = datetime.date.fromisoformat(options["start"])
    days = (datetime.date.fromisoformat(options["end"]) - start).days + 1
    lanes = [[] for _ in range(min(int(options["lanes"]), days))]
    for index in range(days):
        lanes[index % len(lanes)].append((start + datetime.timedelta(days=index)).isoformat())
    out.mkdir(parents=True, exist_ok=True)
    (out / "lanes").write_text(json.dumps(lanes))
'''


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_every_generated_document_is_accepted(path):
    documents = DocumentSet(load_documents(path), str(path))
    for doc in documents.documents:
        check_supported(documents.runnable(f"{doc['kind']}/{doc['metadata']['name']}"))


@pytest.fixture
def stub_jobs(tmp_path):
    package = tmp_path / "stubs" / "jobs"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for step in ("prepare", "fetch_model", "score", "validate", "monitor", "plan_dates", "report"):
        (package / f"{step}.py").write_text(STUB)
    records = tmp_path / "rec"
    records.mkdir()
    return {"PYTHONPATH": str(tmp_path / "stubs"), "REC": str(records)}


def _calls(env):
    lines = Path(env["REC"], "calls.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_generated_retro_scores_each_date_once_through_the_main_pipeline(tmp_path, stub_jobs):
    documents = load_documents(Path(__file__).resolve().parents[4] / "workflows" / "churn-daily.yaml")

    result = run_workflow(documents, "churn-daily-retro", {"start": "2024-01-01", "end": "2024-01-03",
                                                            "parallelism": "2"},
                          stub_jobs, tmp_path / "work", tmp_path / "locks", echo=None)

    assert result.phase is NodePhase.SUCCEEDED, [(n.display_name, n.message) for n in result.nodes()]
    calls = _calls(stub_jobs)
    scored = sorted(call["options"]["ds"] for call in calls if call["step"] == "score")
    assert scored == ["2024-01-01", "2024-01-02", "2024-01-03"]
    # score consumed fetch-model's outputs (one trailing newline trimmed), paths mapped into node folders.
    score = next(call["options"] for call in calls if call["step"] == "score")
    assert score["model-uri"] == "models:/churn/7" and score["model-version"] == "7"
    assert score["out-dir"].startswith(str(tmp_path / "work" / "nodes"))
    # monitor measured each date on the lineage run validate logged for it.
    monitored = sorted((c["options"]["ds"], c["options"]["lineage-run-id"]) for c in calls if c["step"] == "monitor")
    assert monitored == [(ds, f"run-{ds}") for ds in scored]
    assert result.exit_handler is not None and result.exit_handler.phase is NodePhase.SUCCEEDED
