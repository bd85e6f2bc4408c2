"""What the benchmark ran on: cores, memory, CPU model, load, versions (written beside the figures)."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class MachineInfo:
    """The machine and software of one run.

    Attributes:
        cpus: `nproc` (CPUs this process may use).
        memory_gib: total memory in GiB (`free -g`).
        cpu_model: `model name` from /proc/cpuinfo.
        load_before: 1-minute load average when the run started (other work on a shared machine shows here).
        python: Python version.
        packages: versions of the packages that matter for the figures.
        date: UTC time the run started (ISO 8601).
        thread_env: the native-thread variables of the run's environment (THREAD_VARIABLES; "unset" when absent):
            every path inherits them, and the step's workers set their own thread counts on top (jobs/common/spark.py).
        native_pools: the BLAS and OpenMP libraries the model's stack loads, as threadpoolctl reports them: library,
            threads, and the CPU kernel OpenBLAS chose (what OPENBLAS_CORETYPE overrides).
    """

    cpus: int
    memory_gib: float
    cpu_model: str
    load_before: float
    python: str
    packages: dict[str, str]
    date: str
    thread_env: dict[str, str]
    native_pools: list[str]


# Thread counts and the OpenBLAS settings some machines here set (issue 28 asks which were in force).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE",
                    "OPENBLAS_L2_SIZE")


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def _native_pools() -> list[str]:
    """`library threads (kernel)` per BLAS/OpenMP pool numpy and scikit-learn load, as threadpoolctl sees them."""
    import numpy  # noqa: F401  (loads the BLAS threadpoolctl reports)
    import sklearn.ensemble  # noqa: F401  (loads OpenMP and scipy's BLAS)
    from threadpoolctl import threadpool_info

    return sorted({" ".join(filter(None, [pool["prefix"], pool["version"], pool["internal_api"]]))
                   + f": {pool['num_threads']} threads"
                   + (f" ({pool['architecture']})" if pool.get("architecture") else "") for pool in threadpool_info()})


def describe(load_before: float | None = None) -> MachineInfo:
    """Reads the machine's facts now; `load_before` is the 1-minute load average read before the run started
    anything (its own stack raises it), else it is read now."""
    packages = {name: importlib.metadata.version(name)
                for name in ("pyspark", "mlflow", "scikit-learn", "pandas", "pyarrow", "numpy")}
    return MachineInfo(
        cpus=len(os.sched_getaffinity(0)), memory_gib=_memory_gib(), cpu_model=_cpu_model(),
        load_before=os.getloadavg()[0] if load_before is None else load_before,
        python=platform.python_version(), packages=packages,
        date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        thread_env={name: os.environ.get(name, "unset") for name in THREAD_VARIABLES}, native_pools=_native_pools(),
    )
