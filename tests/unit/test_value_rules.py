"""One rule per value: whatever the config accepts, the step that receives it accepts too (contract/values.py).

Candidates: a corpus of real-looking and hostile values, every string of up to 3 characters over an alphabet of
the characters that matter (quotes, separators, comment markers), and seeded random strings. For each, the config
models decide; when they accept, the step's own check must accept the same value (for SQL variables: through the
generated prepare step's `--var` arguments and the step's rendering of the SQL).
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from pydantic import ValidationError

from contract import values
from generator.config import load_job
from generator.config.models import ModelRef, OutputTable, PrepareStep
from generator.specs import steps
from generator.specs.main_template import DS_DESCRIPTION, MODEL_URI_DESCRIPTION
from jobs.common.errors import StepError
from jobs.common.params import check_identifier, check_table, parse_date
from jobs.common.registry import ModelRegistry
from jobs.prepare import render_statements

REPO = Path(__file__).resolve().parents[2]
RUN_ID = "0123456789abcdef0123456789abcdef"
CORPUS = [
    "eu-west", "10:00", "v1.2", "-7", "1.5", "30", "2024-01-31", "2024-02-30", "db.table", "a_b", "A", "_", "x" * 128,
    "x" * 129, "a--b", "a-", "-", "--", "1 -- c", "a b", "x' OR '1'='1", "1; DROP TABLE x", "${ds}", "a/*b*/",
    "", " ", "\t", "ä", "a\nb", "db.t.x", "1db.t", "db.`t`", "_x.y_1", "a.", ".a", "a..b", "a:b:c", "0",
    "models:/churn@champion", "models:/churn/3", "models:/churn/Production", f"runs:/{RUN_ID}/model",
    f"runs:/{RUN_ID}/a/b.c", f"runs:/{RUN_ID}/../x", f"runs:/{RUN_ID}/a//b", "runs:/abc/model",
    "models:/churn' OR name LIKE '%/1", "s3://bucket/model",
    "models:/c@a b", "models:/-x@a", "models:/x@", "models:/x/1/2", "file:///tmp/model", "models:/x@a@b",
]
ALPHABET = "aZ09_.:-/@'\"`; $\\{}*#"


def candidates(seed: int = 16, random_count: int = 3000) -> list[str]:
    """The corpus, every string of up to 3 characters over ALPHABET, and random strings (fixed seed)."""
    short = ["".join(chars) for size in range(1, 4) for chars in itertools.product(ALPHABET, repeat=size)]
    rng = random.Random(seed)
    wide = ALPHABET + "bcxyzABC12345678 \t\nä=,()[]<>+!?%&|~^"
    shaped = [prefix + "".join(rng.choice(wide) for _ in range(rng.randint(0, 40)))
              for prefix in ("", "models:/", f"runs:/{RUN_ID}/", "db.", "2024-") for _ in range(random_count // 5)]
    word = "abcXYZ0189_.-/@' "
    uris = [template.format(*("".join(rng.choice(word) for _ in range(rng.randint(0, 8))) for _ in range(2)))
            for template in ("models:/{}@{}", "models:/{}/{}", "runs:/" + RUN_ID + "/{}/{}", "models:/{}{}")
            for _ in range(random_count // 10)]
    return list(dict.fromkeys(CORPUS + short + shaped + uris))


def _config_accepts(model, data: dict) -> bool:
    try:
        model.model_validate(data)
    except ValidationError:
        return False
    return True


def _step_accepts(check, *args) -> bool:
    try:
        check(*args)
    except StepError:
        return False
    return True


def _render_variable(name: str, value: str) -> None:
    render_statements(f"SELECT '${{{name}}}'", "2024-01-01", (f"{name}={value}",), "prep.sql")


CHECKS = {
    # rule: (what the config validates, what the step that gets the value runs)
    "identifier": (lambda v: _config_accepts(OutputTable, {"table": "s.t", "partition_column": v}),
                   lambda v: _step_accepts(check_identifier, v, "--output-partition-column")),
    "table": (lambda v: _config_accepts(OutputTable, {"table": v, "partition_column": "dt"}),
              lambda v: _step_accepts(check_table, v, "--output-table")),
    "variable name": (lambda v: _config_accepts(PrepareStep, {"sql": "p.sql", "variables": {v: "1"}}),
                      lambda v: _step_accepts(_render_variable, v, "1")),
    "variable value": (lambda v: _config_accepts(PrepareStep, {"sql": "p.sql", "variables": {"v": v}}),
                       lambda v: _step_accepts(_render_variable, "v", v)),
    "model uri": (lambda v: _config_accepts(ModelRef, {"uri": v}),
                  lambda v: _step_accepts(ModelRegistry.check_uri, v)),
}


@pytest.mark.parametrize("rule", CHECKS)
def test_every_value_the_config_accepts_passes_the_step(rule):
    config_accepts, step_accepts = CHECKS[rule]
    accepted = [value for value in candidates() if config_accepts(value)]
    refused_by_step = [value for value in accepted if not step_accepts(value)]
    assert not refused_by_step, f"{rule}: the config accepts, the step refuses: {refused_by_step[:10]}"
    assert len(accepted) >= 20, f"{rule}: too few accepted candidates to mean anything: {accepted}"


@pytest.mark.parametrize("value", ["eu-west", "10:00", "v1.2", "-7", "2024-01-31", "db.table"])
def test_variable_values_users_write_pass_config_and_step(value):
    config_accepts, step_accepts = CHECKS["variable value"]
    assert config_accepts(value) and step_accepts(value)


@pytest.mark.parametrize("value", ["a--b", "a-", "2024-02-30", "x' OR '1'='1", "1; DROP TABLE x", "a b", ""])
def test_values_that_could_change_the_sql_are_refused_by_both(value):
    config_accepts, step_accepts = CHECKS["variable value"]
    assert not config_accepts(value) and not step_accepts(value)


def test_variable_named_ds_is_refused_by_the_config_as_by_the_step():
    config_accepts, step_accepts = CHECKS["variable name"]
    assert not config_accepts("ds") and not step_accepts("ds")


def test_generated_prepare_step_passes_its_variables_to_the_step(tmp_path):
    """Accepted values, end to end: config file -> generated `--var` arguments -> the step's SQL rendering."""
    accepted = [v for v in CORPUS if CHECKS["variable value"][0](v)][:50]
    names = [f"v{index}" for index in range(len(accepted))]
    job_text = (REPO / "conf" / "churn-daily.yaml").read_text()
    (tmp_path / "defaults.yaml").write_text((REPO / "conf" / "defaults.yaml").read_text())
    (tmp_path / "sql").mkdir()
    sql = "SELECT " + ", ".join(f"'${{{name}}}'" for name in names) + " FROM t WHERE dt = '${ds}'"
    (tmp_path / "sql" / "churn_features.sql").write_text(sql)
    variables = ", ".join(f'{name}: "{value}"' for name, value in zip(names, accepted, strict=True))
    job_text = job_text.replace("variables: {min_tenure_days: \"30\"}", f"variables: {{{variables}}}")
    assert f"variables: {{{variables}}}" in job_text
    (tmp_path / "churn-daily.yaml").write_text(job_text)
    job = load_job(tmp_path / "churn-daily.yaml")

    args = steps.prepare(job.config, job.prepare_sql).args
    given = tuple(args[index + 1] for index, arg in enumerate(args) if arg == "--var")
    rendered = render_statements(job.prepare_sql, "2024-01-01", given, "prep.sql")
    assert rendered == ["SELECT " + ", ".join(f"'{value}'" for value in accepted) + " FROM t WHERE dt = '2024-01-01'"]


