"""The runner's options and main: capture the dumps, time everything, write the tables."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gtbench import timing
from gtbench.children import kill_started
from gtbench.config import DEFAULT_SIZES, INSTALL_DIR, OUT, log
from gtbench.dumps import DumpFile, capture
from gtbench.machine import machine
from gtbench.measure import bench, bench_wrapped
from gtbench.profiling import profile_main
from gtbench.results import check_targets, render_markdown
from gtbench.round2 import round2_main
from gtbench.snapshot import head_commit, snapshot
from gtbench.stages import stages_main
from gtbench.target import Gtriage, find_gtriage
from gtbench.toolchain import build_generator, find_go
from gtbench.tui import tui_main
from gtbench.wrapped import wrap_dumps


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python bench/run.py",
        description="Generate Go goroutine dumps at scale and time gtriage against the floors of this machine.",
    )
    p.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                   help="goroutine counts, comma-separated (default %(default)s)")
    p.add_argument("--go", help=f"go binary (else $GTRIAGE_GO, go on PATH, {INSTALL_DIR})")
    p.add_argument("--repeat", type=int, default=3, help="runs per measure on the smallest size (median)")
    p.add_argument("--repeat-big", type=int, default=1, help="runs per measure on the larger sizes")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds before one gtriage run is cut off")
    p.add_argument("--quick", action="store_true", help="smoke test: 10,000 goroutines, 1 run, no TUI")
    p.add_argument("--fresh", action="store_true", help="capture the dumps again even if present")
    p.add_argument("--tree", action="store_true",
                   help="measure the working tree as it is (default: a snapshot of the HEAD commit)")
    p.add_argument("--no-stages", action="store_true", help="skip the in-process stage timings")
    p.add_argument("--no-tui", action="store_true", help="skip the TUI first-screen timing")
    p.add_argument("--round2", action="store_true",
                   help="only issue 14's targets, paired (needs the 1,000, 10,000 and 300,000 dumps)")
    p.add_argument("--profile", action="store_true",
                   help="also cProfile gtriage on the smallest full dump (bench/out/profile.txt)")
    # Internal modes, run in a fresh interpreter by the runner itself.
    p.add_argument("--stages", metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--tui", metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--profile-file", metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--profile-out", metavar="FILE", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat, args.repeat_big, args.no_tui = "10000", 1, 1, True
    return args


def _internal_mode(args: argparse.Namespace) -> bool:
    """Run the internal mode asked for (--stages, --tui, --profile-file), if any."""
    if args.round2:
        round2_main(args.repeat, args.repeat_big, args.tree, args.timeout)
    elif args.stages:
        stages_main(args.stages)
    elif args.tui:
        tui_main(args.tui)
    elif args.profile_file:
        profile_main(args.profile_file, 25, args.profile_out or str(OUT / "profile.txt"))
    else:
        return False
    return True


def _what_to_measure(args: argparse.Namespace) -> tuple[Path | None, str]:
    """The snapshot measured (None: the working tree) and how the results name it; sets
    timing.CHILD_ENV so that every timed child imports the snapshot."""
    head = head_commit()
    if args.tree or not head:
        return None, f"the working tree (HEAD {head[:9] or '?'} and any local changes)"
    snap = snapshot(head)
    timing.CHILD_ENV = {**os.environ, "PYTHONPATH": str(snap / "src")}
    return snap, f"commit {head[:9]} (a snapshot under {snap})"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if _internal_mode(args):
        return 0
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    if not sizes:
        sys.exit("bench: --sizes is empty")
    command = "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    go, go_version = find_go(args.go)
    snap, measured = _what_to_measure(args)
    log(f"measuring gtriage at {measured}")
    gt = find_gtriage(snap)
    if gt.fallback:
        log("gtriage has no CLI with --format yet: timing analyze(FILE) in python -c instead")
    OUT.mkdir(parents=True, exist_ok=True)
    res, load_start = _capture_and_time(go, sizes, gt, args)
    res.update(
        load_avg={"start": round(load_start, 2), "end": round(os.getloadavg()[0], 2)},
        date=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        machine=machine(),
        go=go_version.removeprefix("go version "),
        gtriage_version=gt.version,
        fallback=gt.fallback,
        measured=measured,
        command=command.strip(),
    )
    res["targets"] = check_targets(res, sizes)
    md = render_markdown(res)
    (OUT / "results.json").write_text(json.dumps(res, indent=1) + "\n")
    (OUT / "results.md").write_text(md)
    print(md)
    log(f"wrote {OUT / 'results.md'} and {OUT / 'results.json'}")
    return 0


def _capture_and_time(
    go: str, sizes: list[int], gt: Gtriage, args: argparse.Namespace
) -> tuple[dict[str, Any], float]:
    """Build the generator, capture every size, time it all: (results, load average at the start)."""
    try:
        binary = build_generator(go)
        dumps: list[DumpFile] = []
        for size in sizes:
            dumps += capture(binary, size, size == sizes[0], args.fresh)
        full = next(d for d in dumps if d.size == sizes[0] and d.kind == "full")
        wrapped = wrap_dumps(full, args.fresh)
        kill_started()
        load_start = os.getloadavg()[0]
        res = bench(dumps, sizes, gt, args)
        res["wrapped"] = bench_wrapped(full, wrapped, gt, args)
    finally:
        kill_started()
    return res, load_start
