"""Whether a panic's traceback is the runtime's, printed as its process died, or one the
program printed itself after it recovered the panic (inferred from the stack); and the
panics a program logged with the stacks it took as it recovered them (what the log line
before each stack says: logged_panics_by_stack, logged_why).

The runtime prints "panic: <value>" and the panicking goroutine's stack only when the
panic ends the process. A program that recovers may print the same words and a stack of
its own taking: debug.Stack() (net/http middlewares, job runners), or runtime.Stack() in
the deferred function. The text cannot tell them apart; the panicking goroutine's stack
can, because it was taken inside the deferred function that recovered:
- debug.Stack (and debug.PrintStack) stand on top of it. The runtime's traceback starts
  at the panicking call instead, its own frames left out.
- Or the deferred function stands on top, right over panic(). The runtime prints that
  shape only for a panic raised in a deferred function while another one runs, and then
  it prints both panics ("panic: first" and "panic: second" under it) or marks the first
  "[recovered]".
"""

from __future__ import annotations

from .cluster import tally
from .line_kinds import LOGGED_BY_ECHO, LOGGED_BY_HTTP, LOGGED_BY_NEGRONI
from .line_kinds import logged_panic as logged_line
from .model import Crash, Frame, Goroutine, Snapshot
from .report import LoggedPanicInfo

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Sequence

# What takes a stack for a program to print: each stands above the caller's frames.
_STACK_TAKERS = frozenset({"runtime/debug.Stack"})
_PANIC = "panic"  # the frame of the panic() call: "panic({0x4c6ee0?, 0xc0000941c0?})"


def logged_panic(s: Snapshot) -> str | None:
    """Why the dump's panic traceback is the program's own print of a panic it recovered
    (an inference, said as such), or None: the runtime's, no panic, or not to be told."""
    found = _panicking(s)
    return None if found is None else _taken_by_program(found[0], found[1].stack.frames)


def printed_stack(s: Snapshot) -> frozenset[tuple[int, int]]:
    """(id, line) of the goroutine whose traceback the program printed itself after it
    recovered the panic (logged_panic); none otherwise."""
    found = _panicking(s)
    if found is None or _taken_by_program(found[0], found[1].stack.frames) is None:
        return frozenset()
    return frozenset({(found[1].id, found[1].line)})


def runtime_panic(s: Snapshot) -> bool:
    """Whether the dump's panic traceback is the runtime's, printed as its process died."""
    found = _panicking(s)
    return found is not None and _taken_by_program(found[0], found[1].stack.frames) is None


def _panicking(s: Snapshot) -> tuple[Crash, Goroutine] | None:
    """The crash and the goroutine that panicked, when the dump's crash is a panic alone (a
    fatal error or a signal is the runtime's) and the dump holds that goroutine (else not
    to be told)."""
    crash = s.crash
    if crash is None or not crash.panics or crash.fatal_error is not None or crash.signal is not None:
        return None
    g = next((g for g in s.goroutines if g.id == crash.goroutine), None)
    return None if g is None else (crash, g)


def _taken_by_program(crash: Crash, frames: tuple[Frame, ...]) -> str | None:
    if frames and frames[0].func in _STACK_TAKERS:
        return f"its stack starts at {frames[0].func}, taken after the panic was recovered"
    panics = crash.panics
    if len(frames) > 1 and frames[1].func == _PANIC and len(panics) == 1 and not panics[0].recovered and not panics[0].repanicked:
        return f"its stack starts at {frames[0].func} over panic(): taken in the function that recovered it"
    return None


# Of a log full of stacks logged with their panics ("http: panic serving ...: <value>", or a
# log call's "panic: <value>" over debug.Stack()): each such stack is one event, read as a
# goroutine of the dump the log makes. A connection's goroutine serves request after request,
# so one id may have logged several.
def logged_stacks(s: Snapshot) -> frozenset[tuple[int, int]]:
    """(goroutine id, header line) of each stack the program logged with a panic."""
    return frozenset((lp.goroutine, lp.header) for lp in s.logged_panics)


def logged_panics_by_stack(s: Snapshot, source: str | None = None) -> dict[tuple[int, int], list[LoggedPanicInfo]]:
    """The panics the program logged with a goroutine's stack, by (the goroutine's id, the
    id of the stack object it logged): the goroutine of a connection logs each request's
    panic, and each belongs with the stack logged under it, not with every stack of that
    id. Each names `source`, in a fleet."""
    wanted = {lp.goroutine for lp in s.logged_panics}
    stacks = {(g.id, g.line): id(g.stack) for g in s.goroutines if g.id in wanted}
    out: dict[tuple[int, int], list[LoggedPanicInfo]] = {}
    for lp in s.logged_panics:
        found = logged_line(lp.text)  # what the reader saw in it, read again
        stack = stacks.get((lp.goroutine, lp.header))
        if found is None or stack is None:
            continue
        by, message = found
        out.setdefault((lp.goroutine, stack), []).append(LoggedPanicInfo(lp.goroutine, lp.line, by, message, source))
    return out


SHOWN_MESSAGES = 3
_HOW = {
    LOGGED_BY_HTTP: 'net/http\'s "http: panic serving"',
    LOGGED_BY_ECHO: 'echo\'s "[PANIC RECOVER]"',
    LOGGED_BY_NEGRONI: 'negroni\'s "PANIC:"',
}
SHOWN_CHARS = 200  # of a message in `why` (JSON's logged_panics keep it whole)


def _cut(message: str) -> str:
    """The message on one line (a value of several lines, errors.Join's: each line after a
    ⏎), cut to SHOWN_CHARS."""
    one = message.replace("\n", " ⏎ ")
    return one if len(one) <= SHOWN_CHARS else one[:SHOWN_CHARS] + "…"


def logged_why(panics: Sequence[LoggedPanicInfo]) -> str:
    """'3 panics the program recovered and logged (net/http's "http: panic serving"):
    assignment to entry in nil map (3)'."""
    counts = tally(p.message for p in panics)
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])  # stable: first logged first among equals
    shown = ", ".join(f"{_cut(m)} ({n})" if len(panics) > 1 else _cut(m) for m, n in ranked[:SHOWN_MESSAGES])
    more = f", {len(ranked) - SHOWN_MESSAGES:,} other messages" if len(ranked) > SHOWN_MESSAGES else ""
    bys = sorted({p.logged_by for p in panics})
    how = " and ".join(_HOW.get(b, "its log") for b in bys)
    n = len(panics)
    return f"{n:,} panic{'s' if n != 1 else ''} the program recovered and logged ({how}): {shown}{more}"
