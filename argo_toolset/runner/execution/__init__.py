"""Running the templates as Argo's controller does: nodes, DAGs and steps, fan-out, retries, mutexes, outputs."""
