"""Where a big dump file may be cut for parallel parsing, and reading one byte range of it.

A cut is a goroutine header right after a blank line ("\\n\\ngoroutine 17 ["): the line
reader starts a goroutine section at every such line, whatever was open (a blank line
closes every section but a preamble and a race report, and a header closes those too).
Whether the text on both sides then reads as it would in one pass is checked after
parsing (chunk_reader.py, parallel.py), not assumed.
"""

from __future__ import annotations

import io

from .regex_cache import compiled

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable

# A header after a blank line; the digits keep "goroutine profile:" and prose out.
_CUT = compiled(rb"\n\ngoroutine [0-9]+ ")
# The first header at the file's start, else after a line break. Two patterns: one that
# starts with a literal is searched for fast, where "(?:^|\n)" was tried at every byte
# (14.5 ms over the 1 MiB head of a kubectl log, whose lines all start with a time).
_HEADER_AT_START = compiled(rb"goroutine ([0-9]{1,20}) ")
_FIRST_HEADER = compiled(rb"\ngoroutine ([0-9]{1,20}) ")
WINDOW = 1 << 20  # bytes looked at from each target offset for a cut
# The first look: a goroutine is a few KiB, so a cut is nearly always this close (reading
# 1 MiB a cut cost the 10k bench dump's 14 cuts ~1.5 ms before the fork).
FIRST_LOOK = 64 << 10
MAX_LOOK = 64 << 20  # past this without a cut there is no goroutine near: fewer chunks


def plan_cuts(f: io.BufferedReader, size: int, targets: list[int]) -> list[int]:
    """Offsets (ascending, each the start of a header line) that cut the file at the first
    such line at or past each of `targets` (ascending); fewer where cuts are far apart or
    absent."""
    cuts: list[int] = []
    for t in targets:
        target = max(t, cuts[-1] if cuts else 0)
        cut = _cut_after(f, target, size)
        if cut is not None and (not cuts or cut > cuts[-1]) and cut < size:
            cuts.append(cut)
    return cuts


def _cut_after(f: io.BufferedReader, offset: int, size: int) -> int | None:
    pos = offset
    n = min(FIRST_LOOK, WINDOW)
    while pos < size and pos - offset < MAX_LOOK:
        f.seek(pos)
        window = f.read(n + 16)  # a match may straddle the window's end
        m = _CUT.search(window)
        if m is not None:
            return pos + m.start() + 2
        pos += n
        n = WINDOW
    return None


def first_header_id(head: bytes) -> int | None:
    """The id of the first goroutine header in the file's first bytes: the dump's first id,
    which a repeated header compares with (line_reader.LineReader.first_id)."""
    m = _HEADER_AT_START.match(head) or _FIRST_HEADER.search(head)
    return int(m.group(1)) if m is not None else None


class _Range(io.RawIOBase):
    """Bytes start..end of a file, counted for a progress report."""

    def __init__(self, f: io.FileIO, start: int, end: int, on_read: Callable[[int], None] | None) -> None:
        super().__init__()
        f.seek(start)
        self._f = f
        self._left = end - start
        self._on_read = on_read

    def readable(self) -> bool:
        return True

    def readinto(self, b: memoryview | bytearray) -> int:  # type: ignore[override]
        n = min(len(b), self._left)
        if n <= 0:
            return 0
        data = self._f.read(n) or b""
        b[: len(data)] = data
        self._left -= len(data)
        if self._on_read is not None:
            self._on_read(len(data))
        return len(data)

    def close(self) -> None:
        self._f.close()
        super().close()


def open_range(path: str, start: int, end: int, on_read: Callable[[int], None] | None = None) -> io.TextIOWrapper:
    """Text of bytes start..end of `path`, decoded as source.open_lines decodes a file
    (UTF-8, U+FFFD for what is not, universal newlines). Cuts fall after a line break and
    before ASCII, so no character is split."""
    raw = _Range(io.FileIO(path, "rb"), start, end, on_read)
    return io.TextIOWrapper(io.BufferedReader(raw, 1 << 20), encoding="utf-8", errors="replace", newline=None)
