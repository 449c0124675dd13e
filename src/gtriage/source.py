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

import io
import os
import sys

from .contexts import contextmanager, suppress
from .errors import input_error, os_reason, size_text
from .heap import BIG_INPUT, keep_freed_memory
from .lazy_re import lazy
from .record import dataclass

# gzip and the HTTP client are imported by the inputs that need them: a plain file starts
# faster without them.
TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    import gzip
    from collections.abc import Callable, Iterable, Iterator
    from typing import BinaryIO

    from .http_fetch import Deadline
    from .progress import Progress

DEFAULT_TIMEOUT = 30.0  # seconds for the whole fetch of a URL
# A goroutine dump of a million goroutines is a few GiB of text: more than this (read, or
# decompressed from gzip) is refused rather than read for minutes (--max-size).
DEFAULT_MAX_BYTES = 4 << 30
# Sources of a fleet read at once: network-bound fetches, parsed in turn under the GIL.
DEFAULT_CONCURRENCY = 8

_GZIP_MAGIC = b"\x1f\x8b"
_BUFFER = 1 << 20


@dataclass(frozen=True, slots=True)
class SourceInfo:
    name: str  # as the user gave it: path, URL or "-"
    size: int | None  # bytes, when known in advance (files, Content-Length)
    # When the dump was taken as far as the source tells (seconds since the epoch), and what
    # tells: "file modification time", "HTTP Date", "time fetched"; None for stdin.
    taken_at: float | None = None
    clock: str | None = None


# Set when Ctrl-C ended the read of stdin: a signal is the process's, and so is this.
_stopped: list[int] = []  # the bytes read by then


def stdin_stopped() -> bool:
    """Whether Ctrl-C ended the read of stdin since this was last asked."""
    stopped = bool(_stopped)
    _stopped.clear()
    return stopped


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
        self._pending = b""  # sniffed ahead by head()

    def readable(self) -> bool:
        return True

    def head(self, n: int) -> bytes:
        """The first `n` bytes (fewer at EOF), read ahead and kept: one read of a slow
        source may bring a single byte."""
        while len(self._pending) < n:
            data = self._read(n - len(self._pending))
            if not data:
                break
            self._pending += data
        return self._pending[:n]

    def readinto(self, b: memoryview | bytearray) -> int:  # type: ignore[override]
        if self._pending:
            data, self._pending = self._pending[: len(b)], self._pending[len(b) :]
        else:
            data = self._read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        if self.count >= BIG_INPUT and n:
            keep_freed_memory()
        if self.limit is not None and self.count > self.limit:
            raise input_error(self.name, f"more than {size_text(self.limit)}{self.what}: over the size limit (--max-size)")
        return n

    def _read(self, size: int) -> bytes:
        raise NotImplementedError


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
        size: int | None = None,
        expected: int | None = None,
        deadline: Deadline | None = None,
        stoppable: bool = False,
    ) -> None:
        super().__init__(name, limit)
        self._raw = read
        self._stoppable = stoppable
        self._ended = False
        self._progress = progress
        self._catch = catch
        self._size = size  # what the progress bar counts towards, when known
        self._expected = expected  # Content-Length
        self._deadline = deadline
        self.received = 0

    def _read(self, size: int) -> bytes:
        deadline = self._deadline
        if self._ended:
            return b""
        try:
            data = self._raw(size)
        except KeyboardInterrupt:
            if not self._stoppable:
                raise
            # Ctrl-C while stdin stays open (`kubectl logs -f | gtriage` never ends) is its
            # end: what came is reported, and says so (reading.read_dump). Ctrl-C later, while
            # that is parsed, interrupts as ever.
            self._ended = True
            _stopped.append(self.received)
            return b""
        except self._catch as e:
            if deadline is None:
                raise input_error(self.name, f"read failed: {os_reason(e)}") from e
            from .http_fetch import net_reason

            raise input_error(self.name, net_reason(e, deadline, self.received)) from e
        if deadline is not None:
            if deadline.passed:
                raise input_error(self.name, deadline.message())
            if not data and size and self._expected is not None and self.received < self._expected:
                # http.client takes a short body for the whole of it; the dump would then
                # look cut off by the runtime, and be blamed on debug=2's 64 MiB cap.
                raise input_error(
                    self.name, f"connection closed after {self.received} of {self._expected} bytes"
                )
        self.received += len(data)
        if self._progress is not None and data:
            self._progress(self.received, self._size)
        return data


class _Gunzip(_Stage):
    """Decompressed gzip data; its errors say the data is not valid gzip."""

    what = " decompressed"

    def __init__(self, name: str, gz: gzip.GzipFile, limit: int | None) -> None:
        super().__init__(name, limit)
        self._gz = gz

    def _read(self, size: int) -> bytes:
        import gzip
        import zlib

        try:
            return self._gz.read(size)
        except (gzip.BadGzipFile, zlib.error) as e:
            raise input_error(self.name, f"not a valid gzip file: {e}") from e
        except EOFError as e:
            raise input_error(self.name, "gzip data ends early") from e


def _file_url_path(spec: str) -> str:
    import urllib.parse
    import urllib.request

    parts = urllib.parse.urlsplit(spec)
    if parts.netloc not in ("", "localhost"):
        raise input_error(spec, f"a file URL on another host ({parts.netloc}) cannot be read")
    path = urllib.request.url2pathname(parts.path)
    if not path:
        raise input_error(spec, "a file URL needs a path")
    return path


