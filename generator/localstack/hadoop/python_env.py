"""The Python environment YARN's containers run the executors' Python workers in: this venv packed as a tar.

Spark ships it the way a real cluster's jobs do (`spark.yarn.dist.archives` of an archive on HDFS, unpacked by each
NodeManager as ./pyenv; PYSPARK_PYTHON=./pyenv/bin/python), never the host's venv by path. Left out: pyspark
(Spark puts its own pyspark.zip on the workers' path) and byte code caches. The project's `jobs` and `contract`
packages go in as plain packages in place of the editable install's finder, so the archive stands alone.
What it still needs from the host: the base interpreter the venv was made from (bin/python is a link to it), the
same Python a real cluster's nodes or image must provide (docs/HADOOP.md).
"""

from __future__ import annotations

import sys
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
PROJECT_PACKAGES = ("jobs", "contract")
SKIPPED_NAMES = {"__pycache__", "pyspark"}


def _skipped(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    name = Path(info.name).name
    if name in SKIPPED_NAMES or name.startswith("__editable__") or name.endswith(".pyc"):
        return None
    return info


def pack(target: Path, venv: Path | None = None) -> Path:
    """Writes the tar of `venv` (default: this interpreter's) to `target` unless one newer than the venv exists."""
    venv = Path(venv or sys.prefix)
    site_packages = next((venv / "lib").glob("python3*/site-packages"))
    if target.exists() and target.stat().st_mtime > site_packages.stat().st_mtime:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with tarfile.open(partial, "w") as archive:  # uncompressed: packing and unpacking cost less than the bytes
        # Entries named without a leading "./": Spark's unpacker refuses an entry "./" as outside its target.
        for child in sorted(venv.iterdir()):
            archive.add(child, arcname=child.name, filter=_skipped)
        for package in PROJECT_PACKAGES:
            archive.add(REPO / package, arcname=f"{site_packages.relative_to(venv)}/{package}", filter=_skipped)
    partial.replace(target)
    return target
