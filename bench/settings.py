"""Benchmark settings: the full run's sizes and the `--quick` preset that CI uses to test the harness."""

from __future__ import annotations

from dataclasses import dataclass, replace

MAIN_DS = "2024-01-01"
ROW_UDF_DS = "2024-01-02"
MEMORY_SCALES = (1, 4, 16)


@dataclass(frozen=True)
class BenchSettings:
    """Sizes and repeats of one benchmark run.

    Attributes:
        rows: rows of the main input partition (every path but REST and the row UDF scores all of them).
        seed: seed of the synthetic feature stream.
        repeats: measured rounds (each path once per round, order rotated); min and median are reported.
        warmup: unmeasured rounds first (JIT, page cache, Python workers, model caches).
        master: Spark master of the local paths; `local[N]` with N = the cores the limit uses.
        cores: cores every path gets (Spark tasks, REST workers; the limit's predict uses them all).
        rest_rows: rows posted to the REST server per round (a prefix of the main data; rows/s extrapolated).
        rest_batch_rows: rows per request.
        row_udf_rows: rows the row-at-a-time UDF scores per round (its own partition; rows/s extrapolated).
        memory_base_rows: 1x of the cold series (1x, 4x, 16x: a fresh process per run for every cold path; ours'
            runs give the peak-memory series and the fixed-overhead fit).
        cold_runs: fresh-process runs of every cold path at every scale (the fit takes each scale's median).
        memory_scales: the scales of the cold series (times memory_base_rows).
        cluster: also score on a Spark standalone cluster with 1 and 2 workers.
        cluster_rows: rows scored per cluster round (the 4x memory partition when it matches).
        yarn: also score that partition on YARN with 1 and 2 executors (the hadoop profile's stack: Java, javac
            and Maven needed, bench/yarn.py).
        model_iterations: boosting iterations of the model (its compute per row).
        jvm_archive: give the score step's sessions a JVM class-data archive, as the image does (built in the
            work dir unless SPARK_CDS_ARCHIVE names one), and run the 1x step once more without it.
        diagnose: also measure, in the same rounds, what explains ours vs the limit: the pipeline with a
            constant model, 10k-row Arrow batches, and the limit on one thread.
    """

    rows: int = 2_000_000
    seed: int = 42
    repeats: int = 3
    warmup: int = 1
    master: str = "local[2]"
    cores: int = 2
    rest_rows: int = 200_000
    rest_batch_rows: int = 10_000
    row_udf_rows: int = 4_000
    memory_base_rows: int = 250_000
    cold_runs: int = 3
    memory_scales: tuple[int, ...] = MEMORY_SCALES
    cluster: bool = True
    cluster_rows: int = 1_000_000
    yarn: bool = True
    model_iterations: int = 60
    diagnose: bool = True
    jvm_archive: bool = True

    @property
    def memory_partitions(self) -> list[tuple[int, str, int]]:
        """(scale, ds, rows) of the memory series: 2024-02-01, 2024-02-04, 2024-02-16 (the full run's scales)."""
        return [(scale, f"2024-02-{scale:02d}", scale * self.memory_base_rows) for scale in self.memory_scales]

    @property
    def cluster_ds(self) -> str:
        """The partition the cluster rounds score: a memory partition of `cluster_rows` rows, else the main one."""
        for _, ds, rows in self.memory_partitions:
            if rows == self.cluster_rows:
                return ds
        return MAIN_DS

    @property
    def cluster_partition_rows(self) -> int:
        return self.cluster_rows if self.cluster_ds != MAIN_DS else self.rows


# One cold scale: every cold path still runs end to end as a fresh process (each costs a JVM start, about 20 s here,
# whatever the rows), and the growth and the fit, which need two scales, are left to the full run; CI runs this preset.
QUICK = BenchSettings(rows=20_000, repeats=1, warmup=0, rest_rows=5_000, rest_batch_rows=1_000, row_udf_rows=300,
                      memory_base_rows=2_000, cold_runs=1, memory_scales=(1,), cluster=False, cluster_rows=2_000,
                      yarn=False, model_iterations=20, diagnose=False, jvm_archive=False)


def quick(**overrides) -> BenchSettings:
    """The `--quick` preset (small data, one repeat, no cluster) with `overrides` applied."""
    return replace(QUICK, **overrides)
