"""The dump's crash and data races in words, said the same way by every renderer."""

from __future__ import annotations

from gtriage.model import Crash
from gtriage.report import AccessInfo, RaceInfo, Report

from .common import frame_text, num, plural, sources_read


def crash_lines(crash: Crash) -> list[str]:
    """The crash as the runtime said it, one item per panic / error / signal."""
    out: list[str] = []
    for p in crash.panics:
        tag = " [recovered, repanicked]" if p.repanicked else " [recovered]" if p.recovered else ""
        out.append(f"panic: {p.message}{tag}")
    if crash.fatal_error:
        out.append(f"fatal error: {crash.fatal_error}")
    if crash.signal:
        out.append(f"signal: {crash.signal}")
    if crash.goroutine is not None:
        out.append(f"in goroutine {crash.goroutine}")
    return out


def logged_line(r: Report) -> str | None:
    """What the report infers of a panic the program recovered and printed itself."""
    if r.crash is None or r.crash_logged is None:
        return None
    return f"a panic the program recovered and printed itself, not a crash (inferred: {r.crash_logged})"


FLEET_CRASHES_SHOWN = 3


def fleet_crash_lines(r: Report) -> list[str]:
    """In a fleet, which source the shown crash is from and the others that crashed or
    printed a panic they recovered (not counted as crashed): "on pod-a (2 of 3 sources
    crashed)", "also on pod-b: panic: ..."; [] elsewhere."""
    if r.fleet is None or r.crash is None:
        return []
    panicked = [s for s in r.fleet if s.crash is not None]  # crashed, or printed a panic it recovered
    shown = next((s for s in panicked if s.crash is r.crash), None)
    if shown is None:
        return []
    crashed = sum(s.crash_logged is None for s in panicked)
    out = [f"on {shown.name} ({num(crashed)} of {plural(sources_read(r), 'source')} crashed)"]
    others = [s for s in panicked if s is not shown]
    for s in others[:FLEET_CRASHES_SHOWN]:
        said = crash_lines(s.crash) if s.crash is not None else []
        first = said[0].split("\n", 1)[0] if said else "crashed"  # a panic value's first line
        logged = " (recovered and printed by the program, inferred)" if s.crash_logged is not None else ""
        out.append(f"also on {s.name}: {first}{logged}")
    if len(others) > FLEET_CRASHES_SHOWN:
        out.append(f"… {num(len(others) - FLEET_CRASHES_SHOWN)} more")
    return out


def race_accesses(race: RaceInfo) -> list[tuple[AccessInfo, str]]:
    """Both accesses of a data race, newest first, each with who made it."""
    return [
        (a, "main goroutine" if a.main_goroutine else f"goroutine {a.goroutine}")
        for a in (race.access, race.previous)
    ]


def race_line(race: RaceInfo) -> str:
    """A data race in one line: both accesses, by whom and where."""
    return "; ".join(
        f"{a.op} by {who} at {frame_text(a.frames[0]) if a.frames else '?'}" for a, who in race_accesses(race)
    )
