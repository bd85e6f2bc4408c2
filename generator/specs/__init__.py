"""Builders: a validated job config becomes Hera objects, then deterministic Argo YAML.

Imports `config`, hera, and `argo.core` for the typed Kubernetes objects beside the workflows; never the tools.
"""


from generator.specs.render import documents, render, render_job

__all__ = ["documents", "render", "render_job"]
