"""The score step: PySpark + MLflow pyfunc over one Hive partition, published atomically (see publish.py)."""

from jobs.score.cli import main

__all__ = ["main"]
