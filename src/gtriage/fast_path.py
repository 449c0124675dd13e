"""The fast path: how a goroutine's text finds the shape the grammar parsed once.

A leaking dump is mostly copies of a few goroutines. Reading one goroutine goes:

1. Its header, "goroutine 17 [chan receive, 3 minutes]:", is looked up by its tail after
   the id (`ShapeMemo.header_rests`): only the id differs between the copies. A level-2
   header (" gp=0x.. m=3 mp=0x.. [select]:") is looked up with its gp=/m=/mp= words masked
   (`header_gp`). A new tail is masked (every number) and parsed by the grammar once
   (`headers`, `labels`), in shapes.header_shape.
2. Its stack text is looked up whole (`bodies`): goroutines of one leak often print the
   very same text. Otherwise it is cut at its argument lists (split_calls) and that key
   finds a shape parsed before (`calls`); the arguments are the goroutine's values.
3. A stack never seen is masked (hex words, goroutine numbers) and looked up by the masked
   text (`stacks`); a new one is parsed a call at a time, each distinct call once
   (`units`), and assembled into a StackShape with shared, interned frames (`frames`);
   a stack of the common kind from what each call gave the first time (plain_shapes.py).
4. A stack the grammar rejects is read call by call (read_by_units): the calls it accepts
   are kept, the lines of the others counted.

Shapes only ever come from the grammar: this is a memo, not a second definition of the
format (tests check it against a plain grammar parse of every sample, `memo=False`). Every
table is bounded (MEMO_ENTRIES and the MAX_* below); past a bound a text is parsed as if
seen for the first time.
"""

from __future__ import annotations

from .call_split import CALL_END, split_calls
from .lalr import ParseError
from .model import HEX_PLACEHOLDER, Frame, Labels
from .plain_shapes import plain_shape
from .record import NamedTuple
from .section import CallSplit, Section
from .shapes import (
    GID_PLACEHOLDER,
    GID_SPLIT,
    HEAD_SPLIT,
    HEX_WORD,
    MEMO_ENTRIES,
    GrammarMemo,
    HeaderShape,
    StackShape,
    assemble_stack,
    header_shape,
    is_number,
    items_mask_a_name,
    masked_a_name,
    parse_unit,
    split_labels,
    stack_shape,
    unit_groups,
)
from .snapshot_builder import SnapshotBuilder
from .transform import grammar_parse

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from typing import Any

MAX_BODIES = 1 << 13  # verbatim stack texts remembered: bounded, they are the biggest keys
MAX_CALL_KEYS = 1 << 14  # stack texts cut at their arguments (ShapeMemo.calls): one per call path
MAX_HEADER_RESTS = 1 << 14  # distinct header tails remembered (state, minutes, labels)


class HeaderRest(NamedTuple):
    """What a header says besides the goroutine id: the same for every copy of a tail."""

    shape: HeaderShape
    minutes: int
    thread: int | None
    bubble: int | None
    labels: Labels


class StackRead(NamedTuple):
    """A stack text read: its shape, the goroutine's argument values (Goroutine.values),
    the goroutine numbers in it (creator, ancestors), and whether lines were rejected."""

    shape: StackShape
    values: str
    gids: list[str]
    partial: bool


class ShapeMemo(GrammarMemo):
    """Every table of the fast path for one input. `enabled=False` is the reference path:
    the tables stay empty and every text goes to the grammar."""

    def __init__(self, *, enabled: bool = True) -> None:
        super().__init__()
        self.enabled = enabled
        self.header_rests: dict[str, HeaderRest] = {}
        self.header_gp: dict[str, HeaderRest] = {}  # level-2 tails, gp=/m=/mp= masked
        self.headers: dict[str, HeaderShape | None] = {}
        self.labels: dict[str, Labels] = {}
        self.stacks: dict[str, StackShape | None] = {}  # None: parse the real text
        # Stack texts cut at their argument lists (CallSplit.key) -> their shape. The runtime
        # prints a call site's arguments the same way every time, so this key finds the
        # shape without masking hex words; only shapes the grammar parsed are put here.
        self.calls: dict[str, StackShape] = {}
        self.bodies: dict[str, StackRead] = {}  # whole stack texts seen verbatim
        # debug=1 records (record_sections.py): frame and label lines, masked heads.
        self.record_lines: dict[str, Frame | Labels | None] = {}
        self.record_heads: set[str] = set()


