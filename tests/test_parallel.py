"""parallel.py: a file read by several processes gives the report one process gives, byte
for byte; inputs that would read otherwise when cut are read by one process."""

from __future__ import annotations

import gc
import gzip
import marshal
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from gtriage import call_split, chunk_merge, chunk_reader, file_chunks, forked, job_count, parallel, sections
from gtriage.model import Dump, Goroutine, Stack
from gtriage.parse import parse_lines
from gtriage.pipeline import analyze_inputs
from gtriage.render.json import render_json
from gtriage.snapshot_builder import MAX_KEPT_ISSUES
from gtriage.source import open_lines
from manifests import SAMPLE_LIST, SAMPLES, Sample

BENCH_DUMP = Path(__file__).resolve().parents[1] / "bench" / "dumps" / "debug10000.full.txt"


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[forked.Worker]:
    """The workers forked during the test, in order (forked.start, watched)."""
    made: list[forked.Worker] = []
    real = forked.start

    def start(work: Any) -> forked.Worker:
        made.append(real(work))
        return made[-1]

    monkeypatch.setattr(forked, "start", start)
    return made


def report_json(path: Path, jobs: int) -> str:
    return render_json(analyze_inputs([str(path)], jobs=jobs))


def stack_partition(goroutines: tuple[Goroutine, ...]) -> list[int]:
    """For each goroutine, the index of the first one holding the same stack object:
    clusters group by the object, so sharing must be as in one pass."""
    first: dict[int, int] = {}
    return [first.setdefault(id(g.stack), i) for i, g in enumerate(goroutines)]


def assert_read_as_one_pass(path: Path, jobs: int) -> Dump:
    """The dump read by `jobs` processes is the one-pass dump: every goroutine (lines
    included), issue, count and snapshot boundary, and which goroutines share a stack."""
    dump = parallel.parse_file(str(path), jobs=jobs, max_bytes=None)
    assert dump is not None, "the parallel reading gave up on a clean dump"
    assert_same_dump(dump, one_pass(path))
    return dump


def one_pass(path: Path) -> Dump:
    with open_lines(str(path)) as (_, lines):
        return parse_lines(lines, str(path))


def assert_same_dump(dump: Dump, one: Dump) -> None:
    assert dump == one
    for a, b in zip(dump.snapshots, one.snapshots, strict=True):
        assert stack_partition(a.goroutines) == stack_partition(b.goroutines)


def goroutine_blocks(text: str) -> list[str]:
    return [b for b in text.split("\n\n") if b.startswith("goroutine ")]


def many_goroutines(copies: int) -> str:
    """The demo's goroutines `copies` times over, each copy with ids of its own: one dump."""
    blocks = goroutine_blocks((SAMPLES / "demo.txt").read_text())
    out = []
    gid = 1
    for _ in range(copies):
        for b in blocks:
            out.append(re.sub(r"^goroutine [0-9]+ ", f"goroutine {gid} ", b))
            gid += 1
    return "\n\n".join(out) + "\n"


@pytest.mark.usefixtures("cut_small")
@pytest.mark.parametrize("sample", SAMPLE_LIST, ids=lambda s: s.id)
def test_samples_read_alike_by_one_and_several_processes(sample: Sample) -> None:
    one = report_json(sample.dump, 1)
    assert report_json(sample.dump, 2) == one
    assert report_json(sample.dump, 3) == one
    dump = parallel.parse_file(str(sample.dump), jobs=2, max_bytes=None)
    if dump is not None:  # read in parallel (the demo and the go1.27 leaky dumps are, in ~100 chunks)
        assert_same_dump(dump, one_pass(sample.dump))


@pytest.mark.usefixtures("cut_small")
@pytest.mark.parametrize("jobs", [2, 3, 4])
def test_a_dump_cut_in_many_chunks_is_merged_exactly(tmp_path: Path, jobs: int) -> None:
    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(10))
    plan = parallel._plan(str(path), jobs, None)
    assert plan is not None
    assert len(plan[1]) - 1 > 4 * jobs, "many more chunks than processes"
    dump = assert_read_as_one_pass(path, jobs)
    assert len(dump.snapshots) == 1
    assert report_json(path, jobs) == report_json(path, 1)


