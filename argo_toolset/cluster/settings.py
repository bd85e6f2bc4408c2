"""What the cluster takes from the project that runs it: its name, its images, the Go module and the controller
setting its pods need, passed in by the project's CLI command."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ClusterSettings:
    """The project's glue for the cluster.

    Attributes:
        name: the project's name; it prefixes the node's own image tags and names the CA, the API server's field
            manager and the comments that mark our iptables rules (so `down` removes ours only).
        project_image: the image the pods run, as podman names it (copied into containerd at `up`).
        base_image: the Debian image the executor image is built on.
        image_build_command: how the project builds `project_image` (named when it is missing).
        module_dir: the Go module the cluster's programs are built from.
        programs_dir: where they are built to, shared by every run dir (one build).
        controller_config: the workflow-controller-configmap the project's pods need (a ConfigMap merge patch;
            its namespace and the cluster's workflow defaults are added here).
    """

    name: str
    project_image: str
    base_image: str
    image_build_command: str
    module_dir: Path
    programs_dir: Path
    controller_config: dict

    @property
    def node_project_image(self) -> str:
        """The project image in containerd, where it keeps podman's full name (what the pods' specs name)."""
        return f"localhost/{self.project_image}"

    @property
    def executor_image(self) -> str:
        """Argo's `init` and `wait` containers (argoexec), built here."""
        return f"localhost/{self.name}-argoexec:local"

    @property
    def pause_image(self) -> str:
        """The sandbox image every pod starts with, built here (containerd would otherwise pull
        registry.k8s.io/pause, which cannot be reached)."""
        return f"localhost/{self.name}-pause:local"

    @property
    def ca_name(self) -> str:
        return f"{self.name} test cluster CA"

    @property
    def field_manager(self) -> str:
        """Who owns the fields our server-side applies set."""
        return self.name

    @property
    def guard_comment(self) -> str:
        """The comment of the rules that keep other hosts off the Argo Server's port (network.py)."""
        return f"{self.name} cluster: machine-local only"

    @property
    def nat_comment(self) -> str:
        """The comment of the rules that forward the stack's ports from the node address (stack_access.py)."""
        return f"{self.name} cluster: stack at the node address"
