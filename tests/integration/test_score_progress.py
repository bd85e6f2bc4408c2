"""A score over many work units logs its progress (units done/total, rows, elapsed), on both file paths, ending at
done/total (real Spark, metastore, Spark Thrift Server, MLflow)."""

from __future__ import annotations

import logging
import re

import pytest

from jobs.score import progress
from jobs.score.pipeline import score_partition
from tests.integration.conftest import INPUT_DS
from tests.integration.helpers import load_partition, score_request

pytestmark = [pytest.mark.slow, pytest.mark.integration]
LINE = re.compile(r"scored (\d+)/(\d+) work units, (\d+) rows, (\d+\.\d)s")


@pytest.fixture(scope="module")
def many_units_input(hive_cursor, local_stack, test_database, cancer_frame) -> str:
    """The demo input in 4 files of 36-row row groups: 16 row groups for the direct path to cut into units."""
    table = f"{test_database}.progress_features"
    load_partition(hive_cursor, local_stack, table, cancer_frame, INPUT_DS, files=4, row_group_rows=36)
    return table


@pytest.mark.parametrize("file_io", ["auto", "spark"])
def test_a_score_over_many_work_units_logs_its_progress(spark, sklearn_model, many_units_input, cancer_frame,
                                                        test_database, caplog, monkeypatch, file_io):
    monkeypatch.setattr(progress, "PROGRESS_SECONDS", 0.05)  # the step's 5 s, shortened to this test's length
    caplog.set_level(logging.INFO, logger=progress.log.name)
    output = f"{test_database}.scores_progress_{file_io}"
    result = score_partition(spark, score_request(sklearn_model, many_units_input, output, file_io=file_io,
                                                  min_partitions=8))
    assert result.file_io == ("direct" if file_io == "auto" else "spark")

    lines = [LINE.fullmatch(record.getMessage()) for record in caplog.records if record.name == progress.log.name]
    assert all(lines) and len(lines) >= 2, [record.getMessage() for record in caplog.records]
    done, total, rows, elapsed = zip(*[tuple(map(float, line.groups())) for line in lines], strict=True)
    assert total[0] >= 8 and set(total) == {total[0]}
    assert list(done) == sorted(done) and list(rows) == sorted(rows) and list(elapsed) == sorted(elapsed)
    assert (done[-1], rows[-1]) == (total[0], len(cancer_frame))  # the last line: every unit, every row