def test_hive_namespaced_placeholders_are_declared_as_the_step_reads_them(tmp_path):
    """`${hivevar:region}` is `${region}` to the step; the config must not call it undeclared."""
    job_text = (REPO / "conf" / "churn-daily.yaml").read_text()
    (tmp_path / "defaults.yaml").write_text((REPO / "conf" / "defaults.yaml").read_text())
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "churn_features.sql").write_text(
        "SELECT * FROM t WHERE dt = '${hiveconf:ds}' AND tenure >= ${hivevar:min_tenure_days}")
    (tmp_path / "churn-daily.yaml").write_text(job_text)
    job = load_job(tmp_path / "churn-daily.yaml")
    args = steps.prepare(job.config, job.prepare_sql).args
    given = tuple(args[index + 1] for index, arg in enumerate(args) if arg == "--var")
    assert render_statements(job.prepare_sql, "2024-01-01", given, "prep.sql") == [
        "SELECT * FROM t WHERE dt = '2024-01-01' AND tenure >= 30"]


def test_model_uri_forms_are_the_same_in_config_errors_ui_description_and_step_help():
    from jobs.fetch_model import main as fetch_model
    from jobs.score.cli import main as score

    with pytest.raises(ValidationError) as config_error:
        ModelRef.model_validate({"uri": "s3://bucket/model"})
    helps = {param.name: param.help for param in fetch_model.params + score.params}
    for text in (str(config_error.value), MODEL_URI_DESCRIPTION, helps["model_uri"]):
        assert values.MODEL_URI_FORMS in text, text
    assert values.DATE_RULE in DS_DESCRIPTION and values.DATE_RULE in helps["ds"]


@pytest.mark.parametrize("uri", [f"runs:/{RUN_ID}/model", "models:/churn@champion", "models:/churn/3"])
def test_every_model_uri_form_the_ui_describes_is_accepted(uri):
    assert ModelRef.model_validate({"uri": uri}).uri == uri
    ModelRegistry.check_uri(uri)


def test_stage_names_get_a_hint_towards_aliases():
    with pytest.raises(StepError, match="stages are deprecated in MLflow: use an alias"):
        ModelRegistry.check_uri("models:/churn/Production")


def test_dates_refused_by_the_step_name_the_rule():
    with pytest.raises(StepError, match=r"--ds: '2024-02-30' is not a real date .*expected YYYY-MM-DD"):
        parse_date("2024-02-30")
