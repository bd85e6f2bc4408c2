"""What the generator and the steps agree on, stdlib only, imported by both sides.

Owns: value rules (`values.py`), the env variables templates set and steps read (`step_env.py`), the output
parameters steps write (`step_outputs.py`), every enumerated value of config and step options (`choices.py`), exit
codes (`exit_codes.py`) and where Spark lives (`spark.py`).
May import: the standard library only (tests/unit/test_import_boundaries.py enforces it). Never hera, pydantic,
pyspark, mlflow or pyhive: the generator's environment and the image's must both load it.
"""
