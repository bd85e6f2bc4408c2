"""Step entry points that the generated Argo templates run (`python -m jobs.<step>`); never imports hera."""
