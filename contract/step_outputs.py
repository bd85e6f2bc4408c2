"""The output parameters each step writes into its --out-dir and the generated templates declare, by name."""

from __future__ import annotations

# fetch-model: the pinned model, the lineage of the scores.
MODEL_NAME = "model-name"
MODEL_VERSION = "model-version"
MODEL_RUN_ID = "model-run-id"
PINNED_URI = "pinned-uri"
REQUIREMENTS = "requirements"
FETCHED = (MODEL_NAME, MODEL_VERSION, MODEL_RUN_ID, PINNED_URI, REQUIREMENTS)
# score: rows written, and where the model ran (JSON: mode, environment hash, resolved packages).
ROWS_WRITTEN = "rows-written"
MODEL_ENVIRONMENT = "model-environment"
# validate: the report, and the lineage run the monitor step adds its measures to.
REPORT = "report"
LINEAGE_RUN_ID = "lineage-run-id"
# monitor: the measures the exit handler reports, and the full drift report.
SCORE_PSI = "score-psi"
ROWS = "rows"
DRIFT_STATUS = "drift-status"
DRIFT_REPORT = "drift-report"
MONITORED = (SCORE_PSI, ROWS, DRIFT_STATUS)
# plan-dates: the retro's lanes (JSON list of lists of dates).
LANES = "lanes"

# What each step module writes (a template declares these or fewer; tests/unit/test_step_contract.py binds them).
BY_STEP = {
    "jobs.fetch_model": FETCHED,
    "jobs.score": (ROWS_WRITTEN, MODEL_ENVIRONMENT),
    "jobs.validate": (REPORT, LINEAGE_RUN_ID),
    "jobs.monitor": (*MONITORED, DRIFT_REPORT),
    "jobs.plan_dates": (LANES,),
}
