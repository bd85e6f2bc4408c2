"""Settings: the quick preset is small and one round; the full run meets the issue's sizes."""

from bench.__main__ import build_settings
from bench.settings import MAIN_DS, BenchSettings


def test_full_run_sizes():
    settings = BenchSettings()
    assert settings.rows >= 2_000_000 and settings.repeats >= 3 and settings.warmup >= 1
    assert settings.cold_runs >= 3  # the fixed-overhead fit takes a median per scale
    assert [rows for _, _, rows in settings.memory_partitions] == [250_000, 1_000_000, 4_000_000]
    assert settings.cluster_ds == "2024-02-04" and settings.cluster_partition_rows == 1_000_000
    assert settings.cluster and settings.yarn  # scale-out on both cluster managers


def test_quick_preset_and_overrides():
    settings = build_settings(True)
    assert settings.repeats == 1 and settings.rows <= 50_000 and not settings.cluster and settings.cold_runs == 1
    assert settings.cluster_ds != MAIN_DS and settings.cluster_partition_rows == 2_000  # the 1x partition
    assert [scale for scale, _, _ in settings.memory_partitions] == [1]
    assert build_settings(True, rows=30_000, cluster=True).rows == 30_000
    assert not settings.yarn and build_settings(False, yarn=False).yarn is False
    assert build_settings(False, repeats=5).repeats == 5
