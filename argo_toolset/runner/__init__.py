"""Local runner: runs Argo Workflows YAML on one machine, each container step as a process or a container.

Builds on `argo_toolset.core` and checks with `argo_toolset.lint` before anything runs; in-image mode uses
`argo_toolset.podman`. The caller passes in its glue: the services' names (`LoopbackServices`), the folder to mount
and how to build a missing image (`in_image`). Imports nothing of the project.
"""


from argo_toolset.runner.api import run_workflow
from argo_toolset.runner.checks.features import UnsupportedFeatureError
from argo_toolset.runner.documents import load_documents
from argo_toolset.runner.pods.secrets import secret_variable
from argo_toolset.runner.results import NodeOutputs, NodePhase, NodeResult, NodeType, RunResult

__all__ = ["NodeOutputs", "NodePhase", "NodeResult", "NodeType", "RunResult", "UnsupportedFeatureError",
           "load_documents", "run_workflow", "secret_variable"]
