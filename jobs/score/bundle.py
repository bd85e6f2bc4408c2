"""The pinned model as the step ships it: downloaded once on the driver, packed into one zip for the executors.

Why a zip and `SparkContext.addArchive`: Spark refuses `addFile` of a local directory under any non-local master
(UNSUPPORTED_ADD_FILE.LOCAL_DIRECTORY), while one archive file travels the same way in local mode and on a
cluster; each executor unpacks it once into its SparkFiles folder, under the archive's name.
"""

from __future__ import annotations

import shutil
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import mlflow

from jobs.score.environment.attach import AttachedEnvironment, OwnEnvironment, attach_environment
from jobs.score.requirements import REQUIREMENTS_FOLDER


@dataclass(frozen=True)
class ModelBundle:
    """One pinned model, on the driver and packed for the executors.

    Attributes:
        key: identity of the model for the per-process model caches: tracking server, pinned URI and version.
            A pinned version never changes, so one loaded copy per process serves every call that names it.
        local_dir: the downloaded model folder on the driver (holds `MLmodel` at its root).
        archive: zip of the folder's contents; its file name is unique to this call, because a Spark session
            refuses a second, different file under a name it already serves.
        environment: the model's own environment (None: the model runs in the image's interpreter).
    """

    key: str
    local_dir: Path
    archive: Path
    environment: AttachedEnvironment | None = None

    @property
    def archive_name(self) -> str:
        """The name executors find the unpacked model under (`SparkFiles.get(archive_name)`)."""
        return self.archive.name


def model_key(model_uri: str, model_version: str) -> str:
    """Cache key of a pinned model: `<tracking uri>|<model uri>|<version>`."""
    return f"{mlflow.get_tracking_uri()}|{model_uri}|{model_version}"


def fetch_bundle(model_uri: str, model_version: str, work_dir: Path, requirements_dir: Path | None = None,
                 own_environment: OwnEnvironment | None = None) -> ModelBundle:
    """Downloads the pinned model into `work_dir` and packs it as `model-<unique>.zip` beside the folder.

    Args:
        model_uri: pinned `models:/<name>/<version>` or `runs:/<run id>/<path>`.
        model_version: the registered version (part of the cache key).
        work_dir: folder for the download and the archive (created when missing).
        requirements_dir: packages installed for the model here, packed under REQUIREMENTS_FOLDER for executors
            that do not share this process's environment (None: nothing to ship).
        own_environment: score in the model's own environment (attach.py), marked in the folder before packing.
    """
    name = f"model-{uuid.uuid4().hex[:12]}"
    download_dir = work_dir / "download" / name
    download_dir.mkdir(parents=True, exist_ok=True)
    downloaded = Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri, dst_path=str(download_dir)))
    local_dir = work_dir / name
    shutil.move(downloaded, local_dir)
    environment = attach_environment(local_dir, model_uri, own_environment) if own_environment else None
    archive = work_dir / f"{name}.zip"
    pack_folder(local_dir, archive, requirements_dir)
    return ModelBundle(model_key(model_uri, model_version), local_dir, archive, environment)


def pack_folder(folder: Path, archive: Path, requirements_dir: Path | None = None) -> None:
    """Zips the files under `folder` (paths relative to it), and those of `requirements_dir` under
    REQUIREMENTS_FOLDER, without compression.

    Stored, not deflated: model files are mostly pickles and binary weights that compress little, and deflating a
    large model would cost the driver more time than it saves on the loopback or a cluster network.
    """
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as packed:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                packed.write(path, path.relative_to(folder).as_posix())
        for path in sorted(requirements_dir.rglob("*")) if requirements_dir else []:
            if path.is_file() and "__pycache__" not in path.parts:
                packed.write(path, f"{REQUIREMENTS_FOLDER}/{path.relative_to(requirements_dir).as_posix()}")
