"""The score step: PySpark + MLflow pyfunc over one Hive partition, published atomically (see publish.py)."""
