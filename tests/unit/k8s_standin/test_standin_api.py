"""The Kubernetes API stand-in (a test harness, not a Kubernetes) speaks the calls Spark's client makes."""

from __future__ import annotations

import base64
import json
import os
import socket
import urllib.request

import pytest

from tests.k8s_standin import websocket
from tests.k8s_standin.server import StandInServer

PORT = 21690
NS = "scoring"


@pytest.fixture
def api():
    server = StandInServer(PORT).start()
    yield server
    server.stop()


def call(api, method, path, body=None, content_type="application/json"):
    request = urllib.request.Request(api.url + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def pod(name, labels, owner_uid=None):
    meta = {"name": name, "labels": labels}
    if owner_uid:
        meta["ownerReferences"] = [{"apiVersion": "v1", "kind": "Pod", "name": "driver", "uid": owner_uid}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": {"containers": [{"name": "c"}]}}


def test_create_echoes_metadata_and_lists_carry_a_resource_version(api):
    code, created = call(api, "POST", f"/api/v1/namespaces/{NS}/pods", pod("exec-1", {"spark-role": "executor"}))
    assert code == 201 and created["metadata"]["uid"] and created["metadata"]["namespace"] == NS
    assert created["status"]["phase"] == "Pending"
    code, listed = call(api, "GET", f"/api/v1/namespaces/{NS}/pods?labelSelector=spark-role%3Dexecutor,"
                                    "spark-exec-inactive!%3Dtrue")
    assert code == 200 and [item["metadata"]["name"] for item in listed["items"]] == ["exec-1"]
    assert int(listed["metadata"]["resourceVersion"]) >= 1
    assert call(api, "GET", f"/api/v1/namespaces/{NS}/pods/nope")[0] == 404
    assert call(api, "GET", "/version")[0] == 404  # not served: recorded as an unknown call
    assert [(c.verb, c.resource) for c in api.recorder.calls] == [("create", "pods"), ("list", "pods"),
                                                                  ("get", "pods"), ("?", "/version")]
    assert api.recorder.sent("pods")[0]["metadata"]["name"] == "exec-1"


def test_deleting_the_owner_deletes_what_it_owns_and_delete_by_label(api):
    _, driver = call(api, "POST", f"/api/v1/namespaces/{NS}/pods", pod("driver", {"role": "driver"}))
    for name in ("exec-1", "exec-2"):
        call(api, "POST", f"/api/v1/namespaces/{NS}/pods", pod(name, {"app": "a"}, driver["metadata"]["uid"]))
    call(api, "POST", f"/api/v1/namespaces/{NS}/configmaps",
         {"metadata": {"name": "conf", "labels": {"app": "a"}}, "data": {"k": "v"}})
    assert call(api, "DELETE", f"/api/v1/namespaces/{NS}/pods/driver")[0] == 200
    assert call(api, "GET", f"/api/v1/namespaces/{NS}/pods")[1]["items"] == []
    # Created for an owner that no longer exists: collected at once.
    call(api, "POST", f"/api/v1/namespaces/{NS}/pods", pod("exec-3", {"app": "a"}, driver["metadata"]["uid"]))
    assert call(api, "GET", f"/api/v1/namespaces/{NS}/pods/exec-3")[0] == 404
    code, deleted = call(api, "DELETE", f"/api/v1/namespaces/{NS}/configmaps?labelSelector=app%3Da")
    assert code == 200 and [item["metadata"]["name"] for item in deleted["items"]] == ["conf"]


def test_json_patch_adds_a_label(api):
    call(api, "POST", f"/api/v1/namespaces/{NS}/pods", pod("exec-1", {"a": "1"}))
    code, patched = call(api, "PATCH", f"/api/v1/namespaces/{NS}/pods/exec-1",
                         [{"op": "add", "path": "/metadata/labels/spark-exec-inactive", "value": "true"}],
                         "application/json-patch+json")
    assert code == 200 and patched["metadata"]["labels"] == {"a": "1", "spark-exec-inactive": "true"}


def _open_watch(api, query):
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=5)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /api/v1/namespaces/{NS}/pods?watch=true&{query} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101") and websocket.accept_key(key).encode() in head
    return sock


def _read_server_frame(sock):
    first, second = sock.recv(1)[0], sock.recv(1)[0]
    size = second & 0x7F
    if size == 126:
        size = int.from_bytes(sock.recv(2), "big")
    data = b""
    while len(data) < size:
        data += sock.recv(size - len(data))
    return first & 0x0F, json.loads(data)


def test_watch_is_a_websocket_of_json_events_from_a_resource_version(api):
    _, first = call(api, "POST", f"/api/v1/namespaces/{NS}/pods", pod("exec-1", {"spark-role": "executor"}))
    version = first["metadata"]["resourceVersion"]
    sock = _open_watch(api, f"labelSelector=spark-role%3Dexecutor&resourceVersion={version}")
    call(api, "POST", f"/api/v1/namespaces/{NS}/pods", pod("other", {"spark-role": "driver"}))  # filtered out
    call(api, "POST", f"/api/v1/namespaces/{NS}/pods", pod("exec-2", {"spark-role": "executor"}))
    call(api, "DELETE", f"/api/v1/namespaces/{NS}/pods/exec-1")
    events = [_read_server_frame(sock) for _ in range(2)]
    assert [(opcode, e["type"], e["object"]["metadata"]["name"]) for opcode, e in events] == [
        (websocket.TEXT, "ADDED", "exec-2"), (websocket.TEXT, "DELETED", "exec-1")]
    sock.sendall(bytes([0x88, 0x82]) + b"\0\0\0\0" + b"\x03\xe8")  # masked close frame, code 1000
    assert sock.recv(1)[0] & 0x0F == websocket.CLOSE
    sock.close()
