"""What several steps share: option declarations, value checks, service waits and retries, timings, output files.

Owns: the shared click options (options.py), step-side value checks built on contract/values.py (params.py),
errors and exit codes (errors.py), bounded retries and service waits (retry.py, services.py), phase timing
(timing.py), output-parameter files (outputs.py), and the adapters to HiveServer2, MLflow's registry and Spark
(hive.py, registry.py, spark.py, jvm_archive.py). May import: contract and third-party libraries only; never a
step module or jobs.score (steps build on jobs.common, not the other way round), never hera or generator.
"""