@pytest.mark.usefixtures("cut_small")
@pytest.mark.parametrize(
    ("name", "text"),
    [
        # The second dump starts at the first's first id: one pass starts a new dump there.
        ("twice", lambda: many_goroutines(5) + "\n" + many_goroutines(5)),
        # ids seen before the cut: one pass reads repeated ids (a damaged digit, or a new dump).
        ("ids again", lambda: many_goroutines(5) + "\n" + re.sub(r"goroutine 1 ", "goroutine 99999 ", many_goroutines(5), count=1)),
        # A prefix learned before a cut is stripped after it.
        ("prefixed", lambda: "".join(f"pod-7 | {line}\n" for line in many_goroutines(5).splitlines())),
    ],
)
def test_inputs_that_read_otherwise_when_cut_are_read_by_one_process(tmp_path: Path, name: str, text: object) -> None:
    assert callable(text)
    path = tmp_path / "dump.txt"
    path.write_text(text())
    assert parallel.parse_file(str(path), jobs=3, max_bytes=None) is None
    assert report_json(path, 3) == report_json(path, 1)


@pytest.mark.usefixtures("cut_small")
def test_gzip_stdin_and_files_over_the_limit_are_not_cut(tmp_path: Path) -> None:
    text = many_goroutines(5)
    gz = tmp_path / "dump.txt.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    plain = tmp_path / "dump.txt"
    plain.write_text(text)
    assert parallel.parse_file(str(gz), jobs=2, max_bytes=None) is None
    assert parallel.parse_file("-", jobs=2, max_bytes=None) is None
    assert parallel.parse_file(str(plain), jobs=2, max_bytes=len(text) - 1) is None
    assert parallel.parse_file(str(plain), jobs=1, max_bytes=None) is None
    assert parallel.parse_file(str(plain), jobs=2, max_bytes=None) is not None


