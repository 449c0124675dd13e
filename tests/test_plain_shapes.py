"""plain_shapes.plain_shape: the same StackShape as shapes.stack_shape, or None."""

from __future__ import annotations

import pytest

from gtriage.lalr import ParseError
from gtriage.plain_shapes import plain_shape
from gtriage.shapes import GrammarMemo, masked_a_name, stack_shape

CALL = "main.f(0x0, 0x0)\n\t/src/m.go:3 +0x0\n"
FIXED = "main.g(...)\n\t/src/m.go:5 +0x0\n"
NONE = "main.h()\n\t/src/m.go:7 +0x0\n"
CREATED = "created by main.main in goroutine 0\n\t/src/m.go:9 +0x0\n"

PLAIN = {
    "calls with and without hex words": CALL + FIXED + CALL + NONE + CALL,
    "then the creator": CALL + FIXED + CREATED,
    "a creator without its goroutine number": CALL + "created by main.main\n\t/src/m.go:9 +0x0\n",
    "only a creator": CREATED,
    "a method, a closure, a struct argument": "main.(*T).M.func1({0x0, 0x0}, ...)\n\t/src/m.go:3 +0x0\n" + NONE,
}
OTHER = {
    "no stack": "",
    "elided frames": CALL + "...additional frames elided...\n" + CREATED,
    "a call after the creator": CALL + CREATED + NONE,
    "ancestors": CALL + CREATED + "[originating from goroutine 0]:\n" + CALL,
    "a hex word in a name": "main.f0x0(0x0)\n\t/src/m.go:3 +0x0\n",
    "a goroutine number in a name": "created by main.main in goroutine 0 in goroutine 0\n\t/src/m.go:9 +0x0\n",
    "cgo": CALL + "non-Go function at pc=0x0\n",
}


@pytest.mark.parametrize("masked", PLAIN.values(), ids=PLAIN.keys())
def test_a_plain_stack_gets_the_shape_stack_shape_gives(masked: str) -> None:
    memo = GrammarMemo()
    got = plain_shape(masked, memo)
    assert got == stack_shape(masked, GrammarMemo())
    # Its frames are the memo's own: the next shape shares them, whichever way it is read.
    assert got is not None
    assert all(a is b for a, b in zip(stack_shape(masked, memo).stack.frames, got.stack.frames, strict=True))
    # Read again from the memo's table of calls, the same.
    assert plain_shape(masked, memo) == got


@pytest.mark.parametrize("masked", OTHER.values(), ids=OTHER.keys())
def test_any_other_stack_is_left_to_stack_shape(masked: str) -> None:
    memo = GrammarMemo()
    assert plain_shape(masked, memo) is None
    assert plain_shape(masked, memo) is None  # and so again, from the memo
    if "0x0(" in masked or "0 in goroutine" in masked:
        assert masked_a_name(stack_shape(masked, GrammarMemo()).stack)


def test_a_call_the_grammar_rejects_raises_as_in_stack_shape() -> None:
    with pytest.raises(ParseError):
        stack_shape(CALL + "main.f(\n", GrammarMemo())
    with pytest.raises(ParseError):
        plain_shape(CALL + "main.f(\n", GrammarMemo())
