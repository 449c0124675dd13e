"""Stack and header *shapes*: what the grammar parsed once, shared by every section alike.

A leaking dump is mostly copies of a few stacks that differ only in goroutine ids, hex
words and minutes. A new stack is masked into its shape (those values replaced) and parsed
once, a call at a time, each distinct call once; later stacks of that shape are found by
their text cut at the argument lists (split_calls), without masking. Shapes only ever come
from the grammar: this is a memo, not a second definition of the format (tests check it
against a plain grammar parse of every sample).
"""

from __future__ import annotations

from _operator import itemgetter  # operator.itemgetter (cluster.py says why)

from .lazy_re import lazy
from .model import ARGS_SEP, HEX_PLACEHOLDER, Ancestor, Frame, Stack
from .record import dataclass
from .regex_cache import compiled
from .transform import (
    AncestorMark,
    CreatedItem,
    Elided,
    Flag,
    FlagName,
    FrameItem,
    Header,
    grammar_parse,
    is_token,
    token_pos,
)

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from typing import Any

# Shape masks. Hex words anywhere (arguments, +0x offsets, fp/sp/pc, gp/mp); goroutine
# numbers in "in goroutine N" and "[originating from goroutine N]"; in headers every number.
# Numbers are what the grammar's INT reads: ASCII digits, MAX_DIGITS at most. A longer run
# stays in the masked text, where the grammar rejects it, rather than reach int().
HEX_SPLIT = compiled(r"(0x[0-9a-f]+)")  # the runtime prints hex in lower case
# The same word without a group, for sub (~15% faster: no group to record a match in).
HEX_WORD = compiled(r"0x[0-9a-f]+")
# A goroutine number where the grammar reads one: a creator line's end ("in goroutine N") or
# an ancestor's ("[originating from goroutine N]"); not one inside a damaged name.
GID_SPLIT = lazy(r"goroutine ([0-9]{1,20})(?=\]|\n|$)")
HEAD_SPLIT = compiled(r"(0x[0-9a-fA-F]+|(?<![0-9])[0-9]{1,20}(?![0-9]))")
GID_PLACEHOLDER = "goroutine 0"
MAX_DIGITS = 20  # a uint64; the runtime prints no longer decimal number


def is_number(text: str) -> bool:
    """Whether text is a number as the runtime prints one: ASCII digits, at most MAX_DIGITS.
    str.isdigit() alone takes "²" (int() then fails) and "٣" (read as 3), and int()
    refuses more than 4,300 digits."""
    return 0 < len(text) <= MAX_DIGITS and text.isascii() and text.isdigit()

@dataclass(frozen=True, slots=True)
class HeaderShape:
    state: str
    id_slot: int
    m_slot: int | None
    minutes_slot: int | None
    bubble_slot: int | None
    scan: bool
    leaked: bool
    locked: bool


Args = tuple[str, ...] | list[str]  # the argument texts of a stack's calls, in printed order


@dataclass(frozen=True, slots=True)
class StackShape:
    stack: Stack
    parent_slot: int | None  # index among the masked goroutine numbers
    ancestor_slots: tuple[int, ...]
    # The call lines of the stack ("func(args)" over a location) are numbered in printed
    # order. Those with hex words in their arguments: a goroutine keeps their texts.
    arg_calls: tuple[int, ...] = ()
    # The other calls, and their argument texts joined by ARGS_SEP: the same in every
    # goroutine of the shape ("", "...", "{...}").
    fixed_calls: tuple[int, ...] = ()
    fixed_args: str = ""

    @property
    def calls(self) -> int:
        return len(self.arg_calls) + len(self.fixed_calls)

    def values(self, args: Args) -> str:
        """A goroutine's Goroutine.values from the argument texts of all its calls."""
        return _pick(self.arg_calls, args)

    def fits(self, args: Args) -> bool:
        """Whether the argument texts of a stack cut like this shape's texts are this
        shape's: the calls without hex words must print exactly what it printed."""
        return _pick(self.fixed_calls, args) == self.fixed_args


def _pick(idx: tuple[int, ...], args: Args) -> str:
    if not idx:
        return ""
    if len(idx) == 1:
        return args[idx[0]]
    return ARGS_SEP.join(itemgetter(*idx)(args))


# Entries a table of a memo keeps (stack shapes, calls, frames). A real dump has hundreds
# of shapes and a few thousand calls; a dump of all-distinct stacks would otherwise keep
# every text twice over while it is parsed (2 GB at a million goroutines). Past the bound
# a new text is parsed each time it comes, as if seen for the first time.
MEMO_ENTRIES = 1 << 16