def test_small_files_are_read_by_one_process(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_text(many_goroutines(5))
    assert path.stat().st_size < job_count.MIN_PARALLEL_BYTES
    assert parallel.parse_file(str(path), jobs=2, max_bytes=None) is None


def test_cuts_fall_at_headers_after_a_blank_line(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    text = many_goroutines(10)
    path.write_text(text)
    data = path.read_bytes()
    with open(path, "rb") as f:
        cuts = file_chunks.plan_cuts(f, len(data), [len(data) * k // 4 for k in range(1, 4)])
    assert cuts == sorted(set(cuts))
    assert len(cuts) == 3
    for c in cuts:
        assert data[c - 2 : c] == b"\n\n"
        assert data[c:].startswith(b"goroutine ")


def test_a_cut_past_the_first_look_is_found_in_the_next_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(file_chunks, "FIRST_LOOK", 64)
    monkeypatch.setattr(file_chunks, "WINDOW", 256)
    path = tmp_path / "dump.txt"
    path.write_text(many_goroutines(10))
    data = path.read_bytes()
    first = data.index(b"\n\ngoroutine ") + 2
    with open(path, "rb") as f:
        # From the dump's start the first header after a blank line lies past 64 bytes.
        assert first > 64 + 16
        assert file_chunks._cut_after(f, 0, len(data)) == first
        cuts = file_chunks.plan_cuts(f, len(data), [len(data) * k // 4 for k in range(1, 4)])
    assert len(cuts) == 3
    for c in cuts:
        assert data[c - 2 : c] == b"\n\n"
        assert data[c:].startswith(b"goroutine ")


@pytest.mark.parametrize(
    ("head", "first"),
    [
        (b"goroutine 7 [running]:\nmain.main()\n", 7),
        (b"panic: boom\n\ngoroutine 12 [running]:\n", 12),
        (b"goroutine profile: total 5\n5 @ 0x1\n", None),  # debug=1: no goroutine header
        (b"xgoroutine 5 [running]:\n\ngoroutine 9 [chan receive]:\n", 9),  # only at a line's start
        (b"2026-12-01T04:32:13.1Z goroutine 1 [running]:\n", None),  # a log's lines: not a plain dump
        (b"", None),
    ],
)
def test_the_dump_s_first_goroutine_id(head: bytes, first: int | None) -> None:
    assert file_chunks.first_header_id(head) == first


def test_usable_cores_is_at_least_one() -> None:
    assert job_count.usable_cores() >= 1


def test_cli_jobs(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_text(many_goroutines(3))

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "gtriage", *args], capture_output=True, timeout=120, check=False)

    one, two = run(str(path), "-f", "json", "--jobs", "1"), run(str(path), "-f", "json", "-j", "2")
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout
    bad = run(str(path), "--jobs", "0")
    assert bad.returncode == 2
    assert b"--jobs" in bad.stderr


@pytest.mark.slow
@pytest.mark.skipif(not BENCH_DUMP.exists(), reason="the bench dumps are generated by bench/run.py")
@pytest.mark.parametrize("jobs", [2, 3])
def test_bench_dump_reads_alike_by_one_and_several_processes(jobs: int) -> None:
    """The 30 MB dump in its default chunks (14 of ~2 MiB)."""
    assert BENCH_DUMP.stat().st_size >= job_count.MIN_PARALLEL_BYTES
    plan = parallel._plan(str(BENCH_DUMP), jobs, None)
    assert plan is not None
    assert len(plan[1]) - 1 > 2 * jobs
    assert_read_as_one_pass(BENCH_DUMP, jobs)
    assert report_json(BENCH_DUMP, jobs) == report_json(BENCH_DUMP, 1)


def test_chunks_are_handed_out_in_file_order_after_the_last_and_each_stretch_s_start() -> None:
    # The last chunk first (where a traceback may end in registers), then where each
    # stretch starts (where a second dump may), then the rest in file order.
    assert parallel.chunk_order(8, 2) == [7, 4, 1, 2, 3, 5, 6]
    assert parallel.chunk_order(9, 3) == [8, 3, 6, 1, 2, 4, 5, 7]
    assert parallel.chunk_order(2, 2) == [1]
    assert parallel.chunk_order(1, 2) == []
    for chunks in range(1, 40):
        for jobs in range(2, 6):
            assert sorted(parallel.chunk_order(chunks, jobs)) == list(range(1, chunks))


@pytest.mark.parametrize(("chunks", "jobs"), [(2, 2), (3, 2), (4, 2), (5, 3), (14, 2), (128, 2), (96, 3)])
def test_the_chunks_handed_out_last_are_the_smaller(chunks: int, jobs: int) -> None:
    size = 1_000_000
    targets = parallel.chunk_targets(size, chunks, jobs)
    assert len(targets) == chunks - 1
    assert targets == sorted(targets)
    sizes = [b - a for a, b in zip([0, *targets], [*targets, size], strict=True)]
    order = parallel.chunk_order(chunks, jobs)
    # Never the file's last chunk or a stretch's start, handed out first.
    tapered = order[-len(parallel.TAPER) :] if len(order) >= len(parallel.TAPER) + jobs else []
    full = max(sizes)
    for k in set(range(chunks)) - set(tapered):
        assert abs(sizes[k] - full) <= 1
    # The later handed out, the smaller.
    last = [sizes[k] for k in tapered]
    assert all(a > b for a, b in zip([full, *last], last, strict=False))
    if chunks >= 14:
        assert tapered


def read_chunks(path: Path, jobs: int) -> tuple[list[int], int]:
    plan = parallel._plan(str(path), jobs, None)
    assert plan is not None
    _, bounds, first_id = plan
    return bounds, first_id


@pytest.mark.usefixtures("cut_small")
def test_chunks_merged_in_any_order_of_arrival(tmp_path: Path) -> None:
    """Workers finish in any order and the parent takes each chunk as it comes: the merge
    must not depend on it (line numbers move once the chunks before have come, stacks are
    shared whoever came first). Here one process reads every chunk, half of them sent as a
    worker sends them, the last first."""
    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(12))
    bounds, first_id = read_chunks(path, 4)
    assert len(bounds) > 10
    parent = chunk_reader.ChunkParser()
    first = parent.read_first(str(path), bounds[1], first_id, None, lambda: False)
    merge = chunk_merge.Merge(first, len(bounds) - 1)
    worker, encoder = chunk_reader.ChunkParser(), chunk_reader.Encoder()
    last = len(bounds) - 2
    for k in reversed(range(1, len(bounds) - 1)):
        if k % 2:
            later = worker.read_later(str(path), bounds[k], bounds[k + 1], first_id, k == last)
            assert merge.add_rows(0, k, encoder.encode(later))
        else:
            assert merge.add_own(k, parent.read_later(str(path), bounds[k], bounds[k + 1], first_id, k == last))
    assert merge.missing == 0
    one = one_pass(path)
    dump = merge.dump(str(path))
    assert_same_dump(dump, one)
    for a, b in zip(dump.snapshots, one.snapshots, strict=True):
        assert stack_partition(a.goroutines) == stack_partition(b.goroutines)


@pytest.mark.usefixtures("cut_small")
def test_chunks_join_the_dump_as_soon_as_those_before_them_are_in(tmp_path: Path) -> None:
    """In file order, and with their lines counted from the file's start, while the rest
    is still being read: the end of the read only joins what came last."""
    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(12))
    bounds, first_id = read_chunks(path, 4)
    chunks = len(bounds) - 1
    assert chunks > 4
    reader = chunk_reader.ChunkParser()
    first = reader.read_first(str(path), bounds[1], first_id, None, lambda: False)
    merge = chunk_merge.Merge(first, chunks)
    goroutines = merge.first.open_dump.goroutines
    before = len(goroutines)

    def read(k: int) -> chunk_reader.Later:
        return reader.read_later(str(path), bounds[k], bounds[k + 1], first_id, k == chunks - 1)

    third = read(3)
    assert merge.add_own(3, third)
    assert merge.joined == 1  # chunks 1 and 2 are not in yet
    assert len(goroutines) == before
    assert merge.add_own(1, read(1))
    assert merge.joined == 2
    assert merge.add_own(2, read(2))
    assert merge.joined == 4  # 2, and 3 behind it
    assert goroutines[-len(third.goroutines) :] == third.goroutines
    for k in range(4, chunks):
        assert merge.add_own(k, read(k))
    assert merge.joined == chunks
    one = one_pass(path)
    assert_same_dump(merge.dump(str(path)), one)


@pytest.mark.usefixtures("cut_small")
def test_a_stack_is_hashed_once_a_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stack's hash goes over all its frames (~15 µs): taken for every goroutine of the
    first chunk, and again for every chunk a stack was met in, it cost the 300k bench
    dump's parent ~40 ms."""
    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(12))
    bounds, first_id = read_chunks(path, 4)
    hashed: list[int] = []
    real = Stack.__hash__

    def counted(self: Stack) -> int:
        hashed.append(id(self))
        return real(self)

    monkeypatch.setattr(Stack, "__hash__", counted)
    reader = chunk_reader.ChunkParser()
    first = reader.read_first(str(path), bounds[1], first_id, None, lambda: False)
    merge = chunk_merge.Merge(first, len(bounds) - 1)
    for k in range(1, len(bounds) - 1):
        assert merge.add_own(k, reader.read_later(str(path), bounds[k], bounds[k + 1], first_id, k == len(bounds) - 2))
    stacks = {id(g.stack) for s in merge.dump(str(path)).snapshots for g in s.goroutines}
    assert len(stacks) > 1
    # Once by the parser (are two equal stacks one object?), once by the merge at most.
    assert max(hashed.count(i) for i in set(hashed)) <= 2
    assert len(hashed) <= 2 * len(stacks)


def test_a_look_takes_in_every_message_waiting(tmp_path: Path) -> None:
    """A worker sends as it goes: one message a look left the rest waiting, and by the end
    of a big file the parent had a dozen chunks to take in alone."""
    read, write = os.pipe()
    queue = forked.IndexQueue([1, 2, 3])
    try:
        for k in (1, 2, 3):
            forked.send(write, marshal.dumps((k, "not clean")))
        parent = parallel._Parent("x", 0, [0, 1, 2, 3, 4], 1, queue, [forked.Worker(pid=0, fd=read)], None)
        parent.look()
        assert [answer for _w, answer in parent.pending] == [(1, "not clean"), (2, "not clean"), (3, "not clean")]
    finally:
        queue.close()
        os.close(read)
        os.close(write)


@pytest.mark.usefixtures("cut_small")
def test_a_worker_sends_equal_argument_texts_once_a_chunk(tmp_path: Path) -> None:
    """marshal writes an object met before as a reference to it: goroutines printing the
    same argument texts send them once, and the parent's goroutines share one string."""
    path = tmp_path / "many.txt"
    # Every other copy with other pc offsets: stack texts read apart, the same arguments.
    blocks = goroutine_blocks(many_goroutines(12))
    path.write_text("\n\n".join(b.replace(" +0x", " +0x1") if i % 2 else b for i, b in enumerate(blocks)) + "\n")
    bounds, first_id = read_chunks(path, 2)
    k = len(bounds) // 2
    later = chunk_reader.ChunkParser().read_later(str(path), bounds[k], bounds[-1], first_id, True)
    rows = chunk_reader.Encoder().encode(later)[3]
    texts = [r[13] for r in rows if r[13]]
    assert len(set(texts)) < len(texts), "the demo's copies print the same texts"
    assert len({id(t) for t in texts}) == len(set(texts))
    sent = marshal.loads(marshal.dumps(rows))
    assert len({id(r[13]) for r in sent if r[13]}) == len(set(texts))


@pytest.mark.usefixtures("cut_small")
def test_a_process_cuts_each_stack_text_once_across_its_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the section splitter learned of a stack text in one chunk holds in the next
    chunks the process reads, as in one pass over the file: the same chunk read again
    cuts no stack at its arguments (with a splitter's memos made afresh each chunk, every
    shape was cut again at each chunk's start: 5% of the 300k dump's time with 2 jobs)."""
    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(12))
    bounds, first_id = read_chunks(path, 4)
    cuts: list[int] = []
    real = call_split.cut_calls

    def counted(parts: list[str]) -> Any:
        cuts.append(1)
        return real(parts)

    monkeypatch.setattr(sections, "cut_calls", counted)
    parser = chunk_reader.ChunkParser()
    k = len(bounds) // 2
    first = parser.read_later(str(path), bounds[k], bounds[k + 1], first_id, False)
    assert first.goroutines
    assert cuts
    cuts.clear()
    again = parser.read_later(str(path), bounds[k], bounds[k + 1], first_id, False)
    assert len(again.goroutines) == len(first.goroutines)
    assert cuts == []


@pytest.mark.usefixtures("cut_small")
def test_issues_and_unparsed_lines_across_many_chunks(tmp_path: Path) -> None:
    """Goroutines whose header does not read (their stacks are unparsed lines too), in
    many chunks: the same issues (input lines, the first MAX_KEPT_ISSUES in file order) and
    the same counts as in one pass."""
    blocks = many_goroutines(8).split("\n\n")
    text = "\n\n".join(b if i % 7 else b.replace(" [", " [[[", 1) for i, b in enumerate(blocks))
    path = tmp_path / "damaged.txt"
    path.write_text(text)
    dump = assert_read_as_one_pass(path, 3)
    snap = dump.snapshots[-1]
    assert snap.unparsed_lines > MAX_KEPT_ISSUES == len(snap.issues)
    assert snap.unparsed_headers > MAX_KEPT_ISSUES
    assert report_json(path, 3) == report_json(path, 1)


@pytest.mark.usefixtures("cut_small")
def test_a_worker_that_ends_without_an_answer_sends_the_file_to_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk taken and never sent back: the file is read by one process. A worker gone
    before it took any leaves them all to the others, and the dump is whole."""
    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(10))

    def dies(path: str, bounds: list[int], first_id: int, queue: forked.IndexQueue, fd: int) -> None:
        assert queue.take() is not None
        os._exit(3)

    monkeypatch.setattr(parallel, "_work", dies)
    assert parallel.parse_file(str(path), jobs=2, max_bytes=None) is None

    def gone(*args: object) -> None:
        os._exit(3)

    monkeypatch.setattr(parallel, "_work", gone)
    assert_read_as_one_pass(path, 2)


@pytest.mark.usefixtures("cut_small")
def test_a_chunk_marshal_cannot_write_sends_the_file_to_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers send plain types (marshal): a value of another type in a chunk (a str
    subclass, say) is a failed chunk, said to the parent at once (which stops instead of
    reading the rest of the file alone first), and the file is read by one process, whole."""
    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(10))
    read_here: list[int] = []  # the chunks this process read (a worker counts in its own copy)
    real_read = chunk_reader.ChunkParser.read_later

    def read_later(self: chunk_reader.ChunkParser, *args: Any, **kwargs: Any) -> chunk_reader.Later:
        read_here.append(args[1])
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(chunk_reader.ChunkParser, "read_later", read_later)

    class Text(str):
        pass

    real = chunk_reader.Encoder.encode

    def encode(self: chunk_reader.Encoder, c: chunk_reader.Later) -> chunk_reader.Chunk:
        lines, *rest = real(self, c)
        return (lines, *rest[:-1], Text("x"))  # type: ignore[return-value]

    monkeypatch.setattr(chunk_reader.Encoder, "encode", encode)
    assert parallel.parse_file(str(path), jobs=2, max_bytes=None) is None
    plan = parallel._plan(str(path), 2, None)
    assert plan is not None
    assert len(read_here) < (len(plan[1]) - 1) // 2
    assert report_json(path, 2) == report_json(path, 1)


@pytest.mark.usefixtures("cut_small")
def test_a_chunk_not_clean_in_a_worker_stops_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first chunk a worker finds not clean halts the queue: the parent reads no
    further chunk, the file goes to one process."""
    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(20))
    real = chunk_reader.ChunkParser.read_later
    parent = os.getpid()
    read_by_parent: list[int] = []

    def read_later(self: chunk_reader.ChunkParser, path: str, start: int, *args: Any, **kw: Any) -> chunk_reader.Later:
        if os.getpid() != parent:
            raise chunk_reader.NotClean("a new dump starts")
        read_by_parent.append(start)
        time.sleep(0.05)  # the worker answers while this chunk is read
        return real(self, path, start, *args, **kw)

    monkeypatch.setattr(chunk_reader.ChunkParser, "read_later", read_later)
    assert parallel.parse_file(str(path), jobs=2, max_bytes=None) is None
    bounds, _ = read_chunks(path, 2)
    assert len(read_by_parent) <= 2 < len(bounds) - 2


