"""A file copy onto HDFS over WebHDFS (the NameNode's HTTP API): no JVM and no libhdfs needed on the caller's side."""

from __future__ import annotations

import http.client
import shutil
from pathlib import Path
from urllib.parse import quote, urlparse

from generator.localstack.errors import StackError

CHUNK = 4 << 20


def upload(namenode_http: str, local: Path, remote: str, user: str = "root") -> None:
    """Copies `local` to the HDFS path `remote` (overwriting), through the NameNode at `namenode_http` (host:port).

    WebHDFS's two steps: the NameNode answers CREATE with a redirect to a DataNode, which takes the bytes.

    Raises:
        StackError: naming HDFS and the address when either step fails.
    """
    host, port = namenode_http.rsplit(":", 1)
    path = quote(remote)
    namenode = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        namenode.request("PUT", f"/webhdfs/v1{path}?op=CREATE&overwrite=true&user.name={user}")
        answer = namenode.getresponse()
        answer.read()
        if answer.status != 307:
            raise StackError(f"HDFS at {namenode_http} refused to create {remote}: HTTP {answer.status}")
        target = urlparse(answer.getheader("Location"))
    finally:
        namenode.close()
    datanode = http.client.HTTPConnection(target.hostname, target.port, timeout=600)
    try:
        with open(local, "rb") as source:
            datanode.putrequest("PUT", f"{target.path}?{target.query}")
            datanode.putheader("Content-Length", str(local.stat().st_size))
            datanode.putheader("Content-Type", "application/octet-stream")
            datanode.endheaders()
            shutil.copyfileobj(source, _Sender(datanode), CHUNK)
        answer = datanode.getresponse()
        answer.read()
        if answer.status != 201:
            raise StackError(f"HDFS DataNode at {target.netloc} did not store {remote}: HTTP {answer.status}")
    finally:
        datanode.close()


class _Sender:
    """A file-like sink that sends each block straight down the connection (no copy of the file in memory)."""

    def __init__(self, connection: http.client.HTTPConnection):
        self._connection = connection

    def write(self, block: bytes) -> int:
        self._connection.send(block)
        return len(block)
