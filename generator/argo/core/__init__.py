"""Argo facts both tools build on: documents, catalog and reference resolution, variable roots, DAG rules.

Imports the standard library, yaml, pydantic and `generator.errors` only: never the builders, the linter or the runner.
"""
