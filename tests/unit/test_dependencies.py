"""The dependency set: setup.cfg's ranges, the exact pins in constraints.txt, the environment the tests run in, and
the two installs that use the pins (`make setup`, the image)."""

from __future__ import annotations

import configparser
import importlib.metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = Version(version)
    return pins


def _requirements() -> list[Requirement]:
    config = configparser.ConfigParser()
    config.read(REPO / "setup.cfg")
    lines = config["options"]["install_requires"].splitlines()
    for extra in ("jobs", "dev"):
        lines += config["options.extras_require"][extra].splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.strip().startswith("#")]


def test_every_requirement_is_pinned_within_its_range():
    pins = _pins()
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"constraints.txt has no pin for {requirement.name}"
        assert requirement.specifier.contains(pins[name]), f"{requirement.name}=={pins[name]} not in {requirement}"


def test_pandas_is_one_pyspark_supports():
    # pyspark 4.x warns on pandas >= 3 ("not yet fully supported") in every step that starts Spark.
    assert Version("2.2") <= _pins()["pandas"] < Version("3")
    assert _pins()["pyarrow"] >= Version("18")  # pyspark's own minimum


def test_the_tests_run_with_the_pinned_versions():
    """A stale environment (made before a pin moved) fails here instead of testing other versions than the image's."""
    stale = {name: (str(pinned), importlib.metadata.version(name)) for name, pinned in _pins().items()
             if Version(importlib.metadata.version(name)) != pinned}
    assert not stale, f"installed versions differ from constraints.txt (pinned, installed): {stale}; run make setup"


def test_make_setup_and_the_image_install_with_the_pins():
    assert "pip install --quiet -c constraints.txt -e '.[jobs,dev]'" in (REPO / "Makefile").read_text()
    dockerfile = (REPO / "Dockerfile").read_text()
    assert "COPY setup.cfg pyproject.toml constraints.txt ./" in dockerfile
    assert "pip install -c constraints.txt '.[jobs]'" in dockerfile
