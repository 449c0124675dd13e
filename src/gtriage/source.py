"""Where a dump comes from: a file (plain or gzip), stdin, a file:// or an http(s) URL.

Everything becomes a stream of text lines, read as it arrives: nothing holds the whole
input. Bytes that are not UTF-8 become U+FFFD; the parser never sees bytes.

Every way reading can fail becomes one SourceError whose message is a single inert line
(server and dump text quoted in it has its control characters spelled out), and reading is
bounded: at most `max_bytes` arrive and, for gzip, at most `max_bytes` come out of the
decompressor; a URL is fetched within `timeout` seconds in all, however slowly the server
sends.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from .render.safe import inert_line

if TYPE_CHECKING:
    import http.client
    import socket
    import urllib.request

DEFAULT_TIMEOUT = 30.0  # seconds for the whole fetch of a URL
# A goroutine dump of a million goroutines is a few GiB of text: more than this (read, or
# decompressed from gzip) is refused rather than read for minutes (--max-size).
DEFAULT_MAX_BYTES = 4 << 30

_GZIP_MAGIC = b"\x1f\x8b"
_BUFFER = 1 << 20
_QUOTE_MAX = 60  # characters of server text quoted in a message


class SourceError(Exception):
    """The input could not be read; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class SourceInfo:
    name: str  # as the user gave it: path, URL or "-"
    size: int | None  # bytes, when known in advance (files, Content-Length)


Progress = Callable[[int], None]


def _error(spec: str, reason: str) -> SourceError:
    # The input's name and the reason may both hold text the user did not write (a URL
    # from a script, a server's status line): one inert line, whoever prints it.
    return SourceError(inert_line(f"{spec}: {reason}"))


