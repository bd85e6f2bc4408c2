"""The step programs the generated Argo templates run (`python -m jobs.<step>`), one module or package per step.

Owns: each step's click command (`main`) and what only that step does. Shared pieces live in jobs.common, the score
step's pipeline in jobs.score. May import: jobs.common, contract (the step contract and value rules shared with the
generator), click, and the step's own libraries (PyHive, MLflow, PySpark). Never imports hera or generator: the
generator and the steps share nothing but the generated YAML and contract/ (tests/unit/test_import_boundaries.py).
"""
