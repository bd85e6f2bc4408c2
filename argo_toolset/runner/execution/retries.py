"""When a failed attempt is retried: retryPolicy by phase, then retryStrategy.expression, as Argo's controller decides.

Argo (workflow/controller/operator.go, processNodeRetries) retries only when the policy admits the last
attempt's phase AND attempts remain AND `expression` (if any) is true. Policies: Always = Failed and Error,
OnFailure = Failed, OnError = Error, OnTransientError = Failed or Error whose message the controller deems
transient. An empty policy means OnFailure, or Always when an expression is given (RetryPolicyActual).
"""

from __future__ import annotations

import os
import re

from argo_toolset.runner.expressions.expr import evaluate_condition
from argo_toolset.runner.results import NodePhase, NodeResult

# Message fragments Argo's controller treats as transient network errors (util/errors/errors.go,
# isTransientNetworkErr); the controller's TRANSIENT_ERROR_PATTERN env adds a regular expression, which the
# runner reads from its own environment in the controller's stead.
TRANSIENT_FRAGMENTS = (
    "unexpected error when reading response body", "stream error when reading response body",
    "Connection closed by foreign host", "net/http: TLS handshake timeout", "i/o timeout",
    "connection timed out", "connection reset by peer", "http2: client connection lost",
    "http2: server sent GOAWAY and closed the connection", "request did not complete within requested timeout",
    "connect: connection refused", "invalid connection",
)
TRANSIENT_PATTERN_VARIABLE = "TRANSIENT_ERROR_PATTERN"
# What `lastRetry.exitCode` holds when the attempt has no exit code (never started, pod deleted).
NO_EXIT_CODE = "-1"


def effective_policy(retry: dict) -> str:
    if retry.get("retryPolicy"):
        return str(retry["retryPolicy"])
    return "Always" if retry.get("expression") else "OnFailure"


def is_transient_message(message: str) -> bool:
    if any(fragment in message for fragment in TRANSIENT_FRAGMENTS):
        return True
    pattern = os.environ.get(TRANSIENT_PATTERN_VARIABLE, "")
    return bool(pattern) and re.search(pattern, message) is not None


def policy_admits(policy: str, attempt: NodeResult) -> bool:
    """True when `policy` retries the attempt's phase (Failed or Error)."""
    phase = attempt.phase
    if policy == "Always":
        return phase.failed_or_error
    if policy == "OnError":
        return phase is NodePhase.ERROR
    if policy == "OnTransientError":
        return phase.failed_or_error and is_transient_message(attempt.message)
    return phase is NodePhase.FAILED  # OnFailure


def exit_code_text(attempt: NodeResult) -> str:
    """The attempt's exit code as a container reports it: a process killed by signal N exits 128+N."""
    code = attempt.outputs.exit_code
    if code is None:
        return NO_EXIT_CODE
    return str(128 - code if code < 0 else code)


def expression_allows(expression: str, attempts: list[NodeResult]) -> bool:
    """Evaluate retryStrategy.expression with the variables Argo gives it (`retries`, `lastRetry.*`, strings).

    Raises:
        ExpressionError: The expression is malformed, names an unknown variable or is not a boolean.
    """
    last = attempts[-1]
    variables = {
        "retries": str(len(attempts) - 1),
        "lastRetry.exitCode": exit_code_text(last),
        "lastRetry.status": last.phase.value,
        "lastRetry.duration": str(last.duration_seconds),
        "lastRetry.message": last.message,
    }
    return evaluate_condition(expression, variables)
