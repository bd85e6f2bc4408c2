"""What the generator and the steps agree on: value rules and exit codes, stdlib only, imported by both sides.

May import: the standard library only (tests/unit/test_import_boundaries.py enforces it). Never hera, pydantic,
pyspark, mlflow or pyhive: the generator's environment and the image's must both load it.
"""
