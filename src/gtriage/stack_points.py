"""Where in its stack a goroutine is, as a cluster places it: the frame it waits at in the
program's own code (blocked_at), or, for a stack the program logged with a panic it
recovered, the frame that raised the panic (panicked_at)."""

from __future__ import annotations

from .frame_info import FrameInfo, FuncName, Origin

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Sequence

_PANIC_CALL = "panic"  # the frame of a panic() call: "panic({0x4c6ee0?, 0xc0000941c0?})"

# blocked_at of a goroutine printed without frames ("running on other thread").
NO_FRAME = FrameInfo("(no frames)", "", 0, Origin.UNKNOWN, None, None, FuncName("", "", "(no frames)", "", False))


def blocked_at(frames: Sequence[FrameInfo]) -> FrameInfo:
    """The topmost frame of the program's own code (or a module's); else the topmost
    non-runtime frame; else the top frame."""
    for f in frames:
        if f.is_program_code:
            return f
    for f in frames:
        if f.origin is not Origin.RUNTIME:
            return f
    return frames[0] if frames else NO_FRAME


def panicked_at(frames: Sequence[FrameInfo]) -> FrameInfo | None:
    """Where a stack taken while its goroutine panicked shows the panic raised: the first
    frame of the program's own code (or a module's) under its topmost panic() call. Such a
    stack starts in the deferred function that recovered the panic (a middleware's, a
    handler's own): its top program frame is the same for every panic it recovers."""
    for i, f in enumerate(frames):
        if f.func == _PANIC_CALL:
            return next((g for g in frames[i + 1 :] if g.is_program_code), None)
    return None
