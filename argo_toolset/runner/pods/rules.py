"""What run-local --in-image honours of a pod spec, and how each field becomes a `podman run` option.

One home for the in-image rules: `checks/pod_fields.py` refuses what is not listed here before anything runs,
`pods/container.py` turns what is listed into options. Kubernetes semantics followed:
- securityContext: the container's runAsUser/runAsGroup/runAsNonRoot/seccompProfile win over the pod's
  (a template's own securityContext replaces the workflow's, as Argo does); runAsNonRoot is checked against
  the user the container would run as (the image's USER when runAsUser is unset), as the kubelet does.
- readOnlyRootFilesystem -> `--read-only` without podman's extra tmpfs mounts (a pod gets none: only its
  volumes are writable); allowPrivilegeEscalation false -> no-new-privileges; capabilities -> --cap-drop/add.
- resources.limits memory/cpu -> --memory (swap off, so the step is OOM-killed at its limit) / --cpus;
  requests only schedule, so they have no local effect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

POD_SECURITY_FIELDS = {"runAsUser", "runAsGroup", "runAsNonRoot", "fsGroup", "fsGroupChangePolicy",
                       "supplementalGroups", "seccompProfile"}
CONTAINER_SECURITY_FIELDS = {"runAsUser", "runAsGroup", "runAsNonRoot", "readOnlyRootFilesystem",
                             "allowPrivilegeEscalation", "capabilities", "privileged", "seccompProfile"}
SECCOMP_TYPES = {"RuntimeDefault": None, "Unconfined": "seccomp=unconfined"}
LIMITS = ("cpu", "memory")
REQUESTS = ("cpu", "memory", "ephemeral-storage")
# Pod and container fields that would change how the step runs but cannot be reproduced with podman here.
NOT_HONOURED = {
    "spec": {"hostAliases": "host aliases", "dnsConfig": "DNS config", "dnsPolicy": "DNS policy"},
    "template": {"podSpecPatch": "podSpecPatch (it may change any pod field)", "hostAliases": "host aliases"},
    "container": {"livenessProbe": "liveness probes", "startupProbe": "startup probes",
                  "readinessProbe": "readiness probes", "ports": "container ports (the pod uses the host network)"},
}
_MEMORY_UNITS = {"": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30,
                 "Ti": 2**40}
_MEMORY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(" + "|".join(sorted(_MEMORY_UNITS, key=len, reverse=True)) + ")$")
_CPU = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(m?)$")


def memory_bytes(quantity: object) -> int:
    """A Kubernetes memory quantity in bytes ("512Mi" -> 536870912); ValueError names the accepted units."""
    match = _MEMORY.match(str(quantity))
    if not match:
        raise ValueError(f"memory {quantity!r} is not a quantity like 512Mi, 4Gi or 1G "
                         f"(units: {', '.join(unit for unit in _MEMORY_UNITS if unit)})")
    return int(float(match.group(1)) * _MEMORY_UNITS[match.group(2)])


def cpu_cores(quantity: object) -> float:
    """A Kubernetes CPU quantity in cores ("500m" -> 0.5, "2" -> 2.0)."""
    match = _CPU.match(str(quantity))
    if not match:
        raise ValueError(f"cpu {quantity!r} is not a quantity like 500m or 2")
    return float(match.group(1)) / (1000 if match.group(2) else 1)


@dataclass(frozen=True)
class ImageUser:
    """The user an image's config runs as (`USER`), as the kubelet sees it.

    Attributes:
        uid: Numeric uid, or None when USER names a user (the kubelet cannot verify runAsNonRoot then).
        text: USER as written ("" = root).
    """

    uid: int | None
    text: str

    @classmethod
    def parse(cls, text: str) -> ImageUser:
        user = text.split(":", 1)[0]
        if user == "":
            return cls(0, text)
        return cls(int(user) if user.isdigit() else None, text)


def security_problems(pod: dict, container: dict, image_user: ImageUser) -> list[tuple[str, str]]:
    """(field, problem) for every securityContext setting that cannot be honoured or forbids the start."""
    problems = [(f"securityContext.{key}", "not honoured by run-local --in-image; supported: "
                 + ", ".join(sorted(POD_SECURITY_FIELDS))) for key in pod if key not in POD_SECURITY_FIELDS]
    problems += [(f"{{container}}.securityContext.{key}", "not honoured by run-local --in-image; supported: "
                  + ", ".join(sorted(CONTAINER_SECURITY_FIELDS)))
                 for key in container if key not in CONTAINER_SECURITY_FIELDS]
    if container.get("privileged"):
        problems.append(("{container}.securityContext.privileged", "privileged containers are not run locally"))
    for where, context in (("securityContext", pod), ("{container}.securityContext", container)):
        seccomp = (context.get("seccompProfile") or {}).get("type")
        if seccomp is not None and seccomp not in SECCOMP_TYPES:
            problems.append((f"{where}.seccompProfile.type",
                             f"{seccomp!r} is not honoured; supported: {', '.join(SECCOMP_TYPES)}"))
        for key in ("runAsUser", "runAsGroup"):
            if key in context and not str(context[key]).isdigit():
                problems.append((f"{where}.{key}", f"{context[key]!r} is not a numeric id"))
    merged = {**pod, **container}
    if merged.get("runAsNonRoot"):
        if "runAsUser" in merged:
            if str(merged["runAsUser"]) == "0":
                problems.append(("runAsNonRoot", "runAsUser is 0 (root): the kubelet refuses to start it"))
        elif image_user.uid is None:
            problems.append(("runAsNonRoot", f"the image's USER {image_user.text!r} is not numeric: the kubelet "
                             "cannot verify it is non-root and refuses to start the container"))
        elif image_user.uid == 0:
            problems.append(("runAsNonRoot", "the image runs as root and no runAsUser is set: the kubelet "
                             "refuses to start the container"))
    return problems


def resource_problems(resources: dict) -> list[tuple[str, str]]:
    """(field, problem) for limits that cannot be honoured and quantities that do not parse."""
    problems = []
    for kind, allowed in (("limits", LIMITS), ("requests", REQUESTS)):
        for name, value in (resources.get(kind) or {}).items():
            where = f"{{container}}.resources.{kind}.{name}"
            if name not in allowed:
                problems.append((where, f"not honoured by run-local --in-image; supported: {', '.join(allowed)}"))
                continue
            try:
                memory_bytes(value) if name == "memory" else cpu_cores(value) if name == "cpu" else None
            except ValueError as error:
                problems.append((where, str(error)))
    for key in resources:
        if key not in ("limits", "requests"):
            problems.append((f"{{container}}.resources.{key}", "not honoured by run-local --in-image"))
    return problems


def pod_security_context(template: dict, spec: dict) -> dict:
    """The pod-level securityContext a template's pod gets: the template's own, else the workflow spec's."""
    return template.get("securityContext") or spec.get("securityContext") or {}


