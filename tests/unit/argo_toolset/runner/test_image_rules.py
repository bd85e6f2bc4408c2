"""run-local --in-image: pod-spec fields -> podman options, and refusal of what cannot be honoured (no podman)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from argo_toolset.runner import UnsupportedFeatureError, run_workflow
from argo_toolset.runner.checks.pod_fields import image_findings
from argo_toolset.runner.documents import DocumentSet
from argo_toolset.runner.pods.in_image import InImage
from argo_toolset.runner.pods.rules import ImageUser, cpu_cores, memory_bytes, resource_options, security_options

REPO = Path(__file__).resolve().parents[4]
IMAGE = InImage(image="argo-batch-scoring:local", user=ImageUser.parse("10001:10001"), warehouse=Path("/nowhere"))


def demo_documents() -> list[dict]:
    return list(yaml.safe_load_all((REPO / "workflows" / "churn-daily.yaml").read_text()))


def findings(documents: list[dict], image: InImage = IMAGE, template: str | None = None) -> list[str]:
    return [str(finding) for finding in image_findings(DocumentSet(documents).runnable(template), image)]


def test_generated_workflows_are_honoured_in_full():
    assert findings(demo_documents()) == []
    assert findings(demo_documents(), template="churn-daily-retro") == []


@pytest.mark.parametrize(("quantity", "expected"), [("512Mi", 512 * 2**20), ("4Gi", 4 * 2**30), ("1G", 10**9),
                                                    ("1.5Gi", int(1.5 * 2**30)), ("1048576", 2**20)])
def test_memory_quantities(quantity, expected):
    assert memory_bytes(quantity) == expected


def test_bad_quantities_name_the_accepted_forms():
    with pytest.raises(ValueError, match="512Mi"):
        memory_bytes("lots")
    with pytest.raises(ValueError, match="500m"):
        cpu_cores("two")
    assert cpu_cores("500m") == 0.5 and cpu_cores("2") == 2.0


def test_generated_pod_becomes_read_only_non_root_podman_options():
    template = next(t for t in demo_documents()[0]["spec"]["templates"] if t["name"] == "score")
    pod = demo_documents()[0]["spec"]["securityContext"]
    options = security_options(pod, template["container"]["securityContext"])
    assert options[:2] == ["--user", "10001:10001"]
    for pair in (["--read-only", "--read-only-tmpfs=false"], ["--security-opt", "no-new-privileges"],
                 ["--cap-drop", "ALL"], ["--group-add", "10001"]):
        assert any(options[i:i + len(pair)] == pair for i in range(len(options)))
    limits = resource_options(template["container"]["resources"])
    assert limits[:4] == ["--memory", str(memory_bytes(template["container"]["resources"]["limits"]["memory"])),
                          "--memory-swap", str(memory_bytes(template["container"]["resources"]["limits"]["memory"]))]


def test_what_cannot_be_honoured_is_refused_naming_each_field():
    documents = copy.deepcopy(demo_documents())
    spec = documents[0]["spec"]
    spec["hostAliases"] = [{"ip": "10.0.0.1", "hostnames": ["hive"]}]
    score = next(t for t in spec["templates"] if t["name"] == "score")
    score["container"]["livenessProbe"] = {"exec": {"command": ["true"]}}
    score["container"]["resources"]["limits"]["ephemeral-storage"] = "1Gi"
    score["container"]["securityContext"]["seLinuxOptions"] = {"level": "s0"}
    score["container"]["securityContext"]["seccompProfile"] = {"type": "Localhost", "localhostProfile": "x.json"}
    found = findings(documents)
    where = "WorkflowTemplate churn-daily template 'score'"
    assert any(line.startswith("WorkflowTemplate churn-daily spec.hostAliases:") for line in found)
    for field in ("container.livenessProbe", "container.resources.limits.ephemeral-storage",
                  "container.securityContext.seLinuxOptions", "container.securityContext.seccompProfile.type"):
        assert any(line.startswith(f"{where}.{field}:") for line in found), (field, found)


def test_run_as_non_root_is_checked_against_the_image_user():
    documents = copy.deepcopy(demo_documents())
    documents[0]["spec"]["securityContext"].pop("runAsUser")
    for template in documents[0]["spec"]["templates"]:
        if "container" in template:
            template["container"]["securityContext"].pop("runAsUser", None)
    assert findings(documents) == []  # the image's USER is 10001
    root_image = InImage(image="x", user=ImageUser.parse(""), warehouse=Path("/nowhere"))
    assert any("runAsNonRoot: the image runs as root" in line for line in findings(documents, root_image))
    named_image = InImage(image="x", user=ImageUser.parse("scoring"), warehouse=Path("/nowhere"))
    assert any("is not numeric" in line for line in findings(documents, named_image))


def test_refusal_happens_before_anything_runs(tmp_path):
    documents = copy.deepcopy(demo_documents())
    next(t for t in documents[0]["spec"]["templates"] if t["name"] == "score")["podSpecPatch"] = "{}"
    with pytest.raises(UnsupportedFeatureError, match=r"template 'score'\.podSpecPatch"):
        run_workflow(documents, parameters={"ds": "2024-05-01"}, work_dir=tmp_path / "work",
                     lock_dir=tmp_path / "locks", echo=None, in_image=IMAGE)
    assert not (tmp_path / "work").exists()
