"""Golden test: the committed workflows/ match what conf/ generates now (regenerate on request, never in CI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import load_jobs
from generator.specs import render

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("job", load_jobs([REPO / "conf"]), ids=lambda job: job.config.name)
def test_committed_workflow_matches_its_config(job):
    committed = REPO / "workflows" / f"{job.config.name}.yaml"
    assert committed.exists(), f"{committed} missing: run `generate-workflow build` and commit it"
    assert committed.read_text() == render(job), (
        f"{committed} drifted from conf/{job.config.name}.yaml: run `generate-workflow build` and commit it"
    )


def test_examples_cover_a_scheduled_and_an_unscheduled_job():
    jobs = load_jobs([REPO / "conf"])
    assert {job.config.schedule is None for job in jobs} == {True, False}
