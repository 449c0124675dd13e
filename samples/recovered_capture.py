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
import subprocess
import sys
import tempfile
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent
sys.path.insert(0, str(SAMPLES))

from leakrate_capture import go_env, go_output  # noqa: E402

from gtcapture.neutral import foreign_paths, neutral_paths  # noqa: E402

PROGRAM = SAMPLES / "recovered"
WAYS = ("debug", "runtime")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--go", type=Path, required=True, help="the go binary to build recovered with")
    ap.add_argument("--out", type=Path, default=SAMPLES / "logged", help="where recovered.log goes")
    opts = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="recovered-") as tmp:
        env = go_env(Path(tmp))
        version = go_output(opts.go, env, "env", "GOVERSION").split()[0]
        goroot = go_output(opts.go, env, "env", "GOROOT")
        binary = Path(tmp) / "recovered"
        subprocess.run([str(opts.go), "build", "-o", str(binary), "."], cwd=PROGRAM, env=env, check=True, timeout=300)
        run = subprocess.run([str(binary)], capture_output=True, text=True, check=True, timeout=60)
    log = neutral_paths(run.stdout, [goroot, str(Path(goroot).resolve())])
    foreign = foreign_paths(log)
    if foreign:
        raise RuntimeError(f"paths not neutral: {foreign[:5]}")
    panics = [json.loads(line[9:]) for line in run.stderr.splitlines() if line.startswith("MANIFEST ")]
    if [p["way"] for p in panics] != list(WAYS) or log.count("\npanic: ") + log.startswith("panic: ") != len(WAYS):
        raise RuntimeError(f"expected the panics {WAYS}, got:\n{run.stderr}")
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
