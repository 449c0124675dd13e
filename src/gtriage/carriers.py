"""Take dump text out of whatever carried it: JSON-lines logs, escaped one-line dumps, and
line prefixes learned from the runtime's own lines.

Dumps reach an on-call engineer inside `go test -json` events, docker `json-file` logs,
`log/slog` JSON lines, a pod's status JSON, kubectl / journald / hclog prefixes, markdown
quotes, chat pastes. This module turns the input into one or more *streams* of plain text
in which the dump reads as the runtime printed it, each with a map from its lines back to
the input's lines. sections.py then reads every stream the same way; it knows nothing of
carriers.

Plain text costs a few substring searches per 1 MiB chunk: a chunk is only rewritten when
it holds a carrier. Everything here is linear in the input.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

CHUNK = 1 << 20


@runtime_checkable
class Readable(Protocol):
    def read(self, size: int = -1, /) -> str: ...


class LineMap:
    """Stream line -> input line, for streams whose lines are not the input's one for one.

    Runs of stream lines: each starts at a stream line, maps it to an input line, and
    either advances with the input (step 1) or stays on that input line (step 0: a line
    that held several, such as a one-line dump). No run at all: every line is itself.
    Lookups are a bisection.
    """

    __slots__ = ("_next", "_origins", "_starts", "_steps", "_want")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._origins: list[int] = []
        self._steps: list[int] = []
        self._next = 1  # the next stream line to be mapped
        self._want = -1  # the input line that would continue the last step-1 run

    def same(self, origin: int, count: int) -> None:
        """The next `count` stream lines are input lines origin, origin + 1, ..."""
        if count <= 0:
            return
        if origin != self._want:
            self._starts.append(self._next)
            self._origins.append(origin)
            self._steps.append(1)
        self._next += count
        self._want = origin + count

    def add(self, origin: int, count: int) -> None:
        """The next `count` stream lines all come from input line `origin`."""
        if count == 1:
            self.same(origin, 1)
        elif count > 1:
            self._starts.append(self._next)
            self._origins.append(origin)
            self._steps.append(0)
            self._next += count
            self._want = -1

    def __call__(self, line: int) -> int:
        i = bisect.bisect_right(self._starts, line) - 1
        if i < 0:
            return line
        return self._origins[i] + self._steps[i] * (line - self._starts[i])


@dataclass(slots=True)
class Stream:
    """Plain text for sections.py, in pieces that each end at a line end (but the last)."""

    name: str
    chunks: Iterator[str]
    line_map: LineMap | None = None


@dataclass(slots=True)
class CarrierStats:
    """What the carriers saw; filled in as the input is read."""

    lines: int = 0  # input lines
    carriers: set[str] = field(default_factory=set)  # names of the carriers found


# ----------------------------------------------------------------------- JSON lines

# A string value that holds a dump (slog attributes, a pod's termination message).
_DUMP_MARKS = ("goroutine ", "panic: ", "fatal error: ", "WARNING: DATA RACE")


def _json_object(line: str) -> dict[str, Any] | None:
    if not line.startswith("{") or not line.rstrip().endswith("}"):
        return None
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


def _dump_strings(obj: Any, depth: int = 0) -> Iterator[str]:
    """String values anywhere in a JSON value that hold a line break and a dump's mark."""
    if isinstance(obj, str):
        if "\n" in obj and any(m in obj for m in _DUMP_MARKS):
            yield obj
    elif depth < 8 and isinstance(obj, dict):
        for v in obj.values():
            yield from _dump_strings(v, depth + 1)
    elif depth < 8 and isinstance(obj, list):
        for v in obj:
            yield from _dump_strings(v, depth + 1)


