"""What a run that prints one report leaves to its end, unfreed.

Such a run ends by os._exit once the report is out (cli.run): the memory goes back to the
system in one piece. An object left here is never freed object by object on the way
there. That matters where a big structure dies before the report is written: the
parallel read's parser memos and merge sets, and the parsed dump once its report is
built (~10 and ~8 ms on the 300k bench dump, serial, after every process has parsed).
Anywhere else (the TUI, --watch, a library call) no sink is set and leave() does nothing,
so a long run frees as it goes.
"""

from __future__ import annotations

from .contexts import contextmanager

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterator

_sink: list[object] | None = None


def leave(obj: object) -> None:
    """Keep `obj` alive to the process's end, when a sink is set (leaving_to)."""
    if _sink is not None:
        _sink.append(obj)


@contextmanager
def leaving_to(sink: list[object]) -> Iterator[None]:
    """In the block, what is left goes to `sink`, which the caller keeps to its os._exit."""
    global _sink
    before = _sink
    _sink = sink
    try:
        yield
    finally:
        _sink = before
