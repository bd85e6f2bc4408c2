"""Output parameters: one file per parameter in the folder the Argo template reads them from."""

from __future__ import annotations

from pathlib import Path


def write_outputs(out_dir: Path, values: dict[str, str]) -> None:
    """Writes `out_dir/<name>` holding `value` for each item (folder created when missing)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, value in values.items():
        (out_dir / name).write_text(value)
