"""The model's own environment: built once per resolved requirements, cached, and the model scored inside it.

spec.py reads what the model asks for, build.py resolves and builds it into the cache (uv, atomically, under a
lock), attach.py ties a downloaded model to its environment, client.py and server.py carry Arrow batches between
Spark's Python workers and a long-lived model process of that environment.
"""