@pytest.mark.usefixtures("cut_small")
@pytest.mark.parametrize("at", [0.1, 0.5, 0.9])
def test_a_panic_the_program_logged_reads_as_in_one_pass(tmp_path: Path, at: float) -> None:
    """A worker sends no logged panic with its rows: its chunk is read by one process."""
    logged = (SAMPLES / "logged/httppanic.log").read_text().split("\n")
    entry = "\n".join(logged[:18])  # net/http's line and the stack after it
    header = entry.splitlines()[1]
    assert header.startswith("goroutine ")
    blocks = goroutine_blocks(many_goroutines(12))
    cut = int(len(blocks) * at)
    path = tmp_path / "mixed.txt"
    alone = entry.replace(header, re.sub(r"^goroutine \d+ ", "goroutine 99999 ", header))  # an id of its own
    path.write_text("\n\n".join([*blocks[:cut], alone, *blocks[cut:]]) + "\n")
    one = analyze_inputs([str(path)], jobs=1)
    assert [len(c.logged_panics) for c in one.clusters if c.logged_panics] == [1]
    assert report_json(path, 2) == render_json(one)


@pytest.mark.usefixtures("cut_small")
def test_the_parent_takes_workers_chunks_in_between_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decoding and indexing a worker's chunk in the middle of the parent's own evicted the
    parser's data from the caches: taken in only between them."""
    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(20))
    real_read, real_take = chunk_reader.ChunkParser.read_later, parallel._Parent._take
    parent = os.getpid()
    reading = [False]
    taken_while_reading: list[bool] = []

    def read_later(self: chunk_reader.ChunkParser, *args: Any, **kw: Any) -> chunk_reader.Later:
        if os.getpid() != parent:
            return real_read(self, *args, **kw)
        reading[0] = True
        try:
            time.sleep(0.01)  # the worker answers meanwhile
            return real_read(self, *args, **kw)
        finally:
            reading[0] = False

    def take(self: Any, *args: Any) -> None:
        taken_while_reading.append(reading[0])
        real_take(self, *args)

    monkeypatch.setattr(chunk_reader.ChunkParser, "read_later", read_later)
    monkeypatch.setattr(parallel._Parent, "_take", take)
    monkeypatch.setattr(chunk_reader, "STOP_EVERY", 1)  # a look at every section
    assert parallel.parse_file(str(path), jobs=2, max_bytes=None) is not None
    assert taken_while_reading, "the worker read some chunks"
    assert not any(taken_while_reading)


