"""Builders: a validated job config becomes Hera objects, then deterministic Argo YAML.

Imports `config`, `contract` (the step contract), hera, and `argo_toolset.kube_rbac` for the typed RBAC beside the
workflows; never the linter, the runner or the commands.
"""


from generator.specs.render import documents, render, render_job

__all__ = ["documents", "render", "render_job"]
