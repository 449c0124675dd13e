"""Parse one big dump file with several processes (--jobs), into exactly the Dump one process
would read.

Where it applies: a plain local file of at least job_count.MIN_PARALLEL_BYTES. stdin and URLs
arrive as a stream, and gzip must be inflated from its start, so they are read by one
process (the caller's ordinary path); so is a file over --max-size, which that path
refuses with its own message, and any file where there is no os.fork (Windows).

How: the file is cut at goroutine headers after a blank line (file_chunks.py) into many
more chunks than processes, because equal bytes are not equal work (a stretch of
goroutines printing argument values of their own costs more than one of shared shapes):
with one chunk a process, the one that drew the costlier half made the other wait. This
process reads the first chunk; then it and the workers (forked, so nothing is imported
again: forked.py) take the later chunks one at a time from a shared queue, each process with one
memo for all its chunks (chunk_reader.ChunkParser). A worker sends each chunk back as it
finishes it; this process takes them in between its own chunks and turns them into
goroutines while the others still parse, so that little is left to do once the last chunk
is read. Their goroutines then join the dump left open by the first chunk, in file order;
each distinct stack becomes the equal stack already kept, if any, as one pass would have
shared it.

Exactness is checked, not assumed: a chunk that would have read otherwise in one pass (a
carrier, a second dump, a repeated id, a crash, debug=1; chunk_reader.NotClean), or ids
seen in two chunks, and the caller reads the file in one process after all. Such inputs
cost that time twice, less the part saved by stopping early: the first such answer stops
every process within STOP_EVERY sections, and a carrier is seen in the small first chunk.
"""

from __future__ import annotations

import gc
import marshal
import os
import select
import sys

from . import forked, job_count
from .call_cache import partial
from .chunk_merge import Merge
from .chunk_reader import CHUNK_FIELDS, Chunk, ChunkParser, Encoder, NotClean
from .file_chunks import first_header_id, plan_cuts
from .heap import keep_freed_memory
from .left_at_exit import leave
from .model import Dump
from .regex_cache import save_programs
from .syntax import grammar_parser
from .transform import DumpTransformer

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable

    from .forked import IndexQueue, Worker
    from .progress import Progress

# Chunks a process: the last chunk to finish leaves the others idle for up to its time,
# about 1/(jobs * CHUNKS_PER_JOB) of the whole parse (on the 300k dump with 2 jobs, the
# processes' last chunks ended 0.5-0.8 s apart with 16 a process, 0.2-0.45 s with 32,
# 0.07-0.09 s with 64). Each chunk costs a line reader, a message and a look at the pipes:
# the 100k dump read by one process in 2, 32 or 128 chunks took the same CPU time.
CHUNKS_PER_JOB = 64
MIN_CHUNK_BYTES = 2 << 20
# The sizes of the chunks handed out last, the very last first, as shares of the others'
# (chunk_targets).
TAPER = (0.25, 0.5)
_GZIP_MAGIC = b"\x1f\x8b"
_HEAD = 1 << 20

# A worker's message: the chunk's index and the chunk, or why it is not clean.
_Answer = tuple[int, Chunk | str]


