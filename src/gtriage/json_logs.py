"""Dump text carried by JSON-lines logs: `go test -json`, docker `json-file`, `log/slog`
JSON and other structured logs. Each carrier's text is reassembled into a stream of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .streams import CHUNK, CarrierStats, LineMap, Stream

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


class JsonLogs:
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
DOCKER_HEAD = '{"log":"'
_DOCKER_STREAM = '","stream":"'
_DOCKER_TIME = '","time":"'


_DOCKER_SEPARATORS: dict[str, re.Pattern[str]] = {}


def _docker_separator(where: str) -> re.Pattern[str]:
    """Where one docker line of `where` ends and the next begins: the escaped line break
    that ends a log, the line's other fields, and the next line's head."""
    sep = _DOCKER_SEPARATORS.get(where)
    if sep is None:
        sep = _DOCKER_SEPARATORS[where] = re.compile(
            re.escape(f'\\n","stream":"{where}","time":"') + r'[^"\n]*"\}\n' + re.escape(DOCKER_HEAD)
        )
    return sep


def docker_chunk(text: str, lines: int) -> tuple[str, str] | None:
    """A chunk of docker json-file lines of one stream, each one whole line of output with
    only the common escapes, decoded with a few passes over the whole chunk (the line by
    line path costs ~1 us a line): the stream and the text. None when it is not so simple.

    One substitution turns every line's end and the next line's head into a line break;
    its count proves every line is such a line. (An escape other than these few, \\u003c
    say, is left in the text and sends the chunk down the line by line path; an escaped
    backslash would make "\\\\n" ambiguous.)"""
    if "\\\\" in text or not text.endswith("\n"):
        return None
    first = docker_line(text[: text.find("\n")])
    if first is None:
        return None
    where = first[1]
    body, n = _docker_separator(where).subn("\n", text)
    last = body.rfind(f'\\n","stream":"{where}","time":"')
    if n != lines - 1 or last < 0 or '"' in body[body.find('"time":"', last) + 8 : -3] or not body.endswith('"}\n'):
        return None
    body = body[len(DOCKER_HEAD) : last] + "\n"
    if "\\n" in body:
        return None  # a log holding a line break of its own: not one line each
    for escaped, plain in (("\\t", "\t"), ('\\"', '"'), ("\\/", "/")):
        if escaped in body:
            body = body.replace(escaped, plain)
    if "\\" in body:
        return None
    return where, body


def docker_line(line: str) -> tuple[str, str] | None:
    """The escaped "log" and the "stream" of a docker json-file line, or None."""
    if not line.startswith(DOCKER_HEAD) or not line.endswith('"}'):
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
