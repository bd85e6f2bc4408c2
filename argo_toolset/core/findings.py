"""What the linter reports: one Finding per problem, located by file, document and key path."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

# Every rule name the linter can report; tests and users grep for these, so they never change meaning.
RULES: dict[str, str] = {
    "yaml": "the file is not valid YAML, or a mapping repeats a key",
    "kind": "apiVersion is not argoproj.io/v1alpha1 or kind is not a workflow kind",
    "unknown-field": "a field that Argo does not define (Argo rejects it; Hera would drop it silently)",
    "schema-type": "a value of the wrong type for the Argo CRD schema",
    "schema-required": "a field the Argo CRD schema requires is missing",
    "schema-enum": "a value outside the enum of the Argo CRD schema",
    "schema-pattern": "a string not matching the pattern or format of the Argo CRD schema",
    "schema-range": "a number, string length or list length outside the Argo CRD schema bounds",
    "schema-unique": "a duplicate entry in a list the Argo CRD schema declares as a set or keyed map",
    "crd-cel": "a CEL rule (x-kubernetes-validations) of the Argo CRD evaluates to false",
    "crd-cel-unsupported": "a CEL rule of the Argo CRD that cel-python cannot compile or evaluate",
    "entrypoint": "the entrypoint is missing or names no template",
    "template-ref": "a template, templateRef, workflowTemplateRef or onExit reference that does not resolve",
    "template-type": "a template with no type or more than one type",
    "image": "a container or script template without an image, and no templateDefaults image to fill it",
    "resource-manifest": "a resource template whose manifest is not valid YAML (with {{...}} taken as placeholders)",
    "dag-dependency": "a DAG dependency or depends expression naming no task of the DAG",
    "dag-cycle": "DAG tasks that depend on each other in a cycle",
    "dag-mixed-dependencies": "a DAG template whose tasks use both `depends` and `dependencies` (Argo allows one form)",
    "unresolved-reference": "a {{...}} variable that names no parameter, artifact, task, step or global",
    "required-input": "an input parameter or artifact without a value that a caller does not supply",
    "enum-value": "an argument value outside the enum its parameter declares",
    "name": "a metadata, template, task or step name that is not a valid name, or is repeated",
    "name-length": "metadata.name longer than Argo allows (63; 52 for a CronWorkflow)",
    "cron": "a CronWorkflow schedule that is not a valid cron expression",
    "timezone": "a CronWorkflow timezone that is not an IANA time zone",
    "rbac": "a Role or RoleBinding (workflows/<job>.rbac.yaml) with an unknown, missing or invalid field",
    "legacy-field": "an Argo v3 field that Argo v4 removed, with its v4 replacement",
}


@dataclass(frozen=True)
class Finding:
    """One problem in one document of one file.

    Attributes:
        file: the file name as given to the linter (or a source label for in-memory documents).
        document: 1-based position of the YAML document in the file (0 when the file could not be split).
        kind: the document's `kind` ("?" when unknown).
        name: the document's `metadata.name` ("?" when unknown).
        path: where in the document, e.g. `spec.templates[2].dag.tasks[0].depends` (`<root>` for the whole
            document, `line N` for YAML errors).
        rule: one of the keys of `RULES`.
        message: what is wrong, with the bad value and, where known, what is allowed.
    """

    file: str
    document: int
    kind: str
    name: str
    path: str
    rule: str
    message: str

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown lint rule {self.rule!r}; known: {', '.join(sorted(RULES))}")

    def __str__(self) -> str:
        return (
            f"{self.file}: doc {self.document} {self.kind}/{self.name}: {self.path or '<root>'}: "
            f"[{self.rule}] {self.message}"
        )


def unknown_field_message(key: str, known: Iterable[str], owner: str = "") -> str:
    """`unknown field 'imagePullPolicyy'; did you mean 'imagePullPolicy'?`, else the known fields."""
    known = sorted(known)
    where = f" in {owner}" if owner else ""
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f"unknown field {key!r}{where}; did you mean {close[0]!r}?"
    return f"unknown field {key!r}{where}; known: {', '.join(known)}"
