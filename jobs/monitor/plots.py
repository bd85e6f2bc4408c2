"""The monitor step's pictures (PNG, matplotlib's Agg backend: no display needed in a pod)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from jobs.monitor.drift import DriftReport  # noqa: E402
from jobs.monitor.lineage import PsiPoint  # noqa: E402
from jobs.monitor.measures import Line, shares  # noqa: E402

SCORE_HISTOGRAM = "score_histogram.png"
PSI_HISTORY = "score_psi_history.png"
STYLE = {"current": ("#1f77b4", "this partition"), "previous": ("#ff7f0e", "previous partition"),
         "reference": ("#2ca02c", "reference")}


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def score_histogram(report: DriftReport, path: Path) -> Path:
    """Share of rows per score bin: this partition against the previous partition's and the reference's."""
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    edges = report.score_edges
    for name, counts in report.score_histograms.items():
        color, label = STYLE[name]
        if name == "previous":
            label = f"previous partition {report.previous_ds} (PSI {_fmt(report.score_psi_previous)})"
        elif name == "reference":
            label = f"reference (PSI {_fmt(report.score_psi_reference)})"
        else:
            label = f"{label} {report.ds} ({report.rows} rows)"
        ax.stairs(shares(counts), edges, label=label, color=color, linewidth=2,
                  fill=(name == "current"), alpha=0.35 if name == "current" else 1.0)
    ax.set_xlabel(f"{report.score_column} ({len(edges) - 1} equal-width bins)")
    ax.set_ylabel("share of rows")
    ax.set_title(f"{report.output_table}: score distribution, {report.ds} — drift {report.status}")
    ax.legend(loc="upper center", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def psi_history(report: DriftReport, earlier: list[PsiPoint], line: Line, path: Path) -> Path:
    """Score PSI per partition (against the previous partition and the reference) with the warn and fail lines."""
    points = [*earlier, PsiPoint(report.ds, report.score_psi_previous, report.score_psi_reference)]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    labels = [p.ds for p in points]
    for attribute, (color, _), name in (("psi_previous", STYLE["previous"], "PSI vs previous partition"),
                                         ("psi_reference", STYLE["reference"], "PSI vs reference")):
        xs = [i for i, p in enumerate(points) if getattr(p, attribute) is not None]
        if xs:
            ax.plot(xs, [getattr(points[i], attribute) for i in xs], marker="o", color=color, label=name)
    for value, style, name in ((line.warn, "--", "warn"), (line.fail, "-", "fail")):
        if value is not None:
            ax.axhline(value, color="#d62728", linestyle=style, linewidth=1, label=f"{name} line {value}")
    ax.set_xticks(range(len(points)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_xlim(-0.5, len(points) - 0.5)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("partition")
    ax.set_ylabel("score PSI")
    ax.set_title(f"{report.output_table}: score PSI over the last {len(points)} partitions")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
