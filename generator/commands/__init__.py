"""One module per `generate-workflow` command; each is a thin click wrapper over a library function.

The only place that imports across the generator's packages (config, specs, localstack, history, image)
and the Argo toolset's tools; it passes the toolset the project's glue (services to check, folder to mount).
"""
