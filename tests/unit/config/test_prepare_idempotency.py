"""`build` warns when the prepare SQL appends (`INSERT INTO`) to a table whose `${ds}` partition it does not own:
prepare is run again after server-side failures and on re-runs, so its SQL must be idempotent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main as generate_workflow
from generator.config.sql_rules import appending_inserts

REPO = Path(__file__).resolve().parents[3]
WARNING = "warning: {conf}/churn-daily.yaml: prepare.sql: INSERT INTO {table} appends rows"


def _build_with_sql(tmp_path: Path, sql: str):
    conf = tmp_path / "conf"
    shutil.copytree(REPO / "conf", conf)
    (conf / "credit-limit-review.yaml").unlink()
    (conf / "sql" / "churn_features.sql").write_text(sql)
    result = CliRunner().invoke(generate_workflow, ["build", str(conf), "--out-dir", str(tmp_path / "out")])
    return conf, result


def test_insert_into_warns_naming_file_key_and_table_and_still_builds(tmp_path):
    sql = "INSERT INTO features.churn_daily PARTITION (dt = '${ds}') SELECT * FROM raw.s WHERE dt = '${ds}';\n"
    conf, result = _build_with_sql(tmp_path, sql)
    assert result.exit_code == 0, result.output
    assert WARNING.format(conf=conf, table="features.churn_daily") in result.output
    assert "must be idempotent" in result.output and "INSERT OVERWRITE TABLE features.churn_daily" in result.output
    assert (tmp_path / "out" / "churn-daily.yaml").is_file()


def test_the_real_sql_overwrites_its_partition_and_gets_no_warning(tmp_path):
    _, result = _build_with_sql(tmp_path, (REPO / "conf" / "sql" / "churn_features.sql").read_text())
    assert result.exit_code == 0 and "warning:" not in result.output, result.output


@pytest.mark.parametrize(("sql", "appended"), [
    ("INSERT INTO a.t SELECT 1", ["a.t"]),
    ("insert into table `a`.`t` values (1)", ["a.t"]),
    ("INSERT OVERWRITE TABLE a.t PARTITION (dt='${ds}') SELECT 1", []),
    ("-- INSERT INTO a.t\nSELECT 'INSERT INTO b.t; x' /* INSERT INTO c.t */", []),
    ("ALTER TABLE a.t DROP IF EXISTS PARTITION (dt='${ds}'); INSERT INTO a.t PARTITION (dt='${ds}') SELECT 1", []),
    ("TRUNCATE TABLE a.t PARTITION (dt='${hivevar:ds}'); INSERT INTO TABLE a.t SELECT 1", []),
    ("ALTER TABLE a.t DROP IF EXISTS PARTITION (dt='2024-01-01'); INSERT INTO a.t SELECT 1", ["a.t"]),
    ("INSERT INTO a.t SELECT 1; ALTER TABLE a.t DROP PARTITION (dt='${ds}')", ["a.t"]),
])
def test_which_inserts_append(sql, appended):
    assert appending_inserts(sql) == appended
