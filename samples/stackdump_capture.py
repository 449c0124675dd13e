#!/usr/bin/env python3
"""Capture ``samples/series-log/stackdump.log``: a watchdog's log of all-goroutine dumps.

``stackdump/`` (see its doc comment) writes ``runtime.Stack(buf, true)`` dumps to its
standard output, each from a goroutine started for it, after a log line; so the dumps of
the log follow one another with no header of their own, and each one's first goroutine
(the [running] writer) has an id no dump before it had. This script builds it with one Go
toolchain, runs it, makes the paths neutral, and writes the log with a manifest made of
the program's own MANIFEST lines (each dump's goroutine count by construction, the
writer's id and the leaked ids).

    python samples/stackdump_capture.py --go /work/toolchains/go1.27/go/bin/go
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent
sys.path.insert(0, str(SAMPLES))

from leakrate_capture import run_once  # noqa: E402

PROGRAM = SAMPLES / "stackdump"
ROUNDS, LEAK = 3, 4


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--go", type=Path, required=True, help="the go binary to build stackdump with")
    ap.add_argument("--out", type=Path, default=SAMPLES / "series-log", help="where stackdump.log goes")
    opts = ap.parse_args(argv)
    version, log, dumps = run_once(opts.go, PROGRAM, ["-rounds", str(ROUNDS), "-leak", str(LEAK)])
    stderr = "\n".join(json.dumps(d) for d in dumps)
    if len(dumps) != ROUNDS or log.count("watchdog: round ") != ROUNDS:
        raise RuntimeError(f"expected {ROUNDS} dumps, got {len(dumps)}:\n{stderr}")
    opts.out.mkdir(parents=True, exist_ok=True)
    path = opts.out / "stackdump.log"
    path.write_text(log)
    manifest = {"program": "stackdump", "go": version, "kind": "watchdog-log", "dump": path.name,
                "args": ["-rounds", str(ROUNDS), "-leak", str(LEAK)], "dumps": dumps}  # fmt: skip
    (opts.out / "stackdump.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
