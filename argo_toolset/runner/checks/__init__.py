"""What run-local refuses before anything runs: Argo's rules (the linter), features it lacks, pod fields, services."""
