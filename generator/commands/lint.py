"""`generate-workflow lint`: check Argo specs offline (strict parse, Argo CRD schema + CEL, semantic rules)."""

from __future__ import annotations

from pathlib import Path

import click

from argo_toolset.lint import RULES, collect_files, lint_files

_RULES_HELP = "\b\nRules:\n" + "\n".join(f"  {name:<20} {text}" for name, text in RULES.items())


@click.command(
    "lint",
    help=(
        "Lint Argo Workflows specs offline, as a cluster would judge them.\n\n"
        "PATH is a YAML file or a directory (every *.yaml / *.yml in it; default: workflows/). All documents "
        "are linted together, so templateRef and workflowTemplateRef resolve across the files given.\n\n"
        "Stages: (1) strict parse: YAML errors, duplicate keys, apiVersion/kind, unknown fields; "
        "(2) with --crd-dir, Argo's CRD schemas (types, required, enums, patterns, ranges) and their CEL "
        "rules; without it, unknown fields are checked against Hera's Argo models and the schema stage is "
        "skipped; (3) semantic rules: entrypoint, template references, one type per template, DAG "
        "dependencies and cycles, {{...}} variables, required inputs, enums, names, cron and time zone, "
        "Argo v3 fields removed in v4.\n\n"
        "Prints one line per finding: FILE: doc N KIND/NAME: PATH: [RULE] MESSAGE, and exits 1 on any finding.\n\n"
        + _RULES_HELP
    ),
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--crd-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="ARGO_CRD_DIR",
    show_envvar=True,
    help="Directory with Argo's CRD files (argoproj.io_workflows.yaml, ...), e.g. ../shared/argo-crds/v4.1.2. "
    "Without it the CRD schema stage is skipped.",
)
def lint(paths: tuple[Path, ...], crd_dir: Path | None) -> None:
    """Lint Argo specs; exit 1 on any finding."""
    files = collect_files(list(paths) or [Path("workflows")])
    if not files:
        raise click.ClickException(f"lint: no *.yaml or *.yml files in {', '.join(map(str, paths or ['workflows']))}")
    if crd_dir is None:
        click.echo(
            "note: no --crd-dir (or ARGO_CRD_DIR): Argo CRD schema and CEL checks skipped; "
            "unknown fields checked against Hera's models",
            err=True,
        )
    result = lint_files(files, crd_dir)
    for finding in result.findings:
        click.echo(str(finding))
    if result.findings:
        plural = "s" if len(result.findings) != 1 else ""
        click.echo(
            f"{len(result.findings)} finding{plural} in {result.files} file(s), {result.documents} document(s)",
            err=True,
        )
        click.get_current_context().exit(1)
    click.echo(f"OK: {result.files} file(s), {result.documents} document(s), no findings")
