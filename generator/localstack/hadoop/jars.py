"""Class paths of the hadoop profile's JVMs, resolved by Maven from the pinned poms beside this module.

`mvn dependency:build-classpath` downloads the jars once into ~/.m2 (a fresh machine: about 2 minutes for Hive's
336 jars) and writes the class path to a file in the run dir; later starts read that file and call no Maven.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from generator.localstack.errors import StackError

HERE = Path(__file__).parent
HIVE4 = "hive4"
MINICLUSTER = "minicluster"
# Hive 4.0.1 logs through log4j 2's 1.2 bridge; reload4j (pulled in by Hadoop 3.3.6) provides the same log4j 1
# classes and must come after the bridge, else Hive's logging setup fails (found by the probe of issue 22).
LAST_ON_CLASS_PATH = ("reload4j",)


def pom(name: str) -> Path:
    """The pom of one class path: `hive4` or `minicluster`."""
    return HERE / name / "pom.xml"


def ordered(entries: list[str]) -> list[str]:
    """Maven's order, with the jars of LAST_ON_CLASS_PATH moved to the end (pure; unit-tested)."""
    def last(entry: str) -> bool:
        return any(word in Path(entry).name for word in LAST_ON_CLASS_PATH)

    return [entry for entry in entries if not last(entry)] + [entry for entry in entries if last(entry)]


def class_path(name: str, cache_dir: Path) -> list[str]:
    """The jars of `name` in class-path order; runs Maven when the cached list is missing or older than the pom.

    Raises:
        StackError: Maven is missing or fails (its last lines are in the message), or a cached jar vanished.
    """
    cache = cache_dir / f"{name}.classpath"
    if not cache.exists() or cache.stat().st_mtime < pom(name).stat().st_mtime:
        _resolve(name, cache)
    entries = [entry for entry in cache.read_text().strip().split(":") if entry]
    missing = [entry for entry in entries if not Path(entry).exists()]
    if missing:
        cache.unlink()
        raise StackError(f"{len(missing)} jar(s) of {pom(name)} are no longer in ~/.m2 (e.g. {missing[0]}); "
                         f"run `stack up` again to resolve them anew")
    return ordered(entries)


def _resolve(name: str, cache: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise StackError("Maven (mvn) is missing: the hadoop profile resolves its Hive and Hadoop jars from Maven "
                         "Central with it. Install it (Debian: apt-get install maven).")
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_suffix(".partial")
    result = subprocess.run(
        [mvn, "-B", "-q", "-f", str(pom(name)), "dependency:build-classpath", f"-Dmdep.outputFile={partial}"],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0 or not partial.exists():
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise StackError(f"Maven could not resolve the jars of {pom(name)} (exit {result.returncode}):\n{tail}")
    partial.replace(cache)
