"""The shape of a new stack of the common kind, its calls and then maybe its creator, read
a call at a time from what each call's text gave the first time it was seen.

shapes.stack_shape reads any stack: it hands each call's items from the grammar to an
assembler, which works out every frame again for every new shape. A dump's new shapes are
mostly calls seen in other shapes (the deep stacks of one server share their outer
frames), so here each masked call is worked out once per input (`_plain_unit`) and a new
shape costs a dictionary look-up a call. Anything else (ancestors, elided frames, cgo, a
name holding a masked word, a creator that is not last) is left to stack_shape, so both
build the same StackShape (tests compare them on every sample).
"""

from __future__ import annotations

from .model import ARGS_SEP, HEX_PLACEHOLDER, Frame, Stack
from .shapes import MEMO_ENTRIES, UNIT_START, GrammarMemo, StackShape, items_mask_a_name, parse_unit
from .transform import CreatedItem, FrameItem

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from typing import Any

# What a call is to plain_shape: the first item of its _plain_unit tuple.
_FIXED, _ARGS, _CREATED = "fixed", "args", "created"


def plain_shape(masked: str, memo: GrammarMemo) -> StackShape | None:
    """stack_shape of a masked stack text of the common kind, whose names hold no masked
    word (so masked_a_name is False); None for any other. Raises ParseError when the
    grammar rejects a call, as stack_shape does."""
    plain = memo.plain_units
    frames: list[Frame] = []
    arg_calls: list[int] = []
    fixed_calls: list[int] = []
    fixed_args: list[str] = []
    created: tuple[Any, ...] | None = None
    for unit in UNIT_START.split(masked[:-1]) if masked else ():
        p = plain.get(unit)
        if p is None:
            p = _plain_unit(unit, memo)
        if not p or created is not None:
            return None  # not of the common kind, or a line after the creator's
        kind, frame, value = p
        if kind is _FIXED:
            fixed_calls.append(len(frames))
            fixed_args.append(value)
            frames.append(frame)
        elif kind is _ARGS:
            # Its slot is its place among the calls with hex words, as _StackAssembler says.
            func, args, file, line = value
            arg_calls.append(len(frames))
            frames.append(memo.kept_frame(func, args, file, line, len(arg_calls) - 1))
        else:
            created = p
    if not frames and created is None:
        return None
    stack = Stack(tuple(frames), created[1] if created is not None else None)
    parent = 0 if created is not None and created[2] else None
    return StackShape(stack, parent, (), tuple(arg_calls), tuple(fixed_calls), ARGS_SEP.join(fixed_args))


def _plain_unit(unit: str, memo: GrammarMemo) -> tuple[Any, ...]:
    """A masked call (its lines without the last line break) as plain_shape reads it:
    (_FIXED, its kept frame, its arguments); (_ARGS, None, the frame's parts but its slot);
    (_CREATED, the creator's kept frame, whether a goroutine number follows); () for any
    other unit. Raises ParseError when the grammar rejects it."""
    items = parse_unit(unit + "\n", memo, False)
    p: tuple[Any, ...] = ()
    if len(items) == 1 and not items_mask_a_name(items):
        it = items[0]
        if type(it) is FrameItem:
            func, args, loc, _ = it
            if HEX_PLACEHOLDER in args:
                p = (_ARGS, None, (func, args, loc.file, loc.line))
            else:
                p = (_FIXED, memo.kept_frame(func, args, loc.file, loc.line, -1), args)
        elif type(it) is CreatedItem:
            p = (_CREATED, memo.frame(Frame(it.func, "", it.loc.file, it.loc.line)), it.has_gid)
    if len(memo.plain_units) < MEMO_ENTRIES:
        memo.plain_units[unit] = p
    return p