@pytest.mark.usefixtures("cut_small")
def test_a_carrier_is_found_before_the_first_chunk_is_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A prefixed log goes to one process: found at the first look, not at the chunk's end."""
    monkeypatch.setattr(chunk_reader, "STOP_EVERY", 8)
    path = tmp_path / "prefixed.txt"
    path.write_text("".join(f"pod-7 | {line}\n" for line in many_goroutines(100).splitlines()))
    size = path.stat().st_size
    read = [0]

    def on_read(n: int) -> None:
        read[0] += n

    with pytest.raises(chunk_reader.NotClean):
        chunk_reader.ChunkParser().read_first(str(path), size, 1, on_read, lambda: False)
    assert read[0] < size // 3  # the reader's buffers and read-ahead: ~2 MiB of the 10


@pytest.mark.usefixtures("cut_small")
def test_the_collector_is_left_as_it_was(tmp_path: Path) -> None:
    """The collector is off while a file is read in parallel, and what was read joins the
    oldest generation; after, it is on or off as the caller had it, and nothing stays
    frozen that the caller had not frozen itself."""
    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(3))
    gc.unfreeze()
    try:
        assert parallel.parse_file(str(path), jobs=2, max_bytes=None) is not None
        assert gc.get_freeze_count() == 0
        assert gc.isenabled()
        gc.disable()
        assert parallel.parse_file(str(path), jobs=2, max_bytes=None) is not None
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_small_input_is_decided_without_importing_parallel(tmp_path: Path) -> None:
    # The size check comes before the import: a small dump's run costs no parallel.py.
    path = tmp_path / "dump.txt"
    text = many_goroutines(5)
    path.write_text(text)
    headers = len(re.findall(r"^goroutine [0-9]+ ", text, re.M))
    code = (
        "import sys; from gtriage.pipeline import analyze_inputs; "
        f"r = analyze_inputs([{str(path)!r}], jobs=4); print(r.goroutines, 'gtriage.parallel' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.split() == [str(headers), "False"]
    assert not job_count.big_enough(str(path))
    assert not job_count.big_enough("-")
    assert not job_count.big_enough("http://host:6060/debug/pprof/goroutine")
    assert not job_count.big_enough(str(tmp_path / "absent.txt"))


SIGQUIT_SAMPLE = SAMPLES / "dumps" / "go1.27" / "leaky.sigquit-all.txt"


@pytest.mark.usefixtures("cut_small")
@pytest.mark.parametrize("after", ["", "exit status 2\n", "exit status 2\n" * 6])
def test_a_traceback_ending_in_registers_is_read_in_parallel_as_in_one_pass(tmp_path: Path, after: str) -> None:
    # The registers after a SIGQUIT dump's last goroutine are taken by the last chunk, and
    # `go run`'s line after them too: every process reads, and the report is the same.
    text = SIGQUIT_SAMPLE.read_text()
    assert text.rstrip().splitlines()[-1].startswith("gs ")
    path = tmp_path / "sigquit.txt"
    path.write_text(text + after)
    assert parallel.parse_file(str(path), jobs=2, max_bytes=None) is not None
    assert report_json(path, 2) == report_json(path, 1)


@pytest.mark.usefixtures("cut_small")
@pytest.mark.parametrize("sample", ["leaky.sigquit-crash.txt", "leaky.sigquit-system.txt", "locks.sigquit-system.txt"])
def test_tracebacks_of_every_thread_read_as_in_one_pass(sample: str) -> None:
    # GOTRACEBACK=crash: each thread's stack and registers after the goroutines, whatever
    # the chunks make of them.
    path = SAMPLES / "dumps" / "go1.27" / sample
    assert report_json(path, 3) == report_json(path, 1)


@pytest.mark.usefixtures("cut_small")
def test_an_unclean_end_is_met_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What a later chunk cannot read (here the next thread's preamble after the registers,
    # as GOTRACEBACK=crash prints it) is met first: the last chunk is handed out first, and
    # the file goes to one process after a few chunks rather than after the whole parallel
    # read.
    path = tmp_path / "sigquit.txt"
    path.write_text(SIGQUIT_SAMPLE.read_text() + "\n-----\n\nSIGQUIT: quit\nPC=0x4930a3 m=1 sigcode=0\n\n")
    queues: list[forked.IndexQueue] = []
    left: list[int] = []

    class Kept(forked.IndexQueue):
        def __init__(self, order: list[int]) -> None:
            super().__init__(order)
            queues.append(self)

        def close(self) -> None:
            left.append(self.left())  # what no process took, when the run ends
            super().close()

    monkeypatch.setattr(forked, "IndexQueue", Kept)
    plan = parallel._plan(str(path), 2, None)
    assert plan is not None
    chunks = len(plan[1]) - 1
    assert chunks > 16
    assert parallel.parse_file(str(path), jobs=2, max_bytes=None) is None
    [queue] = queues
    assert queue.order[0] == chunks - 1
    assert queue.halted()
    handed_out = len(queue.order) - left[0]  # what every process took
    assert handed_out < chunks // 4


@pytest.mark.usefixtures("cut_small")
def test_meanwhile_runs_once_after_the_workers_start(tmp_path: Path, forks: list[forked.Worker]) -> None:
    """What the caller does meanwhile (the report's imports) comes after every fork, so no
    worker inherits it half done, and the dump is the same."""
    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(20))
    workers_then: list[int] = []
    dump = parallel.parse_file(str(path), jobs=3, max_bytes=None, meanwhile=lambda: workers_then.append(len(forks)))
    assert dump is not None
    assert workers_then == [2]
    assert report_json(path, 3) == report_json(path, 1)


@pytest.mark.usefixtures("cut_small")
def test_no_fork_while_another_thread_runs(tmp_path: Path) -> None:
    """A fork copies only its own thread, and a lock another thread holds (an import's)
    stays held in the child: with another thread running, the file goes to one process."""

    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(20))
    assert parallel.parse_file(str(path), jobs=2, max_bytes=None) is not None
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert parallel.parse_file(str(path), jobs=2, max_bytes=None) is None
        assert report_json(path, 2) == report_json(path, 1)
    finally:
        release.set()
        other.join()


