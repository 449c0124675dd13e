"""The gtriage measured: the command that runs it on a file (its CLI, or analyze() in a
``python -c`` when the CLI has no ``--format`` yet) and its version."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from gtbench import timing

ANALYZE_FALLBACK = "import sys\nfrom gtriage.pipeline import analyze\nanalyze(sys.argv[1])\n"


@dataclass
class Gtriage:
    cmd: list[str]  # prefix; "--format F FILE" is added
    fallback: bool  # the CLI has no --format yet: analyze() in a python -c
    version: str


def find_gtriage(snap: Path | None) -> Gtriage:
    if snap is not None:
        return _snapshot_gtriage(snap)
    beside = Path(sys.executable).parent / "gtriage"
    exe = str(beside) if beside.exists() else shutil.which("gtriage")
    version = "?"
    with contextlib.suppress(Exception):
        version = importlib.import_module("gtriage").__version__
    if exe:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            res = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=120, check=False)
            if res.returncode == 0 and "--format" in res.stdout:
                return Gtriage([exe], False, version)
    if importlib.util.find_spec("gtriage") is None:
        sys.exit("bench: gtriage is not installed: pip install -e '.[test]'")
    return Gtriage([sys.executable, "-c", ANALYZE_FALLBACK], True, version)


def _snapshot_gtriage(snap: Path) -> Gtriage:
    """gtriage of the snapshot, run as ``python -m gtriage.cli`` with timing.CHILD_ENV."""
    cmd = [sys.executable, "-m", "gtriage.cli"]
    version = "?"
    init = (snap / "src" / "gtriage" / "__init__.py").read_text()
    m = re.search(r"__version__\s*=\s*[\"']([^\"']+)", init)
    version = m.group(1) if m else version
    res = subprocess.run(
        [*cmd, "--help"], capture_output=True, text=True, timeout=120, check=False, env=timing.CHILD_ENV
    )
    if res.returncode == 0 and "--format" in res.stdout:
        return Gtriage(cmd, False, version)
    return Gtriage([sys.executable, "-c", ANALYZE_FALLBACK], True, version)


def gtriage_cmd(g: Gtriage, fmt: str, path: Path) -> list[str]:
    if g.fallback:
        return [*g.cmd, str(path)]
    return [*g.cmd, "--format", fmt, str(path)]
