"""forked: worker processes without multiprocessing. The queue hands each index to exactly
one process, messages of any size arrive whole, and a worker that will not end is killed."""

from __future__ import annotations

import os
import pickle
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gtriage import forked
from manifests import SAMPLES

DEMO = SAMPLES / "demo.txt"


def _take_all(queue: forked.IndexQueue, fd: int) -> None:
    taken = []
    while (k := queue.take()) is not None:
        taken.append(k)
        time.sleep(0.001)  # the others take some meanwhile
    forked.send(fd, pickle.dumps(taken))


def test_every_index_goes_to_exactly_one_process() -> None:
    order = list(range(4000, 0, -1))
    queue = forked.IndexQueue(order)
    workers = [forked.start(lambda fd: _take_all(queue, fd)) for _ in range(3)]
    mine = []
    while (k := queue.take()) is not None:
        mine.append(k)
    theirs = []
    for w in workers:
        message = forked.receive(w.fd)
        assert message is not None
        theirs.append(pickle.loads(message))
        assert forked.receive(w.fd) is None  # then its end
    forked.reap(workers)
    taken = sorted(mine + [k for t in theirs for k in t])
    assert taken == sorted(order)
    assert all(t == sorted(t, reverse=True) for t in [mine, *theirs])  # each in the queue's order
    assert queue.left() == 0


def test_a_halted_queue_hands_out_nothing_in_any_process() -> None:
    queue = forked.IndexQueue([5, 6, 7])
    assert queue.take() == 5
    queue.halt()
    w = forked.start(lambda fd: forked.send(fd, pickle.dumps(queue.take())))
    message = forked.receive(w.fd)
    forked.reap([w])
    assert message is not None
    assert pickle.loads(message) is None
    assert queue.take() is None
    assert queue.halted()
    assert queue.left() == 2  # 6 and 7 were never taken
    queue.close()
    assert queue.halted()  # still readable after close


def test_the_queue_holds_what_its_pipe_can_take_at_once() -> None:
    with pytest.raises(ValueError, match="at most"):
        forked.IndexQueue(list(range(forked.MAX_INDICES + 1)))
    with pytest.raises(ValueError, match="at most"):
        forked.IndexQueue([1 << 16])


def test_a_message_larger_than_the_pipe_arrives_whole() -> None:
    payload = os.urandom(5 << 20)  # far past a pipe's buffer: written while it is read

    def two(fd: int) -> None:
        forked.send(fd, payload)
        forked.send(fd, b"")

    w = forked.start(two)
    first, second, end = forked.receive(w.fd), forked.receive(w.fd), forked.receive(w.fd)
    forked.reap([w])
    assert first is not None
    assert bytes(first) == payload
    assert second is not None
    assert bytes(second) == b""
    assert end is None


def test_a_chunks_answer_is_sent_before_the_parent_reads_it() -> None:
    # A worker goes on with its next chunk while its answer waits in the pipe: the parent
    # takes answers in only between its own sections.
    fcntl = pytest.importorskip("fcntl")
    limit = Path("/proc/sys/fs/pipe-max-size")
    if not hasattr(fcntl, "F_SETPIPE_SZ") or not limit.exists() or int(limit.read_text()) < forked.PIPE_BYTES:
        pytest.skip("pipes cannot be widened here")
    payload = os.urandom(forked.PIPE_BYTES - (16 << 10))  # a big chunk's answer (~0.75 MiB)
    sent_r, sent_w = os.pipe()

    def one(fd: int) -> None:
        forked.send(fd, payload)
        os.write(sent_w, b"sent")

    w = forked.start(one)
    try:
        assert select.select([sent_r], [], [], 10)[0], "the worker still waits in its send"
        got = forked.receive(w.fd)
        assert got is not None
        assert bytes(got) == payload
    finally:
        forked.reap([w])
        os.close(sent_r)
        os.close(sent_w)