def call_args(text: str) -> list[str]:
    """The argument text of each call line of a stack text, in printed order."""
    return [p.rpartition("(")[2] for p in text.split(CALL_END)[:-1]]


def read_header(memo: ShapeMemo, header: str) -> tuple[HeaderRest, int] | None:
    """What a header says, and its goroutine id. Headers that differ only in the id share
    everything else: "goroutine 17 [chan receive, 3 minutes]:" is looked up by
    " [chan receive, 3 minutes]:", and the memo's HeaderRest is reused as it is."""
    sp = header.find(" ", 10)
    rest = header[sp:] if sp > 0 else ""
    digits = header[10:sp]
    hit = memo.header_rests.get(rest) if memo.enabled else None
    if hit is not None and is_number(digits):
        return hit, int(digits)
    level2 = _level2_key(rest) if memo.enabled and rest.startswith(" gp=") else None
    if level2 is not None:
        key, words = level2
        hit = memo.header_gp.get(key)
        if hit is not None and is_number(digits):
            m = hit.shape.m_slot
            thread = int(words[m - 1]) if m is not None and 0 < m <= len(words) else None
            return hit._replace(thread=thread), int(digits)
    parsed = _parse_header(memo, header)
    if parsed is None:
        return None
    shape, values, labels = parsed
    read = HeaderRest(
        shape,
        int(values[shape.minutes_slot]) if shape.minutes_slot is not None else 0,
        int(values[shape.m_slot]) if shape.m_slot is not None else None,
        int(values[shape.bubble_slot]) if shape.bubble_slot is not None else None,
        labels,
    )
    if rest.startswith(" [") and len(memo.header_rests) < MAX_HEADER_RESTS:
        memo.header_rests[rest] = read
    elif level2 is not None and len(memo.header_gp) < MAX_HEADER_RESTS:
        memo.header_gp[level2[0]] = read
    return read, int(values[shape.id_slot])


def _parse_header(memo: ShapeMemo, header: str) -> tuple[HeaderShape, list[str], Labels] | None:
    """A header's shape (masked and parsed once per masked text), its numbers, its labels."""
    head, label_text = split_labels(header)
    parts = HEAD_SPLIT.split(head)
    values = parts[1::2]
    # The masked text is the key: with the words between the numbers alone, a header with a
    # hex word where a decimal one belongs ("goroutine 0x192 [...]") took the shape of the
    # decimal one's, and its id was read as a number.
    masked = "".join(p if i % 2 == 0 else ("0x0" if p.startswith("0x") else "0") for i, p in enumerate(parts))
    shapes = memo.headers
    if masked in shapes and memo.enabled:
        shape = shapes[masked]
    else:
        try:
            shape = header_shape(masked, len(values))
            if shape is None:
                shape = header_shape(head, len(values), strict=False)
            elif len(shapes) < MEMO_ENTRIES:
                shapes[masked] = shape
        except ParseError:
            return None
    if shape is None:
        return None
    labels: Labels = ()
    if label_text:
        parsed = _parse_labels(memo, label_text)
        if parsed is None:
            return None
        labels = parsed
    return shape, values, labels


def _parse_labels(memo: ShapeMemo, text: str) -> Labels | None:
    labels = memo.labels.get(text)
    if labels is None:
        try:
            labels = grammar_parse(text, "labelset")
        except ParseError:
            return None
        if len(memo.labels) < MEMO_ENTRIES:
            memo.labels[text] = labels
    return labels


def _level2_key(rest: str) -> tuple[str, list[str]] | None:
    """A level-2 header's tail (" gp=0x.. m=3 mp=0x.. [select]:") as a memo key with its
    gp=/m=/mp= words masked, and those words: they differ in every goroutine, the rest not."""
    i = rest.find(" [")
    if i < 0:
        return None
    parts = HEAD_SPLIT.split(rest[:i])
    return "\0".join(parts[0::2]) + rest[i:], parts[1::2]


