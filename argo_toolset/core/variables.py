"""Argo variables in strings: the roots Argo owns, `{{a.b.c}}` tags, and the variable chains inside `{{= expr}}`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from argo_toolset.core.documents import PathParts

# A tag: `{{name}}`, or `{{= expr }}` (group 1 is "=" then, group 2 the name or expression).
TAG = re.compile(r"\{\{(=)?\s*(.*?)\s*\}\}", re.DOTALL)
# The lexemes of expr-lang (the language of `{{= expr }}`), for the linter's variable scan and the runner's
# evaluator alike: one tokenizer for the language.
EXPR_LEXEME = re.compile(
    r"""\s*(?:
        (?P<number>\d+(?:\.\d+)?)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`)
      | (?P<op>\?\?|&&|\|\||==|!=|>=|<=|[<>!()\[\].,?:+\-*/%])
      | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
    )""",
    re.VERBOSE,
)
# The first names of the variables Argo owns. A simple tag with another root is a custom one (e.g. Jinja in a
# SQL file) that Argo leaves as written, and its validator skips it (validate.go: checkValidWorkflowVariablePrefix);
# inside an expression any other identifier is a function (sprig, asInt...) or a lambda variable (`#`).
ARGO_ROOTS = frozenset({"inputs", "outputs", "workflow", "tasks", "steps", "item", "pod", "node", "retries",
                        "lastRetry", "cronworkflow"})
# https://argo-workflows.readthedocs.io/en/latest/variables/#global ; the value is True when any
# sub-key is accepted (labels, annotations, creationTimestamp strftime letters, outputs).
WORKFLOW_GLOBALS: dict[str, bool] = {
    "name": False,
    "namespace": False,
    "uid": False,
    "serviceAccountName": False,
    "mainEntrypoint": False,
    "status": False,
    "duration": False,
    "failures": False,
    "priority": False,
    "scheduledTime": False,
    "creationTimestamp": True,
    "labels": True,
    "annotations": True,
    "outputs": True,
    "parameters": True,
}
# `{{workflow.parameters.json}}`: all workflow parameters as one JSON object (Argo's variables docs), so no
# parameter needs to be declared under that name.
ALL_PARAMETERS_AS_JSON = "json"
# Variables a template may use about itself: metrics (status, duration, exitCode, resourcesDuration.*),
# retries (retries, lastRetry.*), pod/node names.
TEMPLATE_ROOTS = frozenset(
    {"pod", "node", "retries", "lastRetry", "status", "duration", "exitCode", "resourcesDuration"}
)


@dataclass(frozen=True)
class Reference:
    """One variable use.

    Attributes:
        segments: the dotted name split, e.g. ("tasks", "fetch-model", "outputs", "parameters", "model-version").
        parts: where the string holding it sits.
        text: the tag as written, for messages.
    """

    segments: tuple[str, ...]
    parts: PathParts
    text: str


def expr_lexemes(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, where it starts) of each lexeme of an expr-lang expression: number, string, op or name.

    A character no lexeme starts with comes as ("unknown", character): the runner refuses it, the variable scan
    passes over it.
    """
    position = 0
    while text[position:].strip():
        match = EXPR_LEXEME.match(text, position)
        if match is None:
            position = len(text) - len(text[position:].lstrip())
            yield "unknown", text[position], position
            position += 1
            continue
        kind = match.lastgroup or ""
        yield kind, match.group(kind), match.start(kind)
        position = match.end()


def _literal(token: str) -> str | None:
    return token[1:-1] if len(token) >= 2 and token[0] in "'\"`" and token[-1] == token[0] else None


def expression_chains(expression: str) -> Iterator[tuple[str, ...]]:
    """Variable chains in an expression, e.g. `inputs.parameters['ds']` -> ("inputs", "parameters", "ds").

    A chain stops at a call, an index that is not a string literal, or an operator; a trailing member
    that is called (`workflow.name.startsWith(...)`) is a method, not part of the variable.
    """
    tokens = [text for _kind, text, _start in expr_lexemes(expression)]
    position = 0
    while position < len(tokens):
        token = tokens[position]
        previous = tokens[position - 1] if position else ""
        if token not in ARGO_ROOTS or previous == "." or previous == "#":
            position += 1
            continue
        chain = [token]
        position += 1
        while position < len(tokens):
            if tokens[position] == "." and position + 1 < len(tokens) and re.match(r"[A-Za-z_]", tokens[position + 1]):
                chain.append(tokens[position + 1])
                position += 2
            elif (
                tokens[position] == "["
                and position + 2 < len(tokens)
                and _literal(tokens[position + 1]) is not None
                and tokens[position + 2] == "]"
            ):
                chain.append(_literal(tokens[position + 1]) or "")
                position += 3
            else:
                break
        if position < len(tokens) and tokens[position] == "(" and len(chain) > 1:
            chain.pop()
        yield tuple(chain)


def tags_in(text: str) -> Iterator[tuple[tuple[str, ...], str]]:
    """(segments, tag text) for each variable used in a string, simple tags and expressions alike."""
    for match in TAG.finditer(text):
        body = match.group(2)
        if match.group(1):
            for chain in expression_chains(body):
                yield chain, match.group(0)
        elif body:
            yield tuple(body.split(".")), match.group(0)


def references_in(value: Any, parts: PathParts, skip: frozenset[str] = frozenset()) -> Iterator[Reference]:
    """Every variable used in the strings of a parsed YAML value (keys in `skip` are not entered).

    Args:
        value: any parsed YAML value.
        parts: its location.
        skip: mapping keys whose values are scanned elsewhere, with another scope (e.g. `tasks`).
    """
    if isinstance(value, str):
        if "{{" in value:
            for segments, text in tags_in(value):
                yield Reference(segments, parts, text)
    elif isinstance(value, dict):
        for key, child in value.items():
            if key not in skip:
                yield from references_in(child, (*parts, key))
    elif isinstance(value, list):
        for position, child in enumerate(value):
            yield from references_in(child, (*parts, position))
