"""Local runner: runs generated Argo Workflows YAML on one machine, each container step as a process or container."""

from generator.runner.api import run_workflow
from generator.runner.documents import load_documents
from generator.runner.results import NodeOutputs, NodePhase, NodeResult, NodeType, RunResult
from generator.runner.secrets import secret_variable
from generator.runner.support import UnsupportedFeatureError

__all__ = ["NodeOutputs", "NodePhase", "NodeResult", "NodeType", "RunResult", "UnsupportedFeatureError",
           "load_documents", "run_workflow", "secret_variable"]
