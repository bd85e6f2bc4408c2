"""A stand-in for the Kubernetes API, for tests only: NOT a Kubernetes.

It serves, on loopback and over plain HTTP, only the calls Spark's Kubernetes backend (the fabric8 client) makes
from a client-mode driver: pods (create, get, list, watch as a websocket, patch, delete, delete by label),
configmaps, and the listing and deleting of services and persistentvolumeclaims. It records every request and
every object Spark sends, and runs each pod it is given as a podman container of the pod's image (host network,
the pod's args, env, user, read-only root, emptyDirs as tmpfs, ConfigMaps as files). There is no scheduler, no
authentication, no admission, no quota and no other kind of object; owner references cascade on delete, as the
garbage collector would, and an object created for an owner that is gone is collected at once. Used by
tests/integration/test_spark_k8s.py; what it proves and what it cannot: docs/RELIABILITY.md.
"""
