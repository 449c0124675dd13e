"""wait_reads.py: where a wait shows its object, and what one goroutine's argument texts
say of it. Rows name the runtime behaviour they model."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtriage import wait_reads
from gtriage.frame_info import FrameInfo, FuncName, Origin
from gtriage.model import ARGS_SEP, Frame, Goroutine, Stack
from gtriage.wait_reads import INLINED, MARKED, NOT_PRINTED, ValueReader, first_value


@pytest.mark.parametrize(
    ("args", "value"),
    [
        ("0xc000010120", 0xC000010120),
        ("0xc000010124, 0x0, 0x3, 0x1", 0xC000010124),  # semacquire1: the first one only
        ("0x2ce5602da3f0", 0x2CE5602DA3F0),  # Go 1.26+ heap addresses
        ("0xc0000ba200?, 0x0?", MARKED),  # chanrecv1: the runtime is not sure of it
        ("...", INLINED),  # an inlined call prints no arguments
        ("", NOT_PRINTED),  # no arguments
        ("{0x7442e4, 0x4}, 0x1", NOT_PRINTED),  # a struct first: no address
        ("0x0, 0x1", NOT_PRINTED),  # nil is no object
        ("0x1, 0x2", NOT_PRINTED),  # a bool or a small int: nothing lives in the first page
    ],
)
def test_first_value(args: str, value: int | str) -> None:
    assert first_value(args) == value


def test_value_reader_is_first_value_remembered_up_to_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ValueReader, "SIZE", 2)
    value = ValueReader()
    texts = ["0xc000010120, 0x1", "0xc000010120?", "...", "0xc000010120, 0x1"]
    assert [value[t] for t in texts] == [first_value(t) for t in texts]
    assert [value(t) for t in texts] == [first_value(t) for t in texts]
    assert len(value) == 2


def _read_by_frame_args(g: Goroutine, plan: wait_reads.WaitPlan, frames: list[FrameInfo]) -> tuple[object, str]:
    """What read_object answered before it split the texts: each frame's text found by
    Goroutine.frame_args (the definition), read by first_value."""
    why = NOT_PRINTED
    for i, kind, off in plan.witnesses:
        v = first_value(g.frame_args(g.stack.frames[i]))
        if isinstance(v, int):
            return (wait_reads.EXACT, v - off, kind, frames[i].func), why
        why = wait_reads._worse(why, v)
    if plan.argument is not None:
        v = first_value(g.frame_args(g.stack.frames[plan.argument]))
        if isinstance(v, int):
            return (wait_reads.ARGUMENT, v, plan.kind, frames[plan.argument].func), why
        return None, wait_reads._worse(why, v)
    return None, why


_ARG_TEXTS = st.sampled_from(["0xc000010120", "0xc000010124, 0x0", "0xc0000ba200?", "...", "", "0x0, 0x1", "{0x1, 0x2}"])


@settings(max_examples=400)
@given(
    st.lists(st.tuples(st.sampled_from(["internal/sync.(*Mutex).lockSlow", "runtime.semacquire1", "sync.(*Mutex).Lock",
                                        "main.worker"]), st.integers(-1, 4), _ARG_TEXTS), min_size=1, max_size=5),
    st.lists(_ARG_TEXTS, max_size=6),
)
def test_read_object_reads_each_frames_text_as_frame_args_does(
    rows: list[tuple[str, int, str]], texts: list[str]
) -> None:
    # Slots before, at and past the goroutine's texts, -1 (the frame's own args), a
    # goroutine with no texts: the split texts are the ones frame_args finds.
    raw = tuple(Frame(func, args, "/src/x.go", 1, slot) for func, slot, args in rows)
    origin = {"main.worker": Origin.MAIN}
    frames = [FrameInfo(f.func, f.file, 1, origin.get(f.func, Origin.STDLIB), None, None, FuncName("", "", f.func, "", False))
              for f in raw]
    plan = wait_reads.wait_plan(frames, "sync.Mutex.Lock")
    assert plan is not None
    g = Goroutine(7, "sync.Mutex.Lock", Stack(raw), 1, values=ARGS_SEP.join(texts))
    told, why = wait_reads.read_object(g.values, wait_reads.reads_for(plan, frames, g.stack), ValueReader())
    assert (tuple(told) if told is not None else None, why) == _read_by_frame_args(g, plan, frames)
