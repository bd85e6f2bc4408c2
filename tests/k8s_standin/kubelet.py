"""The stand-in's node: each pod created through the API runs as a podman container of its image; its exit is
reported back as the pod's phase (Succeeded or Failed), and deleting the pod removes the container."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from generator.argo.runner.pod_rules import memory_bytes
from generator.image.podman import NETWORK_OPTIONS, ULIMIT_OPTIONS, podman
from tests.k8s_standin.store import Obj, Store

# The project's podman settings (generator/image/podman.py says why each is needed here). Every container shares
# the host network, so every pod's IP is loopback; images are never pulled (no registry is reachable).
PODMAN = podman()
RUN_OPTIONS = (*NETWORK_OPTIONS, *ULIMIT_OPTIONS, "--pull", "never")
POD_IP = "127.0.0.1"
CONTAINER_PREFIX = "k8s-standin-"


def container_name(pod: Obj) -> str:
    return CONTAINER_PREFIX + pod["metadata"]["name"]


def _field(pod: Obj, path: str) -> str:
    values = {"metadata.name": pod["metadata"]["name"], "metadata.namespace": pod["metadata"]["namespace"],
              "metadata.uid": pod["metadata"]["uid"], "status.podIP": POD_IP, "status.hostIP": POD_IP,
              "spec.nodeName": "standin-node", "spec.serviceAccountName": pod["spec"].get("serviceAccountName", "")}
    if path not in values:
        raise ValueError(f"downward API field {path!r} not supported by the stand-in")
    return values[path]


class PodmanKubelet:
    """Runs the pods of a Store as containers; `shared_paths` are bind-mounted at the same path into every pod
    (the storage every node of a real cluster shares, e.g. the warehouse)."""

    def __init__(self, store: Store, work_dir: Path, shared_paths: tuple[Path, ...] = (),
                 external_pods: tuple[str, ...] = ()):
        self.store = store
        self.work_dir = work_dir
        self.shared_paths = shared_paths
        # Pods that exist only as API objects (the driver: the score step running outside the stand-in).
        self.external_pods = set(external_pods)
        self.started: list[str] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        store.on_created.append(self._created)
        store.on_deleted.append(self._deleted)

    def run_argv(self, pod: Obj) -> list[str]:
        """`podman run` for the pod's single container: image, args, env, user, read-only root, volumes, memory."""
        spec = pod["spec"]
        (container,) = spec["containers"]
        pod_security = spec.get("securityContext") or {}
        security = container.get("securityContext") or {}
        argv = [*PODMAN, "run", "--detach", "--name", container_name(pod), *RUN_OPTIONS]
        user = security.get("runAsUser", pod_security.get("runAsUser"))
        group = security.get("runAsGroup", pod_security.get("runAsGroup"))
        if user is not None:
            argv += ["--user", f"{user}:{group}" if group is not None else str(user)]
        if security.get("readOnlyRootFilesystem"):
            argv.append("--read-only")
        if security.get("allowPrivilegeEscalation") is False:
            argv += ["--security-opt", "no-new-privileges"]
        for capability in (security.get("capabilities") or {}).get("drop") or []:
            argv += ["--cap-drop", capability]
        memory = ((container.get("resources") or {}).get("limits") or {}).get("memory")
        if memory:
            argv += ["--memory", str(memory_bytes(memory))]
        argv += self._volume_options(pod, container)
        for shared in self.shared_paths:
            argv += ["--volume", f"{shared}:{shared}"]
        for env in container.get("env") or []:
            if "valueFrom" in env:
                value = _field(pod, env["valueFrom"]["fieldRef"]["fieldPath"])
            else:
                value = env.get("value", "")
            argv += ["--env", f"{env['name']}={value}"]
        if container.get("workingDir"):
            argv += ["--workdir", container["workingDir"]]
        command = container.get("command") or []
        if command:
            argv += ["--entrypoint", command[0]]
        return [*argv, container["image"], *command[1:], *(container.get("args") or [])]

    def _volume_options(self, pod: Obj, container: Obj) -> list[str]:
        volumes = {volume["name"]: volume for volume in pod["spec"].get("volumes") or []}
        options: list[str] = []
        for mount in container.get("volumeMounts") or []:
            volume = volumes[mount["name"]]
            if "emptyDir" in volume:
                options += ["--tmpfs", f"{mount['mountPath']}:rw,exec,mode=1777"]
            elif "configMap" in volume:
                folder = self._config_map_files(pod, volume["configMap"])
                options += ["--volume", f"{folder}:{mount['mountPath']}:ro"]
            else:
                raise ValueError(f"volume {mount['name']}: only emptyDir and configMap are supported by the stand-in")
        return options

    def _config_map_files(self, pod: Obj, source: Obj) -> Path:
        config_map = self.store.get("configmaps", pod["metadata"]["namespace"], source["name"])
        if config_map is None:
            raise ValueError(f"ConfigMap {source['name']} does not exist")
        folder = self.work_dir / "configmaps" / pod["metadata"]["name"] / source["name"]
        folder.mkdir(parents=True, exist_ok=True)
        items = source.get("items") or [{"key": key, "path": key} for key in config_map.get("data") or {}]
        for item in items:
            (folder / item["path"]).write_text(config_map["data"][item["key"]])
        folder.chmod(0o755)
        return folder

    def _set_phase(self, pod: Obj, phase: str, state: Obj) -> None:
        def change(obj: Obj) -> Obj:
            ready = "True" if phase == "Running" else "False"
            obj["status"] = {"phase": phase, "podIP": POD_IP, "hostIP": POD_IP,
                             "conditions": [{"type": "Ready", "status": ready}],
                             "containerStatuses": [{"name": obj["spec"]["containers"][0]["name"], "state": state,
                                                    "ready": phase == "Running", "restartCount": 0,
                                                    "image": obj["spec"]["containers"][0]["image"]}]}
            return obj

        self.store.update("pods", pod["metadata"]["namespace"], pod["metadata"]["name"], change)

    def _created(self, resource: str, pod: Obj) -> None:
        if resource != "pods" or pod["metadata"]["name"] in self.external_pods:
            return
        threading.Thread(target=self._run, args=(pod,), name=f"pod-{pod['metadata']['name']}", daemon=True).start()

    def _run(self, pod: Obj) -> None:
        log = self.work_dir / "logs" / f"{pod['metadata']['name']}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        try:
            argv = self.run_argv(pod)
        except (ValueError, KeyError) as error:
            log.write_text(f"stand-in could not run the pod: {error}\n")
            self._set_phase(pod, "Failed", {"terminated": {"exitCode": 128, "reason": "StandInError"}})
            return
        if self._stopped.is_set():
            return
        started = subprocess.run(argv, capture_output=True, text=True, check=False)
        if started.returncode != 0:
            log.write_text(" ".join(argv) + "\n" + started.stderr)
            self._set_phase(pod, "Failed", {"terminated": {"exitCode": 128, "reason": "ContainerCannotRun"}})
            return
        with self._lock:
            self.started.append(pod["metadata"]["name"])
        if self.store.get("pods", pod["metadata"]["namespace"], pod["metadata"]["name"]) is None:
            self._deleted("pods", pod)  # deleted while its container was starting
        self._set_phase(pod, "Running", {"running": {}})
        waited = subprocess.run([*PODMAN, "wait", container_name(pod)], capture_output=True, text=True, check=False)
        logs = subprocess.run([*PODMAN, "logs", container_name(pod)], capture_output=True, text=True, check=False)
        log.write_text(" ".join(argv) + "\n" + logs.stdout + logs.stderr)
        subprocess.run([*PODMAN, "rm", "--force", container_name(pod)], capture_output=True, check=False)
        try:
            code = int(waited.stdout.strip())
        except ValueError:
            code = -1  # removed while waited on: the pod was deleted
        if self.store.get("pods", pod["metadata"]["namespace"], pod["metadata"]["name"]) is not None:
            phase = "Succeeded" if code == 0 else "Failed"
            self._set_phase(pod, phase, {"terminated": {"exitCode": code, "reason": "Completed" if code == 0
                                                        else "Error"}})

    def _deleted(self, resource: str, pod: Obj) -> None:
        if resource == "pods" and pod["metadata"]["name"] not in self.external_pods:
            subprocess.run([*PODMAN, "rm", "--force", "--time", "2", container_name(pod)], capture_output=True,
                           check=False)

    def stop(self) -> None:
        """Starts no more pods and removes every container this node runs (the end of a test)."""
        self._stopped.set()
        for name in self.running_containers():
            subprocess.run([*PODMAN, "rm", "--force", "--time", "2", name], capture_output=True, check=False)

    def kill(self, pod_name: str) -> None:
        """Kills a pod's container (SIGKILL), as an OOM kill or a node loss would; its pod then reports Failed."""
        subprocess.run([*PODMAN, "kill", CONTAINER_PREFIX + pod_name], capture_output=True, check=True)

    def running_containers(self) -> list[str]:
        """Names of the stand-in's containers podman still runs."""
        listed = subprocess.run([*PODMAN, "ps", "--filter", f"name=^{CONTAINER_PREFIX}", "--format", "{{.Names}}"],
                                capture_output=True, text=True, check=True)
        return listed.stdout.split()
