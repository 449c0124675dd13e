#!/usr/bin/env python3
"""Capture ``samples/logged/httppanic.log``: a service's log of the panics it recovered and
logged, five by net/http ("http: panic serving <addr>: <value>" and the stack, one value of
two lines), two by
the service's own handler (``log.Printf("panic: %v\\n%s", v, debug.Stack())``) and one as
negroni's Recovery middleware logs by default ("[negroni] PANIC: <value>" and the stack).

``httppanic/`` (see its doc comment) serves handlers that panic and sends its own requests.
This script builds it with one Go toolchain, runs it, makes the paths neutral, and writes
the log with a manifest made of the program's own MANIFEST lines (each request's path, who
logged its panic, the value as logged), each with the line of ``main.go`` that panics (its
``SAMPLE:<marker>`` comment).

    python samples/httppanic_capture.py --go /work/toolchains/go1.25/go/bin/go
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent
sys.path.insert(0, str(SAMPLES))

from leakrate_capture import run_once  # noqa: E402

PROGRAM = SAMPLES / "httppanic"


def marker_lines(source: str) -> dict[str, int]:
    """The line of each "// SAMPLE:<marker>" comment."""
    out = {}
    for n, line in enumerate(source.splitlines(), 1):
        at = line.find("// SAMPLE:")
        if at >= 0:
            out[line[at + len("// SAMPLE:") :].strip()] = n
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--go", type=Path, required=True, help="the go binary to build httppanic with")
    ap.add_argument("--out", type=Path, default=SAMPLES / "logged", help="where httppanic.log goes")
    opts = ap.parse_args(argv)
    version, log, requests = run_once(opts.go, PROGRAM, [])
    lines = marker_lines((PROGRAM / "main.go").read_text())
    for r in requests:
        r["line"] = lines[r.pop("marker")]
    logged = log.count("http: panic serving ") + log.count(" panic: ") + log.count("[negroni] PANIC: ")
    if len(requests) != 8 or logged != len(requests):
        raise RuntimeError(f"expected 8 panics logged, got {logged} for the requests {requests}")
    opts.out.mkdir(parents=True, exist_ok=True)
    path = opts.out / "httppanic.log"
    path.write_text(log)
    manifest = {"program": "httppanic", "go": version, "kind": "logged-panics-log", "dump": path.name,
                "file": "/home/gopher/samples/httppanic/main.go", "requests": requests}  # fmt: skip
    (opts.out / "httppanic.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
