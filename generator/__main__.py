"""`python -m generator ...` is `generate-workflow ...` (handy where the console script is not on PATH)."""

from generator.cli import main

main(prog_name="generate-workflow")
