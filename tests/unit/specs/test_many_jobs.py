"""Load: 500 job configs build and lint clean (the time is reported by `python -m bench.many_jobs`, not asserted)."""

from __future__ import annotations

import pytest

from argo_toolset.lint import lint_paths
from bench.many_jobs import write_many_configs
from generator.specs.render import planned_outputs, write_outputs

JOBS = 500


@pytest.mark.slow
def test_500_jobs_build_and_lint_clean(tmp_path, crd_dir):
    write_many_configs(tmp_path / "conf", JOBS)
    outputs = planned_outputs([tmp_path / "conf"], tmp_path / "workflows")
    assert len(write_outputs(outputs)) == 2 * JOBS  # each job: workflows file + RBAC manifest
    assert lint_paths([tmp_path / "workflows"], crd_dir) == []
