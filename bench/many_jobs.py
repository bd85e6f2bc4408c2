"""`python -m bench.many_jobs`: time `build` and `lint` (with Argo's CRDs) over N generated job configs."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

from generator.crd_dir import default_crd_dir

REPO = Path(__file__).resolve().parents[1]


def write_many_configs(folder: Path, count: int) -> None:
    """`count` variations of the example job: own names, tables, models; every other one with prepare + schedule."""
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


@click.command()
@click.option("--jobs", default=500, show_default=True, help="How many job configs to generate.")
@click.option("--crd-dir", type=click.Path(path_type=Path), default=default_crd_dir(), show_default=True,
              help="Argo CRDs for the schema stage of lint.")
def main(jobs: int, crd_dir: Path) -> None:
    """Write N configs, then time building them (validate + render + write) and linting the output."""
    from argo_toolset.lint import lint_paths
    from generator.specs.render import planned_outputs, write_outputs

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        write_many_configs(root / "conf", jobs)
        started = time.perf_counter()
        written = write_outputs(planned_outputs([root / "conf"], root / "workflows"))
        built = time.perf_counter()
        findings = lint_paths([root / "workflows"], crd_dir)
        linted = time.perf_counter()
    click.echo(f"build: {len(written)} files in {built - started:.1f} s; "
               f"lint: {len(findings)} findings in {linted - built:.1f} s ({jobs * 3 - jobs // 2} documents)")


if __name__ == "__main__":
    main()
