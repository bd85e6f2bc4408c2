"""Tie a downloaded model to its own environment: check, build or reuse, mark the model folder, pack for clusters.

The mark (MARKER, a small JSON file in the model folder) travels inside the model archive; worker.cached_model
finds it and starts the model process of that environment instead of loading the model into the image's
interpreter. Where executors find the environment: local mode (driver and executors on one filesystem) reads it
from the cache; a cluster master gets it as an archive Spark distributes (`SparkContext.addArchive`, unpacked
once per executor under the archive's name), because executors need not mount the step's cache.
"""

from __future__ import annotations

import json
import os
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from jobs.common.environment_record import EnvironmentRecord
from jobs.score.environment.build import BuiltEnvironment, ensure_environment
from jobs.score.environment.spec import check_python, read_spec

MARKER = "_model_environment.json"


@dataclass(frozen=True)
class OwnEnvironment:
    """How the step wants the model's own environment.

    Attributes:
        cache: the environment cache (build.py's layout).
        ship: True for a cluster master: pack the environment as an archive for the executors.
    """

    cache: Path
    ship: bool


@dataclass(frozen=True)
class AttachedEnvironment:
    """Attributes:
        built: the environment (its hash, packages, whether this run built it).
        archive: the packed environment to add to the Spark session (None in local mode).
    """

    built: BuiltEnvironment
    archive: Path | None

    def record(self) -> EnvironmentRecord:
        return EnvironmentRecord("own", self.built.hash, self.built.python, self.built.packages)


def attach_environment(model_dir: Path, model_uri: str, settings: OwnEnvironment) -> AttachedEnvironment:
    """Checks the model's Python, gets its environment from the cache (building it once) and marks `model_dir`.

    Raises:
        StepError: another Python version, a requirement that cannot be resolved, an unwritable cache (exit 2).
        TransientError: the package index did not answer (exit 1).
    """
    spec = read_spec(model_dir)
    check_python(spec, model_uri)
    built = ensure_environment(spec.requirements, settings.cache)
    archive = pack_environment(built) if settings.ship else None
    mark = {"hash": built.hash, "root": str(built.root), "archive": archive.name if archive else ""}
    (model_dir / MARKER).write_text(json.dumps(mark, sort_keys=True))
    return AttachedEnvironment(built, archive)


def pack_environment(built: BuiltEnvironment) -> Path:
    """`<cache>/<hash>.tar.gz` of the environment, made once (written under a temporary name, then renamed).

    tar, not zip: Spark unpacks tar archives with symbolic links intact, and `env/bin/python` is one.
    """
    archive = built.root.with_name(f"{built.hash}.tar.gz")
    if not archive.is_file():
        temporary = archive.with_name(f".{archive.name}.{uuid.uuid4().hex[:8]}")
        with tarfile.open(temporary, "w:gz", compresslevel=1) as packed:
            for child in sorted(built.root.iterdir()):
                packed.add(child, arcname=child.name)
        os.replace(temporary, archive)
    return archive


def environment_interpreter(model_location: str, driver: bool = False) -> Path | None:
    """The interpreter of the environment marked in a model folder, or None when the model runs in the image.

    The driver (`driver=True`) and local mode read it from the cache; a cluster's executors from their unpacked
    copy of the shipped archive.
    """
    mark_file = Path(model_location) / MARKER
    if not mark_file.is_file():
        return None
    mark = json.loads(mark_file.read_text())
    if mark["archive"] and not driver:
        from pyspark import SparkFiles

        root = Path(SparkFiles.get(mark["archive"]))
    else:
        root = Path(mark["root"])
    return root / "env" / "bin" / "python"
