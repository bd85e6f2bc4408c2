"""A TCP relay to a real service that drops connections until opened: a service outage, injected for real."""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlparse

LOOPBACK = "127.0.0.1"


class GatedRelay:
    """Listens on a free loopback port; while closed it accepts and drops each connection, once open it relays.

    Args:
        target_uri: `http://host:port` of the real service.
    """

    def __init__(self, target_uri: str):
        parsed = urlparse(target_uri)
        self.target = (parsed.hostname, parsed.port)
        self.dropped = 0
        self._open = threading.Event()
        self._server = socket.socket()
        self._server.bind((LOOPBACK, 0))
        self._server.listen(64)
        self.uri = f"{parsed.scheme}://{LOOPBACK}:{self._server.getsockname()[1]}"

    def open(self) -> None:
        self._open.set()

    def __enter__(self) -> GatedRelay:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return  # closed
            if not self._open.is_set():
                self.dropped += 1
                client.close()
                continue
            relay_both_ways(client, socket.create_connection(self.target))


def relay_both_ways(client: socket.socket, upstream: socket.socket) -> None:
    """Copies bytes each way on a daemon thread of its own; when either side ends, both sockets are closed."""
    for source, sink in ((client, upstream), (upstream, client)):
        threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()
