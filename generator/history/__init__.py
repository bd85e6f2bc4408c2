"""`generate-workflow history`: a job's partitions as its MLflow lineage runs recorded them (REST only, no mlflow).

Imports the standard library and `generator.errors` only (matplotlib for `--plot`, imported when asked).
"""
