"""One module per `generate-workflow` command; each is a thin click wrapper over a library function.

The only place that imports across the generator's packages (config, specs, argo, localstack, history).
"""
