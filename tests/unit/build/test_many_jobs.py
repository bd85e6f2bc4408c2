"""Load: 500 job configs build and lint clean (the time is reported by `python -m bench.many_jobs`, not asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build.render import planned_outputs, write_outputs
from generator.lint import lint_paths

REPO = Path(__file__).resolve().parents[3]
JOBS = 500


def write_many_configs(folder: Path, count: int) -> None:
    """`count` variations of the example job: own names, tables, schedules; half without prepare or schedule."""
    (folder / "sql").mkdir(parents=True)
    (folder / "defaults.yaml").write_text((REPO / "conf" / "defaults.yaml").read_text())
    (folder / "sql" / "prep.sql").write_text("INSERT OVERWRITE TABLE f.t PARTITION (dt='${ds}') SELECT 1;\n")
    for index in range(count):
        lines = [
            f"name: job-{index:04d}",
            f"description: Generated job number {index}",
            f'model: {{uri: "models:/model_{index % 7}@champion"}}',
            f"input: {{table: features.t{index}, partition_column: dt, id_columns: [id]}}",
            f"output: {{table: scores.t{index}, partition_column: dt}}",
        ]
        if index % 2:
            lines.append("prepare: {sql: sql/prep.sql}")
            lines.append(f'schedule: {{cron: "{index % 60} {index % 24} * * *", timezone: Europe/Berlin}}')
        (folder / f"job-{index:04d}.yaml").write_text("\n".join(lines) + "\n")


@pytest.mark.slow
def test_500_jobs_build_and_lint_clean(tmp_path, crd_dir):
    write_many_configs(tmp_path / "conf", JOBS)
    outputs = planned_outputs([tmp_path / "conf"], tmp_path / "workflows")
    assert len(write_outputs(outputs)) == JOBS
    assert lint_paths([tmp_path / "workflows"], crd_dir) == []
