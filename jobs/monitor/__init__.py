"""The monitor step: score and feature drift of one scored partition, logged with pictures to its MLflow run."""
