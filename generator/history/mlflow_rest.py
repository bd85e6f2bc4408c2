"""The two MLflow REST calls history needs, over urllib (the generator never imports mlflow)."""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from generator.errors import UserError

TIMEOUT_SECONDS = 30
PAGE = 1000


def _call(tracking_uri: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    url = f"{tracking_uri.rstrip('/')}/api/2.0/mlflow/{path}"
    headers = {"Content-Type": "application/json"}
    # The names MLflow's own client reads, so one environment serves both.
    if os.environ.get("MLFLOW_TRACKING_TOKEN"):
        headers["Authorization"] = f"Bearer {os.environ['MLFLOW_TRACKING_TOKEN']}"
    elif os.environ.get("MLFLOW_TRACKING_USERNAME"):
        pair = f"{os.environ['MLFLOW_TRACKING_USERNAME']}:{os.environ.get('MLFLOW_TRACKING_PASSWORD', '')}"
        headers["Authorization"] = f"Basic {base64.b64encode(pair.encode()).decode()}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return {}
        raise UserError(f"MLflow at {tracking_uri} answered HTTP {error.code} to {path}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise UserError(f"MLflow at {tracking_uri} cannot be reached ({reason}); give --tracking-uri") from None


def experiment_id(tracking_uri: str, name: str) -> str | None:
    """The experiment's id, or None when MLflow has no experiment of that name."""
    query = urllib.parse.urlencode({"experiment_name": name})
    found = _call(tracking_uri, f"experiments/get-by-name?{query}")
    return found.get("experiment", {}).get("experiment_id")


def search_runs(tracking_uri: str, experiment: str, filter_string: str, limit: int) -> list[dict[str, Any]]:
    """Runs matching `filter_string`, newest first, at most `limit` (paged)."""
    runs: list[dict[str, Any]] = []
    token = None
    while len(runs) < limit:
        body = {"experiment_ids": [experiment], "filter": filter_string, "max_results": min(PAGE, limit - len(runs)),
                "order_by": ["attributes.start_time DESC"]}
        if token:
            body["page_token"] = token
        page = _call(tracking_uri, "runs/search", body)
        runs += page.get("runs", [])
        token = page.get("next_page_token")
        if not token:
            break
    return runs