def size_text(n: int) -> str:
    """Bytes as people write them: 4 GiB, 500 MiB, 1.5 KiB, 100 bytes."""
    for unit, name in ((1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if n >= unit:
            value = n / unit
            return f"{value:.0f} {name}" if value == int(value) else f"{value:.1f} {name}"
    return f"{n} bytes"


def _quote(text: str) -> str:
    text = text.rstrip("\r\n")
    if len(text) > _QUOTE_MAX:
        text = text[:_QUOTE_MAX] + "…"
    return f'"{inert_line(text)}"'


def _reason(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e) or type(e).__name__


class _Stage(io.RawIOBase):
    """One stage of reading: the transport, then gunzip when the data is gzip. Each counts
    what it hands on against the size limit, so neither a huge body nor a small gzip
    bomb is read or inflated without bound."""

    what = ""  # how the limit message names this stage's bytes

    def __init__(self, name: str, limit: int | None) -> None:
        super().__init__()
        self.name = name
        self.limit = limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self._read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        if self.limit is not None and self.count > self.limit:
            raise _error(self.name, f"more than {size_text(self.limit)}{self.what}: over the size limit (--max-size)")
        return n

    def _read(self, size: int) -> bytes:
        raise NotImplementedError


class _Deadline:
    """The end of a whole fetch. A per-read socket timeout never fires for a server that
    sends a byte a second, so at the deadline a timer shuts the connection's sockets down,
    which wakes a read blocked in any thread (the TUI loads in one)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self._expired = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(min(seconds, threading.TIMEOUT_MAX), self._expire)
        self._timer.daemon = True
        self._timer.start()

    @property
    def passed(self) -> bool:
        return self._expired or time.monotonic() >= self.end

    def remaining(self) -> float:
        # settimeout() overflows above TIMEOUT_MAX; 0 would mean non-blocking.
        return min(max(self.end - time.monotonic(), 0.001), threading.TIMEOUT_MAX)

    def message(self) -> str:
        return f"timed out after {self.seconds:g} s"

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.append(sock)
            expired = self._expired
        if expired:
            self._shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self._expired = True
            socks = list(self._socks)
        for sock in socks:
            self._shutdown(sock)

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        import socket as socketmod

        # The plain socket's shutdown, also for TLS: SSLSocket.shutdown would first drop
        # its TLS state under the reading thread's feet.
        with suppress(OSError):
            socketmod.socket.shutdown(sock, socketmod.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _net_reason(e: BaseException, deadline: _Deadline | None, got: int = 0) -> str:
    """What went wrong with a fetch, in the user's words; `got` is the body bytes so far."""
    import http.client
    import urllib.error

    if deadline is not None and deadline.passed:
        return deadline.message()
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        if isinstance(e.reason, BaseException):
            return _net_reason(e.reason, deadline, got)
        return str(e.reason)
    if isinstance(e, TimeoutError):
        return deadline.message() if deadline is not None else "timed out"
    if isinstance(e, http.client.RemoteDisconnected):
        return "the server closed the connection without a response"
    if isinstance(e, http.client.BadStatusLine):
        return f"not an HTTP response: the status line is {_quote(str(e.args[0]) if e.args else '')}"
    if isinstance(e, http.client.UnknownProtocol):
        return f"not an HTTP/1 response: {_quote(str(e.args[0]) if e.args else '')}"
    if isinstance(e, http.client.LineTooLong):
        return f"bad HTTP response: {e}"
    if isinstance(e, http.client.IncompleteRead):
        # http.client raises it for a chunk-size line that is not a number, which it
        # reports from inside the ValueError of int(line, 16); an empty line is the end
        # of the connection.
        bad = e.__context__
        if isinstance(bad, ValueError) and not str(bad).endswith("b''"):
            return f"bad chunked encoding after {got} bytes: a chunk size is not a number"
        return f"connection closed in the middle of a chunk after {got} bytes"
    if isinstance(e, http.client.InvalidURL):
        return f"invalid URL: {e}"
    if isinstance(e, http.client.HTTPException):
        return f"bad HTTP response: {e}" if str(e) else f"bad HTTP response ({type(e).__name__})"
    return _reason(e)


class _Transport(_Stage):
    """The bytes as they arrive from a file, stdin or a URL, at most one system call per
    read (a slow source hands on what it has, so a deadline or progress is never stuck
    behind a full buffer)."""

    def __init__(
        self,
        name: str,
        read: Callable[[int], bytes],
        limit: int | None,
        progress: Progress | None,
        *,
        catch: tuple[type[BaseException], ...] = (OSError, ValueError),
        expected: int | None = None,
        deadline: _Deadline | None = None,
    ) -> None:
        super().__init__(name, limit)
        self._raw = read
        self._progress = progress
        self._catch = catch
        self._expected = expected  # Content-Length
        self._deadline = deadline
        self._pending = b""  # sniffed ahead by head()
        self.received = 0

    def head(self, n: int) -> bytes:
        """The first `n` bytes (fewer at EOF), read ahead and kept: one read of a slow
        source may bring a single byte."""
        while len(self._pending) < n:
            data = self._receive(n)
            if not data:
                break
            self._pending += data
        return self._pending[:n]

    def _read(self, size: int) -> bytes:
        if self._pending:
            data, self._pending = self._pending[:size], self._pending[size:]
            return data
        return self._receive(size)

    def _receive(self, size: int) -> bytes:
        deadline = self._deadline
        try:
            data = self._raw(size)
        except self._catch as e:
            if deadline is None:
                raise _error(self.name, f"read failed: {_reason(e)}") from e
            raise _error(self.name, _net_reason(e, deadline, self.received)) from e
        if deadline is not None:
            if deadline.passed:
                raise _error(self.name, deadline.message())
            if not data and size and self._expected is not None and self.received < self._expected:
                # http.client takes a short body for the whole of it; the dump would then
                # look cut off by the runtime, and be blamed on debug=2's 64 MiB cap.
                raise _error(
                    self.name, f"connection closed after {self.received} of {self._expected} bytes"
                )
        self.received += len(data)
        if self._progress is not None and data:
            self._progress(self.received)
        return data


class _Gunzip(_Stage):
    """Decompressed gzip data; its errors say the data is not valid gzip."""

    what = " decompressed"

    def __init__(self, name: str, gz: gzip.GzipFile, limit: int | None) -> None:
        super().__init__(name, limit)
        self._gz = gz

    def _read(self, size: int) -> bytes:
        try:
            return self._gz.read(size)
        except (gzip.BadGzipFile, zlib.error) as e:
            raise _error(self.name, f"not a valid gzip file: {e}") from e
        except EOFError as e:
            raise _error(self.name, "gzip data ends early") from e


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
# host:port[/path] or [v6]:port[/path]: what `curl host:6060/...` accepts without a scheme.
_HOST_PORT = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\]):\d{1,5}(?:[/?].*)?")


def is_url(spec: str) -> bool:
    return spec[:8].lower().startswith(("http://", "https://"))


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


def _file_url_path(spec: str) -> str:
    import urllib.parse
    import urllib.request

    parts = urllib.parse.urlsplit(spec)
    if parts.netloc not in ("", "localhost"):
        raise _error(spec, f"a file URL on another host ({parts.netloc}) cannot be read")
    path = urllib.request.url2pathname(parts.path)
    if not path:
        raise _error(spec, "a file URL needs a path")
    return path