@dataclass(slots=True)
class _Buffered:
    """A reassembled carrier stream: text pieces and where their lines came from."""

    name: str
    pieces: list[str] = field(default_factory=list)
    line_map: LineMap = field(default_factory=LineMap)
    at_line_start: bool = True

    def add(self, text: str, origin: int) -> None:
        if not text:
            return
        if self.at_line_start and text.find("\n") == len(text) - 1:
            self.line_map.same(origin, 1)  # one whole line: the common case
            self.pieces.append(text)
            return
        # Lines that start inside this piece map to its input line; a piece without a final
        # newline (docker splits lines over 16 KiB, test2json long lines) continues the line.
        starts = self.at_line_start + text.count("\n") - text.endswith("\n")
        self.line_map.add(origin, starts)
        self.pieces.append(text)
        self.at_line_start = text.endswith("\n")

    def stream(self) -> Stream:
        return Stream(self.name, iter(_joined(self.pieces)), self.line_map)


def _joined(pieces: list[str]) -> Iterator[str]:
    """The pieces in CHUNK-sized texts (sections.py reads them as one stream)."""
    buf: list[str] = []
    size = 0
    for p in pieces:
        buf.append(p)
        size += len(p)
        if size >= CHUNK:
            yield "".join(buf)
            buf, size = [], 0
    if buf:
        yield "".join(buf)


class _JsonLines:
    """Routes JSON log lines to the stream they carry.

    - `go test -json` (test2json): every "Output" of one package is that test binary's
      output in order; packages run side by side interleave their events.
    - docker `json-file`: every "log" of one "stream" (stdout, stderr) in order.
    - anything else (log/slog JSON, structured logs): each string value holding a dump is a
      document of its own.
    """

    def __init__(self) -> None:
        self.streams: dict[tuple[str, ...], _Buffered] = {}

    def _stream(self, key: tuple[str, ...], name: str) -> _Buffered:
        s = self.streams.get(key)
        if s is None:
            s = self.streams[key] = _Buffered(name)
        return s

    def docker(self, log: str, where: str, n: int, stats: CarrierStats) -> None:
        """A docker json-file line's "log" (still escaped) and "stream"."""
        if "\\" in log:
            if "\\u" in log or "\\\\" in log:
                log = json.loads('"' + log + '"')
            else:
                log = log.replace("\\n", "\n")
                if "\\" in log:
                    log = log.replace("\\t", "\t").replace('\\"', '"').replace("\\r", "\r").replace("\\/", "/")
                    if "\\" in log:
                        log = json.loads('"' + log.replace("\n", "\\n").replace("\t", "\\t") + '"')
        stream = self.streams.get(("docker", where))
        if stream is None:
            stats.carriers.add("docker json-file")
            stream = self._stream(("docker", where), f"docker {where}")
        stream.add(log, n)

    def docker_lines(self, text: str, where: str, first: int, count: int, stats: CarrierStats) -> None:
        """`count` decoded docker lines of one stream, input lines first, first + 1, ..."""
        stream = self.streams.get(("docker", where))
        if stream is None:
            stats.carriers.add("docker json-file")
            stream = self._stream(("docker", where), f"docker {where}")
        if not stream.at_line_start:
            for i, line in enumerate(text.splitlines(keepends=True)):
                stream.add(line, first + i)
            return
        stream.line_map.same(first, count)
        stream.pieces.append(text)

    def take(self, line: str, n: int, stats: CarrierStats) -> bool:
        """Whether the line was a JSON object (its dump text, if any, is kept)."""
        obj = _json_object(line)
        if obj is None:
            return False
        if "Action" in obj and isinstance(obj.get("Output"), str):
            pkg = obj.get("Package")
            name = f"go test -json {pkg}" if isinstance(pkg, str) and pkg else "go test -json"
            stats.carriers.add("go test -json")
            self._stream(("gotest", str(pkg)), name).add(obj["Output"], n)
        elif isinstance(obj.get("log"), str) and "Action" not in obj:
            where = obj.get("stream")
            stats.carriers.add("docker json-file")
            self._stream(("docker", str(where)), f"docker {where}").add(obj["log"], n)
        else:
            for text in _dump_strings(obj):
                stats.carriers.add("JSON log")
                self.document(text, n, f"JSON line {n}")
        return True

    def document(self, text: str, n: int, name: str) -> None:
        """A whole text held by input line n: a stream of its own."""
        self._stream(("doc", str(len(self.streams))), name).add(text, n)


