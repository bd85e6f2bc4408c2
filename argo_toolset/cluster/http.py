"""One HTTP call with JSON bodies for the cluster's two REST clients (the Kubernetes API, the Argo Server)."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request


class HttpFailure(Exception):
    """The server answered `status` with `message` (its JSON `message` when it sent one), or status 0: no answer."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def call(method: str, url: str, body: object = None, query: dict[str, str] | None = None,
         content_type: str = "application/json", timeout: float = 30.0,
         context: ssl.SSLContext | None = None) -> bytes:
    """The response body of one request; raises HttpFailure."""
    target = url + (f"?{urllib.parse.urlencode(query)}" if query else "")
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(target, data=data, method=method,
                                     headers={"Content-Type": content_type, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310 (ours)
            return response.read()
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        try:
            text = json.loads(text).get("message", text)
        except ValueError:
            pass
        raise HttpFailure(error.code, text) from None
    except OSError as error:
        raise HttpFailure(0, str(error)) from None
