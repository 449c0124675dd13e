"""Where a dump comes from: a file (plain or gzip), stdin, or an http(s) URL.

Everything becomes a stream of text lines, read as it arrives: nothing holds the whole
input. Bytes that are not UTF-8 become U+FFFD; the parser never sees bytes.
"""

from __future__ import annotations

import gzip
import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

DEFAULT_TIMEOUT = 30.0  # seconds, per network operation
DEFAULT_MAX_BYTES = 4 << 30  # a dump larger than 4 GiB from a URL is refused


class SourceError(Exception):
    """The input could not be read; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class SourceInfo:
    name: str  # as the user gave it: path, URL or "-"
    size: int | None  # bytes, when known in advance (files, Content-Length)


Progress = Callable[[int], None]


class _Counting(io.RawIOBase):
    """Counts bytes read (for progress) and enforces a size limit."""

    def __init__(self, raw: BinaryIO, limit: int | None, progress: Progress | None, name: str) -> None:
        self._raw = raw
        self._limit = limit
        self._progress = progress
        self._name = name
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: memoryview | bytearray) -> int:  # type: ignore[override]
        try:
            data = self._raw.read(len(b))
        except (OSError, EOFError, gzip.BadGzipFile) as e:
            raise SourceError(f"{self._name}: read failed: {_reason(e)}") from e
        n = len(data)
        b[:n] = data
        self.count += n
        if self._limit is not None and self.count > self._limit:
            raise SourceError(f"{self._name}: larger than the limit of {self._limit} bytes")
        if self._progress is not None and n:
            self._progress(self.count)
        return n


def _reason(e: BaseException) -> str:
    import urllib.error

    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return str(e.reason)
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e) or type(e).__name__


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def text_profile_url(url: str) -> str:
    """The goroutine endpoint without ?debug= serves a gzipped protobuf; ask for the text
    traceback (debug=2) that gtriage reads. Any explicit debug= is left alone."""
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    if not parts.path.rstrip("/").endswith("/debug/pprof/goroutine"):
        return url
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    if "debug" in query:
        return url
    extra = "debug=2"
    return urllib.parse.urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


@contextmanager
def open_lines(
    spec: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[tuple[SourceInfo, Iterable[str]]]:
    """Open `spec` ("-" for stdin) and yield its info and its text lines."""
    raw: BinaryIO
    size: int | None = None
    closer: Callable[[], None] | None = None
    if spec == "-":
        raw = stdin if stdin is not None else sys.stdin.buffer
    elif is_url(spec):
        import urllib.error  # only URLs pay for importing http.client
        import urllib.request

        try:
            resp = urllib.request.urlopen(text_profile_url(spec), timeout=timeout)
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise SourceError(f"{spec}: {_reason(e)}") from e
        length = resp.headers.get("Content-Length")
        size = int(length) if length and length.isdigit() else None
        raw, closer = resp, resp.close
    else:
        try:
            f = open(spec, "rb")  # noqa: SIM115 - closed below
        except OSError as e:
            raise SourceError(f"{spec}: {_reason(e)}") from e
        if os.path.isdir(spec):
            f.close()
            raise SourceError(f"{spec}: is a directory")
        try:
            size = os.fstat(f.fileno()).st_size
        except OSError:
            size = None
        raw, closer = f, f.close
    try:
        buffered = io.BufferedReader(_Counting(raw, max_bytes, progress, spec), 1 << 20)
        head = buffered.peek(2)[:2]
        stream: BinaryIO = buffered
        if head == b"\x1f\x8b":
            stream = gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[assignment]
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=None)
        # The lines are the wrapper itself, no per-line generator in between: read errors
        # surface in the caller's `with` body and become SourceError here.
        try:
            yield SourceInfo(spec, size), text
        except gzip.BadGzipFile as e:
            raise SourceError(f"{spec}: not a valid gzip file: {e}") from e
        except EOFError as e:
            raise SourceError(f"{spec}: gzip data ends early") from e
        except OSError as e:
            raise SourceError(f"{spec}: read failed: {_reason(e)}") from e
    finally:
        if closer is not None:
            closer()
