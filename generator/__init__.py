"""Generator: scoring-job configs become Argo Workflows specs through Hera, proven offline before they ship.

The path a config takes: `config` (typed job configs) -> `specs` (Hera builders, deterministic YAML) -> `cli` and
`commands` (`generate-workflow`, which also passes the project's glue to the Argo toolset). Beside it: `localstack`
(Hive metastore, Spark Thrift Server and MLflow on loopback), `image` (the steps' container image), `history` (a
job's lineage runs), `project_cluster` (the project's settings for the toolset's cluster). It uses `argo_toolset`
(lint, run-local, the cluster) and `contract` (what the steps agree on); no module here imports `jobs`, pyspark,
mlflow or pyhive. The map: docs/ARCHITECTURE.md; the rules: tests/unit/test_import_boundaries.py.
"""
