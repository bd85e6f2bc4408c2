"""Local runner: runs Argo Workflows YAML on one machine, each container step as a process or a container.

Builds on `generator.argo.core` and checks with `generator.argo.lint` before anything runs; in-image mode uses
`generator.image` (podman settings) and `generator.localstack` (the warehouse to mount). Never imports the builders.
"""


from generator.argo.runner.api import run_workflow
from generator.argo.runner.documents import load_documents
from generator.argo.runner.results import NodeOutputs, NodePhase, NodeResult, NodeType, RunResult
from generator.argo.runner.secrets import secret_variable
from generator.argo.runner.support import UnsupportedFeatureError

__all__ = ["NodeOutputs", "NodePhase", "NodeResult", "NodeType", "RunResult", "UnsupportedFeatureError",
           "load_documents", "run_workflow", "secret_variable"]
