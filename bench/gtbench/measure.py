"""What the runner measures: every dump against the floors, the wrapped inputs against the
plain dump, the stages, the cProfile and the TUI (the last three in a fresh interpreter)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from gtbench.config import MIB, OUT, RUN_SCRIPT, TUI_SIZE, log
from gtbench.dumps import DumpFile
from gtbench.floors import LINE_FLOOR, REGEX_FLOOR, count_goroutines
from gtbench.target import Gtriage, gtriage_cmd
from gtbench.timing import measure_interleaved, ratio, run_process

# name -> (argv, timeout, keep_stdout), as measure_interleaved takes them.
Commands = dict[str, tuple[list[str], float, bool]]


def _sub(mode: str, path: Path, timeout: float, *extra: str) -> dict[str, Any]:
    """Run this script in a fresh interpreter in an internal mode; its JSON answer."""
    r = run_process([sys.executable, str(RUN_SCRIPT), mode, str(path), *extra], timeout, keep_stdout=True)
    if r.timed_out:
        return {"error": f"timed out after {timeout:.0f} s"}
    if r.rc != 0:
        last = r.stderr_tail.strip().splitlines()[-1:] or [f"exit {r.rc}"]
        return {"error": last[0]}
    try:
        return {"result": json.loads(r.stdout.strip().splitlines()[-1])}
    except (ValueError, IndexError):
        return {"error": "no JSON answer"}


def bench_wrapped(
    full: DumpFile, wrapped: list[DumpFile], gt: Gtriage, args: argparse.Namespace
) -> list[dict[str, Any]]:
    """Each carrier paired with the plain dump in one interleaved run: the ratio of their
    median times (json) is what issue 11 sets targets on."""
    rows = []
    for d in wrapped:
        cmds: Commands = {
            "plain": (gtriage_cmd(gt, "json", full.path), args.timeout, False),
            "wrapped": (gtriage_cmd(gt, "json", d.path), args.timeout, False),
        }
        log(f"{d.label}: paired with {full.label}, {args.repeat}× interleaved")
        got = measure_interleaved(cmds, args.repeat)
        rows.append({
            "dump": d.label, "kind": d.kind, "bytes": d.path.stat().st_size,
            "plain": got["plain"].summary(), "wrapped": got["wrapped"].summary(),
            "x_plain": ratio(got["wrapped"], got["plain"]),
        })
    return rows


def bench(dumps: list[DumpFile], sizes: list[int], gt: Gtriage, args: argparse.Namespace) -> dict[str, Any]:
    res: dict[str, Any] = {"rows": [], "floors": [], "stages": [], "tui": "not measured", "profile": None}
    small = sizes[0]
    for d in dumps:
        _bench_dump(d, small, gt, args, res)
        if not args.no_stages and (d.size == small or d.kind == "full"):
            log(f"{d.label}: stages in-process")
            res["stages"].append({"dump": d.label, **_sub("--stages", d.path, args.timeout * 3)})
    if args.profile:
        prof = next((d for d in dumps if d.size == small and d.kind == "full"), None)
        if prof is not None:
            res["profile"] = _profile(prof, args.timeout)
    if not args.no_tui and TUI_SIZE in sizes:
        tui_dump = next(d for d in dumps if d.size == TUI_SIZE and d.kind == "full")
        res["tui"], res["tui_raw"] = _tui(tui_dump, args.timeout)
    elif not args.no_tui:
        res["tui"] = f"not measured: needs the {TUI_SIZE:,} size"
    return res


def _bench_dump(d: DumpFile, small: int, gt: Gtriage, args: argparse.Namespace, res: dict[str, Any]) -> None:
    """The floors and gtriage's formats on one dump, interleaved: rows of res["floors"], res["rows"]."""
    py = sys.executable
    repeat = args.repeat if d.size == small else args.repeat_big
    nbytes = d.path.stat().st_size
    floor_timeout = max(120.0, nbytes / MIB)  # ≥ 1 MiB/s
    formats = ["json"] if gt.fallback or d.size != small else ["json", "text", "markdown"]
    cmds: Commands = {
        "line": ([py, "-c", LINE_FLOOR, str(d.path)], floor_timeout, True),
        "regex": ([py, "-c", REGEX_FLOOR, str(d.path)], floor_timeout, True),
    }
    for fmt in formats:
        cmds[fmt] = (gtriage_cmd(gt, fmt, d.path), args.timeout, False)
    log(f"{d.label}: floors and gtriage --format {'/'.join(formats)}, {repeat}× interleaved")
    got = measure_interleaved(cmds, repeat)
    line, regex = got["line"], got["regex"]
    goroutines = count_goroutines(d, regex)
    res["floors"].append(
        {"dump": d.label, "bytes": nbytes, "goroutines": goroutines, "line": line.summary(), "regex": regex.summary()}
    )
    for fmt in formats:
        g = got[fmt]
        s = g.summary()
        log(
            f"{d.label}: {fmt} {'ok' if g.ok else 'FAILED'} median {s['wall_s']} s, {s['peak_rss_mib']} MiB"
            + (f" (floors {line.wall:.2f} / {regex.wall:.2f} s)" if line.ok and regex.ok else "")
        )
        res["rows"].append({
            "dump": d.label, "kind": d.kind, "size": d.size, "bytes": nbytes, "goroutines": goroutines,
            "format": fmt, "gtriage": s, "x_regex": ratio(g, regex), "x_line": ratio(g, line),
        })


def _profile(prof: DumpFile, timeout: float) -> str:
    """cProfile of gtriage on prof, in a fresh interpreter: where it went, or why it failed."""
    log(f"{prof.label}: cProfile")
    dest = OUT / "profile.txt"
    r = run_process(
        [sys.executable, str(RUN_SCRIPT), "--profile-file", str(prof.path), "--profile-out", str(dest)],
        timeout * 2,
    )
    return str(dest) if r.rc == 0 else f"failed: {r.stderr_tail[-300:]}"


def _tui(tui_dump: DumpFile, timeout: float) -> tuple[str, dict[str, Any]]:
    """The TUI's first screen and keys on tui_dump: (the line for the report, the raw answer)."""
    log(f"{tui_dump.label}: TUI first screen")
    t = _sub("--tui", tui_dump.path, timeout * 2)
    v = t.get("result")
    if v is None:
        return f"failed: {t.get('error')}", t
    if "skipped" in v:
        return f"skipped: {v['skipped']}", t
    keys = ", ".join(
        f"{k[4:-2]} {x * 1000:.0f} ms (CPU {v.get('cpu_' + k[4:], 0.0) * 1000:.0f} ms)"
        for k, x in v.items()
        if k.startswith("key_")
    )
    line = (
        f"{tui_dump.label}: first screen {v['first_screen_s']:.2f} s after parsing "
        f"({v['parse_s']:.1f} s) with {v['app']}; keys: {keys}"
    )
    return line, t
