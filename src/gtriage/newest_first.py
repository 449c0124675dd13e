"""A dump whose lines come newest first, put back in the order the runtime wrote them.

Log viewers list a log newest first (Grafana Explore, Kibana, Datadog; `journalctl -r`;
`logcli query`, backward by default), and a dump copied out of one reads bottom up: each
goroutine's first call above its header, its creator's location at the top. The runtime's
own order tells: a goroutine header is followed by its first call. Bottom up the header
stands under that call, over a blank line, a location or nothing (and a ?debug=1 title
under its first record, a race warning over its opening fence). A stream whose headers
read so, and none the runtime's way, is turned over whole; the report names the carrier
and says the order is inferred. Only a stream small enough to hold (a paste, not a
service's day of log) is turned: a longer one is read as it comes.
"""

from __future__ import annotations

from itertools import chain

from .line_kinds import PROFILE_START, RACE_FENCE, RACE_WARNING, is_header
from .streams import CarrierStats, LineMap, Stream

TURNED = "lines newest first (put in order, inferred)"
MAX_TURNED = 4 << 20  # characters of a stream held to be turned over
HEADERS_LOOKED_AT = 64  # a dump's order shows at its first headers
_WARNING = RACE_WARNING + "\n"


def _header_starts(text: str) -> list[int]:
    """Where the first HEADERS_LOOKED_AT lines that start with "goroutine " start."""
    out: list[int] = [0] if text.startswith("goroutine ") else []
    at = 0
    while len(out) < HEADERS_LOOKED_AT:
        at = text.find("\ngoroutine ", at) + 1
        if at <= 0:
            break
        out.append(at)
    return out


def _line_before(text: str, start: int) -> str:
    """The line before the one that starts at `start` ("" for the first line)."""
    if start <= 0:
        return ""
    return text[text.rfind("\n", 0, start - 1) + 1 : start - 1]


def bottom_up(text: str) -> bool:
    """Whether the goroutine headers of `text` stand under their first call (and over a
    blank line, a location or the end), and none over its first call. So too a ?debug=1
    profile's title last, under its first record, and a race report's warning over the
    fence that opens it."""
    down = up = 0
    for start in _header_starts(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = text[start:end]
        after = text[end + 1 : end + 2]
        before = _line_before(text, start)
        if line.startswith(PROFILE_START):
            # The runtime's order: the title, then its first record ("200 @ 0x..").
            down += after.isdigit()
            up += not after and before[:1].isdigit()
        elif is_header(line) and line.endswith(":"):
            if after and after not in "\n\t ":
                down += 1  # the runtime's order: the header, then its first call
            elif before[:1] not in ("", " ", "\t") and before.endswith(")"):
                # Bottom up, the call has its location above it (a header and its call
                # that only swapped places have a blank line or a crash's line there).
                up += _line_before(text, start - len(before) - 1)[:1] in ("\t", " ")
    at = text.find(_WARNING)
    for _ in range(HEADERS_LOOKED_AT):
        if at < 0:
            break
        after = text[at + len(_WARNING) : at + len(_WARNING) + len(RACE_FENCE)]
        up += after == RACE_FENCE
        down += after[:1].isalpha()  # "Write at 0x.. by goroutine 7:"
        at = text.find(_WARNING, at + 1)
    return up > 4 * down


def in_order(stream: Stream, stats: CarrierStats) -> Stream:
    """The stream with its lines in the runtime's order: turned over when its start reads
    bottom up and the whole of it is no longer than MAX_TURNED; else as it comes."""
    chunks = stream.chunks
    first = next(chunks, None)
    if first is None:
        return Stream(stream.name, iter(()), stream.line_map)
    if not bottom_up(first):
        return Stream(stream.name, chain((first,), chunks), stream.line_map)
    held, size = [first], len(first)
    while size <= MAX_TURNED:
        chunk = next(chunks, None)
        if chunk is None:
            break
        held.append(chunk)
        size += len(chunk)
    else:
        return Stream(stream.name, chain(held, chunks), stream.line_map)
    text = "".join(held)
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    n = len(lines)
    was = stream.line_map
    turned = LineMap(was.source if was is not None else "")  # read whole: the source is known
    for k in range(n, 0, -1):
        turned.same(was(k) if was is not None else k, 1)
    stats.carriers.add(TURNED)
    return Stream(stream.name, iter(("\n".join(reversed(lines)) + "\n",)), turned)
