"""SQL text handling: Hive-style `${name}` substitution of validated values and splitting into statements."""

from __future__ import annotations

import re

from jobs.common.errors import StepError

# `${ds}`, and Hive's namespaced forms `${hivevar:ds}` / `${hiveconf:ds}`.
VARIABLE_PATTERN = re.compile(r"\$\{(?:hivevar:|hiveconf:)?([^}]*)\}")


def substitute(sql: str, values: dict[str, str], source: str = "SQL") -> str:
    """Replaces every `${name}` with `values[name]`; the values must already be validated.

    Raises:
        StepError: listing every variable the SQL uses but `values` does not declare.
    """
    unknown = sorted({name for name in VARIABLE_PATTERN.findall(sql) if name not in values})
    if unknown:
        declared = ", ".join(sorted(values)) or "none"
        raise StepError(
            f"{source} uses undeclared variable(s) {', '.join('${' + n + '}' for n in unknown)}; declared: "
            f"{declared} (declare them in prepare.variables and pass --var NAME=VALUE)"
        )
    return VARIABLE_PATTERN.sub(lambda match: values[match.group(1)], sql)


def split_statements(sql: str) -> list[str]:
    """Splits a script on `;` outside quotes, backticks and comments; drops comments and empty statements."""
    statements: list[str] = []
    current: list[str] = []
    i = 0
    quote: str | None = None
    while i < len(sql):
        char = sql[i]
        if quote:
            current.append(char)
            if char == "\\" and quote != "`" and i + 1 < len(sql):
                current.append(sql[i + 1])
                i += 1
            elif char == quote:
                quote = None
        elif char in ("'", '"', "`"):
            quote = char
            current.append(char)
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = len(sql) if end == -1 else end
            continue
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end == -1:
                raise StepError("SQL has an unterminated /* comment")
            i = end + 2
            current.append(" ")
            continue
        elif char == ";":
            statements.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    if quote:
        raise StepError(f"SQL has an unterminated {quote} quote")
    statements.append("".join(current))
    return [statement.strip() for statement in statements if statement.strip()]
