"""What run-local --in-image needs before it starts: the image (present, its USER) and the stack's warehouse."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from generator.argo.runner.pod_rules import ImageUser
from generator.errors import UserError
from generator.image.podman import podman, podman_installed
from generator.localstack import LocalStack
from generator.localstack.state import STATE_FILE, read_state


@dataclass(frozen=True)
class InImage:
    """Run every container step as a container of `image`.

    Attributes:
        image: Image name in podman's storage (never pulled).
        user: The image's USER, for runAsNonRoot.
        warehouse: The local stack's warehouse folder, mounted at its own path (it stands in for the HDFS or S3
            a pod reaches over the network); the only host folder a step sees besides its own volumes.
    """

    image: str
    user: ImageUser
    warehouse: Path


def in_image(image: str, stack_run_dir: Path) -> InImage:
    """Inspect `image` and find the warehouse of the stack started from `stack_run_dir`.

    Raises:
        UserError: podman is missing, the image is not in podman's storage, or no stack was started there.
    """
    if not podman_installed():
        raise UserError("--in-image needs podman: apt-get install podman runc uidmap fuse-overlayfs")
    inspected = subprocess.run(podman("image", "inspect", "--format", "{{.Config.User}}", image),
                               capture_output=True, text=True, check=False)
    if inspected.returncode != 0:
        raise UserError(f"--in-image {image}: no such image in podman's storage ({inspected.stderr.strip()}); "
                        "build it with `make image` (argo-batch-scoring:local)")
    if not read_state(stack_run_dir.resolve()):
        raise UserError(f"--in-image: no local stack recorded in {stack_run_dir / STATE_FILE}; start one with "
                        f"`generate-workflow stack up --run-dir {stack_run_dir}` or pass its --stack-dir")
    warehouse = LocalStack(stack_run_dir).endpoints().warehouse_dir
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
