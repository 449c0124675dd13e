"""A goroutine section (its header and stack) read into a Goroutine of the snapshot, with
what the runtime's own repeats and cuts mean for the count."""

from __future__ import annotations

from .fast_path import ShapeMemo, read_header, read_stack
from .model import Goroutine, LoggedPanic
from .record import replace
from .section import Section
from .snapshot_builder import SnapshotBuilder

# A log line kept with a logged panic's stack, at most: a panic value can be a whole
# request body, and no report line needs more.
MAX_LOGGED_LINE = 2000


def read_goroutine(sec: Section, snap: SnapshotBuilder, memo: ShapeMemo) -> None:
    snap.headers_seen += 1
    header = sec.lines[0]
    head = read_header(memo, header)
    if head is None:
        _unparsed_header(sec, snap, header)
        return
    rest, gp_id = head
    text = sec.body if sec.body is not None else "".join(line + "\n" for line in sec.lines[1:])
    shape, values, gids, partial = read_stack(memo, text, sec, snap, sec.calls)
    slot = shape.parent_slot
    hs = rest.shape
    # Positional, in Goroutine's field order: keywords cost twice as much (2.6 against
    # 1.3 us a goroutine, CPython 3.11).
    g = Goroutine(
        gp_id,  # id
        hs.state,  # state
        shape.stack,  # stack
        snap.at(sec.line),  # line
        rest.minutes,  # minutes
        hs.locked,  # locked
        hs.scan,  # scan
        hs.leaked,  # leaked
        rest.bubble,  # bubble
        rest.labels,  # labels
        rest.thread,  # thread
        int(gids[slot]) if slot is not None and slot < len(gids) else None,  # parent_id
        (  # ancestor_ids
            tuple(int(gids[i]) for i in shape.ancestor_slots if i < len(gids)) if shape.ancestor_slots else ()
        ),
        values,  # values
        partial,  # partial
    )
    if sec.cut and (partial or not text):
        # The input ended inside this goroutine and its last lines do not read: cut off
        # (debug=2 stops at 64 MiB mid-line). A missing final newline alone is no cut.
        snap.truncated = True
    _add(sec, snap, header, g, bool(text))
    if sec.logged is not None:
        # The log line: over the header, or over the lines a value of several lines goes on over.
        at = sec.line - 1 - sec.logged.count("\n")
        snap.logged_panics.append(LoggedPanic(g.id, snap.at(at), sec.logged[:MAX_LOGGED_LINE], g.line))


def _unparsed_header(sec: Section, snap: SnapshotBuilder, header: str) -> None:
    snap.unparsed_headers += 1
    if sec.cut and len(sec.lines) == 1:
        snap.truncated = True
    snap.issue(sec.line, header, "goroutine header not understood")
    stack = sec.body.split("\n")[:-1] if sec.body is not None else sec.lines[1:]
    for i, text in enumerate(stack, 1):
        snap.issue(sec.line + i, text, "stack of an unparsed goroutine header")


def _add(sec: Section, snap: SnapshotBuilder, header: str, g: Goroutine, has_stack: bool) -> None:
    stackless, snap.stackless = snap.stackless, None
    if sec.repeated and snap.goroutines and snap.goroutines[-1].id == g.id:
        prev = snap.goroutines[-1]
        snap.repeated_headers += 1
        snap.issue(sec.line, header, f"goroutine {g.id} printed twice in a row (counted once)")
        if not prev.stack.frames and g.stack.frames:
            snap.goroutines[-1] = g  # the first copy had lost its stack
        return
    if sec.id_seen:
        # Not a new dump (the next header was new again): one damaged digit, maybe.
        snap.issue(sec.line, header, f"goroutine {g.id} printed twice in this dump")
    if stackless is not None:
        snap.issue(*stackless, "goroutine header with no stack under it")
    if not has_stack:
        snap.stackless = (sec.line, header)  # said unless the next header repeats it
    if snap.crash_goroutine_pending:
        snap.crash_goroutine_pending = False
        if g.state == "running" and snap.crash is not None:
            snap.crash = replace(snap.crash, goroutine=g.id)
    snap.goroutines.append(g)
