"""A k8s:// job's score step: driver identity, fixed ports, sizes, the executor pod template and the RBAC manifest."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from argo_toolset.lint.stages import lint_files
from generator.config.models import JobConfig, SparkSettings
from generator.specs import documents
from generator.specs.rbac import rbac_documents
from generator.specs.render import rbac_path, render_rbac
from generator.specs.spark_k8s import EXECUTOR_TEMPLATE_PATH, heap_mebibytes, mebibytes, pull_policy, whole_cores
from tests.rbac import allows

REPO = Path(__file__).resolve().parents[3]


def score_container(job):
    main = next(doc for doc in documents(job) if doc["metadata"]["name"] == job.config.name)
    return next(t for t in main["spec"]["templates"] if t["name"] == "score")


def spark_conf(template):
    args = template["container"]["args"]
    return dict(args[i + 1].split("=", 1) for i, arg in enumerate(args) if arg == "--spark-conf")


def test_driver_knows_its_pod_and_uses_fixed_ports_and_sizes(credit):
    template = score_container(credit)
    conf = spark_conf(template)
    env = {e["name"]: e for e in template["container"]["env"]}
    assert conf["spark.kubernetes.driver.pod.name"] == "$(POD_NAME)"
    assert conf["spark.kubernetes.namespace"] == "$(POD_NAMESPACE)"
    assert conf["spark.driver.host"] == "$(POD_IP)"
    assert {name: env[name]["valueFrom"]["fieldRef"]["fieldPath"] for name in ("POD_NAME", "POD_NAMESPACE", "POD_IP")} \
        == {"POD_NAME": "metadata.name", "POD_NAMESPACE": "metadata.namespace", "POD_IP": "status.podIP"}
    assert (conf["spark.driver.port"], conf["spark.driver.blockManager.port"], conf["spark.blockManager.port"]) \
        == ("7078", "7079", "7079")
    # resources.score.memory is 2Gi: half is the driver's heap; executors of 6Gi: heap + overhead = 6Gi.
    assert conf["spark.driver.memory"] == "1024m"
    assert (conf["spark.executor.memory"], conf["spark.executor.memoryOverhead"]) == ("3072m", "3072m")
    assert (conf["spark.executor.instances"], conf["spark.executor.cores"]) == ("4", "2")
    assert conf["spark.kubernetes.executor.request.cores"] == conf["spark.kubernetes.executor.limit.cores"] == "2"
    assert conf["spark.kubernetes.container.image.pullPolicy"] == "IfNotPresent"
    assert "spark.kubernetes.authenticate.driver.serviceAccountName" not in conf  # cluster mode only


def test_executor_pod_template_travels_with_the_step(credit):
    template = score_container(credit)
    conf = spark_conf(template)
    artifact = next(a for a in template["inputs"]["artifacts"] if a["path"] == EXECUTOR_TEMPLATE_PATH)
    assert conf["spark.kubernetes.executor.podTemplateFile"] == EXECUTOR_TEMPLATE_PATH
    pod = yaml.safe_load(artifact["raw"]["data"])
    spec = pod["spec"]
    (container,) = spec["containers"]
    assert container["name"] == conf["spark.kubernetes.executor.podTemplateContainerName"]
    assert container["image"] == credit.config.image and container["imagePullPolicy"] == "IfNotPresent"
    # The same security rules as the step pods (the restricted pod security level).
    assert spec["securityContext"]["runAsNonRoot"] and spec["securityContext"]["seccompProfile"]["type"] == \
        "RuntimeDefault"
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                                            "readOnlyRootFilesystem": True, "runAsNonRoot": True}
    assert spec["volumes"] == [{"name": "tmp", "emptyDir": {}}]
    assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    assert {"name": "HOME", "value": "/tmp"} in container["env"]
    size = {"cpu": "2", "memory": "6Gi"}
    assert container["resources"] == {"requests": size, "limits": size}
    assert spec["nodeSelector"] == {"node-pool": "batch"}
    assert spec["tolerations"] == [{"key": "dedicated", "operator": "Equal", "value": "batch", "effect": "NoSchedule"}]
    assert spec["automountServiceAccountToken"] is False


def test_local_jobs_carry_no_kubernetes_settings(churn):
    template = score_container(churn)
    assert not any(key.startswith("spark.kubernetes.") for key in spark_conf(template))
    assert EXECUTOR_TEMPLATE_PATH not in str(template)


def test_install_switch_reaches_the_step(credit):
    assert "--no-install-requirements" not in score_container(credit)["container"]["args"]
    data = credit.config.model_dump(by_alias=True)
    data["model"]["install_requirements"] = False
    job = dataclasses.replace(credit, config=JobConfig.model_validate(data))
    assert "--no-install-requirements" in score_container(job)["container"]["args"]


@pytest.mark.parametrize("key", ["spark.kubernetes.authenticate.driver.serviceAccountName",
                                 "spark.executor.memory", "spark.kubernetes.driver.pod.name"])
def test_config_refuses_settings_the_generator_owns_for_k8s(key):
    with pytest.raises(ValidationError, match=key.replace(".", r"\.")):
        SparkSettings(master="k8s://https://kubernetes.default.svc", conf={key: "x"})
    SparkSettings(master="spark://master:7077", conf={key: "x"})  # other masters keep their own settings


def test_quantities():
    assert (mebibytes("4Gi"), mebibytes("512Mi"), mebibytes("1G")) == (4096, 512, 953)
    assert heap_mebibytes("2Gi") == 1024
    assert (whole_cores("500m"), whole_cores("2"), whole_cores("2500m")) == (1, 2, 3)
    assert pull_policy("r/app:1.0") == "IfNotPresent" and pull_policy("r:5000/app") == "Always"
    assert pull_policy("r/app:latest") == "Always" and pull_policy("r/app@sha256:" + "0" * 64) == "IfNotPresent"


def test_rbac_grants_the_driver_account_what_spark_calls_and_every_account_what_argo_calls(credit, churn):
    steps_role, steps_binding, driver_role, driver_binding = rbac_documents(credit.config)
    assert [s.name for s in steps_binding.subjects] == ["batch-scoring", "batch-scoring-spark-driver"]
    assert [s.name for s in driver_binding.subjects] == ["batch-scoring-spark-driver"]
    for role, binding in ((steps_role, steps_binding), (driver_role, driver_binding)):
        assert binding.role_ref.name == role.metadata.name and role.metadata.namespace == "ds-scoring"
    assert allows(steps_role.rules, "argoproj.io", "workflowtaskresults", "create")
    assert not allows(steps_role.rules, "", "pods", "create")
    needed = [("pods", "create"), ("pods", "watch"), ("pods", "deletecollection"), ("configmaps", "create"),
              ("persistentvolumeclaims", "list"), ("services", "deletecollection")]
    for resource, verb in needed:
        assert allows(driver_role.rules, "", resource, verb), (resource, verb)
    churn_docs = rbac_documents(churn.config)
    assert len(churn_docs) == 2  # a local[*] job: no driver account, no pod rights
    assert not allows(churn_docs[0].rules, "", "pods", "create")
    assert allows(churn_docs[0].rules, "argoproj.io", "workflowtaskresults", "patch")


def test_driver_account_is_configurable_and_never_the_steps_account(credit):
    data = credit.config.model_dump(by_alias=True)
    data["spark"]["driver_service_account"] = "spark-runner"
    job = dataclasses.replace(credit, config=JobConfig.model_validate(data))
    assert score_container(job)["serviceAccountName"] == "spark-runner"
    data["spark"]["driver_service_account"] = data["service_account"]
    with pytest.raises(ValidationError, match="driver_service_account"):
        JobConfig.model_validate(data)


def test_committed_rbac_manifest_is_current_and_lint_clean(credit):
    path = rbac_path(REPO / "workflows", "credit-limit-review")
    assert path.read_text() == render_rbac(credit)
    result = lint_files([path], crd_dir=None)
    assert result.findings == [] and result.documents == 4


def test_lint_strict_parses_rbac(tmp_path, credit):
    role, binding, *_ = yaml.safe_load_all(render_rbac(credit))
    role["rules"][0]["verbs"].append("escalate")
    role["metadata"]["annotationz"] = {}
    binding["roleRef"]["name"] = "nobody"
    path = tmp_path / "bad.rbac.yaml"
    path.write_text(yaml.safe_dump_all([role, binding]))
    findings = lint_files([path], crd_dir=None).findings
    assert {(f.rule, f.path) for f in findings} >= {
        ("rbac", "rules.0.verbs.2"), ("rbac", "metadata.annotationz"), ("template-ref", "roleRef.name")}
