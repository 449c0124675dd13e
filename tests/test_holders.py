"""holders.py: who may hold the lock a cluster waits on, inferred from the stacks. The
captures (a holder in the waiters' method, a writer linked by its receiver, mutexes whose
locker returned) are in tests/test_locks_samples.py; these rows are the cases around them."""

from __future__ import annotations

from typing import Any

import pytest

from gtriage.render.json import report_obj
from gtriage.render.markdown import render_markdown
from gtriage.render.text import render_text
from test_objects import cluster_at, dump, frame, goroutine, lock_slow

LOCK = "0xc000010120"


@pytest.fixture(autouse=True, params=["looked up", "searched"])
def _both_ways(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every row both ways a goroutine's texts are read for the locks' addresses: each hex
    word looked up (a small dump), and one search for any of them (from
    holders._SEARCH_FROM goroutines on)."""
    import gtriage.holders as holders

    if request.param == "searched":
        monkeypatch.setattr(holders, "_SEARCH_FROM", 0)


def waiters(*ids: int, receiver: str = LOCK, lock: str = LOCK, func: str = "main.(*Store).Get", line: int = 23) -> list[str]:
    body = lock_slow(lock) + frame(func, f"{receiver}, 0x0?", "/src/store.go", line)
    return [goroutine(i, "sync.Mutex.Lock", body) for i in ids]


def in_get(gid: int, line: int, receiver: str = LOCK, state: str = "chan receive", above: str = "") -> str:
    return goroutine(gid, state, above + frame("main.(*Store).Get", f"{receiver}, 0x1", "/src/store.go", line))


def test_the_goroutine_past_the_lock_call_may_hold_it() -> None:
    report = dump(in_get(7, 30), *waiters(8, 9, 10))
    c = cluster_at(report, "main.(*Store).Get", 23)
    assert [(h.goroutine, h.link, h.frame.line, h.state) for h in c.holders] == [(7, "both", 30, "chan receive")]
    holder_rank = cluster_at(report, "main.(*Store).Get", 30).rank
    assert c.holders[0].cluster == holder_rank
    assert c.why[0] == (
        f"goroutine 7 may hold this mutex: it is in main.(*Store).Get at store.go:30 (chan receive, "
        f"cluster #{holder_rank}) while 3 wait at store.go:23; inferred from the stacks: the same "
        "function at another line, the same receiver"
    )


def test_a_caller_that_took_the_lock_may_hold_it() -> None:
    # Get took the lock and called load, which waits for a reply: Get is a frame below.
    above = frame("main.(*Store).load", "0xc000099000", "/src/store.go", 50)
    report = dump(in_get(7, 28, above=above), *waiters(8, 9))
    c = cluster_at(report, "main.(*Store).Get", 23)
    assert [(h.goroutine, h.frame.func, h.frame.line) for h in c.holders] == [(7, "main.(*Store).Get", 28)]


def test_the_same_method_of_another_instance_holds_another_lock() -> None:
    # Every waiter prints one receiver; a goroutine in Get with another receiver is another Store.
    report = dump(in_get(7, 30, receiver="0xc000020000"), *waiters(8, 9))
    assert cluster_at(report, "main.(*Store).Get", 23).holders == ()


def test_a_goroutine_waiting_for_the_same_lock_elsewhere_is_a_waiter() -> None:
    put = goroutine(7, "sync.Mutex.Lock", lock_slow(LOCK) + frame("main.(*Store).Put", f"{LOCK}, 0x1", "/src/store.go", 40))
    report = dump(put, *waiters(8, 9))
    assert cluster_at(report, "main.(*Store).Get", 23).holders == ()
    assert cluster_at(report, "main.(*Store).Put", 40).holders == ()


def test_another_method_with_the_same_receiver_may_hold_it() -> None:
    # The catalog case: readers in Lookup, the writer in Reload, linked only by the receiver.
    writer = goroutine(7, "chan receive", frame("main.(*Catalog).Reload", f"{LOCK}, 0xc000030000", "/src/c.go", 21))
    report = dump(writer, *waiters(8, 9, func="main.(*Catalog).Lookup", line=27))
    c = cluster_at(report, "main.(*Catalog).Lookup")
    assert [(h.goroutine, h.link) for h in c.holders] == [(7, "argument")]


def test_a_lock_whose_locker_returned_has_no_holder() -> None:
    unrelated = goroutine(7, "chan receive", frame("main.serve", "0xc000040000", "/src/s.go", 9))
    report = dump(unrelated, *waiters(8, 9))
    assert cluster_at(report, "main.(*Store).Get", 23).holders == ()


def test_one_lock_each_gets_no_holder() -> None:
    # Like the sessions: each waiter on its own mutex. A goroutine at another line of the
    # function may hold one of them, but which one the stacks cannot say.
    report = dump(in_get(7, 30, receiver="0xc000050000"), *waiters(8, lock="0xc000050000", receiver="0xc000050000"),
                  *waiters(9, lock="0xc000060000", receiver="0xc000060000"))  # fmt: skip
    assert cluster_at(report, "main.(*Store).Get", 23).holders == ()


def test_one_global_lock_with_many_receivers_links_by_function_only() -> None:
    # Waiters of different Stores that share one package-level mutex: no common receiver,
    # so any goroutine past the Lock call in Get may hold it, whatever its receiver.
    report = dump(in_get(7, 30, receiver="0xc000070000"),
                  *waiters(8, receiver="0xc000080000"), *waiters(9, receiver="0xc000090000"))  # fmt: skip
    c = cluster_at(report, "main.(*Store).Get", 23)
    assert [(h.goroutine, h.link) for h in c.holders] == [(7, "function")]


def test_likeliest_first_and_the_rest_counted() -> None:
    writer = goroutine(5, "chan receive", frame("main.(*Store).Flush", f"{LOCK}", "/src/store.go", 60))
    report = dump(writer, in_get(6, 31, receiver="0x0?"), in_get(7, 30), *waiters(8, 9))
    c = cluster_at(report, "main.(*Store).Get", 23)
    assert [(h.goroutine, h.link) for h in c.holders] == [(7, "both"), (6, "function"), (5, "argument")]
    assert c.why[0].startswith("goroutine 7 may hold this mutex")
    assert c.why[0].endswith("; 2 more goroutines may too")


def test_every_output_carries_objects_and_holders() -> None:
    report = dump(in_get(7, 30), *waiters(8, 9, 10))
    c = cluster_at(report, "main.(*Store).Get", 23)
    text = render_text(report)
    assert f"    objects     1 mutex: {LOCK} (3)\n" in text
    assert f"    may hold    goroutine 7 (#{c.holders[0].cluster}, chan receive) in main.(*Store).Get /src/store.go:30 (inferred from the stacks)\n" in text
    md = render_markdown(report)
    assert f"- **Objects:** 1 mutex: {LOCK} (3)" in md
    assert "- **May hold the lock:** goroutine 7 (#" in md
    obj = report_obj(report)["clusters"][c.rank - 1]
    assert obj["objects"]["groups"] == [
        {"basis": "exact", "address": LOCK, "kind": "mutex", "via": "internal/sync.(*Mutex).lockSlow", "count": 3, "goroutine_ids": [8, 9, 10], "source": None}
    ]
    assert obj["holders"] == [{
        "goroutine": 7, "cluster": c.holders[0].cluster, "state": "chan receive", "link": "both",
        "frame": {"func": "main.(*Store).Get", "file": "/src/store.go", "line": 30, "origin": "main", "module": None, "version": None},
    }]  # fmt: skip


def test_dump_text_in_the_lines_is_inert() -> None:
    # A function name is dump text: its escape sequence is spelled out, never sent.
    evil = "main.(*Store).Get\x1b[31m"
    body = lock_slow(LOCK) + frame(evil, f"{LOCK}, 0x0?", "/src/store.go", 23)
    report = dump(goroutine(7, "chan receive", frame(evil, f"{LOCK}, 0x1", "/src/store.go", 30)),
                  *(goroutine(i, "sync.Mutex.Lock", body) for i in (8, 9)))  # fmt: skip
    text = render_text(report)
    assert "\x1b[31m" not in text
    assert "may hold    goroutine 7" in text


def test_work_stays_linear_with_many_locks(monkeypatch: pytest.MonkeyPatch) -> None:
    # 300 clusters, each one goroutine waiting on a mutex of its own at its own line, and
    # 300 goroutines elsewhere: a goroutine is looked at only for the locks its function or
    # its argument texts name, never for every lock (300 x 600 links before).
    import gtriage.holders as holders

    calls = 0
    link = holders._link

    def counted(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        return link(*args)

    monkeypatch.setattr(holders, "_link", counted)
    locks = [
        goroutine(1000 + i, "sync.Mutex.Lock", lock_slow(f"{0xC000100000 + 64 * i:#x}") + frame(f"main.f{i}", "0x1", "/src/f.go", i + 1))
        for i in range(300)
    ]
    others = [goroutine(2000 + i, "chan receive", frame(f"main.g{i}", "0xc0000f0000", "/src/g.go", i + 1)) for i in range(300)]
    report = dump(*locks, *others)
    assert all(c.holders == () for c in report.clusters)
    assert calls == 0
