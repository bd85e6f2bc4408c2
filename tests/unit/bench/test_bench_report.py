"""Report: JSON keys the issue names, ratios to the limit, targets, and hand-written notes kept."""

import json

from bench import report
from bench.machine import describe
from bench.results import BenchResults, ClusterPoint, MemoryPoint
from bench.timing import PathTimings


def sample_results() -> BenchResults:
    results = BenchResults(command="python -m bench", machine=describe(),
                           settings={"rows": 1000, "seed": 1, "model_iterations": 5, "master": "local[2]",
                                     "cores": 2, "warmup": 1, "repeats": 3})
    results.paths = {
        "limit": PathTimings(1000, [1.0, 2.0, 1.5]),
        "ours": PathTimings(1000, [1.25, 1.3, 4.0], peak_rss_bytes=500 * report.MIB),
        "spark_udf": PathTimings(1000, [2.5, 3.0, 2.6]),
        "rest": PathTimings(100, [1.0, 1.0, 1.0], note="sample"),
        "row_udf": PathTimings(10, [1.0, 2.0, 3.0], note="sample"),
    }
    results.memory = [MemoryPoint(1, 100, 400 * report.MIB, 12.0), MemoryPoint(4, 400, 420 * report.MIB, 15.0),
                      MemoryPoint(16, 1600, 460 * report.MIB, 27.0)]
    results.cluster = [ClusterPoint(1, PathTimings(1000, [4.0]), 14.0), ClusterPoint(2, PathTimings(1000, [2.0]), 15.0)]
    results.fixed_costs = {"session_start (once per run)": 6.0}
    results.diagnostics = {"ours_constant_model": PathTimings(1000, [0.5, 0.6, 0.7])}
    return results


def test_json_has_rows_per_s_for_every_path_and_ratios():
    document = report.to_json(sample_results())
    assert set(document["rows_per_s"]) == {"limit", "ours", "spark_udf", "rest", "row_udf"}
    assert document["rows_per_s"]["limit"] == 1000.0  # best round: 1.0 s
    assert document["rows_per_s_median"]["limit"] == round(1000 / 1.5, 1)
    assert document["ratio_to_limit"]["ours"] == 0.8
    assert document["score_step_cli_fit"]["fixed_s"] == 11.0  # 12 s at 100 rows, +1 s per 100 rows
    assert [point["scale"] for point in document["memory"]] == [1, 4, 16]
    assert document["cluster"][1]["rows_per_s"] == 500.0
    assert document["diagnostics"]["ours_constant_model"]["ratio_to_limit"] == 2.0
    json.dumps(document)


def test_markdown_states_targets_and_keeps_notes(tmp_path):
    markdown, figures = tmp_path / "BENCHMARKS.md", tmp_path / "benchmarks.json"
    markdown.write_text("old table\n" + report.NOTES_MARKER + "\n## Analysis\nkept by hand\n")
    report.write(sample_results(), markdown, figures)
    text = markdown.read_text()
    assert "old table" not in text
    assert text.count(report.NOTES_MARKER) == 1 and text.endswith("## Analysis\nkept by hand\n")
    assert "| ours >= 0.9x limit | 0.80x" in text and "| no |" in text
    assert "| ours >= 1.5x spark_udf | 2.00x" in text
    assert "python -m bench" in text and "nproc" in text
    assert "## Diagnostics" in text and "constant model" in text
    assert json.loads(figures.read_text())["rows_per_s"]["ours"] == 800.0
