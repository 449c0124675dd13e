"""The capture script's options and main: capture with each toolchain, then derive the rest."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from gtcapture.config import PROGRAMS, SAMPLES
from gtcapture.crashzoo import CRASH_SCENARIOS, capture_crash
from gtcapture.derived import read_notes, write_demo, write_readme
from gtcapture.leaky import capture_leaky, leaky_kinds
from gtcapture.locks import LOCKS_KINDS, capture_locks
from gtcapture.race import capture_race
from gtcapture.toolchain import Toolchain, build, find_toolchain
from gtcapture.wrap import wrap_all

# The first paragraph of samples/capture.py's docstring: the --help description.
DESCRIPTION = "Capture the real goroutine-dump sample corpus under ``samples/``."


def capture_version(tc: Toolchain, out: Path, only: set[str], slow: bool, notes: list[str],
                    kinds: set[str] | None = None) -> None:  # fmt: skip
    dest = out / tc.dirname
    with tempfile.TemporaryDirectory(prefix="gtriage-samples-") as tmpdir:
        tmp = Path(tmpdir)
        if "leaky" in only:
            for kind in leaky_kinds(tc, slow):
                if kinds and kind not in kinds:
                    continue
                print(f"[{tc.version}] leaky {kind}", flush=True)
                try:
                    capture_leaky(tc, dest, kind)
                except Exception as exc:  # keep going; report at the end
                    notes.append(f"- {tc.version} leaky {kind}: not captured: {str(exc).splitlines()[0]}")
                    print(f"  FAILED: {exc}", flush=True)
        if "crashzoo" in only:
            binary = build(tc, "crashzoo", tmp)
            for scenario in CRASH_SCENARIOS:
                for tb in ("", "all"):
                    print(f"[{tc.version}] crashzoo {scenario} {tb}", flush=True)
                    try:
                        capture_crash(tc, dest, scenario, tb, binary, tmp)
                    except Exception as exc:
                        notes.append(
                            f"- {tc.version} crashzoo {scenario} {tb}: not captured: {str(exc).splitlines()[0]}"
                        )
                        print(f"  FAILED: {exc}", flush=True)
        if "locks" in only:
            wanted = [k for k in LOCKS_KINDS if not kinds or k in kinds]
            print(f"[{tc.version}] locks {' '.join(wanted)}", flush=True)
            try:
                if wanted:
                    capture_locks(tc, dest, wanted, workdir=tmp)
            except Exception as exc:
                notes.append(f"- {tc.version} locks: not captured: {str(exc).splitlines()[0]}")
                print(f"  FAILED: {exc}", flush=True)
        if "race" in only:
            print(f"[{tc.version}] race", flush=True)
            try:
                capture_race(tc, dest, tmp)
            except Exception as exc:
                notes.append(f"- {tc.version} race: not captured: {str(exc).splitlines()[0]}")
                print(f"  FAILED: {exc}", flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=DESCRIPTION)
    ap.add_argument(
        "--go", action="append", default=[], metavar="VER=PATH", help="toolchain, e.g. 1.25=/x/bin/go"
    )
    ap.add_argument("--only", action="append", choices=PROGRAMS, help="programs to capture (default: all)")
    ap.add_argument("--out", type=Path, default=SAMPLES / "dumps")
    ap.add_argument("--kind", action="append", help="leaky or locks kinds to capture (default: all that apply)")
    ap.add_argument("--no-slow", action="store_true", help="skip the 62-second 'minutes' captures")
    ap.add_argument("--derived-only", action="store_true", help="only rewrite wrapped/, demo.*, README table")
    ap.add_argument(
        "--no-derived", action="store_true", help="do not rewrite wrapped/, demo.txt, README table"
    )
    args = ap.parse_args(argv)
    if not args.go and not args.derived_only:
        ap.error("give at least one --go VER=PATH")
    only = set(args.only or PROGRAMS)
    notes: list[str] = []
    gos: dict[str, Toolchain] = {}
    for spec in args.go:
        want, _, path = spec.partition("=")
        tc = find_toolchain(path)
        if tc.dirname != f"go{want}":
            ap.error(f"{path} is {tc.version}, not go{want}")
        gos[want] = tc
        capture_version(tc, args.out, only, not args.no_slow, notes, set(args.kind or []))
    if not args.no_derived and args.out.resolve() == (SAMPLES / "dumps").resolve():
        write_demo(args.out)
        wrap_all(args.out, SAMPLES / "wrapped")
        from carriers import capture_carriers  # samples/carriers.py (samples/ is sys.path[0] here)

        capture_carriers(gos, args.out, SAMPLES / "wrapped")
        write_readme(args.out, read_notes(args.out) + notes)
    if notes and args.out.resolve() == (SAMPLES / "dumps").resolve():
        with open(args.out / "NOTES.txt", "a") as f:
            f.write("".join(n + "\n" for n in notes))
    for n in notes:
        print(n, file=sys.stderr)
    return 1 if notes else 0
