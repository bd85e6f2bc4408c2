"""MLflow registry adapter: resolve a model URI to one concrete registered version, fetch its requirements."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from jobs.common.errors import StepError
from jobs.common.params import check_model_uri


@dataclass(frozen=True)
class ResolvedModel:
    """One concrete model, pinned for the rest of the run.

    Attributes:
        name: registered model name (for an unregistered `runs:/` model, its artifact path).
        version: registered version number as text ("" for an unregistered `runs:/` model).
        run_id: the MLflow run that logged it.
        pinned_uri: `models:/<name>/<version>` (or the `runs:/` URI itself, already immutable).
    """

    name: str
    version: str
    run_id: str
    pinned_uri: str


def _not_found(error: MlflowException) -> bool:
    return error.error_code == "RESOURCE_DOES_NOT_EXIST"


class ModelRegistry:
    """Thin wrapper over MlflowClient for the questions fetch-model and score ask."""

    def __init__(self, tracking_uri: str | None = None):
        self.client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)

    def resolve(self, uri: str) -> ResolvedModel:
        """Resolves `models:/name@alias`, `models:/name/<version>` or `runs:/<run-id>/<path>`.

        Raises:
            StepError: malformed URI, or the model/alias/version/run does not exist (naming what does).
        """
        parsed = check_model_uri(uri)
        if parsed.alias is not None:
            return self._by_alias(parsed.name, parsed.alias)
        if parsed.version is not None:
            return self._by_version(parsed.name, parsed.version)
        return self._by_run(parsed.run_id, parsed.path)

    @staticmethod
    def check_uri(uri: str) -> None:
        """Refuses, without contacting the server, a URI that is not one of the registry forms (contract/values.py).

        Raises:
            StepError: naming the value and the accepted forms.
        """
        check_model_uri(uri)

    def _registered_model(self, name: str):
        try:
            return self.client.get_registered_model(name)
        except MlflowException as error:
            if not _not_found(error):
                raise
            known = sorted(model.name for model in self.client.search_registered_models(max_results=50))
            raise StepError(
                f"registered model {name!r} does not exist; registered models: {', '.join(known) or 'none'}"
            ) from None

    def _by_alias(self, name: str, alias: str) -> ResolvedModel:
        model = self._registered_model(name)
        if alias not in model.aliases:
            aliases = ", ".join(f"@{a} -> v{v}" for a, v in sorted(model.aliases.items())) or "none"
            raise StepError(f"model {name!r} has no alias {alias!r}; its aliases: {aliases}")
        version = self.client.get_model_version_by_alias(name, alias)
        return ResolvedModel(name, str(version.version), version.run_id, f"models:/{name}/{version.version}")

    def _by_version(self, name: str, version: str) -> ResolvedModel:
        self._registered_model(name)
        try:
            found = self.client.get_model_version(name, version)
        except MlflowException as error:
            if not _not_found(error):
                raise
            versions = sorted(
                (int(v.version) for v in self.client.search_model_versions(f"name='{name}'", max_results=200)),
            )
            raise StepError(
                f"model {name!r} has no version {version}; its versions: {', '.join(map(str, versions)) or 'none'}"
            ) from None
        return ResolvedModel(name, str(found.version), found.run_id, f"models:/{name}/{found.version}")

    def _by_run(self, run_id: str, path: str) -> ResolvedModel:
        try:
            self.client.get_run(run_id)
        except MlflowException as error:
            if not _not_found(error):
                raise
            raise StepError(f"--model-uri: run {run_id!r} does not exist on the tracking server") from None
        versions = self.client.search_model_versions(f"run_id='{run_id}'", max_results=200)
        if versions:
            newest = max(versions, key=lambda v: int(v.version))
            return ResolvedModel(newest.name, str(newest.version), run_id, f"models:/{newest.name}/{newest.version}")
        return ResolvedModel(path.rstrip("/").split("/")[-1], "", run_id, f"runs:/{run_id}/{path}")

    def requirements(self, pinned_uri: str) -> str:
        """The text of the model's `requirements.txt`, downloading only that file (not the model)."""
        with tempfile.TemporaryDirectory(prefix="requirements-") as tmp:
            try:
                local = mlflow.artifacts.download_artifacts(
                    artifact_uri=f"{pinned_uri}/requirements.txt", dst_path=tmp,
                    tracking_uri=self.client.tracking_uri,
                )
            except MlflowException as error:
                raise StepError(f"{pinned_uri} has no requirements.txt: {error.message}") from None
            return Path(local).read_text()
