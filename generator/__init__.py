"""Generator: turns scoring-job configs into Argo Workflows specs through Hera, and proves them offline."""
