"""Property-based fuzz of what a UI user can type into the WorkflowTemplates' parameters (`ds`, `model-uri`, the
retro range `start`/`end`/`parallelism`), through each step's command line (Hypothesis, fixed seed, bounded count).

Every service the steps could reach listens on nothing (a closed loopback port) and the retry budget is zero, so
a value that slipped past the checks would end in "did not answer" (exit 1) instead of exit 2 naming the rule:
each case proves the check comes first and that nothing is touched (no output folder, no connection).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from contract import exit_codes, values
from jobs import fetch_model, plan_dates, prepare, validate, wait_for_input
from jobs.monitor import cli as monitor
from jobs.score import cli as score
from tests.reliability.helpers import closed_port

FUZZ = settings(derandomize=True, database=None, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow])
DATE_RULE_SHOWN = "expected YYYY-MM-DD, a real calendar date"
MODEL_RULE_SHOWN = f"use {values.MODEL_URI_FORMS}"


def _env(folder: Path) -> dict[str, str]:
    port = closed_port()
    return {"HIVE_HOST": "127.0.0.1", "HIVE_PORT": str(port), "HIVE_METASTORE_URI": f"thrift://127.0.0.1:{port}",
            "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{port}", "STEP_RETRY_SECONDS": "0",
            "MLFLOW_DISABLE_TELEMETRY": "true", "TMPDIR": str(folder)}


def _step_args(step: str, ds: str, model_uri: str, folder: Path) -> list[str]:
    """The arguments the generated templates pass, with the typed values in place."""
    out = ["--out-dir", str(folder / "out")]
    tables = ["--input-table", "db.features", "--input-partition-column", "dt", "--output-table", "db.scores",
              "--output-partition-column", "dt", "--id-column", "id"]
    if step == "prepare":
        sql = folder / "prepare.sql"
        sql.write_text("INSERT OVERWRITE TABLE db.t PARTITION (dt = '${ds}') SELECT * FROM db.s WHERE dt = '${ds}';")
        return ["--sql-file", str(sql), "--ds", ds]
    if step == "score":
        return ["--ds", ds, "--model-uri", model_uri, "--model-name", "m", "--model-version", "1",
                "--model-run-id", "r", *tables, *out]
    if step == "validate":
        return ["--ds", ds, *tables, *out]
    if step == "monitor":
        return ["--ds", ds, *tables, "--lineage-run-id", "r", *out]
    if step == "wait_for_input":
        return ["--ds", ds, "--table", "db.features", "--partition-column", "dt", "--timeout", "0"]
    if step == "fetch_model":
        return ["--model-uri", model_uri, *out]
    raise ValueError(step)


COMMANDS = {"prepare": prepare.main, "score": score.main, "validate": validate.main, "monitor": monitor.main,
            "wait_for_input": wait_for_input.main, "fetch_model": fetch_model.main}


def _run(step: str, ds: str = "2024-01-01", model_uri: str = "models:/m/1"):
    with tempfile.TemporaryDirectory() as folder:
        result = CliRunner().invoke(COMMANDS[step], _step_args(step, ds, model_uri, Path(folder)),
                                    env=_env(Path(folder)), catch_exceptions=True)
        touched = (Path(folder) / "out").exists()
    return result, touched


def _refused(result, touched: bool) -> str:
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == exit_codes.PERMANENT, output
    assert "did not answer" not in output and "Traceback" not in output, output
    assert not touched
    return output


def _lanes(text: str) -> int:
    """What click's INT type makes of the text (int()), or 0 when it refuses it."""
    try:
        return int(text)
    except ValueError:
        return 0


def _is_date(text: str) -> bool:
    try:
        values.parse_date(text)
    except ValueError:
        return False
    return True


def _is_model_uri(text: str) -> bool:
    try:
        values.parse_model_uri(text)
    except ValueError:
        return False
    return True


