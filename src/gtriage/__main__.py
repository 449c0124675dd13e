"""`python -m gtriage`: the same command as the `gtriage` script, for environments where
the script is not on PATH (a venv not activated, `pipx run`, a container's python)."""

from __future__ import annotations

import sys

from .cli import run

if __name__ == "__main__":
    sys.exit(run())
