"""`python -m generator.image base-image|image`: what `make base-image` and `make image` run (stdlib only)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from argo_toolset.podman import podman_installed
from generator.image.base import build_base_image
from generator.image.build import build_image
from generator.image.podman import BASE_IMAGE, PROJECT_IMAGE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.image", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    base = commands.add_parser("base-image", help=f"debootstrap bookworm and import it as {BASE_IMAGE}")
    base.add_argument("--work-dir", type=Path, default=Path(".run/base-image"), help="where the root is made")
    base.add_argument("--force", action="store_true", help="rebuild even when the tag exists")
    image = commands.add_parser("image", help=f"podman build the Dockerfile as {PROJECT_IMAGE}")
    image.add_argument("--base", default=BASE_IMAGE, help="the Dockerfile's BASE_IMAGE build argument")
    image.add_argument("--tag", default=PROJECT_IMAGE)
    image.add_argument("--context", type=Path, default=Path("."))
    options = parser.parse_args(argv)
    if not podman_installed():
        print("podman is missing: apt-get install podman runc uidmap fuse-overlayfs (.ci/run does)", file=sys.stderr)
        return 1
    try:
        if options.command == "base-image":
            build_base_image(options.work_dir, force=options.force)
        else:
            build_image(options.context.resolve(), options.tag, options.base)
    except subprocess.CalledProcessError as error:
        print(f"failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
