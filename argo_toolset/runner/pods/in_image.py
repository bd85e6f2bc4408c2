"""What run-local --in-image needs before it starts: the image (present, its USER) and the one host folder it mounts."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from argo_toolset.errors import UserError
from argo_toolset.podman import podman, podman_installed
from argo_toolset.runner.pods.rules import ImageUser


@dataclass(frozen=True)
class InImage:
    """Run every container step as a container of `image`.

    Attributes:
        image: Image name in podman's storage (never pulled).
        user: The image's USER, for runAsNonRoot.
        warehouse: The host folder mounted at its own path (the caller's warehouse: it stands in for the HDFS or
            S3 a pod reaches over the network); the only host folder a step sees besides its own volumes.
    """

    image: str
    user: ImageUser
    warehouse: Path


def in_image(image: str, find_warehouse: Callable[[], Path], build_hint: str = "") -> InImage:
    """Inspect `image`, then find the folder to mount with the caller's `find_warehouse` and open it to the pods.

    Args:
        image: the image in podman's storage.
        find_warehouse: the project's glue: the host folder every step sees at its own path (it may raise
            UserError, e.g. when no local stack was started).
        build_hint: how to build a missing image, for the message (e.g. the project's `make image`).

    Raises:
        UserError: podman is missing, the image is not in podman's storage, or the warehouse does not exist.
    """
    if not podman_installed():
        raise UserError("--in-image needs podman: apt-get install podman runc uidmap fuse-overlayfs")
    inspected = subprocess.run(podman("image", "inspect", "--format", "{{.Config.User}}", image),
                               capture_output=True, text=True, check=False)
    if inspected.returncode != 0:
        raise UserError(f"--in-image {image}: no such image in podman's storage ({inspected.stderr.strip()})"
                        + (f"; {build_hint}" if build_hint else ""))
    warehouse = find_warehouse()
    if not warehouse.is_dir():
        raise UserError(f"--in-image: the stack's warehouse {warehouse} does not exist")
    open_to_pods(warehouse)
    return InImage(image=image, user=ImageUser.parse(inspected.stdout.strip()), warehouse=warehouse)


def open_to_pods(warehouse: Path) -> None:
    """Make every folder of the warehouse writable by the pods' user (uid 10001), which is not the stack's.

    The warehouse stands in for S3 or HDFS, where the job's credentials may write anywhere in its tables; here
    the stack's services run as another user and create folders 0755. Opening the folders once is enough:
    database and table folders the metastore makes later inherit their parent's mode (Hive 2.3's
    hive.warehouse.subdir.inherit.perms, on by default), and a step owns the partition folders it writes.
    """
    for folder, _subfolders, _files in os.walk(warehouse):
        path = Path(folder)
        if path.stat().st_mode & 0o777 != 0o777:
            path.chmod(0o777)