class GrammarMemo:
    """What the grammar read once in one input, shared by every shape: each distinct call
    (a line and the tab-indented lines under it) and each distinct frame."""

    def __init__(self) -> None:
        self.units: dict[tuple[str, bool], tuple[Any, ...]] = {}
        self.frames: dict[Frame, Frame] = {}
        self.frame_parts: dict[tuple[str, str, str, int, int], Frame] = {}
        # Masked calls as plain_shapes.py reads them; () for the ones it leaves to stack_shape.
        self.plain_units: dict[str, tuple[Any, ...]] = {}

    def frame(self, f: Frame) -> Frame:
        """The one Frame equal to f kept for this input (frames compare by identity first)."""
        kept = self.frames.get(f)
        if kept is not None:
            return kept
        if len(self.frames) < MEMO_ENTRIES:
            self.frames[f] = f
        return f

    def kept_frame(self, func: str, args: str, file: str, line: int, slot: int) -> Frame:
        """frame() of the Frame of these parts, looked up by its parts first: building a
        frozen Frame to find it costs more."""
        fkey = (func, args, file, line, slot)
        frame = self.frame_parts.get(fkey)
        if frame is None:
            frame = self.frame(Frame(str(func), args, file, line, slot))
            if len(self.frame_parts) < MEMO_ENTRIES:
                self.frame_parts[fkey] = frame
        return frame


def header_shape(masked: str, nvalues: int, *, strict: bool = True) -> HeaderShape | None:
    """Parse a header (masked, or as printed with strict=False). Strict: None when a number
    sits where no value belongs, such as a wait reason with digits in it; such a header is
    then parsed as printed, and its shape is not shared."""
    h: Header = grammar_parse(masked + "\n", "header")
    positions = value_positions(masked)
    slot = {pos: i for i, pos in enumerate(positions)}
    claimed = [slot[token_pos(h.id_tok)]]
    m_slot = minutes_slot = bubble_slot = None
    names: set[FlagName] = set()
    for f in h.flags:
        names.add(f.name)
        if f.name in (FlagName.M, FlagName.MINUTES, FlagName.BUBBLE) and is_token(f.value):
            s = slot.get(token_pos(f.value))
            if s is None:
                return None
            claimed.append(s)
            if f.name is FlagName.M:
                m_slot = s
            elif f.name is FlagName.MINUTES:
                minutes_slot = s
            else:
                bubble_slot = s
    # gp= and mp= are hex words we do not keep; everything else must be claimed.
    claimed.extend(i for i, pos in enumerate(positions) if masked.startswith("0x", pos))
    if strict and len(set(claimed)) != nvalues:
        return None
    state = h.state + (" (durable)" if FlagName.DURABLE in names else "")
    return HeaderShape(
        state=state,
        id_slot=claimed[0],
        m_slot=m_slot,
        minutes_slot=minutes_slot,
        bubble_slot=bubble_slot,
        scan=FlagName.SCAN in names,
        leaked=FlagName.LEAKED in names,
        locked=FlagName.LOCKED in names,
    )


def value_positions(masked: str) -> list[int]:
    return [m.start() for m in HEAD_SPLIT.finditer(masked)]


def split_labels(header: str) -> tuple[str, str]:
    """Header without its labels, and the labels text ("" when none)."""
    i = header.find(" labels:{")  # Go 1.26, inside the brackets
    if i >= 0:
        j = header.rfind("}]:")
        if j > i:
            return header[:i] + header[j + 1 :], header[i + 8 : j + 1]
    i = header.find("] {")  # Go 1.27, after the brackets
    if i >= 0 and header.endswith("}:"):
        return header[: i + 1] + ":", header[i + 2 : -1]
    return header, ""


# Where a unit starts: at every line that is not a tab-indented location.
UNIT_START = compiled(r"\n(?!\t)")


def unit_groups(lines: list[str]) -> list[list[int]]:
    """Indices of the lines of each unit: a line that does not start with a tab, and the
    tab-indented lines under it (its location)."""
    units: list[list[int]] = []
    for i, line in enumerate(lines):
        if line.startswith("\t") and units and not line.startswith("\tgoroutine running"):
            units[-1].append(i)
        else:
            units.append([i])
    return units


def mark_literal(items: list[Any], literal: bool) -> list[Any]:
    """Mark the frames of a text parsed unmasked: their arguments are the real words."""
    if literal:
        return [it._replace(literal=True) if isinstance(it, FrameItem) else it for it in items]
    return items


def parse_unit(text: str, memo: GrammarMemo, literal: bool) -> tuple[Any, ...]:
    """The grammar's items for one call; raises ParseError when the grammar rejects it."""
    key = (text, literal)
    items = memo.units.get(key)
    if items is None:
        items = tuple(mark_literal(grammar_parse(text, "stack"), literal))
        if len(memo.units) < MEMO_ENTRIES:
            memo.units[key] = items
    return items


def stack_shape(masked: str, memo: GrammarMemo, *, literal: bool = False, whole: bool = False) -> StackShape:
    """Parse a stack's shape. A stack is a sequence of calls, so it is parsed a call at a
    time and each distinct call is parsed once: a new stack shape mostly reuses calls seen
    in other shapes. `whole`: one grammar call for the whole text (the reference)."""
    if whole:
        return assemble_stack(mark_literal(grammar_parse(masked, "stack"), literal), memo)
    items: list[Any] = []
    for unit in UNIT_START.split(masked[:-1]) if masked else ():  # "": a header with no stack
        items.extend(parse_unit(unit + "\n", memo, literal))
    return assemble_stack(items, memo)