@pytest.mark.usefixtures("cut_small")
def test_what_runs_while_reading_starts_once_the_workers_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[forked.Worker]
) -> None:
    """The TUI's import thread (analyze_inputs' while_reading) starts after the forks when
    a file is read in parallel, before the read otherwise, and once for all the inputs."""
    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(20))
    small = tmp_path / "small.txt"
    small.write_text(many_goroutines(1))
    calls: list[int] = []
    analyze_inputs([str(path)], jobs=2, while_reading=lambda: calls.append(len(forks)))
    assert calls == [1]  # one worker forked before
    monkeypatch.setattr(job_count, "MIN_PARALLEL_BYTES", 1 << 40)
    forks.clear()
    calls.clear()
    analyze_inputs([str(small), str(path)], jobs=2, while_reading=lambda: calls.append(len(forks)))
    assert calls == [0]
    assert forks == []


@pytest.mark.usefixtures("cut_small")
def test_a_fork_that_fails_leaves_the_file_to_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The second fork fails (EAGAIN: no process to be had): the one forked is reaped, the
    # collector is as it was, and the file is read by one process.
    path = tmp_path / "many.txt"
    path.write_text(many_goroutines(20))
    real = forked.start
    forks: list[forked.Worker] = []

    def start(work: Any) -> forked.Worker:
        if forks:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        forks.append(real(work))
        return forks[-1]

    monkeypatch.setattr(forked, "start", start)
    assert gc.isenabled()
    assert parallel.parse_file(str(path), jobs=3, max_bytes=None) is None
    assert gc.isenabled()
    with pytest.raises(ChildProcessError):
        os.waitpid(forks[0].pid, os.WNOHANG)  # reaped
    assert report_json(path, 3) == report_json(path, 1)


@pytest.mark.usefixtures("cut_small")
@pytest.mark.parametrize("follow", [False, True], ids=["pod after pod", "interleaved (-f)"])
def test_pods_of_one_kubectl_log_read_alike_by_one_and_several_processes(tmp_path: Path, follow: bool) -> None:
    from test_log_sources import kubectl_log

    path = tmp_path / "pods.txt"
    path.write_text(kubectl_log(follow))
    one = report_json(path, 1)
    assert report_json(path, 2) == one
    dump = parallel.parse_file(str(path), jobs=2, max_bytes=None)
    if dump is not None:
        assert_same_dump(dump, one_pass(path))
