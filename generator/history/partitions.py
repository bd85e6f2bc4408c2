"""One row per partition from the job's lineage runs: model version, rows, score quantiles, PSI, status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

QUANTILES = ("p10", "p50", "p90")


@dataclass(frozen=True)
class PartitionRow:
    """What the latest lineage run of one partition recorded (None: not measured)."""

    ds: str
    model_version: str
    rows: int | None
    quantiles: dict[str, float | None]
    psi_previous: float | None
    psi_reference: float | None
    status: str  # ok / warn / fail (drift), or FAILED when validation failed

    @classmethod
    def from_run(cls, run: dict[str, Any]) -> PartitionRow:
        data = run.get("data", {})
        params = {p["key"]: p["value"] for p in data.get("params", [])}
        metrics = {m["key"]: m["value"] for m in data.get("metrics", [])}
        tags = {t["key"]: t["value"] for t in data.get("tags", [])}
        rows = metrics.get("output_rows", metrics.get("rows"))
        drift = tags.get("batch_scoring.drift_status")
        checks = tags.get("batch_scoring.checks_passed")
        status = "FAILED" if checks == "false" else (drift or run.get("info", {}).get("status", "?").lower())
        return cls(
            ds=params.get("ds", "?"), model_version=params.get("model_version", "") or "?",
            rows=int(rows) if rows is not None else None,
            quantiles={q: metrics.get(f"score_{q}") for q in QUANTILES},
            psi_previous=metrics.get("score_psi_previous"), psi_reference=metrics.get("score_psi_reference"),
            status=status,
        )


def latest_per_partition(runs: list[dict[str, Any]], limit: int) -> list[PartitionRow]:
    """The newest run of each partition (runs come newest first), the last `limit` partitions, oldest first."""
    seen: dict[str, PartitionRow] = {}
    for run in runs:
        row = PartitionRow.from_run(run)
        seen.setdefault(row.ds, row)
    return [seen[ds] for ds in sorted(seen)[-limit:]]


def _number(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(rows: list[PartitionRow]) -> str:
    """A plain-text table, one line per partition."""
    header = ["ds", "model", "rows", *QUANTILES, "psi_prev", "psi_ref", "status"]
    lines = [[r.ds, r.model_version, "-" if r.rows is None else str(r.rows),
              *(_number(r.quantiles[q]) for q in QUANTILES), _number(r.psi_previous), _number(r.psi_reference),
              r.status] for r in rows]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
                     for line in [header, *lines])
