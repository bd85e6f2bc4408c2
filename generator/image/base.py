"""The bookworm base image made on this machine: debootstrap a minimal root with python3, import it into podman.

Public registries cannot be reached here, so `python:3.11-slim-bookworm` cannot be pulled; Debian's mirror can.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from argo_toolset.podman import podman
from generator.image.podman import BASE_IMAGE

SUITE = "bookworm"
FALLBACK_MIRROR = "http://deb.debian.org/debian"
APT_SOURCES = Path("/etc/apt")
# python3 (3.11 on bookworm) and its venv module: the Dockerfile puts the project in a virtualenv, because
# Debian's python refuses system-wide pip installs ("externally managed").
PACKAGES = ("python3", "python3-venv")
# What `podman import` writes into the image config (a tarball carries none of it).
IMAGE_CHANGES = ("ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "ENV LANG=C.UTF-8",
                 'CMD ["/bin/bash"]')


def _entries(sources: Path) -> list[tuple[str, list[str]]]:
    """(URI, suites) of every apt source, from one-line `.list` files and deb822 `.sources` files."""
    entries: list[tuple[str, list[str]]] = []
    files = [sources / "sources.list", *sorted((sources / "sources.list.d").glob("*"))]
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields = dict(re.findall(r"^(\w[\w-]*):\s*(.*)$", stanza, flags=re.MULTILINE))
                if "deb" in fields.get("Types", "").split():
                    entries.extend((uri, fields.get("Suites", "").split()) for uri in fields.get("URIs", "").split())
        else:
            for line in text.splitlines():
                words = re.sub(r"\[[^]]*\]", "", line).split()
                if len(words) >= 3 and words[0] == "deb":
                    entries.append((words[1], [words[2]]))
    return entries


def debian_mirror(sources: Path = APT_SOURCES) -> str:
    """The mirror apt on this machine uses for Debian bookworm's main archive (else deb.debian.org)."""
    for uri, suites in _entries(sources):
        if SUITE in suites:
            return uri.rstrip("/")
    return FALLBACK_MIRROR


def image_exists(tag: str) -> bool:
    return subprocess.run(podman("image", "exists", tag), check=False).returncode == 0


def build_base_image(work_dir: Path, tag: str = BASE_IMAGE, force: bool = False) -> None:
    """Make `tag` from a debootstrapped bookworm root; kept when it exists already (unless `force`).

    Raises:
        subprocess.CalledProcessError: debootstrap, tar or podman failed (their output is on stderr).
    """
    if image_exists(tag) and not force:
        print(f"base image {tag} exists; kept (make base-image FORCE=1 rebuilds it)")
        return
    root = work_dir / "root"
    shutil.rmtree(root, ignore_errors=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    mirror = debian_mirror()
    print(f"debootstrap {SUITE} from {mirror} into {root}")
    subprocess.run(["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE, str(root), mirror],
                   check=True)
    for cache in ("var/cache/apt/archives", "var/lib/apt/lists"):
        for item in (root / cache).glob("*"):
            if item.is_file():
                item.unlink()
    changes = [word for change in IMAGE_CHANGES for word in ("--change", change)]
    tar = subprocess.Popen(["tar", "-C", str(root), "--numeric-owner", "-c", "."], stdout=subprocess.PIPE)
    subprocess.run(podman("import", *changes, "-", tag), stdin=tar.stdout, check=True)
    tar.stdout.close()
    if tar.wait() != 0:
        raise subprocess.CalledProcessError(tar.returncode, "tar")
    shutil.rmtree(root)
    print(f"base image {tag} made")
