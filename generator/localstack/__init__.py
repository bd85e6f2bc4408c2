"""Local stack: Hive metastore, Spark Thrift Server (HiveServer2) and MLflow server on loopback, no Docker.

Imports `contract` (the steps' env names), `argo_toolset.processes` (start, check and stop a service by PID) and
nothing else of the generator but `errors`.
"""


from generator.localstack.endpoints import StackEndpoints, StackPorts
from generator.localstack.stack import LocalStack, ServiceStatus, StackError

__all__ = ["LocalStack", "ServiceStatus", "StackEndpoints", "StackError", "StackPorts"]
