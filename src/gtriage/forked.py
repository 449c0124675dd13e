"""Worker processes for parallel.py, forked without multiprocessing: its imports (pickling
helpers, sockets, ctypes for a shared counter, tempfile) cost a run ~60M instructions, about
15 ms, a tenth of what two processes save on the 10k bench dump.

A worker writes length-framed messages to a pipe of its own. The queue of work is a pipe
of indices that every process reads from: a read of a pipe is atomic, so each read of
_INDEX bytes takes one index, and no lock is needed. A shared page holds the flag that
stops every process. Only where os.fork exists (not Windows): parallel.py reads with one
process elsewhere.
"""

from __future__ import annotations

import _queue
import _signal  # type: ignore[import-not-found]  # signal's C half: signal.py imports enum (~2.5 ms); no stub
import _thread
import mmap
import os
import sys
import time

from .contexts import suppress
from .record import dataclass

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable

_INDEX = 2  # bytes of an index in the queue's pipe
# Indices the queue's pipe holds at once, written before any process reads: 8 KiB, under
# the smallest pipe buffer (16 KiB on macOS; 64 KiB on Linux).
MAX_INDICES = 4096
_HEADER = 8  # bytes of a message's length
# A worker's pipe holds this much where the system lets it (Linux: F_SETPIPE_SZ, up to
# /proc/sys/fs/pipe-max-size, 1 MiB by default). A worker sends a chunk's answer at once
# (up to ~0.75 MiB on the bench dumps) and, with the 64 KiB default, waited in its send
# until the parent's next look: 0.08-0.19 s of a worker's ~2 s on the 100k dump, more
# while the TUI is imported on the parent's thread; 0.01 s with the pipe this size.
PIPE_BYTES = 1 << 20
REAP_SECONDS = 1.0  # a halted worker stops within a few sections; then it is killed


class IndexQueue:
    """Indices handed out one at a time to whichever process asks first, and the flag that
    stops every process. Made before the forks: the workers inherit both."""

    def __init__(self, order: list[int]) -> None:
        if len(order) > MAX_INDICES or max(order, default=0) >= 1 << (8 * _INDEX):
            raise ValueError(f"at most {MAX_INDICES} indices under {1 << (8 * _INDEX)}")
        self.order = order
        read, write = os.pipe()
        try:
            os.write(write, b"".join(k.to_bytes(_INDEX, "little") for k in order))
        finally:
            os.close(write)  # drained, the pipe reads as its end: none left
        self._fd = read
        self._flag = mmap.mmap(-1, 1)  # anonymous and shared: the forks see one byte

    def take(self) -> int | None:
        """The next index, or None: none left, or halted."""
        if self._flag[0]:
            return None
        got = os.read(self._fd, _INDEX)
        return int.from_bytes(got, "little") if len(got) == _INDEX else None

    def halt(self) -> None:
        self._flag[0] = 1

    def halted(self) -> bool:
        return bool(self._flag[0])

    def left(self) -> int:
        """How many indices no process took (it takes them: for the end of a run)."""
        os.set_blocking(self._fd, False)
        count = 0
        with suppress(BlockingIOError):
            while got := os.read(self._fd, 4096):
                count += len(got)
        return count // _INDEX

    def close(self) -> None:
        """Close the pipe; the flag's page stays readable (halted()) until the queue goes."""
        with suppress(OSError):
            os.close(self._fd)


@dataclass(frozen=True, slots=True)
class Worker:
    pid: int
    fd: int  # the read end of its pipe


def start(work: Callable[[int], object]) -> Worker:
    """A forked process that runs work(fd), fd the write end of its pipe, then ends with
    os._exit: no atexit handler, and nothing this process buffered is written twice."""
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()
    read, write = os.pipe()
    _widen(write)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read)
            work(write)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return Worker(pid, read)


