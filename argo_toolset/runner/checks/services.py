"""Before a run: the services steps will reach on this machine's loopback must be listening, else fail at once.

Without this check a run against a stack that is not started spends every step's connection budget and every
retry (minutes) before it fails. The addresses come from the steps' env as the run will set it (container
`env`, then `--env` overrides): URLs such as `thrift://127.0.0.1:9083` or `http://localhost:5000`, and
`<NAME>_HOST` + `<NAME>_PORT` pairs. Only loopback addresses are probed; a remote service may be behind a
network this machine cannot judge, and the steps' own retries handle it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

from argo_toolset.errors import UserError, listed
from argo_toolset.runner.documents import RunnableWorkflow

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
PROBE_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class LoopbackServices:
    """How the caller's project names the services its steps reach (the glue the CLI passes in).

    Attributes:
        titles: a title by env variable, or by NAME of a NAME_HOST + NAME_PORT pair; any other is named by itself.
        start_hint: how to start them, the last line of the refusal.
    """

    titles: Mapping[str, str] = field(default_factory=dict)
    start_hint: str = "point the steps at running services with --env NAME=VALUE"


@dataclass(frozen=True)
class ServiceAddress:
    """One loopback address a step's env names."""

    title: str
    host: str
    port: int


def _container_templates(workflow: RunnableWorkflow) -> Iterator[dict]:
    """Container and script templates the run can reach."""
    for template, _ in workflow.reachable_templates():
        for kind in ("container", "script"):
            if kind in template:
                yield template[kind]


def _addresses(env: Mapping[str, str], titles: Mapping[str, str]) -> Iterator[ServiceAddress]:
    for name, value in env.items():
        if "{{" in value:
            continue
        parsed = urlparse(value) if "://" in value else None
        if parsed is not None and parsed.hostname in LOOPBACK_HOSTS:
            try:
                port = parsed.port
            except ValueError:
                continue
            if port:
                yield ServiceAddress(titles.get(name, name), parsed.hostname, port)
        if name.endswith("_HOST") and value in LOOPBACK_HOSTS:
            prefix = name.removesuffix("_HOST")
            port_text = env.get(f"{prefix}_PORT", "")
            if port_text.isdigit():
                yield ServiceAddress(titles.get(prefix, f"{name}/{prefix}_PORT"), value, int(port_text))


def loopback_services(workflow: RunnableWorkflow, env_overrides: Mapping[str, str],
                      titles: Mapping[str, str] | None = None) -> list[ServiceAddress]:
    """Every distinct loopback address the steps' env names, in first-seen order."""
    found: dict[tuple[str, int], ServiceAddress] = {}
    for container in _container_templates(workflow):
        env = {entry["name"]: str(entry["value"]) for entry in container.get("env") or []
               if isinstance(entry, dict) and "name" in entry and "value" in entry}
        env.update(env_overrides)
        for address in _addresses(env, titles or {}):
            found.setdefault((address.host, address.port), address)
    return list(found.values())


def _listening(address: ServiceAddress) -> bool:
    try:
        with socket.create_connection((address.host, address.port), timeout=PROBE_TIMEOUT_SECONDS):
            return True
    except OSError:
        return False


def check_loopback_services(workflow: RunnableWorkflow, env_overrides: Mapping[str, str],
                            services: LoopbackServices | None = None) -> None:
    """Refuse to start when a loopback service the steps need does not accept connections.

    Raises:
        UserError: naming each service and address nobody listens on, and how to start the local stack.
    """
    services = services or LoopbackServices()
    down = [address for address in loopback_services(workflow, env_overrides, services.titles)
            if not _listening(address)]
    if down:
        lines = [f"{address.title} at {address.host}:{address.port}: nothing listens there" for address in down]
        raise UserError(listed("services the steps need are not running (nothing was run):", lines)
                        + f"\n{services.start_hint}")
