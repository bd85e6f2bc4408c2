"""Where Spark lives, as generator and steps agree (docs/ARCHITECTURE.md §2): the installed pyspark package folder."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def pyspark_home() -> Path | None:
    """The installed pyspark package folder (pip's pyspark ships bin/ and jars/), found without importing it;
    None when pyspark is not installed."""
    spec = importlib.util.find_spec("pyspark")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))
