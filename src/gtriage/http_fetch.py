"""Fetching a URL within one deadline for the whole fetch, however slowly the server sends,
and saying in the user's words what went wrong. Imported only when an input is a URL."""

from __future__ import annotations

import threading
import time

from .contexts import suppress
from .errors import input_error, os_reason, quote, size_text

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    import http.client
    import socket
    import urllib.request


def text_profile_url(url: str) -> str:
    """The goroutine endpoint without ?debug= serves a gzipped protobuf; ask for the text
    traceback (debug=2), which holds the most. Any explicit debug= is left alone."""
    return profile_url(url, 2)


def profile_url(url: str, debug: int) -> str:
    """`url` with ?debug=`debug` when it is the goroutine endpoint without a debug= of its
    own (`--debug0` asks for the binary profile this way)."""
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    if not parts.path.rstrip("/").endswith("/debug/pprof/goroutine"):
        return url
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    if "debug" in query:
        return url
    extra = f"debug={debug}"
    return urllib.parse.urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


class Deadline:
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


def net_reason(e: BaseException, deadline: Deadline | None, received: int = 0) -> str:
    """What went wrong with a fetch, in the user's words; `received`: the body bytes so far."""
    import http.client
    import urllib.error

    if deadline is not None and deadline.passed:
        return deadline.message()
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        if isinstance(e.reason, BaseException):
            return net_reason(e.reason, deadline, received)
        return str(e.reason)
    if isinstance(e, TimeoutError):
        return deadline.message() if deadline is not None else "timed out"
    if isinstance(e, http.client.RemoteDisconnected):
        return "the server closed the connection without a response"
    if isinstance(e, http.client.BadStatusLine):
        return f"not an HTTP response: the status line is {quote(str(e.args[0]) if e.args else '')}"
    if isinstance(e, http.client.UnknownProtocol):
        return f"not an HTTP/1 response: {quote(str(e.args[0]) if e.args else '')}"
    if isinstance(e, http.client.LineTooLong):
        return f"bad HTTP response: {e}"
    if isinstance(e, http.client.IncompleteRead):
        # http.client raises it for a chunk-size line that is not a number, which it
        # reports from inside the ValueError of int(line, 16); an empty line is the end
        # of the connection.
        bad = e.__context__
        if isinstance(bad, ValueError) and not str(bad).endswith("b''"):
            return f"bad chunked encoding after {received} bytes: a chunk size is not a number"
        return f"connection closed in the middle of a chunk after {received} bytes"
    if isinstance(e, http.client.InvalidURL):
        return f"invalid URL: {e}"
    if isinstance(e, http.client.HTTPException):
        return f"bad HTTP response: {e}" if str(e) else f"bad HTTP response ({type(e).__name__})"
    return os_reason(e)


def _opener(deadline: Deadline) -> urllib.request.OpenerDirector:
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


def fetch(spec: str, timeout: float, max_bytes: int | None) -> tuple[http.client.HTTPResponse, Deadline]:
    import http.client  # only URLs pay for importing http.client
    import urllib.error

    deadline = Deadline(timeout)
    try:
        resp: http.client.HTTPResponse = _opener(deadline).open(
            text_profile_url(spec), timeout=deadline.remaining()
        )
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
        deadline.cancel()
        if isinstance(e, urllib.error.HTTPError):
            e.close()
        raise input_error(spec, net_reason(e, deadline)) from e
    if max_bytes is not None and resp.length is not None and resp.length > max_bytes:
        resp.close()
        deadline.cancel()
        raise input_error(
            spec, f"{size_text(resp.length)} to download, over the size limit of {size_text(max_bytes)} (--max-size)"
        )
    return resp, deadline
