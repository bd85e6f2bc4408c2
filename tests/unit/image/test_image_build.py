"""The image build's pure parts: which Debian mirror the base comes from, and the podman build command line."""

from __future__ import annotations

from pathlib import Path

from argo_toolset.podman import GLOBAL_OPTIONS
from generator.image.base import FALLBACK_MIRROR, debian_mirror
from generator.image.build import CA_MOUNT_PATH, build_command


def test_mirror_from_a_deb822_sources_file(tmp_path: Path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\nComponents: main\n\n"
        "Types: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n")
    assert debian_mirror(tmp_path) == "http://mirror.example/debian"


def test_mirror_from_a_one_line_sources_list(tmp_path: Path):
    (tmp_path / "sources.list").write_text("# comment\ndeb [arch=amd64] https://apt.example/debian bookworm main\n")
    assert debian_mirror(tmp_path) == "https://apt.example/debian"


def test_mirror_falls_back_to_deb_debian_org_without_a_bookworm_source(tmp_path: Path):
    (tmp_path / "sources.list").write_text("deb http://other.example/ubuntu jammy main\n")
    assert debian_mirror(tmp_path) == FALLBACK_MIRROR


def test_build_mounts_the_host_ca_bundle_read_only_and_never_copies_it(tmp_path: Path):
    bundle = tmp_path / "ca-certificates.crt"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    command = build_command(tmp_path, "argo-batch-scoring:local", "localhost/base:bookworm", bundle)
    assert command[1:1 + len(GLOBAL_OPTIONS)] == list(GLOBAL_OPTIONS)
    assert f"{bundle}:{CA_MOUNT_PATH}:ro" in command
    assert f"HOST_CA_BUNDLE={CA_MOUNT_PATH}" in command and "BASE_IMAGE=localhost/base:bookworm" in command
    without = build_command(tmp_path, ca_bundle=tmp_path / "missing.crt")
    assert not any(CA_MOUNT_PATH in word for word in without)
