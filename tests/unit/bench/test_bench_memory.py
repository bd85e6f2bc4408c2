"""The process-tree sampler sees a child's memory, not just its own process."""

import subprocess
import sys

from bench.memory import TreePeakSampler, descendants, rss_bytes

ALLOCATE = "import time; block = bytearray(300 * 1024 * 1024); block[::4096] = b'x' * len(block[::4096]); time.sleep(3)"


def test_peak_includes_a_grandchild_allocation():
    parent = subprocess.Popen([sys.executable, "-c",
                               f"import subprocess, sys; subprocess.run([sys.executable, '-c', {ALLOCATE!r}])"])
    try:
        with TreePeakSampler([parent.pid], interval=0.05) as sampler:
            parent.wait(timeout=60)
    finally:
        parent.kill()
    assert sampler.peak > 300 * 1024 * 1024


def test_descendants_of_self_include_a_child():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        import os

        tree = descendants(os.getpid())
        assert child.pid in tree and os.getpid() in tree
        assert rss_bytes({child.pid}) > 0
    finally:
        child.kill()
        child.wait()
