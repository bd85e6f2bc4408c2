"""SPARK_CDS_ARCHIVE becomes a JVM option only when it names an existing file."""

from __future__ import annotations

from jobs.common.jvm_archive import ARCHIVE_ENV, archive_java_options


def test_jvm_archive_option_only_for_an_existing_file(monkeypatch, tmp_path):
    archive = tmp_path / "driver.jsa"
    monkeypatch.setenv(ARCHIVE_ENV, str(archive))
    assert archive_java_options() == ""  # named but missing: the JVM starts without it
    archive.write_bytes(b"x")
    assert archive_java_options() == f"-XX:SharedArchiveFile={archive}"
    monkeypatch.setenv(ARCHIVE_ENV, "")
    assert archive_java_options() == ""