def test_a_sender_goes_on_while_its_messages_wait_for_the_reader() -> None:
    # Each message is bigger than the pipe holds: a plain send waits until the parent reads.
    payloads = [os.urandom(3 << 20), b"", os.urandom(2 << 20)]
    went_on_r, went_on_w = os.pipe()

    def many(fd: int) -> None:
        sender = forked.Sender(fd)
        for p in payloads:
            sender.send(p)
        os.write(went_on_w, b"on")
        sender.close()  # waits until every message is written

    w = forked.start(many)
    try:
        assert select.select([went_on_r], [], [], 10)[0], "the worker waited for the reader"
        got = [forked.receive(w.fd) for _ in payloads]
        assert [bytes(g) if g is not None else None for g in got] == payloads, "whole, and in order"
        assert forked.receive(w.fd) is None
    finally:
        forked.reap([w])
        os.close(went_on_r)
        os.close(went_on_w)


def test_a_sender_whose_reader_is_gone_says_so() -> None:
    read, write = os.pipe()
    os.close(read)
    sender = forked.Sender(write)
    sender.send(b"x" * 100)
    sender.send(b"y")
    sender.close()  # returns: the write failed, nothing more is tried
    os.close(write)
    assert sender.broken


def test_a_worker_that_dies_reads_as_its_end() -> None:
    w = forked.start(lambda fd: os._exit(3))
    assert forked.receive(w.fd) is None
    forked.reap([w])


def test_a_worker_that_will_not_end_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "REAP_SECONDS", 0.2)
    w = forked.start(lambda fd: time.sleep(60))
    started = time.monotonic()
    forked.reap([w])
    assert time.monotonic() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(w.pid, os.WNOHANG)  # waited for already: no zombie left


def test_nothing_buffered_is_written_twice() -> None:
    # A fork copies what the parent's stdout holds unwritten; start flushes first, and the
    # child ends with os._exit, which writes nothing of it again.
    code = (
        "import sys; from gtriage import forked\n"
        "sys.stdout.write('once\\n')\n"
        "w = forked.start(lambda fd: None)\n"
        "forked.reap([w])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout == "once\n"


def test_workers_let_end_are_waited_for_later_not_now() -> None:
    go_r, go_w = os.pipe()

    def slow_end(fd: int) -> None:
        forked.send(fd, b"all")
        os.read(go_r, 1)  # ends only once told to

    w = forked.start(slow_end)
    try:
        got = forked.receive(w.fd)
        assert got is not None
        assert bytes(got) == b"all"
        started = time.monotonic()
        forked.let_end([w])
        assert time.monotonic() - started < 0.5, "let_end waited for the worker's end"
        assert w in forked._ending
        with pytest.raises(OSError, match="Bad file descriptor"):
            os.fstat(w.fd)  # its pipe is closed
        os.write(go_w, b"x")
        forked.reap_ending()
        assert forked._ending == []
        with pytest.raises(ChildProcessError):
            os.waitpid(w.pid, os.WNOHANG)  # waited for: no zombie left
    finally:
        os.close(go_r)
        os.close(go_w)


def test_a_run_that_read_in_parallel_leaves_no_worker_behind(tmp_path: Path) -> None:
    # The command ends by os._exit (cli.run): its workers are waited for before it.
    code = (
        "import os, sys\n"
        "from gtriage import cli, job_count, parallel, forked\n"
        "job_count.MIN_PARALLEL_BYTES = parallel.MIN_CHUNK_BYTES = 0\n"
        "pids = []\n"
        "real = forked.start\n"
        "def start(work):\n"
        "    w = real(work)\n"
        "    pids.append(w.pid)\n"
        "    return w\n"
        "forked.start = start\n"
        "real_exit = os._exit\n"
        "parent = os.getpid()\n"
        "def end(code):\n"
        "    if os.getpid() != parent:\n"
        "        real_exit(code)  # a worker's own end\n"
        "    for pid in pids:\n"
        "        try:\n"
        "            os.waitpid(pid, os.WNOHANG)\n"
        "            sys.stderr.write(f'not waited for: {pid}\\n')\n"
        "        except ChildProcessError:\n"
        "            pass\n"
        "    sys.stderr.write(f'workers: {len(pids)}\\n')\n"
        "    sys.stderr.flush()\n"
        "    real_exit(code)\n"
        "os._exit = end\n"
        "sys.argv = ['gtriage', sys.argv[1], '--format', 'json', '--jobs', '2']\n"
        "sys.exit(cli.run())\n"
    )
    dump = tmp_path / "dump.txt"
    dump.write_text(DEMO.read_text())
    out = subprocess.run([sys.executable, "-c", code, str(dump)], capture_output=True, text=True, check=False, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stderr == "workers: 1\n"