def _open_file(spec: str, path: str) -> tuple[io.FileIO, int | None]:
    try:
        f = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by open_lines
    except FileNotFoundError as e:
        if path == spec and _HOST_PORT.fullmatch(spec):
            raise _error(spec, f"not a file; did you mean http://{spec}?") from e
        raise _error(spec, _reason(e)) from e
    except OSError as e:
        raise _error(spec, _reason(e)) from e
    if os.path.isdir(path):
        f.close()
        raise _error(spec, "is a directory")
    try:
        size: int | None = os.fstat(f.fileno()).st_size
    except OSError:
        size = None
    return f, size


def _read_file(f: io.FileIO) -> Callable[[int], bytes]:
    def read(n: int) -> bytes:
        return f.read(n) or b""  # one system call; None only for non-blocking files

    return read


def _opener(deadline: _Deadline) -> urllib.request.OpenerDirector:
    """urllib with every connection's socket given to the deadline. No FTP, file or data
    handlers: a redirect must not leave HTTP (nor the deadline's reach)."""
    import http.client
    import urllib.request

    class Conn(http.client.HTTPConnection):
        def connect(self) -> None:
            super().connect()
            if self.sock is not None:
                deadline.watch(self.sock)

    class TLSConn(http.client.HTTPSConnection):
        def connect(self) -> None:
            super().connect()
            if self.sock is not None:
                deadline.watch(self.sock)

    class Handler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Conn, req)

    class TLSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            # No context given: HTTPSConnection makes the default one, which verifies
            # certificates and host names.
            return self.do_open(TLSConn, req)

    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        Handler(),
        TLSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _fetch(spec: str, timeout: float, max_bytes: int | None) -> tuple[http.client.HTTPResponse, _Deadline]:
    import http.client  # only URLs pay for importing http.client
    import urllib.error

    deadline = _Deadline(timeout)
    try:
        resp: http.client.HTTPResponse = _opener(deadline).open(
            text_profile_url(spec), timeout=deadline.remaining()
        )
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
        deadline.cancel()
        if isinstance(e, urllib.error.HTTPError):
            e.close()
        raise _error(spec, _net_reason(e, deadline)) from e
    if max_bytes is not None and resp.length is not None and resp.length > max_bytes:
        resp.close()
        deadline.cancel()
        raise _error(
            spec, f"{size_text(resp.length)} to download, over the size limit of {size_text(max_bytes)} (--max-size)"
        )
    return resp, deadline


@contextmanager
def open_lines(
    spec: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[tuple[SourceInfo, Iterable[str]]]:
    """Open `spec` ("-" for stdin) and yield its info and its text lines.

    `timeout` bounds the whole fetch of a URL; `max_bytes` bounds what is read and what
    gzip decompresses to. Read errors, also those met while the caller iterates, are
    SourceError.
    """
    if not (timeout > 0):  # also NaN
        raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
    size: int | None = None
    closers: list[Callable[[], None]] = []
    try:
        scheme = m.group(1).lower() if (m := _SCHEME.match(spec)) else None
        if spec == "-":
            raw = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
            if raw is None:
                raise _error(spec, "stdin is closed")
            transport = _Transport(spec, getattr(raw, "read1", raw.read), max_bytes, progress)
        elif scheme in ("http", "https"):
            import http.client

            resp, deadline = _fetch(spec, timeout, max_bytes)
            closers += [resp.close, deadline.cancel]
            size = resp.length
            transport = _Transport(
                spec,
                resp.read1,
                max_bytes,
                progress,
                catch=(OSError, ValueError, http.client.HTTPException),
                expected=resp.length,
                deadline=deadline,
            )
        elif scheme is not None and scheme != "file":
            raise _error(spec, f"cannot read {scheme}:// URLs (http://, https:// and file:// are read)")
        else:
            f, size = _open_file(spec, _file_url_path(spec) if scheme == "file" else spec)
            closers.append(f.close)
            transport = _Transport(spec, _read_file(f), max_bytes, progress)
        stream: io.BufferedReader[_Stage] = io.BufferedReader(transport, _BUFFER)
        if transport.head(2) == _GZIP_MAGIC:
            gz = gzip.GzipFile(fileobj=stream, mode="rb")
            stream = io.BufferedReader(_Gunzip(spec, gz, max_bytes), _BUFFER)
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=None)
        # The lines are the wrapper itself, no per-line generator in between (speed): read
        # errors are raised as SourceError by the stages inside it.
        yield SourceInfo(spec, size), text
    finally:
        for close in reversed(closers):
            with suppress(Exception):
                close()
