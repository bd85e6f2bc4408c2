"""Builders: a validated job config becomes Hera objects, then deterministic Argo YAML."""

from generator.specs.render import documents, render, render_job

__all__ = ["documents", "render", "render_job"]
