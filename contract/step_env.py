"""The env variables the generated templates set and the steps read: one spelling for builders, steps and stack.

Builders: generator/specs/pod.py, steps.py, watch_steps.py. Steps: jobs/common/options.py and the step options
(click `envvar=`). Local stack: generator/localstack/endpoints.py (`step_env`). run-local's service check titles.
"""

from __future__ import annotations

HIVE_HOST = "HIVE_HOST"
HIVE_PORT = "HIVE_PORT"
HIVE_AUTH = "HIVE_AUTH"
HIVE_METASTORE_URI = "HIVE_METASTORE_URI"
HIVE_USER = "HIVE_USER"
HIVE_PASSWORD = "HIVE_PASSWORD"
# The names MLflow's own client reads.
MLFLOW_TRACKING_URI = "MLFLOW_TRACKING_URI"
MLFLOW_TRACKING_USERNAME = "MLFLOW_TRACKING_USERNAME"
MLFLOW_TRACKING_PASSWORD = "MLFLOW_TRACKING_PASSWORD"
MLFLOW_DISABLE_TELEMETRY = "MLFLOW_DISABLE_TELEMETRY"
SPARK_MASTER = "SPARK_MASTER"
STEP_RETRY_SECONDS = "STEP_RETRY_SECONDS"
MODEL_REQUIREMENTS = "MODEL_REQUIREMENTS"
MODEL_ENVIRONMENT = "MODEL_ENVIRONMENT"
ALERT_WEBHOOK_URL = "ALERT_WEBHOOK_URL"
