"""Config loading: defaults merge, strict YAML, and one report naming file + key for every problem."""

from __future__ import annotations

import textwrap
import typing
from pathlib import Path

import pytest
import yaml

from generator.config import load_job, load_jobs
from generator.config.loader import _model_in, config_keys
from generator.config.models import JobConfig
from generator.errors import ConfigError

DEFAULTS = """\
namespace: ds-scoring
image: registry.example.com/ml/argo-batch-scoring:0.1.0
service_account: batch-scoring
mlflow: {tracking_uri: "http://mlflow.mlflow.svc:5000", credentials_secret: mlflow-credentials}
hive: {host: hive-server2.data.svc, port: 10000, auth: NONE, metastore_uri: "thrift://hive-metastore.data.svc:9083"}
spark: {master: "local[*]", conf: {spark.sql.shuffle.partitions: "8"}}
"""

JOB = """\
name: churn-daily
description: Daily churn propensity
model: {uri: "models:/churn@champion"}
prepare: {sql: prep.sql}
input: {table: features.churn_daily, partition_column: dt, id_columns: [subscriber_id]}
output: {table: scores.churn_daily, partition_column: dt, score_column: score}
schedule: {cron: "0 3 * * *", timezone: Europe/Moscow}
"""


def write_job(folder: Path, job: str = JOB, name: str = "churn-daily", defaults: str | None = DEFAULTS) -> Path:
    if defaults is not None:
        (folder / "defaults.yaml").write_text(defaults)
    (folder / "prep.sql").write_text("INSERT OVERWRITE TABLE t PARTITION (dt='${ds}') SELECT 1;\n")
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(job))
    return path


def changed(change: str) -> str:
    """JOB with the top-level keys in `change` replaced (appending them would be a duplicate-key error)."""
    job = yaml.safe_load(JOB)
    job.update(yaml.safe_load(change))
    return yaml.safe_dump(job, sort_keys=False)


def errors_of(path: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(ConfigError) as caught:
        load_jobs([path])
    return [(issue.file, issue.key, issue.message) for issue in caught.value.issues]


def test_valid_job_merges_defaults_and_job_keys_win(tmp_path):
    path = write_job(tmp_path, changed("spark: {conf: {spark.sql.shuffle.partitions: 16}}"))
    job = load_job(path)
    assert job.config.namespace == "ds-scoring"
    assert job.config.spark.master == "local[*]"  # inherited next to the overridden key
    assert job.config.spark.conf == {"spark.sql.shuffle.partitions": "16"}
    assert job.prepare_sql.startswith("INSERT OVERWRITE")


def test_folder_loads_every_job_but_defaults(tmp_path):
    write_job(tmp_path)
    write_job(tmp_path, JOB.replace("churn-daily", "other-job"), name="other-job")
    assert sorted(job.config.name for job in load_jobs([tmp_path])) == ["churn-daily", "other-job"]


@pytest.mark.parametrize(
    ("change", "key", "fragment"),
    [
        ("colour: blue\n", "colour", "unknown key; allowed: name, description"),
        ("output: {table: scores.x, partition_column: dt, colour: 1}\n", "output.colour", "allowed: table"),
        ("retries: {limit: many}\n", "retries.limit", "integer"),
        ("name: Churn_Daily\n", "name", "DNS-1123"),
        ("name: " + "a" * 53 + "\n", "name", "at most 52"),
        ("schedule: {cron: '0 25 * * *'}\n", "schedule.cron", "not a valid cron"),
        ("schedule: {cron: '0 3 * * *', timezone: Mars/Olympus}\n", "schedule.timezone", "IANA time zone"),
        ("input: {table: 'x; DROP TABLE y', partition_column: dt, id_columns: [id]}\n", "input.table", "Hive table"),
        ("input: {table: \"a.b'c\", partition_column: dt, id_columns: [id]}\n", "input.table", "Hive table"),
        ("model: {uri: 's3://bucket/model'}\n", "model.uri", "models:/<name>@<alias>"),
        ("model: {uri: 'https://evil.example/model'}\n", "model.uri", "runs:/"),
        ("input: {table: a.b, partition_column: dt, id_columns: [id], on_empty: maybe}\n", "input.on_empty",
         "allowed: 'fail' or 'skip'"),
        ("hive: {auth: KERBEROSS}\n", "hive.auth", "allowed: 'NONE'"),
        ("spark: {file_io: arrow}\n", "spark.file_io", "allowed: 'auto' or 'spark'"),
        ("resources: {score: {cpu: two, memory: 4Gi}}\n", "resources.score.cpu", "Kubernetes quantity"),
        ("description: " + "x" * 1001 + "\n", "description", "at most 1000"),
        ("retro: {parallelism: 9, max_parallelism: 8}\n", "retro", "exceeds max_parallelism"),
        ("output: {table: s.x, partition_column: dt, score_column: subscriber_id}\n", "output.score_column",
         "collides"),
        ("prepare: {sql: missing.sql}\n", "prepare.sql", "does not exist"),
        ("resources: {validate: {cpu: '1', memory: 1Gi, gpu: 1}}\n", "resources.validate.gpu",
         "unknown key; allowed: cpu, memory"),
        ("resources: {validate_step: {cpu: '1', memory: 1Gi}}\n", "resources.validate_step",
         "unknown key; allowed: prepare, fetch_model, score, validate"),
        ("timeouts: {validate_step: 600}\n", "timeouts.validate_step",
         "unknown key; allowed: prepare, fetch_model, score, validate"),
        ("prepare: {sql: prep.sql, variables: {region: eu--west}}\n", "prepare.variables.region",
         "is not allowed in SQL"),
        ("model: {uri: 'runs:/0123456789abcdef0123456789abcdef/../../secrets'}\n", "model.uri", "without . or .."),
    ],
)
def test_each_invalid_value_names_file_key_and_allowed(tmp_path, change, key, fragment):
    path = write_job(tmp_path, changed(change))
    issues = errors_of(path)
    matching = [issue for issue in issues if issue[1] == key]
    assert matching, f"no error for {key}: {issues}"
    assert matching[0][0] == str(path)
    assert fragment in matching[0][2]


def test_every_error_reported_at_once(tmp_path):
    bad = changed("colour: blue\nretries: {limit: -1}\nprepare: {sql: nope.sql}\n")
    keys = {issue[1] for issue in errors_of(write_job(tmp_path, bad))}
    assert {"colour", "retries.limit", "prepare.sql"} <= keys


def test_error_in_inherited_key_blames_defaults_file(tmp_path):
    path = write_job(tmp_path, defaults=DEFAULTS.replace("port: 10000", "port: 99999"))
    issues = errors_of(path)
    assert (str(tmp_path / "defaults.yaml"), "hive.port") in {(file, key) for file, key, _ in issues}


def test_missing_required_key(tmp_path):
    path = write_job(tmp_path, defaults=DEFAULTS.replace("service_account: batch-scoring\n", ""))
    assert ("service_account", "required key is missing") in {(key, msg) for _, key, msg in errors_of(path)}


def test_name_must_match_file_name(tmp_path):
    path = write_job(tmp_path, name="renamed")
    assert any(key == "name" and "file name 'renamed'" in msg for _, key, msg in errors_of(path))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("name: a\nname: b\n", "duplicate key 'name'"),
        ("name: [unclosed\n", "invalid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        ("", "file is empty"),
    ],
)
def test_malformed_yaml(tmp_path, text, fragment):
    path = tmp_path / "job.yaml"
    path.write_text(text)
    assert any(fragment in msg for _, _, msg in errors_of(path))


