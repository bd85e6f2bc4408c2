"""What a local run prints: progress lines, prefixed step logs, and a final summary like `argo get`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from argo_toolset.runner.results import NodePhase, NodeResult, NodeType, RunResult

_SYMBOLS = {NodePhase.SUCCEEDED: "✔", NodePhase.FAILED: "✖", NodePhase.ERROR: "⚠", NodePhase.SKIPPED: "○",
            NodePhase.OMITTED: "○", NodePhase.RUNNING: "◷"}


def format_duration(seconds: float) -> str:
    """`4.2s`, `3m05s` or `1h02m`, as compact as `argo get`."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Reporter:
    """Thread-safe printer for one run.

    Args:
        echo: Where lines go (click.echo in the CLI); None prints nothing.
        stream_logs: Print every step output line, prefixed by its node name.
    """

    def __init__(self, echo: Callable[[str], None] | None, stream_logs: bool = True):
        self._echo = echo
        self._lock = threading.Lock()
        self.stream_logs = stream_logs

    def line(self, text: str) -> None:
        if self._echo is None:
            return
        with self._lock:
            self._echo(text)

    def _stamp(self) -> str:
        return datetime.now().strftime("%H:%M:%S")

    def started(self, node: NodeResult) -> None:
        if node.type in (NodeType.STEP_GROUP, NodeType.RETRY, NodeType.TASK_GROUP):
            return
        template = f" ({node.template_name})" if node.template_name else ""
        self.line(f"{self._stamp()} {_SYMBOLS[NodePhase.RUNNING]} {node.display_name}{template} Running")

    def finished(self, node: NodeResult) -> None:
        if node.type in (NodeType.STEP_GROUP, NodeType.RETRY):
            return
        message = f"  {node.message}" if node.message else ""
        duration = f" in {format_duration(node.duration_seconds)}" if node.started_at else ""
        self.line(f"{self._stamp()} {_SYMBOLS[node.phase]} {node.display_name} {node.phase.value}{duration}{message}")

    def log(self, node: NodeResult, text: str) -> None:
        if self.stream_logs:
            self.line(f"  {node.display_name} | {text}")

    def summary(self, run: RunResult) -> None:
        for text in summary_lines(run):
            self.line(text)


def _tree(node: NodeResult, prefix: str, last: bool, top: bool, rows: list[tuple[str, ...]]) -> None:
    branch = "" if top else ("└─" if last else "├─")
    label = f"{prefix}{branch}{_SYMBOLS[node.phase]} {node.display_name}"
    duration = format_duration(node.duration_seconds) if node.started_at and node.finished_at else ""
    folder = node.folder.name if node.folder else ""
    rows.append((label, node.template_name, folder, duration, node.message))
    child_prefix = prefix if top else prefix + ("  " if last else "│ ")
    for index, child in enumerate(node.children):
        _tree(child, child_prefix, index == len(node.children) - 1, False, rows)


def summary_lines(run: RunResult) -> list[str]:
    """The `argo get`-like summary: header, then one row per node in a tree."""
    parameters = ", ".join(f"{name}={value}" for name, value in run.parameters.items()) or "-"
    lines = ["", f"Name:        {run.workflow_name}", f"Status:      {run.phase.value}"]
    if run.message:
        lines.append(f"Message:     {run.message}")
    failed = run.failed_steps()
    if failed:
        lines.append(f"Failed:      {', '.join(f'{node.display_name} ({node.message})' for node in failed)}")
    lines += [f"Duration:    {format_duration((run.finished_at - run.started_at).total_seconds())}",
              f"Parameters:  {parameters}", f"Work dir:    {run.work_dir}", ""]
    rows: list[tuple[str, ...]] = [("STEP", "TEMPLATE", "FOLDER", "DURATION", "MESSAGE")]
    _tree(run.root, " ", True, True, rows)
    if run.exit_handler is not None:
        _tree(run.exit_handler, " ", True, True, rows)
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    for row in rows:
        cells = [row[column].ljust(widths[column]) for column in range(4)] + [row[4]]
        lines.append("  ".join(cells).rstrip())
    return lines
