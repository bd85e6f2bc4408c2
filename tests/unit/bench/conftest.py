"""`bench` is a tool of this repository, not part of the installed distribution: import it from the checkout."""

import sys
from pathlib import Path

REPO = str(Path(__file__).resolve().parents[3])
if REPO not in sys.path:
    sys.path.insert(0, REPO)