def _open_file(spec: str, path: str) -> tuple[io.FileIO, int | None]:
    try:
        f = open(path, "rb", buffering=0)  # noqa: SIM115 - closed by open_lines
    except FileNotFoundError as e:
        if path == spec and _HOST_PORT.fullmatch(spec):
            raise input_error(spec, f"not a file; did you mean http://{spec}?") from e
        raise input_error(spec, os_reason(e)) from e
    except OSError as e:
        raise input_error(spec, os_reason(e)) from e
    if os.path.isdir(path):
        f.close()
        raise input_error(spec, "is a directory")
    try:
        size: int | None = os.fstat(f.fileno()).st_size
    except OSError:
        size = None
    return f, size


def _http_date(value: str | None) -> tuple[float, str]:
    """When the server says it answered (its Date header), else now: a profile is taken while
    the request is served."""
    if value:
        from email.utils import parsedate_to_datetime

        with suppress(TypeError, ValueError, IndexError, OverflowError):
            return parsedate_to_datetime(value).timestamp(), "HTTP Date"
    import time

    return time.time(), "time fetched"


def _read_file(f: io.FileIO) -> Callable[[int], bytes]:
    def read(n: int) -> bytes:
        return f.read(n) or b""  # one system call; None only for non-blocking files

    return read


_SCHEME = lazy(r"([A-Za-z][A-Za-z0-9+.-]*)://")
# host:port[/path] or [v6]:port[/path]: what `curl host:6060/...` accepts without a scheme.
_HOST_PORT = lazy(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\]):\d{1,5}(?:[/?].*)?")



@dataclass(frozen=True, slots=True)
class BinaryProfile:
    """An input that is pprof's binary profile (after gunzip), read whole: pprof_profile.py
    reads it."""

    data: bytes


@contextmanager
def open_lines(
    spec: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    stdin: BinaryIO | None = None,
    member: tuple[str, float | None] | None = None,
) -> Iterator[tuple[SourceInfo, Iterable[str]]]:
    """open_input for a reader of text only: a binary profile is a SourceError."""
    with open_input(spec, timeout=timeout, max_bytes=max_bytes, progress=progress, stdin=stdin, member=member) as (
        info,
        content,
    ):
        if isinstance(content, BinaryProfile):
            raise input_error(info.name, "a binary pprof profile, where text is read")
        yield info, content


@contextmanager
def open_input(
    spec: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    stdin: BinaryIO | None = None,
    member: tuple[str, float | None] | None = None,
) -> Iterator[tuple[SourceInfo, Iterable[str] | BinaryProfile]]:
    """Open `spec` ("-" for stdin) and yield its info and its text lines, or its bytes when
    it is pprof's binary profile (profile_sniff.looks_like_profile).

    `member`: `stdin` is a member of an archive, with this name and modification time.

    `timeout` bounds the whole fetch of a URL; `max_bytes` bounds what is read and what
    gzip decompresses to. Read errors, also those met while the caller iterates, are
    SourceError.
    """
    if not (timeout > 0):  # also NaN
        raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
    size: int | None = None
    taken_at: float | None = None
    clock: str | None = None
    closers: list[Callable[[], None]] = []
    try:
        scheme = m.group(1).lower() if (m := _SCHEME.match(spec)) else None
        if member is not None and stdin is not None:
            spec, taken_at = member
            clock = "file modification time" if taken_at is not None else None
            transport = _Transport(spec, getattr(stdin, "read1", stdin.read), max_bytes, progress)
        elif spec == "-":
            raw = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
            if raw is None:
                raise input_error(spec, "stdin is closed")
            transport = _Transport(spec, getattr(raw, "read1", raw.read), max_bytes, progress, stoppable=True)
        elif scheme in ("http", "https"):
            import http.client

            from .http_fetch import fetch

            resp, deadline = fetch(spec, timeout, max_bytes)
            closers += [resp.close, deadline.cancel]
            size = resp.length
            taken_at, clock = _http_date(resp.headers.get("Date"))
            transport = _Transport(
                spec,
                resp.read1,
                max_bytes,
                progress,
                catch=(OSError, ValueError, http.client.HTTPException),
                size=size,
                expected=resp.length,
                deadline=deadline,
            )
        elif scheme is not None and scheme != "file":
            raise input_error(spec, f"cannot read {scheme}:// URLs (http://, https:// and file:// are read)")
        else:
            f, size = _open_file(spec, _file_url_path(spec) if scheme == "file" else spec)
            closers.append(f.close)
            with suppress(OSError):
                taken_at, clock = os.fstat(f.fileno()).st_mtime, "file modification time"
            transport = _Transport(spec, _read_file(f), max_bytes, progress, size=size)
        stream: io.BufferedReader[_Stage] = io.BufferedReader(transport, _BUFFER)
        stage: _Stage = transport
        if transport.head(2) == _GZIP_MAGIC:
            import gzip

            gz = gzip.GzipFile(fileobj=stream, mode="rb")
            stage = _Gunzip(spec, gz, max_bytes)
            stream = io.BufferedReader(stage, _BUFFER)
        info = SourceInfo(spec, size, taken_at, clock)
        from .profile_sniff import MAX_PROFILE_BYTES, PROBE, looks_like_profile

        if looks_like_profile(stage.head(PROBE)):
            # Read whole (the decoder needs it so), within --max-size and one byte past the
            # profile's own bound, so that pprof_profile.py can say it is too big.
            yield info, BinaryProfile(stream.read(MAX_PROFILE_BYTES + 1))
            return
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=None)
        # The lines are the wrapper itself, no per-line generator in between (speed): read
        # errors are raised as SourceError by the stages inside it.
        yield info, text
    finally:
        for close in reversed(closers):
            with suppress(Exception):
                close()