def security_options(pod: dict, container: dict) -> list[str]:
    """`podman run` options for the pod's and the container's securityContext (already checked)."""
    merged = {**pod, **container}
    options: list[str] = []
    if "runAsUser" in merged:
        group = f":{merged['runAsGroup']}" if "runAsGroup" in merged else ""
        options += ["--user", f"{merged['runAsUser']}{group}"]
    elif "runAsGroup" in merged:
        options += ["--group-add", str(merged["runAsGroup"])]
    for group in [pod["fsGroup"]] if "fsGroup" in pod else []:
        options += ["--group-add", str(group)]
    for group in pod.get("supplementalGroups") or []:
        options += ["--group-add", str(group)]
    if container.get("readOnlyRootFilesystem"):
        options += ["--read-only", "--read-only-tmpfs=false"]
    if container.get("allowPrivilegeEscalation") is False:
        options += ["--security-opt", "no-new-privileges"]
    capabilities = container.get("capabilities") or {}
    for capability in capabilities.get("drop") or []:
        options += ["--cap-drop", str(capability)]
    for capability in capabilities.get("add") or []:
        options += ["--cap-add", str(capability)]
    seccomp = SECCOMP_TYPES.get((merged.get("seccompProfile") or {}).get("type", "RuntimeDefault"))
    if seccomp:
        options += ["--security-opt", seccomp]
    return options


def resource_options(resources: dict) -> list[str]:
    """`podman run` options for resources.limits: memory with swap off (OOM kill at the limit), CPUs."""
    limits = resources.get("limits") or {}
    options: list[str] = []
    if "memory" in limits:
        limit = str(memory_bytes(limits["memory"]))
        options += ["--memory", limit, "--memory-swap", limit]
    if "cpu" in limits:
        options += ["--cpus", f"{cpu_cores(limits['cpu']):g}"]
    return options
