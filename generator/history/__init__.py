"""`generate-workflow history`: a job's partitions as its MLflow lineage runs recorded them (REST only, no mlflow)."""
