"""The stand-in as a test uses it: API server, podman node and the driver's own pod object, started and stopped."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.k8s_standin.kubelet import POD_IP, PodmanKubelet
from tests.k8s_standin.server import StandInServer
from tests.k8s_standin.store import Obj


@dataclass
class StandIn:
    """A running stand-in: `server.url` is the API (Spark master k8s://<url>), `kubelet` runs the pods."""

    server: StandInServer
    kubelet: PodmanKubelet
    namespace: str
    driver_pod: Obj

    @property
    def master(self) -> str:
        return f"k8s://{self.server.url}"

    def pods(self, labels: str | None = None) -> list[Obj]:
        return self.server.store.list("pods", self.namespace, labels)[0]


def driver_pod_object(name: str) -> Obj:
    """The score step's pod as the API would hold it: running, ready, on loopback (its container is not ours)."""
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"role": "score-step"}},
            "spec": {"containers": [{"name": "main", "image": "argo-batch-scoring"}]},
            "status": {"phase": "Running", "podIP": POD_IP, "conditions": [{"type": "Ready", "status": "True"}]}}


@contextmanager
def running_standin(port: int, work_dir: Path, shared_paths: tuple[Path, ...] = (), namespace: str = "scoring",
                    driver_pod: str = "score-step-driver") -> Iterator[StandIn]:
    """Starts the stand-in on 127.0.0.1:`port` holding the driver's pod; on exit removes every container it ran."""
    server = StandInServer(port)
    kubelet = PodmanKubelet(server.store, work_dir, shared_paths, external_pods=(driver_pod,))
    driver = server.store.create("pods", namespace, driver_pod_object(driver_pod))
    server.start()
    try:
        yield StandIn(server, kubelet, namespace, driver)
    finally:
        server.stop()
        kubelet.stop()
        # What Spark asked of the API, one `verb resource` per line in order (for reports and RBAC reviews).
        work_dir.mkdir(parents=True, exist_ok=True)
        (work_dir / "calls.txt").write_text("".join(f"{call.verb} {call.resource} {call.status}\n"
                                                    for call in server.recorder.calls))