def items_mask_a_name(items: tuple[Any, ...]) -> bool:
    """Whether a masked call's names (function, file) hold a masked hex word or goroutine
    number (a damaged creator line reads "in goroutine N" into its name)."""
    return any(
        HEX_PLACEHOLDER in it.func
        or HEX_PLACEHOLDER in it.loc.file
        or GID_PLACEHOLDER in it.func
        or GID_PLACEHOLDER in it.loc.file
        for it in items
        if isinstance(it, (FrameItem, CreatedItem))
    )


def masked_a_name(stack: Stack) -> bool:
    frames = [*stack.frames, *(f for a in stack.ancestors for f in a.frames)]
    frames.extend(f for f in (stack.created_by, *(a.created_by for a in stack.ancestors)) if f is not None)
    # A goroutine number is masked too ("created by f\x00in goroutine 1", damaged, reads
    # as a name holding one): such a stack is read from its real text as well. The names
    # are searched as one text: neither placeholder holds the line break between them.
    names = "\n".join([*(f.func for f in frames), *(f.file for f in frames)])
    return HEX_PLACEHOLDER in names or GID_PLACEHOLDER in names


def assemble_stack(items: list[Any], memo: GrammarMemo) -> StackShape:
    """Build the shared Stack from the grammar's items. A frame whose masked arguments hold
    hex words gets the index of its argument text in Goroutine.values as its slot; other
    frames get -1 (their `args` are what every goroutine printed)."""
    asm = _StackAssembler(memo)
    frame = asm.frame  # bound once: most items are frames (a new shape has ~30)
    for it in items:
        if type(it) is FrameItem:
            frame(it)
        elif isinstance(it, CreatedItem):
            asm.created(it)
        elif isinstance(it, Elided):
            asm.elided(it)
        elif isinstance(it, AncestorMark):
            asm.ancestor()
        elif isinstance(it, Flag):
            asm.flag(it)
    return asm.shape()


class _StackAssembler:
    """The items of one stack, in printed order: the goroutine's own frames until the first
    "[originating from goroutine N]", then each ancestor's."""

    def __init__(self, memo: GrammarMemo) -> None:
        self.memo = memo
        self.calls = 0
        self.arg_calls: list[int] = []
        self.fixed_calls: list[int] = []
        self.fixed_args: list[str] = []
        self.frames: list[Frame] = []
        self.created_by: Frame | None = None
        self.elided_frames = self.elided_at = 0
        self.ancestors: list[Ancestor] = []
        self.other_thread = self.cgo = False
        self.gid_roles: list[str] = []
        self.parent: int | None = None  # index of the creator's number among the goroutine numbers
        self.cur_frames: list[Frame] = self.frames
        self.cur_created: Frame | None = None
        self.cur_elided = False
        self.in_ancestor = False

    def frame(self, it: FrameItem) -> None:
        func, args, loc, literal = it
        slot = -1
        if not literal and HEX_PLACEHOLDER in args:
            self.arg_calls.append(self.calls)
            slot = len(self.arg_calls) - 1
        else:
            self.fixed_calls.append(self.calls)
            self.fixed_args.append(args)
        self.calls += 1
        self.cur_frames.append(self.memo.kept_frame(func, args, loc.file, loc.line, slot))

    def created(self, it: CreatedItem) -> None:
        f = self.memo.frame(Frame(it.func, "", it.loc.file, it.loc.line))
        if self.in_ancestor:
            self.cur_created = f
        else:
            self.created_by = f
            # The creator kept is the last one (a damaged header may leave two), and so is
            # its goroutine number.
            self.parent = len(self.gid_roles) if it.has_gid else None
        if it.has_gid:
            self.gid_roles.append("parent" if not self.in_ancestor else "ancestor-parent")

    def elided(self, it: Elided) -> None:
        if self.in_ancestor:
            self.cur_elided = True
        else:
            self.elided_frames, self.elided_at = it.frames, len(self.frames)

    def ancestor(self) -> None:
        self._close_ancestor()
        self.in_ancestor = True
        self.cur_frames, self.cur_created, self.cur_elided = [], None, False
        self.gid_roles.append("ancestor")

    def flag(self, it: Flag) -> None:
        if it.name is FlagName.OTHER_THREAD:
            self.other_thread = True
        elif it.name is FlagName.CGO:
            self.cgo = True

    def _close_ancestor(self) -> None:
        if self.in_ancestor:
            self.ancestors.append(Ancestor(tuple(self.cur_frames), self.cur_created, self.cur_elided))

    def shape(self) -> StackShape:
        self._close_ancestor()
        self.in_ancestor = False
        stack = Stack(
            frames=tuple(self.frames),
            created_by=self.created_by,
            elided=self.elided_frames,
            elided_at=self.elided_at,
            ancestors=tuple(self.ancestors),
            other_thread=self.other_thread,
            cgo=self.cgo,
        )
        anc = tuple(i for i, r in enumerate(self.gid_roles) if r == "ancestor")
        return StackShape(
            stack,
            self.parent,
            anc,
            tuple(self.arg_calls),
            tuple(self.fixed_calls),
            ARGS_SEP.join(self.fixed_args),
        )
