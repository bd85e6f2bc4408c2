"""Writes the hive-site.xml of the local Hive metastore: Derby database, warehouse and scratch dirs in the run dir."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape


def session_resources_dir(tmp: Path) -> str:
    """Hive's per-session resources folder under the stack's tmp (Hive fills in `${hive.session.id}` itself).

    Each session deletes its resources folder when it closes: a folder shared by all sessions (no session id, as
    this stack had) vanished under the sessions still open and failed the next ones with "Couldn't create
    directory" (a retro's parallel lanes in CI).
    """
    return f"{tmp / 'hive-resources'}/${{hive.session.id}}_resources"


def derby_metastore_properties(run_dir: Path) -> dict[str, str]:
    """The metastore's own database: embedded Derby in `run_dir`, its schema made on first use (both profiles)."""
    return {
        "javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={run_dir / 'metastore_db'};create=true",
        "javax.jdo.option.ConnectionDriverName": "org.apache.derby.jdbc.EmbeddedDriver",
        "datanucleus.schema.autoCreateAll": "true",
        "hive.metastore.schema.verification": "false",
    }


def metastore_properties(run_dir: Path, warehouse_dir: Path) -> dict[str, str]:
    """Hive properties for a metastore whose whole state lives under `run_dir`."""
    tmp = run_dir / "tmp"
    return {
        **derby_metastore_properties(run_dir),
        "hive.metastore.warehouse.dir": warehouse_dir.as_uri(),
        # Hive 2.3's async log4j appender is missing a class in pyspark's jars: NoClassDefFoundError otherwise.
        "hive.async.log.enabled": "false",
        "hive.exec.scratchdir": str(tmp / "hive-scratch"),
        "hive.exec.local.scratchdir": str(tmp / "hive-local-scratch"),
        "hive.downloaded.resources.dir": session_resources_dir(tmp),
        "hive.querylog.location": str(tmp / "hive-querylog"),
    }


def write_hive_site(conf_dir: Path, properties: dict[str, str]) -> Path:
    """Writes `conf_dir/hive-site.xml` holding `properties` (sorted, so the file is stable) and returns its path."""
    conf_dir.mkdir(parents=True, exist_ok=True)
    entries = "\n".join(
        f"  <property><name>{escape(name)}</name><value>{escape(value)}</value></property>"
        for name, value in sorted(properties.items())
    )
    path = conf_dir / "hive-site.xml"
    path.write_text(f'<?xml version="1.0"?>\n<configuration>\n{entries}\n</configuration>\n')
    return path