def test_huge_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "job.yaml"
    path.write_text("description: " + "x" * 300_000 + "\n")
    assert any("at most" in msg for _, _, msg in errors_of(path))


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [("", "is empty"), ("  \n", "is empty"), ("SELECT '${region}'", "undeclared ${region}")],
)
def test_prepare_sql_checked(tmp_path, sql, fragment):
    path = write_job(tmp_path)
    (tmp_path / "prep.sql").write_text(sql)
    assert any(key.startswith("prepare") and fragment in msg for _, key, msg in errors_of(path))


def test_declared_variables_are_validated_literals(tmp_path):
    job = JOB.replace("prepare: {sql: prep.sql}", "prepare: {sql: prep.sql, variables: {region: \"eu'; DROP\"}}")
    issues = errors_of(write_job(tmp_path, job))
    assert any(key == "prepare.variables.region" and "is not allowed in SQL; allowed: letters" in msg
               for _, key, msg in issues)


def test_secret_values_have_no_place_in_config(tmp_path):
    job = changed("hive: {password: hunter2}")
    issues = errors_of(write_job(tmp_path, job))
    assert any(key == "hive.password" and "unknown key" in msg for _, key, msg in issues)


def test_validate_is_read_by_its_config_spelling(tmp_path):
    job = load_job(write_job(tmp_path, changed("resources: {validate: {cpu: '3', memory: 3Gi}}\n"
                                               "timeouts: {validate: 900}\n")))
    assert (job.config.resources.validate_step.cpu, job.config.timeouts.validate_step) == ("3", 900)


def _sections(model, path=()):
    """(key path, model) of every config section, keys spelled as in a file."""
    yield path, model
    for key, name in config_keys(model).items():
        annotation = model.model_fields[name].annotation
        nested = _model_in(annotation)
        if nested is not None:
            item = (0,) if typing.get_origin(annotation) is list else ()  # a list of sections: its first item
            yield from _sections(nested, (*path, key, *item))


@pytest.mark.parametrize(("path", "model"), list(_sections(JobConfig)), ids=lambda value: str(value))
def test_an_unknown_key_in_any_section_lists_that_sections_keys(tmp_path, path, model):
    data = yaml.safe_load(JOB)
    node = data
    for key, following in zip(path, (*path[1:], None)[: len(path)], strict=True):
        if isinstance(key, int):
            node = node[key] if len(node) > key else node.append({}) or node[key]
        else:
            node = node.setdefault(key, [] if isinstance(following, int) else {})
        if key == "reference":
            node.update({"table": "s.ref"})
        if key == "schedule":
            node.update({"cron": "0 3 * * *"})
    node["colour"] = 1
    (tmp_path / "prep.sql").write_text("SELECT 1")
    issues = errors_of(write_job(tmp_path, yaml.safe_dump(data)))
    message = {key: msg for _, key, msg in issues}[".".join(map(str, (*path, "colour")))]
    assert message == f"unknown key; allowed: {', '.join(config_keys(model))}"
    assert "_step" not in message
