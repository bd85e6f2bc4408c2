"""The score step: PySpark + MLflow pyfunc over one Hive partition, published atomically (see publish.py).

Owns: the scoring pipeline (pipeline.py, a library function the CLI and the benchmark call), the CLI (cli.py,
run by __main__.py), and what Spark's Python workers load (worker.py). May import: jobs.common, contract, PySpark,
MLflow, pyarrow; never another step module, hera or generator. Kept free of imports: every Python worker imports
this package, so the CLI and click stay out of it.
"""
