#!/usr/bin/env python3
"""Capture ``samples/logged/recovered.log``: a service's log of two panics it recovered and
printed itself, one stack taken with debug.Stack(), one with runtime.Stack().

``recovered/`` (see its doc comment) prints each as "panic: <value>", a blank line and the
stack, and goes on. This script builds it with one Go toolchain, runs it, makes the paths
neutral, and writes the log with a manifest made of the program's own MANIFEST lines (each
panic's value, the goroutine that panicked, its stack's top frames by construction).

    python samples/recovered_capture.py --go /work/toolchains/go1.25/go/bin/go
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent
sys.path.insert(0, str(SAMPLES))

from leakrate_capture import run_once  # noqa: E402

PROGRAM = SAMPLES / "recovered"
WAYS = ("debug", "runtime")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--go", type=Path, required=True, help="the go binary to build recovered with")
    ap.add_argument("--out", type=Path, default=SAMPLES / "logged", help="where recovered.log goes")
    opts = ap.parse_args(argv)
    version, log, panics = run_once(opts.go, PROGRAM, [])
    if [p["way"] for p in panics] != list(WAYS) or log.count("\npanic: ") + log.startswith("panic: ") != len(WAYS):
        raise RuntimeError(f"expected the panics {WAYS}, got: {panics}")
    opts.out.mkdir(parents=True, exist_ok=True)
    path = opts.out / "recovered.log"
    path.write_text(log)
    manifest = {"program": "recovered", "go": version, "kind": "recovered-panics-log", "dump": path.name,
                "panics": panics}  # fmt: skip
    (opts.out / "recovered.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
