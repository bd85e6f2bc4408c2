"""Argo facts both tools build on: documents, catalog and reference resolution (one merge), the variable vocabulary
and expr-lang's tokenizer, DAG rules, retry policies.

Imports the standard library, yaml and pydantic only: never the linter, the runner, click, hera or the project.
"""
