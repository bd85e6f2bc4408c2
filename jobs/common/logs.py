"""Logging setup shared by the steps: one line per event with time, level and logger."""

from __future__ import annotations

import logging


def configure_logging() -> None:
    """INFO to stderr in a compact format; quiet the chatty client libraries."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("pyhive", "thrift", "urllib3", "py4j", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # TSocket logs every refused connection at ERROR; our retry already reports each attempt once.
    logging.getLogger("thrift.transport.TSocket").setLevel(logging.CRITICAL)