# docker json-file, as dockerd writes every line (Go's encoding, keys in this order):
# '{"log":"...","stream":"stderr","time":"..."}'. Read with string operations, without
# building a dict (a regex over the escaped text cost 7 us a line); a quote inside "log" is
# escaped, so the last '","stream":"' ends it.
_DOCKER_HEAD = '{"log":"'
_DOCKER_STREAM = '","stream":"'
_DOCKER_TIME = '","time":"'


_DOCKER_TAIL = re.compile(r'","stream":"([a-z]+)","time":"[^"\\\n]*"\}\n')


def _docker_chunk(text: str, lines: int) -> tuple[str, str] | None:
    """A chunk of docker json-file lines of one stream, each one whole line of output with
    only the common escapes, decoded with a few passes over the whole chunk (the line by
    line path costs ~1 us a line): the stream and the text. None when it is not so simple."""
    if text.count(_DOCKER_HEAD) != lines or "\\\\" in text or "\\u" in text or text.count('\\n","stream"') != lines:
        return None
    m = _DOCKER_TAIL.search(text)
    if m is None:
        return None
    where = m.group(1)
    if text.count(f'","stream":"{where}","time":"') != lines:
        return None
    tail = re.compile(re.escape(f'","stream":"{where}","time":"') + r'[^"\n]*"\}\n')
    body = tail.sub("", text).replace(_DOCKER_HEAD, "")
    if body.count("\\n") != lines:
        return None  # a log holding a line break of its own: not one line each
    body = body.replace("\\n", "\n").replace("\\t", "\t")
    for escaped, plain in (('\\"', '"'), ("\\/", "/")):
        if escaped in body:
            body = body.replace(escaped, plain)
    if "\\" in body or "\n" + "{" in body:
        return None
    return where, body


def _docker_line(line: str) -> tuple[str, str] | None:
    """The escaped "log" and the "stream" of a docker json-file line, or None."""
    if not line.startswith(_DOCKER_HEAD) or not line.endswith('"}'):
        return None
    j = line.rfind(_DOCKER_STREAM)
    if j < 8:
        return None
    k = line.find(_DOCKER_TIME, j)
    if k < 0 or '"' in line[k + 10 : -2]:
        return None
    where = line[j + 12 : k]
    if not where.isalpha():
        return None
    return line[8:j], where


# ----------------------------------------------------------------------- one-line dumps

# A dump inside one line, newlines escaped: "goroutine 1 [running]:\nmain.main()\n\t...".
_ESCAPED_DUMP = re.compile(r"goroutine [0-9]+ (?:gp=0x[0-9a-f]+ m=[0-9a-z]+ (?:mp=0x[0-9a-f]+ )?)?\[[^\]\n]*\]:\\n|\\n\\t[^\n]*\.go:[0-9]+")
# A Go- or JSON-quoted string literal.
_QUOTED = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", '"': '"', "'": "'", "/": "/"}


def _unescape_one(m: re.Match[str]) -> str:
    s = m.group()[1:]
    c = s[0]
    if c in "xuU" and len(s) > 1:
        code = int(s[1:], 16)
        # A surrogate or an out-of-range code point is shown, not decoded (it is no text).
        return chr(code) if code < 0x110000 and not 0xD800 <= code < 0xE000 else "\ufffd"
    if c in "01234567" and len(s) == 3:
        return chr(int(s, 8))
    return _SIMPLE_ESCAPES.get(c, s)


def unescape(text: str) -> str:
    """The text of a Go (`%q`, strconv.Quote) or JSON string literal's inside."""
    return _ESCAPE.sub(_unescape_one, text)


