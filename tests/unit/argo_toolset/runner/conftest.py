"""Helpers for the runner tests: run a fixture workflow in a private folder and read what steps recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from argo_toolset.runner import RunResult, load_documents, run_workflow

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "runner"


@dataclass
class LocalRun:
    """Runs fixture documents with REC (a folder steps write records into) and collects printed lines."""

    tmp_path: Path
    lines: list[str] = field(default_factory=list)

    @property
    def records(self) -> Path:
        path = self.tmp_path / "rec"
        path.mkdir(exist_ok=True)
        return path

    def __call__(self, fixture: str, template: str | None = None, work: str = "work", **kwargs) -> RunResult:
        env = {"REC": str(self.records), **kwargs.pop("env_overrides", {})}
        kwargs.setdefault("backoff_scale", 0.0)
        return run_workflow(load_documents(FIXTURES / fixture), template, kwargs.pop("parameters", {}), env,
                            self.tmp_path / work, self.tmp_path / "locks", echo=self.lines.append, **kwargs)

    def intervals(self) -> dict[str, tuple[float, float]]:
        """(start, end) seconds each step recorded in REC as `<id>.start` / `<id>.end`."""
        ids = {path.stem for path in self.records.glob("*.start")}
        return {i: (float((self.records / f"{i}.start").read_text()), float((self.records / f"{i}.end").read_text()))
                for i in ids if (self.records / f"{i}.end").exists()}

    @staticmethod
    def max_concurrency(intervals: list[tuple[float, float]]) -> int:
        """The most intervals open at one instant (an end and a start at the same instant do not overlap)."""
        events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals],
                        key=lambda event: (event[0], event[1]))
        open_now = peak = 0
        for _, change in events:
            open_now += change
            peak = max(peak, open_now)
        return peak


@pytest.fixture
def local_run(tmp_path: Path) -> LocalRun:
    return LocalRun(tmp_path)
