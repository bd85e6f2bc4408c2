"""The stand-in's HTTP side: the core/v1 paths Spark's client calls, watches as websockets, every call recorded."""

from __future__ import annotations

import copy
import json
import re
import select
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.k8s_standin import websocket
from tests.k8s_standin.patch import apply_patch
from tests.k8s_standin.store import KINDS, Obj, SelectorError, Store

_PATH = re.compile(r"^/api/v1/namespaces/(?P<ns>[^/]+)/(?P<resource>[a-z]+)(?:/(?P<name>[^/]+))?(?P<sub>/status)?$")
WATCH_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class Call:
    """One request as the RBAC rules see it: verb on resource (and the raw method and path, for reports)."""

    verb: str
    resource: str
    method: str
    path: str
    status: int


@dataclass
class Recorder:
    """What Spark asked for: every call, and a copy of every object it sent in a create."""

    calls: list[Call] = field(default_factory=list)
    created: list[tuple[str, Obj]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)

    def sent(self, resource: str) -> list[Obj]:
        """The objects Spark created of one resource, in order."""
        with self.lock:
            return [copy.deepcopy(obj) for res, obj in self.created if res == resource]


def _status(code: int, reason: str, message: str) -> Obj:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}


def _verb(method: str, name: str | None, watch: bool) -> str:
    if method == "GET":
        return "watch" if watch else ("get" if name else "list")
    if method == "DELETE":
        return "delete" if name else "deletecollection"
    return {"POST": "create", "PUT": "update", "PATCH": "patch"}.get(method, method.lower())


class _Handler(BaseHTTPRequestHandler):
    server: StandInServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's signature
        return

    def _send(self, code: int, body: Obj) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        size = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(size) or b"null")

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        match = _PATH.match(url.path)
        watch = query.get("watch") in ("true", "1")
        if match is None or match["resource"] not in KINDS:
            self.server.recorder.call(Call("?", url.path, self.command, self.path, 404))
            self._send(404, _status(404, "NotFound", f"the stand-in does not serve {self.command} {url.path}"))
            return
        namespace, resource, name = match["ns"], match["resource"], match["name"]
        verb = _verb(self.command, name, watch)
        if watch:  # recorded when it starts: a watch lasts until the client or the stand-in ends it
            self.server.recorder.call(Call(verb, resource, self.command, self.path, 101))
        try:
            code, body = self._serve(verb, namespace, resource, name, query)
        except SelectorError as error:
            code, body = 400, _status(400, "BadRequest", str(error))
        if not watch:
            self.server.recorder.call(Call(verb, resource, self.command, self.path, code))
        if body is not None:
            self._send(code, body)

    def _serve(self, verb: str, namespace: str, resource: str, name: str | None,
               query: dict[str, str]) -> tuple[int, Obj | None]:
        store = self.server.store
        labels, fields = query.get("labelSelector"), query.get("fieldSelector")
        if verb == "watch":
            self._watch(namespace, resource, labels, fields, int(query.get("resourceVersion") or 0))
            return 101, None
        if verb == "list":
            items, version = store.list(resource, namespace, labels, fields)
            return 200, {"kind": KINDS[resource] + "List", "apiVersion": "v1",
                         "metadata": {"resourceVersion": str(version)}, "items": items}
        if verb == "create":
            sent = self._body()
            with self.server.recorder.lock:
                self.server.recorder.created.append((resource, copy.deepcopy(sent)))
            try:
                return 201, store.create(resource, namespace, sent)
            except KeyError:
                return 409, _status(409, "AlreadyExists", f"{resource} {sent['metadata'].get('name')} exists")
        if verb == "deletecollection":
            items, version = store.list(resource, namespace, labels, fields)
            deleted = [store.delete(resource, namespace, item["metadata"]["name"]) for item in items]
            return 200, {"kind": KINDS[resource] + "List", "apiVersion": "v1",
                         "metadata": {"resourceVersion": str(version)}, "items": [d for d in deleted if d]}
        assert name is not None
        if verb == "get":
            found = store.get(resource, namespace, name)
        elif verb == "delete":
            found = store.delete(resource, namespace, name)
        elif verb == "patch":
            patch, content_type = self._body(), self.headers.get("Content-Type", "")
            found = store.update(resource, namespace, name, lambda obj: apply_patch(obj, patch, content_type))
        else:  # update
            replacement = self._body()
            found = store.update(resource, namespace, name, lambda _obj: replacement)
        if found is None:
            return 404, _status(404, "NotFound", f'{resource} "{name}" not found')
        return 200, found

    def _watch(self, namespace: str, resource: str, labels: str | None, fields: str | None, since: int) -> None:
        """Streams events as websocket text frames (one JSON event each) until the client closes or we stop."""
        store = self.server.store
        if since == 0:  # no resourceVersion: current objects first, as synthetic ADDED events
            items, since = store.list(resource, namespace, labels, fields)
            pending = [{"type": "ADDED", "object": item} for item in items]
        else:
            pending = []
        key = self.headers.get("Sec-WebSocket-Key")
        if key is None:
            raise SelectorError("the stand-in serves watches as websockets only")
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", websocket.accept_key(key))
        protocol = self.headers.get("Sec-WebSocket-Protocol")
        if protocol:
            self.send_header("Sec-WebSocket-Protocol", protocol.split(",")[0].strip())
        self.end_headers()
        self.wfile.flush()
        sock = self.connection
        self.server.watches.add(sock)
        try:
            while not self.server.stopping.is_set():
                for event in pending:
                    sock.sendall(websocket.frame(websocket.TEXT, json.dumps(event).encode()))
                readable, _, _ = select.select([sock], [], [], WATCH_POLL_SECONDS)
                if readable:
                    opcode, payload = websocket.read_frame(sock)
                    if opcode == websocket.CLOSE:
                        sock.sendall(websocket.frame(websocket.CLOSE, payload[:2]))
                        return
                    if opcode == websocket.PING:
                        sock.sendall(websocket.frame(websocket.PONG, payload))
                with store.changed:
                    events = store.events_after(since, resource, namespace, labels, fields)
                if events:
                    since = events[-1].resource_version
                pending = [{"type": event.type, "object": event.obj} for event in events]
        except (ConnectionError, OSError):
            return
        finally:
            self.server.watches.discard(sock)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch


class StandInServer(ThreadingHTTPServer):
    """The stand-in API on 127.0.0.1:port (plain HTTP: Spark's master is then k8s://http://127.0.0.1:port)."""

    daemon_threads = True

    def __init__(self, port: int, store: Store | None = None):
        super().__init__(("127.0.0.1", port), _Handler)
        self.store = store or Store()
        self.recorder = Recorder()
        self.stopping = threading.Event()
        self.watches: set[Any] = set()
        self._thread = threading.Thread(target=self.serve_forever, name="k8s-standin", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> StandInServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
