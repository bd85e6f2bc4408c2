"""Argo Workflows, offline: one core of Argo facts, and the two tools that build on it.

`core` owns the documents (strict YAML, kinds, names), the typed catalog (templates, parameters, templateRef and
workflowTemplateRef resolution and merge), the variable roots and tags, and the DAG facts (`depends`, cycles); it
imports only the standard library, yaml, pydantic and `generator.errors`. `lint` judges documents as a cluster would
and imports `core` (never the runner or the builders). `runner` runs them on this machine; it imports `core`, runs
`lint` first, and uses `generator.image` and `generator.localstack` for in-image mode, never the builders.
"""
