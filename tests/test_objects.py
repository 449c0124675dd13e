"""objects.py: which object a wait is on, from the argument values the dump printed. Rows
name the runtime behaviour they model; the captures of every release are in
tests/test_locks_samples.py."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtriage import objects
from gtriage.frame_info import FrameInfo, FuncName, Origin
from gtriage.model import ARGS_SEP, Frame, Goroutine, Stack
from gtriage.parse import parse_text
from gtriage.pipeline import analyze_text
from gtriage.render.text import render_text
from gtriage.report import Cluster, ObjectGroup, Objects, Report
from gtriage.wait_reads import INLINED, MARKED, NOT_PRINTED, ValueReader, wait_plan

GOROOT = "/usr/local/go/src"


def frame(func: str, args: str, file: str, line: int) -> str:
    offset = "" if args == "..." else " +0x25"
    return f"{func}({args})\n\t{file}:{line}{offset}\n"


def lock_slow(addr: str) -> str:
    return (
        frame("internal/sync.runtime_SemacquireMutex", "0x11?, 0x25?, 0xe?", f"{GOROOT}/runtime/sema.go", 95)
        + frame("internal/sync.(*Mutex).lockSlow", addr, f"{GOROOT}/internal/sync/mutex.go", 149)
        + frame("internal/sync.(*Mutex).Lock", "...", f"{GOROOT}/internal/sync/mutex.go", 70)
        + frame("sync.(*Mutex).Lock", "...", f"{GOROOT}/sync/mutex.go", 46)
    )


def goroutine(gid: int, state: str, body: str) -> str:
    return f"goroutine {gid} [{state}]:\n{body}created by main.start in goroutine 1\n\t/src/main.go:10 +0x20\n"


def dump(*goroutines: str) -> Report:
    return analyze_text("\n".join(goroutines))


def cluster_at(report: Report, func: str, line: int | None = None) -> Cluster:
    return next(c for c in report.clusters if c.blocked_at.func == func and line in (None, c.blocked_at.line))


@given(st.lists(st.text(alphabet="0x1c, {}?.\n", max_size=8), max_size=6), st.integers(-1, 7))
def test_frame_args_is_the_slot_of_the_values_split(texts: list[str], slot: int) -> None:
    g = parse_text(goroutine(5, "chan receive", frame("main.wait", "0xc000010000", "/src/w.go", 4))).snapshots[0].goroutines[0]
    g = dataclasses.replace(g, values=ARGS_SEP.join(texts))
    f = Frame("main.wait", "the frame's own", "/src/w.go", 4, slot)
    split = g.values.split(ARGS_SEP)
    assert g.frame_args(f) == (f.args if slot < 0 or slot >= len(split) else split[slot])


def test_a_cond_waiter_locking_c_l_again_waits_on_the_mutex_not_the_cond() -> None:
    # After Signal, Cond.Wait locks c.L again: the goroutine is in lockSlow under Cond.Wait,
    # and Cond.Wait's receiver (exact here) is the Cond, not the mutex it waits for.
    body = lock_slow("0xc000100010?") + frame("sync.(*Cond).Wait", "0xc000100000", f"{GOROOT}/sync/cond.go", 71)
    body += frame("main.pop", "0x0?", "/src/q.go", 9)
    report = dump(goroutine(5, "sync.Mutex.Lock", body), goroutine(6, "sync.Mutex.Lock", body))
    o = cluster_at(report, "main.pop").objects
    assert o is not None
    assert (o.kind, o.groups, o.reason) == ("mutex", (), MARKED)


def test_an_rwmutex_lock_waiting_for_its_inner_mutex_is_the_rwmutex() -> None:
    # RWMutex.Lock locks rw.w first, the RWMutex's first field: lockSlow prints the RWMutex.
    body = lock_slow("0xc000200000") + frame("sync.(*RWMutex).Lock", "0xc000200000?", f"{GOROOT}/sync/rwmutex.go", 147)
    body += frame("main.flush", "0x0?", "/src/c.go", 30)
    report = dump(*(goroutine(i, "sync.Mutex.Lock", body) for i in (5, 6)))
    o = cluster_at(report, "main.flush").objects
    assert o is not None
    assert o.kind == "RWMutex"
    assert [(g.basis, g.address, g.count, g.via) for g in o.groups] == [
        ("exact", "0xc000200000", 2, "internal/sync.(*Mutex).lockSlow")
    ]


@pytest.mark.parametrize(
    ("wrapper", "caller", "sema", "kind", "addr"),
    [
        # &m.sema: 4 bytes into a mutex (state int32, sema uint32)
        ("internal/sync.runtime_SemacquireMutex", "internal/sync.(*Mutex).lockSlow", "0xc000010124", "mutex", "0xc000010120"),
        # Go 1.19 used SemacquireMutex for the readers of an RWMutex too: readerSem, 0xc in
        ("sync.runtime_SemacquireMutex", "sync.(*RWMutex).RLock", "0xc00006b35c", "RWMutex", "0xc00006b350"),
        # writerSem, 8 in: a writer waiting for the readers to leave
        ("sync.runtime_SemacquireRWMutex", "sync.(*RWMutex).Lock", "0xc00006b358", "RWMutex", "0xc00006b350"),
        ("sync.runtime_SemacquireWaitGroup", "sync.(*WaitGroup).Wait", "0xc000018b98", "WaitGroup", "0xc000018b90"),
    ],
)
def test_semacquire1_names_a_field_of_the_object_under_it(wrapper: str, caller: str, sema: str, kind: str, addr: str) -> None:
    # GOTRACEBACK=system: the runtime frame prints the semaphore's address exactly; the
    # sync frames above the program's print "?" or nothing.
    body = (
        frame("runtime.semacquire1", f"{sema}, 0x0, 0x3, 0x1", f"{GOROOT}/runtime/sema.go", 160)
        + frame(wrapper, "0x11?, 0x0?, 0x0?", f"{GOROOT}/runtime/sema.go", 77)
        + frame(caller, "...", f"{GOROOT}/sync/x.go", 1)
        + frame("main.work", "0x0?", "/src/w.go", 5)
    )
    report = dump(*(goroutine(i, "semacquire", body) for i in (5, 6, 7)))
    o = cluster_at(report, "main.work").objects
    assert o is not None
    assert [(g.kind, g.address, g.count, g.basis) for g in o.groups] == [(kind, addr, 3, "exact")]


def test_a_semaphore_of_something_else_is_no_witness() -> None:
    # internal/poll's fdMutex also parks in semacquire1: no sync frame says whose it is.
    body = (
        frame("runtime.semacquire1", "0xc000300008, 0x0, 0x1, 0x0", f"{GOROOT}/runtime/sema.go", 160)
        + frame("internal/poll.runtime_Semacquire", "0xc000300008?", f"{GOROOT}/runtime/sema.go", 71)
        + frame("main.work", "{0x1, 0x2}", "/src/w.go", 5)
    )
    report = dump(goroutine(5, "semacquire", body), goroutine(6, "semacquire", body))
    # Go 1.19's "semacquire" is any sync wait: without a sync frame, no object to name.
    assert cluster_at(report, "main.work").objects is None


def test_chansend_names_the_channel() -> None:
    body = (
        frame("runtime.chansend", "0xc0000a0000, 0xc0000b0000, 0x1, 0x4a1b2c", f"{GOROOT}/runtime/chan.go", 259)
        + frame("runtime.chansend1", "0xc0000a0000?, 0x0?", f"{GOROOT}/runtime/chan.go", 145)
        + frame("main.produce", "0x0?", "/src/p.go", 12)
    )
    report = dump(goroutine(5, "chan send", body), goroutine(6, "chan send", body))
    o = cluster_at(report, "main.produce").objects
    assert o is not None
    assert [(g.kind, g.address, g.count) for g in o.groups] == [("channel", "0xc0000a0000", 2)]
    assert "all 2 wait on one channel (0xc0000a0000): one stuck object" in "; ".join(cluster_at(report, "main.produce").why)


@pytest.mark.parametrize(
    ("state", "has_objects"),
    [
        ("select", False),  # several channels: no one object
        ("chan receive (nil chan)", False),  # a nil channel is no object
        ("IO wait", False),
        ("chan receive (durable)", True),  # synctest's durable waits are the same waits
        ("chan receive", True),
    ],
)
def test_which_waits_are_on_one_object(state: str, has_objects: bool) -> None:
    body = frame("main.recv", "0xc000400000, 0x1", "/src/r.go", 3)
    report = dump(goroutine(5, state, body), goroutine(6, state, body))
    assert (cluster_at(report, "main.recv").objects is not None) == has_objects


def test_several_objects_some_untold() -> None:
    # Goroutine 9's lockSlow prints "?": its program frame's argument is not comparable
    # with the others' addresses, so it is untold rather than a group of its own.
    a = goroutine(5, "sync.Mutex.Lock", lock_slow("0xc000010120") + frame("main.get", "0x1", "/src/s.go", 7))
    report = dump(
        a,
        a.replace("goroutine 5 ", "goroutine 6 "),
        a.replace("goroutine 5 ", "goroutine 7 "),
        goroutine(8, "sync.Mutex.Lock", lock_slow("0xc000010200") + frame("main.get", "0x1", "/src/s.go", 7)),
        goroutine(9, "sync.Mutex.Lock", lock_slow("0xc000010200?") + frame("main.get", "0x1", "/src/s.go", 7)),
    )
    c = cluster_at(report, "main.get")
    assert c.objects is not None
    assert [(g.address, g.goroutine_ids) for g in c.objects.groups] == [("0xc000010120", (5, 6, 7)), ("0xc000010200", (8,))]
    assert c.objects.untold == 1
    assert (
        "4 goroutines wait on 2 mutexes: 3 on 0xc000010120, 1 on 0xc000010200; the dump does not tell for 1 "
        f"({MARKED})" in c.why
    )
    # A cluster on several objects is weighed as its size says; one on a single object more.
    assert not c.objects.shared


def test_the_program_frames_argument_is_inference_and_said_so() -> None:
    # Go 1.22+ debug=2: no runtime frame, the channel passed to the program's function.
    report = dump(*(goroutine(i, "chan receive", frame("main.subscribe", "0xc000068600, 0x0?", "/src/c.go", 26)) for i in (5, 6, 7)))
    c = cluster_at(report, "main.subscribe")
    assert c.objects is not None
    assert [(g.basis, g.via) for g in c.objects.groups] == [("argument", "main.subscribe")]
    assert "all 3 wait on one channel (0xc000068600; inferred from main.subscribe's first argument): one stuck object, not one each" in c.why


def test_an_inlined_blocking_frame_does_not_tell() -> None:
    report = dump(*(goroutine(i, "chan receive", frame("main.recvForever", "...", "/src/c.go", 11)) for i in (5, 6)))
    c = cluster_at(report, "main.recvForever")
    assert c.objects is not None
    assert (c.objects.groups, c.objects.reason) == ((), INLINED)
    assert f"the dump does not tell which channel they wait on: {INLINED}" in c.why


def test_a_leak_of_many_channels_lists_the_largest_groups_and_counts_all(monkeypatch: pytest.MonkeyPatch) -> None:
    # One group per channel would be a million groups for a million-goroutine leak: the
    # report keeps the largest MAX_GROUPS and counts the rest.
    monkeypatch.setattr(objects, "MAX_GROUPS", 3)
    body = "runtime.chanrecv({}, 0x0, 0x1)\n\t/usr/local/go/src/runtime/chan.go:583 +0x1\n" + frame("main.wait", "0x0?", "/src/w.go", 4)
    shared = [goroutine(i, "chan receive", body.format("0xc000500000")) for i in (5, 6)]
    each = [goroutine(i, "chan receive", body.format(f"{0xC000600000 + 0x60 * i:#x}")) for i in range(10, 20)]
    report = dump(*shared, *each)
    c = cluster_at(report, "main.wait")
    o = c.objects
    assert o is not None
    assert (o.distinct, o.told, o.untold, len(o.groups)) == (11, 12, 0, 3)
    assert o.groups[0].goroutine_ids == (5, 6)
    assert "12 goroutines wait on 11 channels: 2 on 0xc000500000, 1 on 0xc0006003c0, 1 on 0xc000600420, 8 more" in c.why
    assert "11 channels: 0xc000500000 (2), 0xc0006003c0 (1), 0xc000600420 (1) … 8 more" in render_text(report)


def _objects(kind: str, groups: list[tuple[str, int]], untold: int = 0, reason: str | None = None) -> Objects:
    made = tuple(ObjectGroup("exact", a, kind, "sync.(*Mutex).lockSlow", n, tuple(range(n))) for a, n in groups)
    return Objects(kind, made, len(made), sum(n for _a, n in groups), untold, reason)


def test_a_fleet_s_objects_keep_each_source_s_groups_apart() -> None:
    """The same address in two processes is two objects: each group keeps its source; the
    kind is what most goroutines wait on; the reason is the one of the source leaving the
    most untold; sources counts those that tell."""
    from gtriage.fleet import combined

    o = combined([
        ("pod-a", _objects("mutex", [("0xc000010000", 30)], untold=2, reason=INLINED)),
        ("pod-b", _objects("mutex", [("0xc000010000", 20)], untold=5, reason=MARKED)),
        ("pod-c", _objects("channel", [], untold=1, reason=NOT_PRINTED)),
    ])
    assert [(g.source, g.address, g.count) for g in o.groups] == [("pod-a", "0xc000010000", 30), ("pod-b", "0xc000010000", 20)]
    assert (o.kind, o.distinct, o.told, o.untold, o.reason, o.sources) == ("mutex", 2, 50, 8, MARKED, 2)
    assert o.one_per_source
    assert o.shared


def test_a_fleet_s_objects_list_the_largest_groups_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from gtriage import fleet

    monkeypatch.setattr(fleet, "MAX_GROUPS", 3)
    o = fleet.combined([
        ("a", _objects("channel", [("0x1000", 1), ("0x2000", 4)])),
        ("b", _objects("channel", [("0x3000", 2), ("0x4000", 1), ("0x5000", 3)])),
    ])
    assert [(g.source, g.count) for g in o.groups] == [("a", 4), ("b", 3), ("b", 2)]
    assert (o.distinct, o.told, o.sources) == (5, 11, 2)
    assert not o.one_per_source
    assert not o.shared


_TEXTS = st.sampled_from(["0xc000010120", "0xc000010124, 0x0", "0xc0000ba200?", "...", "", "0x0, 0x1", "0xc000020000"])


@settings(max_examples=200)
@given(st.lists(st.lists(_TEXTS, max_size=4), min_size=1, max_size=12), st.integers(0, 3))
def test_a_part_is_read_as_the_goroutines_one_by_one(values: list[list[str]], slot: int) -> None:
    # part_answers reads the texts of a part's goroutines in C; stack_answers one by one.
    raw = (
        Frame("runtime.semacquire1", "0x0", f"{GOROOT}/runtime/sema.go", 160, slot),
        Frame("internal/sync.(*Mutex).lockSlow", "0x0", f"{GOROOT}/internal/sync/mutex.go", 149, slot + 1),
        Frame("main.worker", "0x0", "/home/gopher/w.go", 9, 0),
    )
    stack = Stack(raw)
    origin = {"main.worker": Origin.MAIN}
    frames = [FrameInfo(f.func, f.file, f.line, origin.get(f.func, Origin.STDLIB), None, None, FuncName("", "", f.func, "", False))
              for f in raw]  # fmt: skip
    plan = wait_plan(frames, "sync.Mutex.Lock")
    assert plan is not None
    gs = [Goroutine(i + 1, "sync.Mutex.Lock", stack, i + 1, values=ARGS_SEP.join(v)) for i, v in enumerate(values)]
    one_by_one = objects.stack_answers(gs, plan, frames, ValueReader())
    assert objects.part_answers(gs, plan, frames, ValueReader()) == one_by_one
    assert list(objects.part_answers(gs, plan, frames, ValueReader())) == list(one_by_one), "in the order first told"
