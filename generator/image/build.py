"""Build the project's Dockerfile with podman, on either base, trusting the host's CA bundle during the build only."""

from __future__ import annotations

import subprocess
from pathlib import Path

from argo_toolset.podman import NETWORK_OPTIONS, ULIMIT_OPTIONS, podman
from generator.image.podman import BASE_IMAGE, PROJECT_IMAGE

# Debian's bundle (ca-certificates.crt): a TLS-intercepting proxy's CA lands here, so pip inside the build
# needs it. It is bind-mounted read-only beside the image's own certificates and named by the HOST_CA_BUNDLE
# build argument; no layer ever contains it.
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
CA_MOUNT_PATH = "/run/host-ca/ca-certificates.crt"


def build_command(context: Path, tag: str = PROJECT_IMAGE, base: str = BASE_IMAGE,
                  ca_bundle: Path = HOST_CA_BUNDLE) -> list[str]:
    """The `podman build` argv for the Dockerfile in `context` (layers cached in podman's storage)."""
    arguments = ["build", *NETWORK_OPTIONS, *ULIMIT_OPTIONS, "--layers", "--build-arg", f"BASE_IMAGE={base}",
                 "--tag", tag, "--file", str(context / "Dockerfile")]
    if ca_bundle.is_file():
        arguments += ["--volume", f"{ca_bundle}:{CA_MOUNT_PATH}:ro", "--build-arg", f"HOST_CA_BUNDLE={CA_MOUNT_PATH}"]
    return podman(*arguments, str(context))


def build_image(context: Path, tag: str = PROJECT_IMAGE, base: str = BASE_IMAGE) -> None:
    """Build the image; raises subprocess.CalledProcessError when podman fails (its output is on stderr)."""
    command = build_command(context, tag, base)
    print(" ".join(command))
    subprocess.run(command, check=True)