def _widen(fd: int) -> None:
    """Let the pipe of `fd` hold PIPE_BYTES where the system allows it; else as it is."""
    import fcntl

    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if set_size is not None:
        with suppress(OSError):
            fcntl.fcntl(fd, set_size, PIPE_BYTES)


def send(fd: int, payload: bytes) -> None:
    """One message: its length, then its bytes (only its worker writes to a pipe)."""
    _write_all(fd, len(payload).to_bytes(_HEADER, "little"))
    _write_all(fd, payload)


class Sender:
    """A worker's messages written to its pipe in order by a thread of their own, so that
    the worker goes on with its next chunk meanwhile: a chunk's message is bigger than the
    pipe holds (~1.2 MiB on the 300k bench dump), and the worker used to wait in its
    write until the parent's next look had read the start (0.05 s of its ~2.4 s). The
    write releases the GIL while it waits. _thread and _queue: threading's import costs
    more than the thread."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.broken = False  # a write failed (the parent is gone): nothing more is written
        self._queue: _queue.SimpleQueue[bytes | None] = _queue.SimpleQueue()
        self._done = _thread.allocate_lock()
        self._done.acquire()
        _thread.start_new_thread(self._run, ())

    def send(self, payload: bytes) -> None:
        self._queue.put(payload)

    def close(self) -> None:
        """Wait until every message is written (or a write failed)."""
        self._queue.put(None)
        self._done.acquire()

    def _run(self) -> None:
        try:
            while (payload := self._queue.get()) is not None:
                if not self.broken:
                    try:
                        send(self.fd, payload)
                    except OSError:
                        self.broken = True
        finally:
            self._done.release()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def receive(fd: int) -> bytearray | None:
    """The next message on a worker's pipe; None at its end (the worker ended, or died)."""
    head = _read_exactly(fd, _HEADER)
    return None if head is None else _read_exactly(fd, int.from_bytes(head, "little"))


def _read_exactly(fd: int, n: int) -> bytearray | None:
    # Read into the message's own buffer: reading pieces and joining them copied every
    # message once more, on fresh pages (0.10 s of the parent's time on the 300k dump).
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = os.readv(fd, [view[got:]])
        if not k:
            return None
        got += k
    return buf


def reap(workers: list[Worker]) -> None:
    """Close the pipes and wait for every worker: one still at work after REAP_SECONDS in
    all is killed."""
    for w in workers:
        with suppress(OSError):
            os.close(w.fd)
    _wait(workers)


# Workers that sent all they had to and are ending, not waited for yet (let_end), and
# whether the wait for them at this process's exit is registered.
_ending: list[Worker] = []
_at_exit = False


def let_end(workers: list[Worker]) -> None:
    """Close the pipes of workers that have sent everything, and wait for them later
    (reap_ending), not now: a worker's end (its exit, a process of a few hundred MB torn
    down) kept the parent waiting 2-4 ms after the last message, serially, before its
    report. This process waits for them before it forks again, and before it ends."""
    global _at_exit
    for w in workers:
        with suppress(OSError):
            os.close(w.fd)
    _ending.extend(w for w in workers if not _ended(w.pid))
    if _ending and not _at_exit:
        import atexit  # only a run that read in parallel: a process that does not end by os._exit

        atexit.register(reap_ending)
        _at_exit = True


def reap_ending() -> None:
    """Wait for the workers let_end left (each ends within milliseconds of its last message)."""
    ending = _ending[:]
    _ending.clear()
    _wait(ending)


def _wait(workers: list[Worker]) -> None:
    deadline = time.monotonic() + REAP_SECONDS
    for w in workers:
        while not _ended(w.pid):
            if time.monotonic() > deadline:
                with suppress(OSError):
                    os.kill(w.pid, _signal.SIGKILL)
                with suppress(ChildProcessError):
                    os.waitpid(w.pid, 0)
                break
            time.sleep(0.002)


def _ended(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG)[0] != 0
    except ChildProcessError:
        return True  # already waited for
