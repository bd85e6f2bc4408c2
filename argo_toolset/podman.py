"""Every podman setting this machine needs, in one place: image builds, run-local --in-image and the cluster share them.

Measured on this kind of machine (podman 4.3, Debian bookworm, hybrid cgroup v1 hierarchy):
- `--runtime runc`: crun refuses this machine's hybrid cgroups; Debian's `runc` runs the same containers.
- `--cgroup-manager cgroupfs`: there is no systemd to delegate cgroups to; podman writes the cgroup v1 files
  itself, which is also what makes `--memory` limits (and their OOM kills) work here.
- storage `overlay`: a container starts in a fraction of a second; `vfs` copies the whole image (about 30 s for
  2.2 GB) for every container. podman picks overlay by itself here, and it is not passed as `--storage-driver`:
  podman records the driver its storage was first used with ("" = its own choice) and refuses any explicit
  one that differs ("database configuration mismatch"), even the same overlay.
- `--network host`: the steps reach the local stack on 127.0.0.1, and builds reach the package registries.
- `--ulimit nofile=4096:4096 --ulimit nproc=4096:4096`: podman's defaults would raise the limits past what this
  machine grants its processes ("setrlimit: Operation not permitted"), so they are pinned explicitly.
Stdlib only: `make base-image` and `make image` run it (through generator.image) with the system python3, before
any virtualenv exists.
"""

from __future__ import annotations

import shutil

PODMAN = "podman"
# Options every podman command takes (before the subcommand).
GLOBAL_OPTIONS = ("--runtime", "runc", "--cgroup-manager", "cgroupfs")
# Options every `podman run` and `podman build` takes.
NETWORK_OPTIONS = ("--network", "host")
ULIMIT_OPTIONS = ("--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096")


def podman(*arguments: str) -> list[str]:
    """The argv of one podman command with the global options, e.g. podman("image", "exists", TAG)."""
    return [PODMAN, *GLOBAL_OPTIONS, *arguments]


def podman_installed() -> bool:
    """True when the podman binary is on PATH."""
    return shutil.which(PODMAN) is not None
