"""The stand-in's node turns a pod into `podman run` arguments that keep the pod's rules (no podman needed)."""

from __future__ import annotations

from tests.k8s_standin.kubelet import PodmanKubelet
from tests.k8s_standin.store import Store


def test_run_argv_keeps_user_read_only_root_volumes_env_and_args(tmp_path):
    store = Store()
    kubelet = PodmanKubelet(store, tmp_path, shared_paths=(tmp_path / "warehouse",))
    store.create("configmaps", "ns", {"metadata": {"name": "conf"}, "data": {"spark.properties": "a=b\n"}})
    pod = {"metadata": {"name": "exec-1", "namespace": "ns", "uid": "u1"}, "spec": {
        "securityContext": {"runAsUser": 10001, "runAsGroup": 10001},
        "volumes": [{"name": "tmp", "emptyDir": {}},
                    {"name": "spark-conf", "configMap": {"name": "conf", "items": [{"key": "spark.properties",
                                                                                    "path": "spark.properties"}]}}],
        "containers": [{"name": "executor", "image": "img:1", "args": ["executor"],
                        "securityContext": {"readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False,
                                            "capabilities": {"drop": ["ALL"]}},
                        "resources": {"limits": {"memory": "1536Mi"}},
                        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"},
                                         {"name": "spark-conf", "mountPath": "/opt/spark/conf"}],
                        "env": [{"name": "A", "value": "1"},
                                {"name": "SPARK_EXECUTOR_POD_IP",
                                 "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                                {"name": "SPARK_EXECUTOR_POD_NAME",
                                 "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}]}}
    argv = kubelet.run_argv(pod)
    joined = " ".join(argv)
    assert argv[-2:] == ["img:1", "executor"]
    for part in ("--user 10001:10001", "--read-only", "--cap-drop ALL", "--security-opt no-new-privileges",
                 "--memory 1610612736", "--tmpfs /tmp:rw,exec,mode=1777", "--network host", "--pull never",
                 "--env A=1", "--env SPARK_EXECUTOR_POD_IP=127.0.0.1", "--env SPARK_EXECUTOR_POD_NAME=exec-1",
                 f"--volume {tmp_path / 'warehouse'}:{tmp_path / 'warehouse'}"):
        assert part in joined, part
    conf_dir = tmp_path / "configmaps" / "exec-1" / "conf"
    assert f"--volume {conf_dir}:/opt/spark/conf:ro" in joined
    assert (conf_dir / "spark.properties").read_text() == "a=b\n"
