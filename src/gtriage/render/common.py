"""Words every renderer uses the same way (so text, Markdown and the TUI agree)."""

from __future__ import annotations

from gtriage.model import Crash
from gtriage.normalize import FrameInfo, Origin
from gtriage.report import Cluster, RaceInfo, Report


def minutes_text(c: Cluster) -> str:
    if c.minutes_max == 0:
        return ""
    if c.minutes_min == c.minutes_max:
        return f"{c.minutes_max} min"
    return f"{c.minutes_min}-{c.minutes_max} min"


def state_text(c: Cluster) -> str:
    return c.state or "(no state in debug=1)"


def short_path(file: str, goroot: str | None) -> str:
    """GOROOT and module-cache prefixes spelled as $GOROOT and $GOMODCACHE."""
    if goroot and file.startswith(goroot):
        return "$GOROOT/" + file[len(goroot) :]
    i = file.find("/pkg/mod/")
    if i >= 0:
        return "$GOMODCACHE/" + file[i + 9 :]
    return file


def location(f: FrameInfo, goroot: str | None) -> str:
    return f"{short_path(f.file, goroot)}:{f.line}"


def frame_text(f: FrameInfo, goroot: str | None = None) -> str:
    return f"{f.func} {location(f, goroot)}" if f.file else f.func


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


def summary_line(r: Report) -> str:
    kind = {"traceback": "traceback", "debug1": "debug=1 profile", "race": "race report"}.get(r.format, r.format)
    parts = [_plural(r.goroutines, "goroutine"), _plural(len(r.clusters), "cluster") + " shown", kind]
    if len(r.snapshots) > 1:
        parts.append(f"{len(r.snapshots)} dumps in the input, the last one reported")
    return ", ".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def health_lines(r: Report) -> list[str]:
    """What the reader must know before trusting the numbers."""
    out: list[str] = []
    if r.truncated:
        out.append(
            f"the dump is cut off (debug=2 stops at 64 MiB): {r.goroutines} goroutines were read before the cut"
        )
    if r.unparsed_lines:
        where = ", ".join(f"line {i.line}" for i in r.unparsed_samples[:5])
        out.append(f"{r.unparsed_lines} lines inside the dump could not be parsed ({where})")
    out.extend(f"limit reached: {lim.message}" for lim in r.limits)
    return out


def folded(frames: tuple[FrameInfo, ...]) -> list[tuple[FrameInfo | None, int]]:
    """Frames with runs of runtime frames folded: (frame, 0) or (None, how many folded)."""
    out: list[tuple[FrameInfo | None, int]] = []
    run = 0
    for f in frames:
        if f.origin is Origin.RUNTIME:
            run += 1
            continue
        if run:
            out.append((None, run))
            run = 0
        out.append((f, 0))
    if run:
        out.append((None, run))
    return out


def race_line(race: RaceInfo) -> str:
    """A data race in one line: both accesses, by whom and where."""
    parts = []
    for a in (race.access, race.previous):
        who = "main goroutine" if a.main_goroutine else f"goroutine {a.goroutine}"
        where = frame_text(a.frames[0]) if a.frames else "?"
        parts.append(f"{a.op} by {who} at {where}")
    return "; ".join(parts)
