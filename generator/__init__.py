"""Generator: scoring-job configs become Argo Workflows specs through Hera, proven offline before they ship.

The path a config takes: `config` (typed job configs) -> `specs` (Hera builders, deterministic YAML) -> `cli` and
`commands` (`generate-workflow`). Beside it: `argo` (what is known about Argo, and the linter and local runner built
on it), `localstack` (Hive metastore, Spark Thrift Server and MLflow on loopback), `image` (the steps' container
image), `history` (a job's lineage runs). No module here imports `jobs`, pyspark, mlflow or pyhive; only `contract`
is shared with the steps (tests/unit/test_import_boundaries.py).
"""
