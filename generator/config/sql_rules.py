"""Warnings about the prepare SQL: statements that are not idempotent, though prepare is run again on retries.

Argo runs the prepare step again after a server-side failure (exit 1) and a retro or a re-run submits it again
for the same date, so running its SQL twice must leave what running it once leaves. `INSERT INTO` appends:
a second run duplicates the rows, unless the same SQL first empties the partition of that table it writes
(`ALTER TABLE t DROP IF EXISTS PARTITION (dt = '${ds}')` or `TRUNCATE TABLE t PARTITION (dt = '${ds}')`), so
the job owns it. A warning, not an error: `build` still writes the specs (the SQL may be idempotent for a
reason a text check cannot see, e.g. a table nobody reads twice).
"""

from __future__ import annotations

import re

_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NAME = r"[`\w.]+"
_INSERT_INTO = re.compile(rf"\bINSERT\s+INTO\s+(?:TABLE\s+)?({_NAME})", re.IGNORECASE)
_CLEARS_PARTITION = re.compile(
    rf"^\s*(?:ALTER\s+TABLE\s+({_NAME})\s+DROP\s+(?:IF\s+EXISTS\s+)?PARTITION"
    rf"|TRUNCATE\s+TABLE\s+({_NAME})\s+PARTITION)\s*\(.*\$\{{(?:hivevar:|hiveconf:)?ds\}}",
    re.IGNORECASE | re.DOTALL,
)


def statements(sql: str) -> list[str]:
    """The SQL's statements as written, comments removed, split on `;` outside quotes and comments."""
    found, current, quote, position = [], [], "", 0
    while position < len(sql):
        char, pair = sql[position], sql[position:position + 2]
        if quote:
            if char == "\\" and quote != "`":
                current.append(sql[position:position + 2])
                position += 2
                continue
            quote = "" if char == quote else quote
        elif pair == "--":
            end = sql.find("\n", position)
            position = len(sql) if end < 0 else end
            continue
        elif pair == "/*":
            end = sql.find("*/", position + 2)
            position = len(sql) if end < 0 else end + 2
            current.append(" ")
            continue
        elif char in "'\"`":
            quote = char
        elif char == ";":
            found.append("".join(current))
            current, position = [], position + 1
            continue
        current.append(char)
        position += 1
    found.append("".join(current))
    return [statement for statement in found if statement.strip()]


def _table(name: str) -> str:
    return name.replace("`", "").lower()


def appending_inserts(sql: str) -> list[str]:
    """Tables the SQL appends to with `INSERT INTO` without first clearing their `${ds}` partition, in order."""
    owned: set[str] = set()
    found: list[str] = []
    for statement in statements(sql):
        cleared = _CLEARS_PARTITION.match(statement)  # `${ds}` sits inside the quoted partition value
        if cleared:
            owned.add(_table(cleared.group(1) or cleared.group(2)))
            continue
        for match in _INSERT_INTO.finditer(_STRING.sub("''", statement)):  # no match inside a string
            table = _table(match.group(1))
            if table not in owned and table not in found:
                found.append(table)
    return found


def idempotency_warnings(sql: str) -> list[str]:
    """One message per table the prepare SQL appends to (see the module docstring)."""
    return [
        f"INSERT INTO {table} appends rows: prepare runs again after a server-side failure and on every re-run "
        f"of a date, so its SQL must be idempotent; write INSERT OVERWRITE TABLE {table} PARTITION (... = "
        f"'${{ds}}'), or clear that partition first (ALTER TABLE {table} DROP IF EXISTS PARTITION (... = '${{ds}}'))"
        for table in appending_inserts(sql)
    ]