def read_stack(
    memo: ShapeMemo, text: str, sec: Section, snap: SnapshotBuilder, split: CallSplit | None = None
) -> StackRead:
    """A stack text read (steps 2 to 4 of the module's docstring). `split`: the text cut
    at its arguments, when the section reader did it."""
    if not memo.enabled:
        return _read_masked(memo, text, sec, snap, None)
    seen = memo.bodies.get(text)
    if seen is not None:
        return seen
    if split is None:
        split = split_calls(text)
    read = None
    shape = memo.calls.get(split.key)
    # A key found means the text matches one the grammar read, but for its arguments
    # (the runtime prints a call site's arguments the same way each time). Arguments
    # holding what the grammar's never do, a line break ("f(" over "x)") or a ")", or
    # calls without hex words printing something else, mean it only looked alike: the
    # grammar decides.
    if shape is not None and split.flat and shape.fits(split.args):
        read = StackRead(shape, shape.values(split.args), split.gids, False)
    if read is None:
        read = _read_masked(memo, text, sec, snap, split)
    # Level-2 texts never repeat (fp=/sp= differ), and they are the longest: not kept.
    if not read.partial and not split.level2 and len(memo.bodies) < MAX_BODIES:
        memo.bodies[text] = read
    return read


def _mask_gids(key: str) -> tuple[str, list[str]]:
    """A hex-masked stack text with its goroutine numbers masked too, and those numbers."""
    found = key.count("goroutine ")
    if found == 1:
        # The usual case, "created by X in goroutine N": cut the number out directly.
        i = key.find("goroutine ") + 10
        j = key.find("\n", i)
        if is_number(key[i:j]):
            return key[:i] + "0" + key[j:], [key[i:j]]
        found = 2  # not a number after all: let the regex decide
    if found > 1:
        gparts = GID_SPLIT.split(key)
        return GID_PLACEHOLDER.join(gparts[0::2]), gparts[1::2]
    return key, []


def _read_masked(
    memo: ShapeMemo, text: str, sec: Section, snap: SnapshotBuilder, split: CallSplit | None
) -> StackRead:
    # sub, not split and join: the same text, ~20% faster (no list of every hex word).
    key, gids = _mask_gids(HEX_WORD.sub(HEX_PLACEHOLDER, text))
    whole = not memo.enabled  # the reference path: one grammar call per stack
    shape = memo.stacks.get(key) if memo.enabled else None
    if shape is None and (key not in memo.stacks or not memo.enabled):
        try:
            shape = None if whole else plain_shape(key, memo)
            if shape is None:
                shape = stack_shape(key, memo, whole=whole)
                if masked_a_name(shape.stack):
                    # A "0x.." inside a function or file name was masked too: this shape is
                    # parsed from its real text every time (names stay exact, arguments real).
                    shape = None
        except ParseError:
            return read_by_units(memo, text.split("\n")[:-1], sec, snap, key)
        if len(memo.stacks) < MEMO_ENTRIES:
            memo.stacks[key] = shape
    if shape is None:
        return StackRead(stack_shape(text, memo, literal=True, whole=whole), "", gids, False)
    args = split.args if split is not None else call_args(text)
    if len(args) != shape.calls:
        # A name that ends in ")" over a location cuts the text elsewhere than the
        # grammar did: keep this stack's arguments in its frames.
        return StackRead(stack_shape(text, memo, literal=True, whole=whole), "", gids, False)
    if split is not None and len(gids) == len(split.gids) and len(memo.calls) < MAX_CALL_KEYS:
        memo.calls[split.key] = shape
    return StackRead(shape, shape.values(args), gids, False)


def read_by_units(
    memo: ShapeMemo, body: list[str], sec: Section, snap: SnapshotBuilder, key: str
) -> StackRead:
    """The grammar rejected a call of the stack: keep the calls it accepts, count the
    lines of the ones it rejects. A cut-off dump ends in a rejected call."""
    masked_lines = key.split("\n")[: len(body)]
    items: list[Any] = []
    kept_real: list[str] = []
    for unit in unit_groups(masked_lines):
        try:
            u = parse_unit("".join(masked_lines[i] + "\n" for i in unit), memo, False)
            if items_mask_a_name(u):
                # "0x.." in a name was masked too: this call is read from its real text.
                u = parse_unit("".join(body[i] + "\n" for i in unit), memo, True)
        except ParseError:
            for i in unit:
                snap.issue(sec.line + 1 + i, body[i], "stack line not understood")
            if sec.cut and unit[-1] == len(body) - 1:
                snap.truncated = True
            continue
        items.extend(u)
        kept_real.extend(body[i] for i in unit)
    shape = assemble_stack(items, memo)
    real = "".join(line + "\n" for line in kept_real)
    args = call_args(real)
    values = shape.values(args) if len(args) == shape.calls else ""
    return StackRead(shape, values, GID_SPLIT.findall(real), True)
