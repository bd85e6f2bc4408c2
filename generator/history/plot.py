"""`history --plot`: the same partitions as a picture (matplotlib, imported only when asked for)."""

from __future__ import annotations

from pathlib import Path

from generator.errors import UserError
from generator.history.partitions import PartitionRow

STATUS_COLORS = {"ok": "#2ca02c", "warn": "#ff7f0e", "fail": "#d62728", "FAILED": "#d62728"}


def plot(rows: list[PartitionRow], title: str, path: Path) -> None:
    """Three panels sharing the partitions: score quantiles, score PSI, rows coloured by status."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UserError("--plot needs matplotlib: pip install matplotlib (the jobs extra has it)") from None
    xs = list(range(len(rows)))
    fig, (top, middle, bottom) = plt.subplots(3, 1, figsize=(9, 8), dpi=100, sharex=True)
    p10, p50, p90 = ([r.quantiles[q] for r in rows] for q in ("p10", "p50", "p90"))
    measured = [i for i in xs if None not in (p10[i], p50[i], p90[i])]
    if measured:
        top.fill_between(measured, [p10[i] for i in measured], [p90[i] for i in measured], alpha=0.3,
                         label="p10 to p90")
        top.plot(measured, [p50[i] for i in measured], marker="o", label="median")
    top.set_ylabel("score")
    top.set_title(title)
    top.legend(loc="upper left", fontsize=8)
    for attribute, label in (("psi_previous", "PSI vs previous partition"), ("psi_reference", "PSI vs reference")):
        points = [(i, getattr(rows[i], attribute)) for i in xs if getattr(rows[i], attribute) is not None]
        if points:
            middle.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
    middle.set_ylabel("score PSI")
    middle.set_ylim(bottom=0)
    middle.legend(loc="upper left", fontsize=8)
    bottom.bar(xs, [r.rows or 0 for r in rows], color=[STATUS_COLORS.get(r.status, "#7f7f7f") for r in rows])
    bottom.set_ylabel("rows (colour: status)")
    bottom.set_xticks(xs, [f"{r.ds}\nv{r.model_version}" for r in rows], rotation=45, ha="right", fontsize=7)
    for axis in (top, middle, bottom):
        axis.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
