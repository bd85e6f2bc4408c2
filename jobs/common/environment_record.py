"""Where the score step ran the model, as it hands it to validate: mode, environment hash, resolved packages.

JSON text (an Argo output parameter of score, an input of validate), so the partition's MLflow lineage run records
which packages produced its scores.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from jobs.common.errors import StepError


@dataclass(frozen=True)
class EnvironmentRecord:
    """Attributes:
        mode: `image` (the image's interpreter) or `own` (the model's own environment).
        hash: the own environment's key (hash of its resolved packages and Python version); "" for image.
        python: Python version the model ran under.
        packages: resolved `name==version` lines of the own environment; empty for image.
    """

    mode: str
    hash: str = ""
    python: str = ""
    packages: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> EnvironmentRecord | None:
        """The record in `text`, or None for empty text (a step run by hand without it)."""
        if not text.strip():
            return None
        try:
            data = json.loads(text)
            return cls(str(data["mode"]), str(data.get("hash", "")), str(data.get("python", "")),
                       [str(line) for line in data.get("packages", [])])
        except (ValueError, KeyError, TypeError) as error:
            raise StepError(f"--model-environment: not an environment record from the score step: {error}") from None
