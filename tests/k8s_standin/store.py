"""The stand-in's object store: objects by resource and namespace, one resourceVersion counter, an event log."""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Obj = dict[str, Any]
KINDS = {"pods": "Pod", "configmaps": "ConfigMap", "services": "Service", "persistentvolumeclaims":
         "PersistentVolumeClaim"}


class SelectorError(ValueError):
    """A label or field selector this stand-in does not understand."""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def label_matcher(selector: str | None) -> Callable[[Obj], bool]:
    """A predicate for a label selector of `k=v`, `k==v`, `k!=v`, `k` and `!k` terms (what Spark sends)."""
    terms: list[tuple[str, str, str]] = []  # (operator, key, value)
    for term in (part.strip() for part in (selector or "").split(",")):
        if not term:
            continue
        if " in " in term or " notin " in term or "(" in term:
            raise SelectorError(f"set-based label selector not supported by the stand-in: {term!r}")
        if "!=" in term:
            key, value = term.split("!=", 1)
            terms.append(("!=", key.strip(), value.strip()))
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            terms.append(("=", key.strip(), value.strip()))
        elif term.startswith("!"):
            terms.append(("absent", term[1:].strip(), ""))
        else:
            terms.append(("present", term, ""))

    def matches(obj: Obj) -> bool:
        labels = obj["metadata"].get("labels") or {}
        return all({"!=": labels.get(key) != value, "=": labels.get(key) == value, "absent": key not in labels,
                    "present": key in labels}[operator] for operator, key, value in terms)

    return matches


def field_matcher(selector: str | None) -> Callable[[Obj], bool]:
    """A predicate for `metadata.name=` / `metadata.namespace=` field selectors (the only ones the client uses)."""
    wanted: dict[str, str] = {}
    for term in filter(None, (selector or "").split(",")):
        key, sep, value = term.partition("=")
        if not sep or key not in ("metadata.name", "metadata.namespace"):
            raise SelectorError(f"field selector not supported by the stand-in: {term!r}")
        wanted[key.split(".", 1)[1]] = value.lstrip("=")
    return lambda obj: all(obj["metadata"].get(key) == value for key, value in wanted.items())


@dataclass
class Event:
    """One change of one object, as a watch reports it."""

    resource_version: int
    type: str  # ADDED, MODIFIED, DELETED
    resource: str
    obj: Obj


@dataclass
class Store:
    """Every object the stand-in holds, guarded by one condition variable that watches wait on."""

    changed: threading.Condition = field(default_factory=threading.Condition)
    objects: dict[tuple[str, str, str], Obj] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    version: int = 0
    on_created: list[Callable[[str, Obj], None]] = field(default_factory=list)
    on_deleted: list[Callable[[str, Obj], None]] = field(default_factory=list)

    def _record(self, kind: str, resource: str, obj: Obj) -> Obj:
        self.version += 1
        obj["metadata"]["resourceVersion"] = str(self.version)
        self.events.append(Event(self.version, kind, resource, copy.deepcopy(obj)))
        self.changed.notify_all()
        return copy.deepcopy(obj)

    def create(self, resource: str, namespace: str, obj: Obj) -> Obj:
        """Stores a new object the way the API server would: name (from generateName), uid, timestamps."""
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        meta.update(namespace=namespace, uid=str(uuid.uuid4()), creationTimestamp=_now())
        obj.setdefault("kind", KINDS[resource])
        obj.setdefault("apiVersion", "v1")
        if resource == "pods":
            obj.setdefault("status", {"phase": "Pending"})
        with self.changed:
            key = (resource, namespace, meta["name"])
            if key in self.objects:
                raise KeyError(meta["name"])
            self.objects[key] = obj
            created = self._record("ADDED", resource, obj)
        owners = {ref.get("uid") for ref in meta.get("ownerReferences") or []}
        with self.changed:
            alive = {other["metadata"]["uid"] for other in self.objects.values()}
        if owners - alive:  # its owner is gone: the garbage collector removes it at once
            self.delete(resource, namespace, meta["name"])
            return created
        for hook in self.on_created:
            hook(resource, copy.deepcopy(created))
        return created

    def get(self, resource: str, namespace: str, name: str) -> Obj | None:
        with self.changed:
            obj = self.objects.get((resource, namespace, name))
            return copy.deepcopy(obj) if obj is not None else None

    def list(self, resource: str, namespace: str, labels: str | None = None,
             fields: str | None = None) -> tuple[list[Obj], int]:
        """Matching objects (sorted by name) and the resourceVersion the list is consistent with."""
        match_labels, match_fields = label_matcher(labels), field_matcher(fields)
        with self.changed:
            items = [copy.deepcopy(obj) for (res, ns, _), obj in sorted(self.objects.items())
                     if res == resource and ns == namespace and match_labels(obj) and match_fields(obj)]
            return items, self.version

    def update(self, resource: str, namespace: str, name: str, change: Callable[[Obj], Obj]) -> Obj | None:
        """Replaces an object by `change(current copy)` and reports MODIFIED; None when it does not exist."""
        with self.changed:
            current = self.objects.get((resource, namespace, name))
            if current is None:
                return None
            updated = change(copy.deepcopy(current))
            updated["metadata"]["uid"] = current["metadata"]["uid"]
            self.objects[(resource, namespace, name)] = updated
            return self._record("MODIFIED", resource, updated)

    def delete(self, resource: str, namespace: str, name: str) -> Obj | None:
        """Removes an object, then (as Kubernetes' garbage collector) every object it owns; None when absent."""
        with self.changed:
            obj = self.objects.pop((resource, namespace, name), None)
            if obj is None:
                return None
            obj["metadata"]["deletionTimestamp"] = _now()
            deleted = self._record("DELETED", resource, obj)
            owned = [key for key, other in self.objects.items()
                     if any(ref.get("uid") == obj["metadata"]["uid"]
                            for ref in other["metadata"].get("ownerReferences") or [])]
        for hook in self.on_deleted:
            hook(resource, copy.deepcopy(deleted))
        for child_resource, child_namespace, child_name in owned:
            self.delete(child_resource, child_namespace, child_name)
        return deleted

    def events_after(self, version: int, resource: str, namespace: str, labels: str | None,
                     fields: str | None) -> list[Event]:
        """Events newer than `version` for matching objects (call with `changed` held)."""
        match_labels, match_fields = label_matcher(labels), field_matcher(fields)
        return [event for event in self.events
                if event.resource_version > version and event.resource == resource
                and event.obj["metadata"]["namespace"] == namespace and match_labels(event.obj)
                and match_fields(event.obj)]
