"""Pure parts of the score step: requirement policy, signature checks, output shaping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from packaging.requirements import Requirement

from jobs.common.errors import StepError
from jobs.score.requirements import parse_requirements, plan_install
from jobs.score.shaping import DOUBLE, STRING, ScoreColumn, describe_output, shape_output
from jobs.score.signature import ModelInput, plan_features


@pytest.mark.parametrize("line", [
    "-e git+https://example.com/x.git#egg=x", "--index-url http://evil", "--extra-index-url http://evil",
    "-f http://evil/wheels", "https://evil/x.whl", "./local/pkg", "/abs/path", "x @ https://evil/x.tar.gz",
    "pkg.whl", "git+https://example.com/x.git",
])
def test_requirement_lines_outside_the_index_are_refused(line):
    with pytest.raises(StepError, match="refused") as error:
        parse_requirements(f"numpy\n{line}\n")
    assert line in error.value.message


def test_plain_requirements_parse_with_extras_markers_and_comments():
    parsed = parse_requirements("# comment\nmlflow==3.17.2  # pinned\nrequests[socks]>=2\n\nfoo; python_version<'3'\n")
    assert [r.name for r in parsed] == ["mlflow", "requests", "foo"]


def test_plan_install_splits_missing_mismatched_satisfied():
    plan = plan_install([Requirement("numpy"), Requirement("pandas==0.0.1"),
                         Requirement("surely-not-installed-pkg-xyz==1.0"), Requirement("foo; python_version<'3'")])
    assert plan.satisfied == ["numpy"]
    assert [r for r, _ in plan.mismatched] == ["pandas==0.0.1"]
    assert plan.missing == ["surely-not-installed-pkg-xyz==1.0"]


def test_signature_plan_casts_compatible_and_ignores_extra_columns():
    plan = plan_features([ModelInput("a", "double"), ModelInput("b", "long"), ModelInput("c", "string", False)],
                         {"id": "bigint", "a": "int", "b": "bigint", "extra": "string", "dt": "string"},
                         {"id", "dt"}, "db.t")
    assert plan.columns == ["a", "b"] and plan.casts == {"a": "double"}


def test_signature_mismatch_lists_every_problem():
    with pytest.raises(StepError) as error:
        plan_features([ModelInput("a", "double"), ModelInput("b", "long"), ModelInput("c", "double")],
                      {"a": "string", "b": "double"}, set(), "db.t")
    message = error.value.message
    assert "'a' is string but the model expects double" in message
    assert "'b' is double but the model expects long" in message
    assert "'c' (double) is missing" in message


def test_no_signature_uses_all_non_id_columns():
    assert plan_features(None, {"id": "bigint", "x": "double", "dt": "string"}, {"id", "dt"}, "t").columns == ["x"]


def test_shaping_single_and_multi_output():
    assert describe_output(np.array([0.1, 0.2]), "score") == [ScoreColumn("score", DOUBLE)]
    assert describe_output(np.array([[0.1, 0.9], [0.3, 0.7]]), "s") == [ScoreColumn("s_0", DOUBLE),
                                                                       ScoreColumn("s_1", DOUBLE)]
    frame = pd.DataFrame({"Class A": [0.2], "class-b": [0.8]})
    assert [c.name for c in describe_output(frame, "p")] == ["p_class_a", "p_class_b"]
    assert describe_output(pd.Series(["yes", "no"]), "label") == [ScoreColumn("label", STRING)]


def test_shape_output_turns_non_finite_into_nan_and_checks_shape():
    columns = [ScoreColumn("score", DOUBLE)]
    shaped = shape_output(np.array([1.0, np.inf, -np.inf, np.nan]), columns, 4)
    assert shaped["score"].isna().tolist() == [False, True, True, True]
    with pytest.raises(StepError, match="expected"):
        shape_output(np.array([[1.0, 2.0]]), columns, 1)


def _request(arrow_batch_size=None):
    from jobs.score.pipeline import ScoreRequest

    return ScoreRequest(ds="2024-01-01", model_uri="models:/m/1", model_name="m", model_version="1",
                        model_run_id="r", input_table="db.features", input_partition_column="dt",
                        id_columns=["id"], output_table="db.scores", output_partition_column="dt",
                        arrow_batch_size=arrow_batch_size)


def test_default_batch_holds_about_six_mib_of_features_within_bounds():
    from jobs.score.pipeline import BATCH_FEATURE_BYTES, BATCH_ROWS_BOUNDS, batch_rows

    assert batch_rows(_request(), 30) == BATCH_FEATURE_BYTES // 240 == 26_214
    assert batch_rows(_request(), 1) == BATCH_ROWS_BOUNDS[1]  # narrow rows: capped
    assert batch_rows(_request(), 5_000) == BATCH_ROWS_BOUNDS[0]  # very wide rows: at least the floor


def test_an_explicit_batch_size_wins():
    from jobs.score.pipeline import batch_rows

    assert batch_rows(_request(100_000), 30) == 100_000


def test_a_score_request_is_checked_when_it_is_made():
    from jobs.score.pipeline import ScoreRequest

    with pytest.raises(StepError, match="--output-table"):
        ScoreRequest(ds="2024-01-01", model_uri="models:/m/1", model_name="m", model_version="1", model_run_id="r",
                     input_table="db.features", input_partition_column="dt", id_columns=["id"],
                     output_table="db.scores; DROP TABLE x", output_partition_column="dt")