def _one_line_dump(line: str) -> str | None:
    """The dump text a line holds escaped, or None. Inside a quoted literal (a log line's
    `stack="..."`, a pod's `"message": "..."`), the literal; otherwise the whole line."""
    m = _ESCAPED_DUMP.search(line)
    if m is None:
        return None
    for q in _QUOTED.finditer(line):
        if q.start() < m.start() < q.end():
            return unescape(q.group(1))
    return unescape(line)


# ----------------------------------------------------------------------- learned prefixes

# Headers not at the start of their line: "2021-05-27T10:46:33.875+0300 [DEBUG] x: goroutine 1 [".
# The lookbehinds sit after the literal so that the regex engine can search for it fast;
# "in goroutine" (creators), "by goroutine" (races) and "from goroutine" (ancestors) are
# not headers.
_HEADER_INSIDE = re.compile(
    r"goroutine (?<!\ngoroutine )(?<!in goroutine )(?<!by goroutine )(?<!from goroutine )"
    r"[0-9]+ (?:gp=0x[0-9a-f]+ m=[0-9a-z]+ (?:mp=0x[0-9a-f]+ )?)?\[[^\]\n]*\]"
)
# Other lines only the runtime prints at a line's start; a prefix before them is learned
# when the next line carries the same prefix.
_OTHER_STARTS = ("created by ", "panic: ", "fatal error: ", "WARNING: DATA RACE", "goroutine profile: total ")
MAX_SHAPES = 16  # distinct prefixes learned per stream; a prefix that varies more is no prefix
_DIGITS = re.compile(r"[.,][0-9]+|[0-9]+|\s+$")


def prefix_shape(prefix: str) -> str:
    """A regex for lines that carry a prefix like this one: the digits of timestamps, pids
    and counters vary; fractions of a second may vanish (RFC 3339 drops trailing zeros); a
    blank line may lose the prefix's trailing space."""

    def part(m: re.Match[str]) -> str:
        t = m.group()
        if t[0] in ".,":
            return r"(?:[.,][0-9]+)?"
        if t[0].isspace():
            return "(?:" + re.escape(t) + "|(?=\n)|$)"
        return "[0-9]+"

    out = []
    last = 0
    for m in _DIGITS.finditer(prefix):
        out.append(re.escape(prefix[last : m.start()]))
        out.append(part(m))
        last = m.end()
    out.append(re.escape(prefix[last:]))
    return "".join(out)


class _Prefixes:
    """The line prefixes learned so far in one stream, and stripping them."""

    def __init__(self) -> None:
        self.shapes: list[str] = []
        self.strip: re.Pattern[str] | None = None
        self._strip_after_nl: re.Pattern[str] = re.compile("$^")
        self._compiled: dict[str, re.Pattern[str]] = {}

    def _matcher(self, shape: str) -> re.Pattern[str]:
        m = self._compiled.get(shape)
        if m is None:
            m = self._compiled[shape] = re.compile(shape)
        return m

    def learn(self, shape: str) -> None:
        if shape in self.shapes or len(self.shapes) >= MAX_SHAPES:
            return
        self.shapes.append(shape)
        # Longest first: "> > " before "> ".
        alts = "|".join(sorted(self.shapes, key=len, reverse=True))
        self.strip = re.compile("^(?:" + alts + ")", re.MULTILINE)
        # Searching for "\n" then the prefix is faster than trying "^" at every position.
        self._strip_after_nl = re.compile("\n(?:" + alts + ")")

    def stripped(self, text: str) -> str:
        """The text without the learned prefixes at its lines' starts."""
        assert self.strip is not None
        return self._strip_after_nl.sub("\n", "\n" + text)[1:]

    def known(self, text: str, start: int, end: int) -> bool:
        """Whether text[start:end] is a prefix learned before."""
        if self.strip is None:
            return False
        m = self.strip.match(text, start)
        return m is not None and m.end() == end

    def carried(self, text: str, shape: str) -> bool:
        return self._matcher(shape).match(text) is not None


