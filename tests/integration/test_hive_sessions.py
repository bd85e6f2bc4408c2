"""Sessions of the local Spark Thrift Server keep their own Hive resources folders: one closing never takes the
folder from under another (a shared folder did, and a retro's parallel lanes failed "Couldn't create directory")."""

from __future__ import annotations

import pytest
from pyhive import hive

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def test_a_closing_session_leaves_the_resources_of_the_sessions_still_open(local_stack):
    resources = local_stack.warehouse_dir.parent / "tmp" / "hive-resources"
    before = set(resources.iterdir())
    first = hive.connect(local_stack.hive_host, local_stack.hive_port, auth="NONE", username="tests")
    second = hive.connect(local_stack.hive_host, local_stack.hive_port, auth="NONE", username="tests")
    try:
        opened = set(resources.iterdir()) - before
        assert len(opened) == 2  # a folder per session, named by its session id

        first.close()

        assert resources.is_dir()
        assert len(set(resources.iterdir()) - before) == 1  # only the closed session's folder went
        cursor = second.cursor()
        cursor.execute("SELECT 1")
        assert cursor.fetchall() == [(1,)]
    finally:
        second.close()
