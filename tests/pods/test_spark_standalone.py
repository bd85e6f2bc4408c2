"""The image's other scale-out: the same image started as a Spark standalone master and worker (container args
`master` and `worker`, jobs/entrypoint.py), the worker registering with the master."""

from __future__ import annotations

import subprocess
import time

import pytest

from argo_toolset.podman import NETWORK_OPTIONS, ULIMIT_OPTIONS, podman

pytestmark = [pytest.mark.slow]

MASTER_PORT, MASTER_UI_PORT, WORKER_UI_PORT = 21620, 21621, 21622


@pytest.mark.timeout(300)
def test_image_starts_spark_standalone_master_and_worker(project_image):
    names = ("spark-standalone-test-master", "spark-standalone-test-worker")
    common = [*NETWORK_OPTIONS, *ULIMIT_OPTIONS, "--pull", "never", "--user", "10001:10001", "--read-only",
              "--tmpfs", "/tmp:rw,exec,mode=1777", "--env", "SPARK_LOCAL_IP=127.0.0.1"]
    try:
        subprocess.run(podman("run", "--detach", "--name", names[0], *common, project_image, "master", "--host",
                              "127.0.0.1", "--port", str(MASTER_PORT), "--webui-port", str(MASTER_UI_PORT)),
                       check=True, capture_output=True)
        subprocess.run(podman("run", "--detach", "--name", names[1], *common, project_image, "worker",
                              f"spark://127.0.0.1:{MASTER_PORT}", "--cores", "1", "--memory", "512m", "--webui-port",
                              str(WORKER_UI_PORT)), check=True, capture_output=True)
        deadline = time.monotonic() + 120
        while "Registering worker" not in subprocess.run(podman("logs", names[0]), capture_output=True, text=True,
                                                         check=False).stderr:
            assert time.monotonic() < deadline, "the worker did not register with the master within 120s"
            time.sleep(0.5)
    finally:
        for name in names:
            subprocess.run(podman("rm", "--force", name), capture_output=True, check=False)