def parse_file(
    spec: str,
    *,
    jobs: int,
    max_bytes: int | None,
    progress: Progress | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Dump | None:
    """The Dump of file `spec` read by `jobs` processes, or None when this input is not read
    in parallel (too small, not a plain file, or not exactly as one pass would read it):
    then the caller reads it the ordinary way. `meanwhile` is called once the workers run
    (never before a fork: a child must not inherit what it does half done)."""
    plan = _plan(spec, jobs, max_bytes)
    if plan is None or _threads_running():
        return None
    size, bounds, first_id = plan
    grammar_parser(DumpTransformer)  # loaded once, before the fork: workers inherit it
    keep_freed_memory()  # the workers too
    forked.reap_ending()  # an earlier read's, before there are more
    queue = forked.IndexQueue(chunk_order(len(bounds) - 1, jobs))
    # No collection while the file is read, here or in the workers (forked with it off):
    # parsing makes no cycles, yet each full collection went over every goroutine kept so
    # far, and a worker's chunk arrives as one burst of rows, then of goroutines, which
    # set off collection after collection (gc callbacks on the 300k dump: 1.6 s of the
    # parent's ~11 s at first; 0.4 s in the parent and 0.5 s in the worker with the dump
    # frozen chunk by chunk; against ~0.5 s in the parse of one process). Peak memory is
    # the same (398 against 404 MiB in the parent).
    collecting = gc.isenabled()
    frozen = gc.get_freeze_count()
    gc.disable()
    workers: list[Worker] = []
    dump: Dump | None = None
    try:
        try:
            _start(workers, spec, bounds, first_id, queue, min(jobs - 1, len(bounds) - 2))
        except OSError:
            return None  # no process to be had (EAGAIN, ENOMEM): this one reads the file
        if meanwhile is not None:
            meanwhile()
        parent = _Parent(spec, size, bounds, first_id, queue, workers, progress)
        dump = parent.run()
        if dump is not None:
            leave(parent)  # its parser's memos and the merge's sets, unfreed where the run ends at once
        return dump
    finally:
        queue.halt()  # a worker still reading stops at its next look
        # What was made here joins the oldest generation, as if it had been collected
        # all along: left in the youngest, the first collection after would go over all
        # of it, and the next again (+1 s on the report of the 300k dump, measured).
        gc.freeze()
        if not frozen:
            gc.unfreeze()
        if collecting:
            gc.enable()
        if dump is not None:
            forked.let_end(workers)  # every chunk came in: they have nothing left to do but end
        else:
            forked.reap(workers)
        queue.close()


def _threads_running() -> bool:
    """Whether another thread of this process runs (a fleet's reads, an import on a thread):
    a fork copies only the thread that calls it, and a lock another one holds (an import's,
    say) stays held in the child for good. Such a read goes to one process."""
    threading = sys.modules.get("threading")
    return threading is not None and threading.active_count() > 1


def _plan(spec: str, jobs: int, max_bytes: int | None) -> tuple[int, list[int], int] | None:
    """(size, chunk bounds, the dump's first goroutine id) when `spec` is read in parallel."""
    if jobs < 2 or spec == "-" or "://" in spec or not hasattr(os, "fork"):
        return None
    try:
        with open(spec, "rb") as f:
            st = os.fstat(f.fileno())
            size = st.st_size
            if not os.path.isfile(spec) or size < job_count.MIN_PARALLEL_BYTES or (max_bytes is not None and size > max_bytes):
                return None
            head = f.read(_HEAD)
            if head.startswith(_GZIP_MAGIC):
                return None
            first_id = first_header_id(head)
            if first_id is None:
                return None
            chunks = min(max(jobs, min(jobs * CHUNKS_PER_JOB, size // max(MIN_CHUNK_BYTES, 1))), forked.MAX_INDICES)
            cuts = plan_cuts(f, size, chunk_targets(size, chunks, jobs))
    except OSError:
        return None  # the ordinary path says what is wrong with it
    return (size, [0, *cuts, size], first_id) if cuts else None


def chunk_order(chunks: int, jobs: int) -> list[int]:
    """The later chunks (1..chunks-1) in the order the queue hands them out. The file's
    last chunk goes first: a crash's traceback may end with what one pass reads
    differently (a fatal error's runtime stack, another thread's preamble after its
    registers), and met last it cost the whole parallel read before the file was read
    again by one process (10k SIGQUIT, when its registers were such an end: 1.95 s against
    1.20 s with --jobs 1). Then the first chunk of each of `jobs` equal stretches: a second
    dump that sends the file to one process is met early where it starts halfway (a dump
    saved twice in one file), as it was when each process read a stretch of its own. Then
    the rest in file order: chunks then come in nearly in order, and each joins the dump as
    soon as those before it are in (chunk_merge.Merge), while the processes still parse."""
    if chunks < 2:
        return []
    per = -(-chunks // jobs)
    starts = list(range(per, chunks - 1, per))[: jobs - 1]
    rest = [k for k in range(1, chunks - 1) if k not in starts]
    return [chunks - 1, *starts, *rest]


def chunk_targets(size: int, chunks: int, jobs: int) -> list[int]:
    """Offsets to cut `size` bytes into `chunks` chunks at: of one size but for the ones the
    queue hands out last (chunk_order), smaller. Once one process has nothing left to
    take, what another still reads is then a small chunk, not up to a whole one: the 10k
    bench dump's 14 chunks, read by 2 processes in ~0.16 s, ended with one waiting ~10 ms
    for the other (~4 ms less with these sizes)."""
    weights = [1.0] * chunks
    order = chunk_order(chunks, jobs)
    if len(order) - len(TAPER) >= jobs:  # past the file's last chunk and the stretches' starts
        for k, w in zip(reversed(order), TAPER, strict=False):
            weights[k] = w
    total = sum(weights)
    out: list[int] = []
    done = 0.0
    for w in weights[:-1]:
        done += w
        out.append(int(size * done / total))
    return out


def _start(workers: list[Worker], path: str, bounds: list[int], first_id: int, queue: IndexQueue, count: int) -> None:
    """Fork `count` workers into `workers` (those forked stay there if a fork fails). They
    start with everything imported and the grammar loaded."""
    for _ in range(count):
        workers.append(forked.start(partial(_work, path, bounds, first_id, queue)))


def _work(path: str, bounds: list[int], first_id: int, queue: IndexQueue, fd: int) -> None:
    """A worker: chunks from the queue until none is left, each sent back (marshal: plain
    types) as soon as it is read, or why it is not clean (then the worker ends)."""
    gc.disable()  # as in the parent (parse_file), also when not forked
    parser = ChunkParser()
    encoder = Encoder()
    last = len(bounds) - 2
    sender = forked.Sender(fd)
    try:
        while not sender.broken and (k := queue.take()) is not None:
            why: str | None = None  # the chunk is not clean, or failed
            try:
                chunk = encoder.encode(parser.read_later(path, bounds[k], bounds[k + 1], first_id, k == last, queue.halted))
                message = marshal.dumps((k, chunk))  # ValueError: a value of a type marshal does not write
            except NotClean as e:
                why = str(e) or "not clean"
            except Exception as e:
                why = f"failed: {type(e).__name__}"
            if why is not None:
                queue.halt()  # every process stops within a few sections (the parent too)
            sender.send(message if why is None else marshal.dumps((k, why)))
            if why is not None:
                break
    except (KeyboardInterrupt, OSError):
        pass  # Ctrl-C reaches the whole process group; the parent says "interrupted"
    finally:
        sender.close()
    # The regexes this worker compiled that the parent has not (a shape only its chunks
    # held): kept for the next run, which would otherwise import re to compile them.
    save_programs()


class _Parent:
    """This process's part: the first chunk, chunks from the queue, and every worker's
    chunks taken in as they come."""

    def __init__(
        self,
        spec: str,
        size: int,
        bounds: list[int],
        first_id: int,
        queue: IndexQueue,
        workers: list[Worker],
        progress: Progress | None,
    ) -> None:
        self.spec, self.size, self.bounds, self.first_id = spec, size, bounds, first_id
        self.queue = queue
        self.pipes = {worker.fd: w for w, worker in enumerate(workers)}  # those not at their end yet
        self.poller = select.poll()
        for fd in self.pipes:
            self.poller.register(fd, select.POLLIN)
        self.progress = progress
        self.parser = ChunkParser()
        self.merge: Merge | None = None
        self.pending: list[tuple[int, _Answer]] = []  # answers that came before the merge could start
        self.failed = False
        self.done_bytes = 0  # of the chunks finished, by any process
        self.reading = 0  # bytes read of this process's current chunk

    def run(self) -> Dump | None:
        try:
            first = self.parser.read_first(self.spec, self.bounds[1], self.first_id, self._on_read, self.halted)
        except NotClean:
            return None
        self.merge = merge = Merge(first, len(self.bounds) - 1)
        self._finished(0)
        for w, answer in self.pending:
            self._take(w, answer)
        self.pending.clear()
        last = len(self.bounds) - 2
        while not self.look() and (k := self.queue.take()) is not None:
            try:
                later = self.parser.read_later(
                    self.spec, self.bounds[k], self.bounds[k + 1], self.first_id, k == last, self.halted, self._on_read
                )
            except NotClean:
                return None
            if not merge.add_own(k, later):
                return None
            self._finished(k)
        if self.failed or not self._wait_for_rest():
            return None
        return merge.dump(self.spec)

    def halted(self) -> bool:
        """Whether to stop reading this process's chunk: a chunk was not clean, here or in a
        worker (which halts the queue itself). What the workers sent is taken in between
        this process's chunks only: taken in every few sections, decoding and indexing
        their goroutines evicted the parser's own data from the core's caches, and this
        process parsed its chunks ~9% slower than alone (300k dump)."""
        return self.failed or self.queue.halted()

    def look(self) -> bool:
        """Take in everything the workers sent by now; whether to stop (a chunk was not
        clean). Everything: a worker sends as it goes, and one message a look let its
        chunks pile up, ten or so behind by the end of the 300k bench dump, each taken in
        (~3 ms) only once this process had nothing left to parse."""
        while not self.failed and (ready := self.poller.poll(0)):
            for fd, _event in ready:
                self._receive(fd)
        if self.failed:
            self.queue.halt()
        return self.failed

    def _wait_for_rest(self) -> bool:
        """Whether every chunk came in (a worker that ended early leaves some out)."""
        merge = self.merge
        assert merge is not None
        while merge.missing and self.pipes and not self.failed:
            for fd, _event in self.poller.poll():
                self._receive(fd)
        return not merge.missing and not self.failed

    def _receive(self, fd: int) -> None:
        w = self.pipes.get(fd)
        if w is None:
            return  # its end was taken in this round already
        try:
            message = forked.receive(fd)
        except OSError:
            message = None
        if message is None:
            del self.pipes[fd]  # the worker is done (or died: its chunks stay missing)
            self.poller.unregister(fd)
            return
        try:
            answer = marshal.loads(message)
        except (EOFError, ValueError, TypeError):
            answer = None
        if not (
            isinstance(answer, tuple)
            and len(answer) == 2
            and (isinstance(answer[1], str) or (isinstance(answer[1], tuple) and len(answer[1]) == CHUNK_FIELDS))
        ):
            self.failed = True
            return
        if self.merge is None:
            self.pending.append((w, answer))
        else:
            self._take(w, answer)

    def _take(self, w: int, answer: _Answer) -> None:
        assert self.merge is not None
        k, chunk = answer
        if isinstance(chunk, str) or not self.merge.add_rows(w, k, chunk):
            self.failed = True
            return
        self._finished(k, own=False)

    def _on_read(self, n: int) -> None:
        self.reading += n
        self._report()

    def _finished(self, k: int, *, own: bool = True) -> None:
        self.done_bytes += self.bounds[k + 1] - self.bounds[k]
        if own:
            self.reading = 0
        self._report()

    def _report(self) -> None:
        if self.progress is not None:
            # The chunks finished and this process's current one; the workers' current
            # chunks count once they arrive.
            self.progress(min(self.size, self.done_bytes + self.reading), self.size)
