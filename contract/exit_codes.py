"""Exit codes of a step: the one code that means "retrying cannot help", which the generated retryStrategy reads.

A step exits with PERMANENT when the same inputs would fail the same way on every attempt: a bad parameter, a
missing table or database, a schema or model-signature mismatch, an empty input under `--on-empty fail`, a
failed validation. Argo's retryStrategy.expression (generator/specs/pod.py) does not retry that code. Any other
non-zero exit (1 for "a service did not answer", an unexpected error, a signal) may pass on another attempt and
is retried. docs/STEPS.md lists both.
"""

from __future__ import annotations

# 2 is also what click exits with for a usage error (missing option, value of the wrong type), so every way a
# step refuses its parameters ends with this one code without translating click's own errors.
PERMANENT = 2

# A failure that another attempt may not meet: a service that did not answer within the step's budget.
TRANSIENT = 1