# What people type: anything at all, dates in other formats, near misses of real dates, SQL in the value.
DATES = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
TYPED_DS = st.one_of(
    st.text(max_size=40),
    DATES.map(lambda d: d.strftime("%d.%m.%Y")), DATES.map(lambda d: d.strftime("%Y/%m/%d")),
    DATES.map(lambda d: f"{d.year}-{d.month}-{d.day}"),
    st.tuples(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"),
    st.tuples(DATES, st.text(min_size=1, max_size=10)).map(lambda p: p[0].isoformat() + p[1]),
    st.tuples(st.text(min_size=1, max_size=10), DATES).map(lambda p: p[0] + p[1].isoformat()),
    st.sampled_from(["{{workflow.parameters.ds}}", "yesterday", "2024-01-01' OR '1'='1", " 2024-01-01",
                     "2024-01-01\n", "２０２４-０１-０１", "2024-02-30", "0000-01-01"]),
)
MODEL_NAMES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,20}", fullmatch=True)
TYPED_MODEL_URI = st.one_of(
    st.text(max_size=60),
    st.tuples(st.sampled_from(["s3://", "file://", "http://", "/", "mlflow-artifacts:/", "models:/", "runs:/",
                               "models:", "MODELS:/", "dbfs:/"]), st.text(max_size=40)).map("".join),
    MODEL_NAMES.map(lambda n: f"models:/{n}/Production"), MODEL_NAMES.map(lambda n: f"models:/{n}@"),
    MODEL_NAMES.map(lambda n: f"models:/{n}/../../etc"), MODEL_NAMES.map(lambda n: f"models:/{n}' OR '1'='1@a"),
    st.from_regex(r"runs:/[0-9a-fA-F]{0,40}/(\.\.|\.|model)(/[a-z.]{0,5}){0,3}", fullmatch=True),
)


@settings(FUZZ, max_examples=150)
@given(ds=TYPED_DS, step=st.sampled_from(["prepare", "score", "validate", "monitor", "wait_for_input"]))
def test_a_typed_ds_is_refused_with_the_date_rule_before_any_service(ds, step):
    assume(not _is_date(ds))
    result, touched = _run(step, ds=ds)
    output = _refused(result, touched)
    assert f"--ds: {ds!r} is not a" in output and DATE_RULE_SHOWN in output, output


@settings(FUZZ, max_examples=100)
@given(uri=TYPED_MODEL_URI, step=st.sampled_from(["fetch_model", "score"]))
def test_a_typed_model_uri_is_refused_with_the_uri_rule_before_mlflow(uri, step):
    assume(not _is_model_uri(uri))
    result, touched = _run(step, model_uri=uri)
    output = _refused(result, touched)
    assert f"--model-uri: {uri!r} is not supported" in output and MODEL_RULE_SHOWN in output, output


@settings(FUZZ, max_examples=100)
@given(start=st.one_of(TYPED_DS, DATES.map(dt.date.isoformat)), end=st.one_of(TYPED_DS, DATES.map(dt.date.isoformat)),
       lanes=st.one_of(st.sampled_from([str(n) for n in range(1, 9)]), st.text(max_size=6)))
def test_a_typed_retro_range_is_planned_or_refused_with_its_rule(start, end, lanes):
    """plan-dates (the retro's first step) on any typed range: a plan, or exit 2 naming the rule broken."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        result = CliRunner().invoke(plan_dates.main, ["--start", start, "--end", end, "--lanes", lanes,
                                                      "--out-dir", str(out)], catch_exceptions=True)
        touched = out.exists()
    valid_lanes = _lanes(lanes) >= 1
    if _is_date(start) and _is_date(end) and valid_lanes and 0 <= (
            values.parse_date(end) - values.parse_date(start)).days < 366:
        assert result.exit_code == 0 and touched, result.output
        return
    output = _refused(result, touched)
    if not valid_lanes:
        assert "--lanes" in output, output
    elif not _is_date(start):
        assert f"--start: {start!r} is not a" in output and DATE_RULE_SHOWN in output, output
    elif not _is_date(end):
        assert f"--end: {end!r} is not a" in output and DATE_RULE_SHOWN in output, output
    elif values.parse_date(start) > values.parse_date(end):
        assert f"--start {start} is after --end {end}" in output, output
    else:
        assert "at most 366 are allowed (--max-days)" in output, output


def test_control_a_valid_ds_and_uri_do_reach_for_the_closed_ports():
    """Without this the tests above could pass on a step that never connects at all."""
    for step in ("prepare", "fetch_model"):
        result, _ = _run(step)
        assert result.exit_code == exit_codes.TRANSIENT and "did not answer" in result.output, result.output
