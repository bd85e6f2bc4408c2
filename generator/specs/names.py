"""Names shared by the builders: templates, parameters, labels, in-pod paths (one place, so they never drift)."""

from __future__ import annotations

import re

from contract import step_outputs

# Templates of the main WorkflowTemplate; the retro template calls PIPELINE through templateRef.
PIPELINE = "pipeline"
PREPARE = "prepare"
FETCH_MODEL = "fetch-model"
SCORE = "score"
VALIDATE = "validate"
MONITOR = "monitor"
WAIT_FOR_INPUT = "wait-for-input"
ON_EXIT = "on-exit"
# Templates of the retro WorkflowTemplate.
RETRO = "retro"
PLAN_DATES = "plan-dates"
BACKFILL_LANE = "backfill-lane"

# Workflow and template parameters.
DS = "ds"
MODEL_URI = "model-uri"
START = "start"
END = "end"
PARALLELISM = "parallelism"
DATES = "dates"
LANES = step_outputs.LANES
FETCHED = step_outputs.FETCHED
LINEAGE_RUN_ID = step_outputs.LINEAGE_RUN_ID
# Score -> validate: where the model ran (JSON: mode, environment hash, resolved packages), for the lineage run.
ENVIRONMENT = step_outputs.MODEL_ENVIRONMENT
MONITORED = step_outputs.MONITORED

# In-pod paths: /tmp is the one writable place (an emptyDir; the root filesystem is read-only).
TMP = "/tmp"
OUTPUTS_DIR = "/tmp/outputs"
SQL_PATH = "/tmp/inputs/prepare.sql"
TMP_VOLUME = "tmp"

LABEL_DOMAIN = "batch-scoring.io"
APP_LABELS = {"app.kubernetes.io/name": "argo-batch-scoring", "app.kubernetes.io/managed-by": "generate-workflow"}

_LABEL_VALUE_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")


def retro_name(job: str) -> str:
    """The retro (backfill) WorkflowTemplate's name."""
    return f"{job}-retro"


def label_value(text: str) -> str:
    """Make text a valid Kubernetes label value (63 chars, alphanumeric at both ends)."""
    return _LABEL_VALUE_BAD.sub("-", text)[:63].strip("-_.")


def model_name(uri: str) -> str:
    """The registered model (or run) a model URI points at, for labels: models:/churn@champion -> churn."""
    body = uri.split(":/", 1)[1].lstrip("/")
    return re.split(r"[@/]", body, maxsplit=1)[0]
