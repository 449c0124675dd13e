"""Misbehaving HTTP servers on 127.0.0.1 for the input tests: raw sockets, so a response can
be anything a broken proxy or a hostile endpoint sends."""

from __future__ import annotations

import gzip
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

Respond = Callable[[socket.socket], None]

# Zeros compress about 1000:1; gzip members may follow each other, so a bomb of any size is
# this member again and again (10 GiB of zeros in ~10 MB) without compressing anything big.
BOMB_MEMBER = gzip.compress(bytes(1 << 20), compresslevel=9)


@contextmanager
def raw_server(respond: Respond) -> Iterator[str]:
    """A server that reads each request's head and then lets `respond` write anything."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.05)  # so the accept loop sees `stop`
    stop = threading.Event()
    handlers: list[tuple[threading.Thread, socket.socket]] = []

    def handle(conn: socket.socket) -> None:
        with conn, suppress(OSError):  # the client hanging up is how most tests end
            head = b""
            while b"\r\n\r\n" not in head:
                data = conn.recv(65536)
                if not data:
                    return
                head += data
            respond(conn)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            t = threading.Thread(target=handle, args=(conn,), daemon=True)
            handlers.append((t, conn))
            t.start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        listener.close()
        # No handler outlives the server: a thread left running keeps later tests of the
        # same process from forking (parallel.py reads in one process then).
        for t, conn in handlers:
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            t.join(timeout=10)


def reply(raw: bytes) -> Respond:
    """Send `raw` and hang up."""
    return lambda conn: conn.sendall(raw)


def ok_head(*headers: str) -> bytes:
    return ("HTTP/1.1 200 OK\r\n" + "".join(f"{h}\r\n" for h in headers) + "Connection: close\r\n\r\n").encode()


def drip(head: bytes, byte: bytes = b"x", every: float = 0.05, seconds: float = 5.0) -> Respond:
    """Send `head`, then one byte every `every` seconds: never idle long enough for a
    per-read timeout."""

    def respond(conn: socket.socket) -> None:
        conn.sendall(head)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            conn.sendall(byte)
            time.sleep(every)

    return respond


def endless(head: bytes, chunk: bytes = bytes(1 << 16), seconds: float = 5.0) -> Respond:
    """Send `head`, then `chunk` again and again until the client hangs up."""

    def respond(conn: socket.socket) -> None:
        conn.sendall(head)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            conn.sendall(chunk)

    return respond


def stall(head: bytes, arrived: threading.Event | None = None, seconds: float = 5.0) -> Respond:
    """Send `head` (maybe nothing), say the request arrived, then send nothing more."""

    def respond(conn: socket.socket) -> None:
        conn.sendall(head)
        if arrived is not None:
            arrived.set()
        select.select([conn], [], [], seconds)  # until the client or the server hangs up

    return respond
