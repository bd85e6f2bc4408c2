"""Job configuration: typed models, YAML loading with defaults merge, validation with file + key errors.

Imports `contract` (the value rules shared with the steps), the Argo core's vocabulary (retry policies), pydantic,
yaml and `generator.errors`, nothing else.
"""


from generator.config.loader import load_job, load_jobs
from generator.config.models import JobConfig

__all__ = ["JobConfig", "load_job", "load_jobs"]