def _line_at(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _confirmed(text: str, start: int, end: int, shape: str, prefixes: _Prefixes) -> bool:
    """Whether the line before or after [start, end) carries the same prefix."""
    if end < len(text):
        nxt_end = text.find("\n", end + 1)
        nxt = text[end + 1 : len(text) if nxt_end < 0 else nxt_end]
        if nxt and prefixes.carried(nxt, shape):
            return True
    if start > 0:
        prev = text[text.rfind("\n", 0, start - 1) + 1 : start - 1]
        if prev and prefixes.carried(prev, shape):
            return True
    return False


def _learn_prefixes(text: str, prefixes: _Prefixes, glued: list[int]) -> None:
    """Learn the prefixes of the runtime's lines in `text`; note headers glued to the end
    of another line (their offsets go to `glued`)."""
    for m in _HEADER_INSIDE.finditer(text):
        p = m.start()
        start, end = _line_at(text, p)
        if start == p:
            continue
        if prefixes.known(text, start, p):
            continue
        prefix = text[start:p]
        if not prefix.strip():
            prefixes.learn(re.escape(prefix))  # indentation: the whole dump was indented
            continue
        shape = prefix_shape(prefix)
        if _confirmed(text, start, end, shape, prefixes):
            prefixes.learn(shape)
        else:
            # Not repeated on its neighbours: text glued to the header ("...dumping all
            # stacksgoroutine 1 [running]:"). The header starts a line of its own.
            glued.append(p)
    for mark in _OTHER_STARTS:
        i = text.find(mark)
        while i >= 0:
            start, end = _line_at(text, i)
            if start != i and text[i - 1] != "\t" and not prefixes.known(text, start, i):
                prefix = text[start:i]
                if prefix.strip() and not prefix.endswith(("in ", "by ")):
                    shape = prefix_shape(prefix)
                    if _confirmed(text, start, end, shape, prefixes):
                        prefixes.learn(shape)
            i = text.find(mark, end)


# ----------------------------------------------------------------------- the reader


def _count_lines(text: str) -> int:
    return text.count("\n") + (0 if not text or text.endswith("\n") else 1)


class _TextStream:
    """The input as text: JSON-lines go to their own streams, escaped one-line dumps are
    unfolded, glued headers unglued, learned prefixes stripped; the rest passes as it is.

    A chunk that holds none of these is passed on whole (the common case); one that does is
    rewritten line by line, and the stream's line map records where its lines came from.
    """

    def __init__(self, source: Readable, stats: CarrierStats) -> None:
        self.source = source
        self.stats = stats
        self.json = _JsonLines()
        self.prefixes = _Prefixes()
        self.line_map = LineMap()
        self.mapping = False  # whether a chunk was rewritten: from then on every chunk is mapped
        self.input_line = 1  # input line of the next chunk's first line

    def chunks(self) -> Iterator[str]:
        carry = ""
        held: list[str] = []  # chunks without a line break: one long line, joined once
        while True:
            chunk = self.source.read(CHUNK)
            if chunk and "\n" not in chunk:
                held.append(chunk)
                continue
            if held:
                chunk = "".join(held) + chunk
                held = []
            text = carry + chunk if carry else chunk
            carry = ""
            if not chunk:
                if text:
                    yield self._rewrite(text)
                return
            if "\r" in text:
                # CRLF; a "\r" at the end may belong with the next chunk's "\n".
                if text.endswith("\r"):
                    text, carry = text[:-1], "\r"
                text = text.replace("\r\n", "\n")
            # Keep the last complete line with the rest, so that every line handled has
            # its next line at hand (a prefix is confirmed by a neighbour).
            end = text.rfind("\n")
            end = text.rfind("\n", 0, end) if end > 0 else -1
            if end < 0:
                carry = text + carry
                continue
            carry = text[end + 1 :] + carry
            yield self._rewrite(text[: end + 1])

    def _rewrite(self, text: str) -> str:
        first = self.input_line
        lines_in = _count_lines(text)
        self.input_line += lines_in
        self.stats.lines = self.input_line - 1
        pieces: list[str] | None = None
        counts: list[int] = []  # stream lines each input line became
        whole = _docker_chunk(text, lines_in) if text.startswith(_DOCKER_HEAD) else None
        if whole is not None:
            self.json.docker_lines(whole[1], whole[0], first, lines_in, self.stats)
            pieces, counts, text = [], [], ""
            if not self.mapping:
                self.mapping = True
                self.line_map.same(1, first - 1)
        elif text.startswith("{") or "\n{" in text or "\\n" in text:
            carried = self._carried(text, first)
            if carried is not None:
                pieces, counts = carried
                text = "".join(pieces)
        glued: list[int] = []
        _learn_prefixes(text, self.prefixes, glued)
        if glued:
            if pieces is None:
                pieces = [line + "\n" for line in text.split("\n")]
                if text.endswith("\n"):
                    pieces.pop()
                else:
                    pieces[-1] = pieces[-1][:-1]
            pieces = _unglue(pieces, glued)
            counts = [_count_lines(p) for p in pieces]
            text = "".join(pieces)
        if pieces is not None:
            if not self.mapping:
                self.mapping = True
                self.line_map.same(1, first - 1)
            add = self.line_map.add
            for i, count in enumerate(counts):
                if count:
                    add(first + i, count)
        elif self.mapping:
            self.line_map.same(first, lines_in)
        if self.prefixes.strip is not None:
            text = self.prefixes.stripped(text)
        return text

    def _carried(self, text: str, first: int) -> tuple[list[str], list[int]] | None:
        """The chunk's lines, one piece per input line: JSON lines taken out (empty pieces),
        one-line dumps unfolded; and the stream lines each became. None when no line was
        changed."""
        lines = text.split("\n")
        if text.endswith("\n"):
            lines.pop()
        out: list[str] = []
        counts: list[int] = []
        changed = False
        stats = self.stats
        for i, line in enumerate(lines):
            if line[:1] == "{":
                d = _docker_line(line)
                if d is not None:
                    self.json.docker(d[0], d[1], first + i, stats)
                elif not self.json.take(line, first + i, stats):
                    out.append(line + "\n")
                    counts.append(1)
                    continue
                out.append("")
                counts.append(0)
                changed = True
                continue
            if "\\n" in line:
                dump = _one_line_dump(line)
                if dump is not None:
                    # A document of its own (a pod's message holds the end of a dump, cut
                    # anywhere): read apart from the lines around it.
                    stats.carriers.add("one-line dump")
                    n = first + i
                    self.json.document(dump.replace("\r\n", "\n"), n, f"one-line dump on line {n}")
                    out.append("")
                    counts.append(0)
                    changed = True
                    continue
            out.append(line + "\n")
            counts.append(1)
        if not changed:
            return None
        if not text.endswith("\n") and out and out[-1].endswith("\n"):
            out[-1] = out[-1][:-1]
        return out, counts


def _unglue(pieces: list[str], glued: list[int]) -> list[str]:
    """The pieces with a line break before each offset in `glued` (offsets into their join)."""
    out = []
    at = 0
    g = 0
    for piece in pieces:
        end = at + len(piece)
        if g < len(glued) and glued[g] < end:
            parts = []
            last = 0
            while g < len(glued) and glued[g] < end:
                parts.append(piece[last : glued[g] - at])
                last = glued[g] - at
                g += 1
            parts.append(piece[last:])
            piece = "\n".join(parts)
        out.append(piece)
        at = end
    return out


def read_streams(source: Readable, stats: CarrierStats | None = None) -> Iterator[Stream]:
    """The streams of plain dump text in `source`: the input itself (less what carriers
    held), then each stream a carrier held, in the order they first appeared."""
    st = stats if stats is not None else CarrierStats()
    text = _TextStream(source, st)
    yield Stream("-", text.chunks(), text.line_map)
    for buf in text.json.streams.values():
        yield buf.stream()


def stream_of(text: str, name: str = "-") -> Stream:
    """A stream over text that needs no carrier handling (tests)."""
    return Stream(name, iter([text]))

