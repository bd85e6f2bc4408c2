"""Map the absolute paths a template declares into its node's private folder.

A node folder holds `root/`, which stands in for the container's filesystem root. A path is mapped when it is
`/tmp`, a volumeMount's mountPath, an input artifact path or an output parameter path, or lies under one of
them: `/tmp/outputs/x` becomes `<node folder>/root/tmp/outputs/x`. Mapping applies to command, args,
script source, env values and workingDir, wherever such a path starts a word (after a space, `=`, `:`,
a quote, `(` or `,`). Other absolute paths (e.g. `/usr/bin/env`) are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path


class PathMapper:
    """Rewrites container paths under the declared roots to paths inside one node folder."""

    def __init__(self, root: Path, declared: Iterable[str]):
        self.root = root
        roots = {"/tmp"} | {path.rstrip("/") for path in declared if path.startswith("/") and path != "/"}
        alternatives = "|".join(re.escape(path) for path in sorted(roots, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![\w.\-/])(?:{alternatives})(?![\w.\-])")

    def local(self, container_path: str) -> Path:
        """The local file standing in for one absolute container path."""
        return self.root / container_path.lstrip("/")

    def rewrite(self, text: str) -> str:
        """Every mapped path inside a string, rewritten to its local stand-in."""
        return self._pattern.sub(lambda match: str(self.local(match.group(0))), text)
