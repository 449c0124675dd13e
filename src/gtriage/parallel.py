"""Parse one big dump file with several processes (--jobs), into exactly the Dump one process
would read.

Where it applies: a plain local file of at least MIN_PARALLEL_BYTES. stdin and URLs
arrive as a stream, and gzip must be inflated from its start, so they are read by one
process (the caller's ordinary path); so is a file over --max-size, which that path
refuses with its own message.

How: the file is cut at goroutine headers after a blank line (file_chunks.py). This
process reads the first chunk while each worker (forked, so nothing is imported again)
reads one later chunk with its own memo (chunk_reader.py). The later chunks' goroutines
join the dump left open by the first, in file order; each distinct stack of a worker
becomes the equal stack already read, if any, as one pass would have shared it.

Exactness is checked, not assumed: a chunk that would have read otherwise in one pass (a
carrier, a second dump, a repeated id, a crash, debug=1; chunk_reader.NotClean), or ids
seen in two chunks, and the caller reads the file in one process after all. Such inputs
cost that time twice; the dumps this is for (one big SIGQUIT or debug=2 dump) never do.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from .chunk_reader import Chunk, FirstChunk, NotClean, encode_goroutines, read_first, read_later
from .file_chunks import first_header_id, plan_cuts
from .model import Dump, Goroutine, ParseIssue, Stack
from .snapshot_builder import MAX_KEPT_ISSUES, SnapshotBuilder
from .syntax import grammar_parser
from .transform import DumpTransformer

if TYPE_CHECKING:
    # multiprocessing and pickle are imported where a file is read in parallel: the CLI
    # imports this module for usable_cores() on every run, small inputs included.
    import multiprocessing.process
    from multiprocessing.connection import Connection
    from multiprocessing.context import BaseContext

    from .progress import Progress

# Below this a second process costs more than it saves: forking, a memo of its own to
# fill (every shape parsed again), sending the goroutines back. Measured in one process on
# 2 cores: the 30 MB bench dump (10k goroutines) parsed in 0.61 s with 2 processes against
# 0.73 s with one; the fixed cost is tens of milliseconds, so a few MB gain nothing.
MIN_PARALLEL_BYTES = 8 << 20
_GZIP_MAGIC = b"\x1f\x8b"
_HEAD = 1 << 20


def usable_cores() -> int:
    """The cores this process may run on (taskset, cgroup cpusets), else all of them."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def parse_file(
    spec: str, *, jobs: int, max_bytes: int | None, progress: Progress | None = None
) -> Dump | None:
    """The Dump of file `spec` read by `jobs` processes, or None when this input is not read
    in parallel (too small, not a plain file, or not exactly as one pass would read it):
    then the caller reads it the ordinary way."""
    plan = _plan(spec, jobs, max_bytes)
    if plan is None:
        return None
    size, bounds, first_id = plan
    grammar_parser(DumpTransformer)  # loaded once, before the fork: workers inherit it
    read = [0]

    def on_read(n: int) -> None:
        read[0] += n
        if progress is not None:
            # The first chunk is this process's share; the others advance alike.
            progress(min(size, read[0] * size // bounds[1]), size)

    workers = _start(_context(), spec, bounds, first_id)
    try:
        return _collect(spec, bounds, first_id, workers, on_read)
    finally:
        for proc, conn in workers:
            conn.close()
            proc.join(timeout=1)
            if proc.is_alive():
                proc.kill()
                proc.join()


def _plan(spec: str, jobs: int, max_bytes: int | None) -> tuple[int, list[int], int] | None:
    """(size, chunk bounds, the dump's first goroutine id) when `spec` is read in parallel."""
    if jobs < 2 or spec == "-" or "://" in spec:
        return None
    try:
        with open(spec, "rb") as f:
            st = os.fstat(f.fileno())
            size = st.st_size
            if not os.path.isfile(spec) or size < MIN_PARALLEL_BYTES or (max_bytes is not None and size > max_bytes):
                return None
            head = f.read(_HEAD)
            if head.startswith(_GZIP_MAGIC):
                return None
            first_id = first_header_id(head)
            if first_id is None:
                return None
            cuts = plan_cuts(f, size, jobs)
    except OSError:
        return None  # the ordinary path says what is wrong with it
    return (size, [0, *cuts, size], first_id) if cuts else None


def _context() -> BaseContext:
    # fork: the workers start with everything imported and the grammar loaded.
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _start(ctx: BaseContext, path: str, bounds: list[int], first_id: int) -> list[tuple[multiprocessing.process.BaseProcess, Connection]]:
    workers = []
    last = len(bounds) - 2
    for k in range(1, len(bounds) - 1):
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(  # type: ignore[attr-defined]
            target=_work,
            args=(path, bounds[k], bounds[k + 1], first_id, k == last, send),
            name=f"gtriage-chunk-{k}",
            daemon=True,
        )
        proc.start()
        send.close()
        workers.append((proc, recv))
    return workers


def _work(path: str, start: int, end: int, first_id: int, last: bool, conn: Connection) -> None:
    """A worker: one chunk, sent back pickled, or why it is not clean ("" when it failed)."""
    import pickle

    try:
        try:
            answer: Chunk | str = read_later(path, start, end, first_id, last)
        except NotClean as e:
            answer = str(e) or "not clean"
        except Exception as e:
            answer = f"failed: {type(e).__name__}"
        conn.send_bytes(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    except (KeyboardInterrupt, BrokenPipeError, OSError):
        pass  # Ctrl-C reaches the whole process group; the parent says "interrupted"
    finally:
        conn.close()


def _collect(
    spec: str,
    bounds: list[int],
    first_id: int,
    workers: list[tuple[multiprocessing.process.BaseProcess, Connection]],
    on_read: Callable[[int], None],
) -> Dump | None:
    early: dict[int, Chunk | str] = {}

    def stop() -> bool:
        # A worker that found its chunk unclean answers early: stop reading ours.
        for k, (_, conn) in enumerate(workers):
            if k not in early and conn.poll():
                early[k] = _receive(conn)
                if isinstance(early[k], str):
                    return True
        return False

    try:
        first = read_first(spec, bounds[1], first_id, on_read, stop)
    except NotClean:
        return None
    chunks: list[Chunk] = []
    for k, (_, conn) in enumerate(workers):
        answer = early[k] if k in early else _receive(conn)
        if isinstance(answer, str):
            return None
        chunks.append(answer)
    return _merge(spec, first, chunks)


def _receive(conn: Connection) -> Chunk | str:
    import pickle

    try:
        answer = pickle.loads(conn.recv_bytes())
    except (EOFError, OSError):
        return "the worker ended without an answer"
    return answer if isinstance(answer, (Chunk, str)) else "an answer of the wrong type"


def _merge(spec: str, first: FirstChunk, chunks: list[Chunk]) -> Dump | None:
    """The first chunk's open dump with every later chunk's goroutines, in file order, as
    one pass would have read them; None when ids or stacks cross a cut."""
    snap = first.open_dump
    seen = set(first.ids)
    for c in chunks:
        if not seen.isdisjoint(c.ids):
            return None  # one pass would have read a repeated id (maybe a new dump)
        seen |= c.ids
    try:
        own, _ = encode_goroutines(snap.goroutines)
    except NotClean:
        return None
    shared: dict[Stack, Stack] = {s: s for s in own}
    offset = first.lines
    for c in chunks:
        _join(snap, c, shared, offset)
        offset += c.lines
    snap.last_section = None  # the last line is the last chunk's
    return Dump(
        source=spec,
        snapshots=(*first.done, snap.build()),
        lines=offset,
        binary_lines=first.binary_lines,
        carriers=(),
    )


def _join(snap: SnapshotBuilder, c: Chunk, shared: dict[Stack, Stack], offset: int) -> None:
    """Add a later chunk to the open dump; its line numbers move by `offset`."""
    stacks = [shared.setdefault(s, s) for s in c.stacks]
    snap.goroutines.extend(
        Goroutine(gid, state, stacks[si], line + offset, minutes, locked, scan, leaked, bubble, labels,
                  thread, parent, ancestors, values, partial)
        for gid, state, si, line, minutes, locked, scan, leaked, bubble, labels, thread, parent, ancestors, values, partial
        in c.goroutines
    )  # fmt: skip
    room = max(MAX_KEPT_ISSUES - len(snap.issues), 0)
    snap.issues.extend(ParseIssue(i.line + offset, i.text, i.reason) for i in c.issues[:room])
    snap.unparsed_lines += c.unparsed_lines
    snap.headers_seen += c.headers_seen
    snap.unparsed_headers += c.unparsed_headers
    snap.repeated_headers += c.repeated_headers
    snap.truncated = snap.truncated or c.truncated
    snap.last_line = c.last_line + offset
