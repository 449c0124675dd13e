"""Checking a dump against its manifest with plain string operations (groups, crash, races)."""

from __future__ import annotations

import re
from typing import Any


def _header_rest(text: str, goid: int) -> list[str]:
    """For each ``goroutine <id> `` header of goid, the text from its ``[`` to the end of the line."""
    rests = []
    needle = f"goroutine {goid} "
    start = 0
    while (i := text.find(needle, start)) >= 0:
        start = i + len(needle)
        if i > 0 and text[i - 1] not in "\n \t]":  # "...goroutine 5 " inside a longer word
            continue
        end = text.find("\n", i)
        line = text[i : end if end >= 0 else len(text)]
        if line.rstrip("\r").endswith(":") and "[" in line:
            rests.append(line[line.index("[") + 1 :])
    return rests


def _header_problems(manifest: dict[str, Any], g: dict[str, Any], goid: int, rest: str) -> list[str]:
    """Problems with one goroutine header (``rest`` starts after its ``[``)."""
    problems = []
    if not rest.startswith(g["state"]):
        problems.append(f"{g['key']}: goroutine {goid} state {rest!r}, expected {g['state']!r}")
    if g["locked_to_thread"] and "locked to thread" not in rest:
        problems.append(f"{g['key']}: goroutine {goid} not 'locked to thread': {rest!r}")
    if g["min_minutes"]:
        m = re.search(r", (\d+) minutes", rest)
        if not m or int(m.group(1)) < g["min_minutes"]:
            problems.append(f"{g['key']}: goroutine {goid} lacks '{g['min_minutes']} minutes': {rest!r}")
    if g.get("leaked") and "(leaked)" not in rest:
        problems.append(f"{g['key']}: goroutine {goid} not marked (leaked): {rest!r}")
    if manifest.get("header_labels") and g.get("labels"):
        for k, v in g["labels"].items():
            if k not in rest or v not in rest:
                problems.append(f"{g['key']}: goroutine {goid} header lacks label {k}={v}: {rest!r}")
    return problems


def check_manifest(manifest: dict[str, Any], text: str) -> list[str]:
    """Check a dump against its manifest with plain string operations.

    Returns human-readable problems; an empty list means the dump matches.
    """
    problems: list[str] = []
    for g in manifest.get("groups", []):
        problems += _group_problems(manifest, g, text)
    crash = manifest.get("crash")
    if crash:
        problems += _crash_problems(crash, text)
    for r in manifest.get("races", []):
        problems += _race_problems(r, text)
    return problems


def _group_problems(manifest: dict[str, Any], g: dict[str, Any], text: str) -> list[str]:
    """Problems with one group of parked goroutines: their location, function and headers."""
    problems: list[str] = []
    at = g["blocked_at"]
    loc = f"{at['file']}:{at['line']}"
    if manifest["format"] == "debug1":
        records = [r for r in text.split("\n\n") if loc in r]
        if not records:
            problems.append(f"{g['key']}: {loc} not in any debug=1 record")
        elif not any(
            r.lstrip().startswith(f"{g['count']} @") or f"\n{g['count']} @" in r for r in records
        ):
            problems.append(f"{g['key']}: no record '{g['count']} @' holding {loc}")
        if at["func"] not in text:
            problems.append(f"{g['key']}: function {at['func']} not in dump")
        return problems
    if text.count(loc) < g["count"]:
        problems.append(f"{g['key']}: {loc} appears {text.count(loc)} times, expected >= {g['count']}")
    if at["func"] + "(" not in text:
        problems.append(f"{g['key']}: function {at['func']}( not in dump")
    for goid in g["ids"]:
        rests = _header_rest(text, goid)
        if not rests:
            problems.append(f"{g['key']}: no header for goroutine {goid}")
            continue
        # Files holding several dumps may repeat an id; one matching header is enough.
        per_header = [_header_problems(manifest, g, goid, rest) for rest in rests]
        if all(per_header):
            problems.extend(per_header[0])
    return problems


def _crash_problems(crash: dict[str, Any], text: str) -> list[str]:
    """Problems with the crash: its panic chain, fatal error, signal, line and running goroutine."""
    problems: list[str] = []
    for i, p in enumerate(crash["panics"]):
        first, *more = p["message"].split("\n")
        suffix = (
            " [recovered, repanicked]" if p["repanicked"] else " [recovered]" if p["recovered"] else ""
        )
        line = ("\t" if i else "") + "panic: " + first + ("" if more else suffix)
        if line not in text:
            problems.append(f"crash: panic line {line!r} not in dump")
        for extra in more:
            if extra not in text:
                problems.append(f"crash: panic continuation {extra!r} not in dump")
    if crash.get("fatal_error") and f"fatal error: {crash['fatal_error']}" not in text:
        problems.append(f"crash: 'fatal error: {crash['fatal_error']}' not in dump")
    if crash.get("signal") and f"[signal {crash['signal']}" not in text:
        problems.append(f"crash: '[signal {crash['signal']}' not in dump")
    at = crash["panic_at"]
    if f"{at['file']}:{at['line']}" not in text:
        problems.append(f"crash: panic line {at['file']}:{at['line']} not in dump")
    if at.get("func") and at["func"] + "(" not in text:
        problems.append(f"crash: function {at['func']}( not in dump")
    if crash.get("goroutine"):
        rests = _header_rest(text, crash["goroutine"])
        if not any(rest.startswith("running") for rest in rests):
            problems.append(f"crash: goroutine {crash['goroutine']} not shown [running]: {rests[:1]}")
    return problems


def _race_problems(r: dict[str, Any], text: str) -> list[str]:
    """Problems with one data race: both accesses and the report's banner."""
    problems: list[str] = []
    for side, prefix in (("access", ""), ("previous", "Previous ")):
        a = r[side]
        op = a["op"].capitalize() if not prefix else a["op"]
        if f"{prefix}{op} at 0x" not in text:
            problems.append(f"race: '{prefix}{op} at 0x' not in report")
        if f"{a['at']['file']}:{a['at']['line']}" not in text:
            problems.append(f"race: {a['at']['file']}:{a['at']['line']} not in report")
        if "  " + a["at"]["func"] + "()" not in text:
            problems.append(f"race: '  {a['at']['func']}()' not in report")
    if "WARNING: DATA RACE" not in text:
        problems.append("race: no 'WARNING: DATA RACE'")
    return problems
