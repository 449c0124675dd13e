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
import subprocess
import sys
import tempfile
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent
sys.path.insert(0, str(SAMPLES))

from leakrate_capture import go_env, go_output  # noqa: E402

from gtcapture.neutral import foreign_paths, neutral_paths  # noqa: E402

PROGRAM = SAMPLES / "stackdump"
ROUNDS, LEAK = 3, 4


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--go", type=Path, required=True, help="the go binary to build stackdump with")
    ap.add_argument("--out", type=Path, default=SAMPLES / "series-log", help="where stackdump.log goes")
    opts = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="stackdump-") as tmp:
        env = go_env(Path(tmp))
        version = go_output(opts.go, env, "env", "GOVERSION").split()[0]
        goroot = go_output(opts.go, env, "env", "GOROOT")
        binary = Path(tmp) / "stackdump"
        subprocess.run([str(opts.go), "build", "-o", str(binary), "."], cwd=PROGRAM, env=env, check=True, timeout=300)
        run = subprocess.run([str(binary), "-rounds", str(ROUNDS), "-leak", str(LEAK)], capture_output=True,
                             text=True, check=True, timeout=60)  # fmt: skip
    log = neutral_paths(run.stdout, [goroot, str(Path(goroot).resolve())])
    foreign = foreign_paths(log)
    if foreign:
        raise RuntimeError(f"paths not neutral: {foreign[:5]}")
    dumps = [json.loads(line[9:]) for line in run.stderr.splitlines() if line.startswith("MANIFEST ")]
    if len(dumps) != ROUNDS or log.count("watchdog: round ") != ROUNDS:
        raise RuntimeError(f"expected {ROUNDS} dumps, got {len(dumps)}:\n{run.stderr}")
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
