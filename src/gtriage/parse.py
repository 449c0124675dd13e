"""Turn sections into model objects with the grammar; count what it rejects.

Speed: a leaking dump is mostly copies of a few stacks that differ only in goroutine ids,
hex words and minutes. Each section is split into its *shape* (values masked) and its
values; the grammar parses each distinct shape once, and every later section of that shape
reuses the result with its own values filled in. The memo is a shortcut, never a second
definition: a shape is only ever interpreted by the grammar (tests check that the memoized
result equals a plain grammar parse on every sample).
"""

from __future__ import annotations

import bisect
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, TextIO

from lark import Token, Transformer
from lark.exceptions import LarkError

from .model import (
    HEX_PLACEHOLDER,
    Access,
    Ancestor,
    Crash,
    Dump,
    DumpFormat,
    Frame,
    Goroutine,
    Labels,
    Panic,
    ParseIssue,
    Race,
    Record,
    Snapshot,
    Stack,
)
from .sections import Kind, Section, SectionStats, split_sections
from .syntax import parser

# Shape masks. Hex words anywhere (arguments, +0x offsets, fp/sp/pc, gp/mp); goroutine
# numbers in "in goroutine N" and "[originating from goroutine N]"; in headers every number.
_HEX_SPLIT = re.compile(r"(0x[0-9a-f]+)")  # the runtime prints hex in lower case
_GID_SPLIT = re.compile(r"goroutine (\d+)")
_HEAD_SPLIT = re.compile(r"(0x[0-9a-fA-F]+|\d+)")
_GID_PLACEHOLDER = "goroutine 0"
MAX_KEPT_ISSUES = 200  # per snapshot; the count goes on past it
MAX_BODIES = 1 << 13  # verbatim stack texts remembered: bounded, they are the biggest keys
MAX_HEADER_RESTS = 1 << 14  # distinct header tails remembered (state, minutes, labels)


# ---------------------------------------------------------------- grammar -> values


class _Loc(NamedTuple):
    file: str
    line: int


class _FrameItem(NamedTuple):
    func: Token
    args: str
    loc: _Loc
    slot: int = 0  # hex words before this frame, in the text it was parsed from


class _CreatedItem(NamedTuple):
    func: str
    loc: _Loc
    has_gid: bool


class _Elided(NamedTuple):
    frames: int


class _AncestorMark(NamedTuple):
    pass


class _Flag(NamedTuple):
    name: str
    value: Any = None


class _Header(NamedTuple):
    id_tok: Token
    state: str
    flags: tuple[_Flag, ...]


class _PreItem(NamedTuple):
    kind: str
    text: str


class _RaceWho(NamedTuple):
    goroutine: int | None


class _Transformer(Transformer[Token, Any]):
    """Builds plain values while Lark parses (LALR, no tree)."""

    # -- header
    def header(self, c: list[Any]) -> _Header:
        state = next(t for t in c if isinstance(t, Token) and t.type == "STATE")
        flags = tuple(f for f in c if isinstance(f, _Flag))
        return _Header(c[0], str(state), flags)

    def regs_gp(self, c: list[Any]) -> _Flag:
        return _Flag("m", c[1] if len(c) > 2 and c[1] is not None else None)

    def scan(self, c: list[Any]) -> _Flag:
        return _Flag("scan")

    def leaked(self, c: list[Any]) -> _Flag:
        return _Flag("leaked")

    def durable(self, c: list[Any]) -> _Flag:
        return _Flag("durable")

    def minutes(self, c: list[Any]) -> _Flag:
        return _Flag("minutes", c[0])

    def locked(self, c: list[Any]) -> _Flag:
        return _Flag("locked")

    def bubble(self, c: list[Any]) -> _Flag:
        return _Flag("bubble", c[-1])

    def labels_in(self, c: list[Any]) -> _Flag:
        return _Flag("labels", c[0])

    def labels_out(self, c: list[Any]) -> _Flag:
        return _Flag("labels", c[0])

    def labelset(self, c: list[Any]) -> Labels:
        return tuple(x for x in c if x is not None)

    def label(self, c: list[Any]) -> tuple[str, str]:
        return (_unquote(c[0]), _unquote(c[2]))

    # -- stack
    def stack(self, c: list[Any]) -> list[Any]:
        return c

    def runtime_stack(self, c: list[Any]) -> list[Any]:
        return [x for x in c if not isinstance(x, Token)]

    def frame(self, c: list[Any]) -> _FrameItem:
        return _FrameItem(c[0], str(c[1]) if c[1] is not None else "", c[3])

    def location(self, c: list[Any]) -> _Loc:
        return _Loc(str(c[0]), int(c[1]))

    def created_by(self, c: list[Any]) -> _CreatedItem:
        has_gid = any(isinstance(t, Token) and t.type == "INT" for t in c)
        return _CreatedItem(str(c[0]), c[-1], has_gid)

    def elided(self, c: list[Any]) -> _Elided:
        return _Elided(int(c[0]) if c and isinstance(c[0], Token) and c[0].type == "INT" else -1)

    def other_thread(self, c: list[Any]) -> _Flag:
        return _Flag("other_thread")

    def ancestor(self, c: list[Any]) -> _AncestorMark:
        return _AncestorMark()

    def cgo_frame(self, c: list[Any]) -> _Flag:
        return _Flag("cgo")

    # -- debug=1
    def profile(self, c: list[Any]) -> int:
        return int(c[0])

    def record(self, c: list[Any]) -> tuple[int, Labels, list[Frame]]:
        labels: Labels = ()
        frames: list[Frame] = []
        for x in c[1:]:
            if isinstance(x, Frame):
                frames.append(x)
            elif isinstance(x, tuple):
                labels = x
        return c[0], labels, frames

    def record_head(self, c: list[Any]) -> int:
        return int(c[0])

    def record_labels(self, c: list[Any]) -> Labels:
        return tuple(c[0])

    def record_frame(self, c: list[Any]) -> Frame | None:
        toks = [t for t in c if isinstance(t, Token) and t.type != "TABS"]
        if len(toks) < 5:
            return None  # a PC with no symbol
        return Frame(str(toks[1]), "", str(toks[3]), int(toks[4]))

    # -- preamble
    def preamble(self, c: list[Any]) -> list[_PreItem]:
        return [x for x in c if isinstance(x, _PreItem)]

    def panic_line(self, c: list[Any]) -> _PreItem:
        return _PreItem("panic", str(c[0]))

    def continuation(self, c: list[Any]) -> _PreItem:
        return _PreItem("cont", str(c[0]))

    def fatal_error(self, c: list[Any]) -> _PreItem:
        return _PreItem("fatal", str(c[0]))

    def signal(self, c: list[Any]) -> _PreItem:
        return _PreItem("signal", str(c[0]))

    def fault(self, c: list[Any]) -> _PreItem:
        return _PreItem("fault", str(c[0]))

    def sigquit(self, c: list[Any]) -> _PreItem:
        return _PreItem("sigquit", f"{c[0]}: {c[1]}")

    def blank(self, c: list[Any]) -> _PreItem:
        return _PreItem("blank", "")

    # -- race
    def race(self, c: list[Any]) -> tuple[Access, Access]:
        accesses = [x for x in c if isinstance(x, Access)]
        created = [x for x in c if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], int)]
        by_gid = dict(created)
        out = [
            replace(a, created_at=tuple(by_gid[a.goroutine])) if a.goroutine in by_gid else a
            for a in accesses
        ]
        return out[0], out[1]

    def race_access(self, c: list[Any]) -> Access:
        return _access(str(c[0]), c[1], c[2], c[3:])

    def race_previous(self, c: list[Any]) -> Access:
        toks = [x for x in c if not (isinstance(x, Token) and x.type == "NL")]
        return _access(str(toks[0]), toks[1], toks[2], toks[3:])

    def race_created(self, c: list[Any]) -> tuple[int, list[Frame]]:
        toks = [x for x in c if not (isinstance(x, Token) and x.type == "NL")]
        return int(toks[0]), [f for f in toks[2:] if isinstance(f, Frame)]

    def race_goroutine(self, c: list[Any]) -> _RaceWho:
        return _RaceWho(int(c[0]))

    def race_main(self, c: list[Any]) -> _RaceWho:
        return _RaceWho(None)

    def race_frame(self, c: list[Any]) -> Frame | None:
        toks = [t for t in c if isinstance(t, Token) and t.type != "NL"]
        if len(toks) < 3:
            return None  # [failed to restore the stack]
        return Frame(str(toks[0]), "", str(toks[1]), int(toks[2]))

    def pc_offset(self, c: list[Any]) -> None:
        return None

    def frame_regs(self, c: list[Any]) -> None:
        return None


def _access(op: str, address: Token, who: _RaceWho, frames: list[Any]) -> Access:
    return Access(
        op=op.lower(),
        address=str(address),
        goroutine=who.goroutine,
        main_goroutine=who.goroutine is None,
        frames=tuple(f for f in frames if isinstance(f, Frame)),
    )


def _unquote(tok: Token | None) -> str:
    """A label key or value as the program set it (Go's quoting undone)."""
    if tok is None:
        return ""
    s = str(tok)
    if len(s) >= 2 and s[0] == '"' and s[-1] == '"':
        body = s[1:-1]
        if "\\" not in body:
            return body
        try:
            return body.encode("latin-1", "backslashreplace").decode("unicode_escape")
        except UnicodeDecodeError:
            return body
    return s


def _pos(tok: Token) -> int:
    # The lexer always sets positions; None only exists for tokens made by hand.
    return tok.start_pos if tok.start_pos is not None else -1


def _grammar(text: str, start: str) -> Any:
    return parser(_Transformer).parse(text, start=start)


# ---------------------------------------------------------------- shapes


@dataclass(frozen=True, slots=True)
class _HeaderShape:
    state: str
    id_slot: int
    m_slot: int | None
    minutes_slot: int | None
    bubble_slot: int | None
    scan: bool
    leaked: bool
    locked: bool


@dataclass(frozen=True, slots=True)
class _StackShape:
    stack: Stack
    parent_slot: int | None  # index among the masked goroutine numbers
    ancestor_slots: tuple[int, ...]


# (shape, goroutine id, minutes, thread, bubble, labels): a plain tuple, built once per
# goroutine on the hot path.
_HeaderValues = tuple[_HeaderShape, int, int, int | None, int | None, Labels]


class _Memo:
    """Shapes seen so far in one input, and the frames they share."""

    def __init__(self) -> None:
        self.header_rests: dict[str, _HeaderValues] = {}
        self.headers: dict[str, _HeaderShape | None] = {}
        self.labels: dict[str, Labels] = {}
        self.stacks: dict[str, _StackShape | None] = {}  # None: parse the real text
        self.units: dict[tuple[str, bool], _Unit] = {}
        self.record_lines: dict[str, Frame | Labels | None] = {}
        self.record_heads: set[str] = set()
        # Whole stack texts seen verbatim -> (shape, values, goroutine numbers, partial).
        self.bodies: dict[str, tuple[_StackShape, str, list[str], bool]] = {}
        self.frames: dict[Frame, Frame] = {}

    def frame(self, f: Frame) -> Frame:
        return self.frames.setdefault(f, f)


def _header_shape(masked: str, nvalues: int, *, strict: bool = True) -> _HeaderShape | None:
    """Parse a header (masked, or as printed with strict=False). Strict: None when a number
    sits where no value belongs, such as a wait reason with digits in it; such a header is
    then parsed as printed, and its shape is not shared."""
    h: _Header = _grammar(masked + "\n", "header")
    positions = _value_positions(masked)
    slot = {pos: i for i, pos in enumerate(positions)}
    claimed = [slot[_pos(h.id_tok)]]
    m_slot = minutes_slot = bubble_slot = None
    names = set()
    for f in h.flags:
        names.add(f.name)
        if f.name in ("m", "minutes", "bubble") and isinstance(f.value, Token):
            s = slot.get(_pos(f.value))
            if s is None:
                return None
            claimed.append(s)
            if f.name == "m":
                m_slot = s
            elif f.name == "minutes":
                minutes_slot = s
            else:
                bubble_slot = s
    # gp= and mp= are hex words we do not keep; everything else must be claimed.
    claimed.extend(i for i, pos in enumerate(positions) if masked.startswith("0x", pos))
    if strict and len(set(claimed)) != nvalues:
        return None
    state = h.state + (" (durable)" if "durable" in names else "")
    return _HeaderShape(
        state=state,
        id_slot=claimed[0],
        m_slot=m_slot,
        minutes_slot=minutes_slot,
        bubble_slot=bubble_slot,
        scan="scan" in names,
        leaked="leaked" in names,
        locked="locked" in names,
    )


def _value_positions(masked: str) -> list[int]:
    return [m.start() for m in _HEAD_SPLIT.finditer(masked)]


def _split_labels(header: str) -> tuple[str, str]:
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


class _Unit(NamedTuple):
    """One call (a line and the tab-indented lines under it) as the grammar read it."""

    items: tuple[Any, ...]  # _FrameItem slots count from the unit's start
    hexes: int  # hex words in the unit


def _unit_groups(lines: list[str]) -> list[list[int]]:
    """Indices of the lines of each unit: a line that does not start with a tab, and the
    tab-indented lines under it (its location)."""
    units: list[list[int]] = []
    for i, line in enumerate(lines):
        if line.startswith("\t") and units and not line.startswith("\tgoroutine running"):
            units[-1].append(i)
        else:
            units.append([i])
    return units


def _with_slots(items: list[Any], text: str, literal: bool) -> list[Any]:
    """Give each frame the number of hex words before it in `text` (-1 when literal)."""
    if literal:
        return [it._replace(slot=-1) if isinstance(it, _FrameItem) else it for it in items]
    positions = [m.start() for m in _HEX_SPLIT.finditer(text)]
    return [
        it._replace(slot=bisect.bisect_left(positions, _pos(it.func))) if isinstance(it, _FrameItem) else it
        for it in items
    ]


def _parse_unit(text: str, memo: _Memo, literal: bool) -> _Unit:
    """Raises LarkError when the grammar rejects the unit."""
    key = (text, literal)
    got = memo.units.get(key)
    if got is None:
        items = _with_slots(_grammar(text, "stack"), text, literal)
        got = _Unit(tuple(items), 0 if literal else len(_HEX_SPLIT.findall(text)))
        memo.units[key] = got
    return got


def _stack_shape(masked: str, memo: _Memo, *, literal: bool = False, whole: bool = False) -> _StackShape:
    """Parse a stack's shape. A stack is a sequence of calls, so it is parsed a call at a
    time and each distinct call is parsed once: a new stack shape mostly reuses calls seen
    in other shapes. `whole`: one grammar call for the whole text (the reference)."""
    if whole:
        return _assemble_stack(_with_slots(_grammar(masked, "stack"), masked, literal), memo)
    lines = masked.split("\n")[:-1]
    items: list[Any] = []
    offset = 0
    for unit in _unit_groups(lines):
        u = _parse_unit("".join(lines[i] + "\n" for i in unit), memo, literal)
        if offset and not literal:
            items.extend(it._replace(slot=it.slot + offset) if isinstance(it, _FrameItem) else it for it in u.items)
        else:
            items.extend(u.items)
        offset += u.hexes
    return _assemble_stack(items, memo)


def _masked_a_name(stack: Stack) -> bool:
    frames = [*stack.frames, *(f for a in stack.ancestors for f in a.frames)]
    creators = [stack.created_by, *(a.created_by for a in stack.ancestors)]
    return any(
        HEX_PLACEHOLDER in f.func or HEX_PLACEHOLDER in f.file for f in [*frames, *creators] if f is not None
    )


def _assemble_stack(items: list[Any], memo: _Memo) -> _StackShape:
    """Build the shared Stack from the grammar's items (frame slots already set; -1 when
    the text was not masked and the arguments are the real words)."""
    frames: list[Frame] = []
    created_by: Frame | None = None
    elided = elided_at = 0
    ancestors: list[Ancestor] = []
    other_thread = cgo = False
    gid_roles: list[str] = []
    # Frames of the goroutine itself until the first "[originating from goroutine N]".
    cur_frames: list[Frame] = frames
    cur_created: Frame | None = None
    cur_elided = False
    in_ancestor = False

    def close_ancestor() -> None:
        if in_ancestor:
            ancestors.append(Ancestor(tuple(cur_frames), cur_created, cur_elided))

    for it in items:
        if isinstance(it, _FrameItem):
            cur_frames.append(memo.frame(Frame(str(it.func), it.args, it.loc.file, it.loc.line, it.slot)))
        elif isinstance(it, _CreatedItem):
            f = memo.frame(Frame(it.func, "", it.loc.file, it.loc.line))
            if in_ancestor:
                cur_created = f
            else:
                created_by = f
            if it.has_gid:
                gid_roles.append("parent" if not in_ancestor else "ancestor-parent")
        elif isinstance(it, _Elided):
            if in_ancestor:
                cur_elided = True
            else:
                elided, elided_at = it.frames, len(frames)
        elif isinstance(it, _AncestorMark):
            close_ancestor()
            in_ancestor = True
            cur_frames, cur_created, cur_elided = [], None, False
            gid_roles.append("ancestor")
        elif isinstance(it, _Flag):
            if it.name == "other_thread":
                other_thread = True
            elif it.name == "cgo":
                cgo = True
    close_ancestor()
    stack = Stack(
        frames=tuple(frames),
        created_by=created_by,
        elided=elided,
        elided_at=elided_at,
        ancestors=tuple(ancestors),
        other_thread=other_thread,
        cgo=cgo,
    )
    parent = gid_roles.index("parent") if "parent" in gid_roles else None
    anc = tuple(i for i, r in enumerate(gid_roles) if r == "ancestor")
    return _StackShape(stack, parent, anc)


# ---------------------------------------------------------------- sections -> objects


@dataclass
class _SnapshotBuilder:
    first_line: int
    goroutines: list[Goroutine] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    races: list[Race] = field(default_factory=list)
    issues: list[ParseIssue] = field(default_factory=list)
    unparsed_lines: int = 0
    headers_seen: int = 0
    unparsed_headers: int = 0
    profile_total: int | None = None
    crash: Crash | None = None
    crash_goroutine_pending: bool = False
    truncated: bool = False
    last_line: int = 0
    last_section: Section | None = None  # its end is the snapshot's last line

    def issue(self, line: int, text: str, reason: str) -> None:
        self.unparsed_lines += 1
        if len(self.issues) < MAX_KEPT_ISSUES:
            self.issues.append(ParseIssue(line, text[:500], reason))

    def build(self) -> Snapshot:
        sec = self.last_section
        if sec is not None:
            extra = sec.body.count("\n") if sec.body is not None else len(sec.lines) - 1
            self.last_line = sec.line + max(extra, 0)
        if self.profile_total is not None or self.records:
            fmt = DumpFormat.DEBUG1
        elif self.races and not self.goroutines and self.crash is None:
            fmt = DumpFormat.RACE
        else:
            fmt = DumpFormat.TRACEBACK
        crash = self.crash
        return Snapshot(
            format=fmt,
            goroutines=tuple(self.goroutines),
            records=tuple(self.records),
            profile_total=self.profile_total,
            crash=crash,
            races=tuple(self.races),
            issues=tuple(self.issues),
            unparsed_lines=self.unparsed_lines,
            headers_seen=self.headers_seen,
            unparsed_headers=self.unparsed_headers,
            truncated=self.truncated,
            first_line=self.first_line,
            last_line=self.last_line,
        )


class Parser:
    """Parses the sections of one input; keeps the shape memo for that input."""

    def __init__(self, *, memo: bool = True) -> None:
        self.memo = _Memo()
        self.use_memo = memo

    # -- goroutines
    def goroutine(self, sec: Section, snap: _SnapshotBuilder) -> None:
        snap.headers_seen += 1
        header = sec.lines[0]
        head = self._header_fast(header)
        if head is None:
            snap.unparsed_headers += 1
            snap.issue(sec.line, header, "goroutine header not understood")
            for i, text in enumerate(sec.lines[1:], 1):
                snap.issue(sec.line + i, text, "stack of an unparsed goroutine header")
            return
        shape, gp_id, minutes, thread, bubble, labels = head
        text = sec.body if sec.body is not None else "".join(line + "\n" for line in sec.lines[1:])
        stack_shape, values, gids, partial = self._stack(text, sec, snap)
        parent = (
            int(gids[stack_shape.parent_slot])
            if stack_shape.parent_slot is not None and stack_shape.parent_slot < len(gids)
            else None
        )
        g = Goroutine(
            id=gp_id,
            state=shape.state,
            stack=stack_shape.stack,
            line=sec.line,
            minutes=minutes,
            locked=shape.locked,
            scan=shape.scan,
            leaked=shape.leaked,
            bubble=bubble,
            labels=labels,
            thread=thread,
            parent_id=parent,
            ancestor_ids=(
                tuple(int(gids[i]) for i in stack_shape.ancestor_slots if i < len(gids))
                if stack_shape.ancestor_slots
                else ()
            ),
            values=values,
            partial=partial or sec.cut,
        )
        if sec.cut:
            snap.truncated = True
        if snap.crash_goroutine_pending:
            snap.crash_goroutine_pending = False
            if g.state == "running" and snap.crash is not None:
                snap.crash = replace(snap.crash, goroutine=g.id)
        snap.goroutines.append(g)


    def _header_fast(self, header: str) -> _HeaderValues | None:
        """Headers that differ only in the goroutine id share everything else: "goroutine
        17 [chan receive, 3 minutes]:" is looked up by " [chan receive, 3 minutes]:"."""
        sp = header.find(" ", 10)
        rest = header[sp:] if sp > 0 else ""
        hit = self.memo.header_rests.get(rest) if self.use_memo else None
        if hit is not None:
            digits = header[10:sp]
            if digits.isdigit():
                # Only the id differs; the memo's tuple is reused with the id in slot 1.
                return (hit[0], int(digits), hit[2], hit[3], hit[4], hit[5])
        got = self._header(header)
        if got is None:
            return None
        shape, values, labels = got
        vals: _HeaderValues = (
            shape,
            int(values[shape.id_slot]),
            int(values[shape.minutes_slot]) if shape.minutes_slot is not None else 0,
            int(values[shape.m_slot]) if shape.m_slot is not None else None,
            int(values[shape.bubble_slot]) if shape.bubble_slot is not None else None,
            labels,
        )
        # Level-2 headers carry gp= addresses, unique to each goroutine: not worth keeping.
        if rest.startswith(" [") and len(self.memo.header_rests) < MAX_HEADER_RESTS:
            self.memo.header_rests[rest] = vals
        return vals

    def _header(self, header: str) -> tuple[_HeaderShape, list[str], Labels] | None:
        head, label_text = _split_labels(header)
        parts = _HEAD_SPLIT.split(head)
        values = parts[1::2]
        key = "\0".join(parts[0::2])
        memo = self.memo.headers
        if key in memo and self.use_memo:
            shape = memo[key]
        else:
            masked = "".join(
                p if i % 2 == 0 else ("0x0" if p.startswith("0x") else "0")
                for i, p in enumerate(parts)
            )
            try:
                shape = _header_shape(masked, len(values))
                if shape is None:
                    shape = _header_shape(head, len(values), strict=False)
                else:
                    memo[key] = shape
            except LarkError:
                return None
        if shape is None:
            return None
        labels: Labels = ()
        if label_text:
            got = self._labels(label_text)
            if got is None:
                return None
            labels = got
        return shape, values, labels

    def _labels(self, text: str) -> Labels | None:
        memo = self.memo.labels
        got = memo.get(text)
        if got is None:
            try:
                got = _grammar(text, "labelset")
            except LarkError:
                return None
            memo[text] = got
        return got

    def _stack(
        self, text: str, sec: Section, snap: _SnapshotBuilder
    ) -> tuple[_StackShape, str, list[str], bool]:
        """The stack's shape, its hex words joined by spaces, and its goroutine numbers.

        Goroutines of a leak often print the very same stack text (same arguments, same
        creator): those are looked up whole, before any masking.
        """
        if self.use_memo:
            seen = self.memo.bodies.get(text)
            if seen is not None:
                return seen
        got = self._stack_of_text(text, sec, snap)
        if self.use_memo and not got[3] and len(self.memo.bodies) < MAX_BODIES:
            self.memo.bodies[text] = got
        return got

    def _stack_of_text(
        self, text: str, sec: Section, snap: _SnapshotBuilder
    ) -> tuple[_StackShape, str, list[str], bool]:
        parts = _HEX_SPLIT.split(text)
        hexes = parts[1::2]
        key = HEX_PLACEHOLDER.join(parts[0::2])
        gids: list[str] = []
        found = key.count("goroutine ")
        if found == 1:
            # The usual case, "created by X in goroutine N": cut the number out directly.
            i = key.find("goroutine ") + 10
            j = key.find("\n", i)
            if key[i:j].isdigit():
                gids = [key[i:j]]
                key = key[:i] + "0" + key[j:]
            else:
                found = 2  # not a number after all: let the regex decide
        if found > 1:
            gparts = _GID_SPLIT.split(key)
            gids = gparts[1::2]
            key = _GID_PLACEHOLDER.join(gparts[0::2])
        memo = self.memo.stacks
        whole = not self.use_memo  # the reference path: one grammar call per stack
        if self.use_memo and key in memo:
            shape = memo[key]
            if shape is not None:
                return shape, " ".join(hexes), gids, False
            return _stack_shape(text, self.memo, literal=True), " ".join(hexes), gids, False
        try:
            shape = _stack_shape(key, self.memo, whole=whole)
        except LarkError:
            return self._stack_by_units(text.split("\n")[:-1], sec, snap, key)
        if _masked_a_name(shape.stack):
            # A "0x.." inside a function or file name was masked too: this shape is parsed
            # from its real text every time (names stay exact; arguments are kept as text).
            memo[key] = None
            return _stack_shape(text, self.memo, literal=True, whole=whole), " ".join(hexes), gids, False
        memo[key] = shape
        return shape, " ".join(hexes), gids, False

    def _stack_by_units(
        self, body: list[str], sec: Section, snap: _SnapshotBuilder, key: str
    ) -> tuple[_StackShape, str, list[str], bool]:
        """The grammar rejected a call of the stack: keep the calls it accepts, count the
        lines of the ones it rejects. A cut-off dump ends in a rejected call."""
        masked_lines = key.split("\n")[: len(body)]
        items: list[Any] = []
        kept_real: list[str] = []
        offset = 0
        for unit in _unit_groups(masked_lines):
            try:
                u = _parse_unit("".join(masked_lines[i] + "\n" for i in unit), self.memo, False)
            except LarkError:
                for i in unit:
                    snap.issue(sec.line + 1 + i, body[i], "stack line not understood")
                if sec.cut and unit[-1] == len(body) - 1:
                    snap.truncated = True
                continue
            items.extend(it._replace(slot=it.slot + offset) if isinstance(it, _FrameItem) else it for it in u.items)
            offset += u.hexes
            kept_real.extend(body[i] for i in unit)
        shape = _assemble_stack(items, self.memo)
        real = "\n".join(kept_real)
        return shape, " ".join(_HEX_SPLIT.findall(real)), _GID_SPLIT.findall(real), True

    # -- other sections
    def preamble(self, sec: Section, snap: _SnapshotBuilder) -> None:
        items = self._parse_lines(sec, snap, "preamble", "crash preamble line not understood")
        if snap.crash is not None:
            return  # later preambles (SIGQUIT of each thread) add nothing new
        panics: list[Panic] = []
        fatal = signal = fault = None
        cont_target: list[str] | None = None
        messages: list[list[str]] = []
        for it in items:
            if it.kind == "panic":
                msg = [it.text]
                messages.append(msg)
                cont_target = msg
            elif it.kind == "cont" and cont_target is not None:
                cont_target.append(it.text[1:] if it.text.startswith("\t") else it.text)
            elif it.kind == "fatal":
                fatal = it.text
                cont_target = None
            elif it.kind in ("signal", "sigquit"):
                signal = signal or it.text
                cont_target = None
            elif it.kind == "fault":
                fault = it.text
            elif it.kind == "blank" and cont_target is not None:
                cont_target.append("")
        for msg in messages:
            while msg and msg[-1] == "":
                msg.pop()
            panics.append(_panic("\n".join(msg)))
        if not (panics or fatal or signal or fault):
            return
        snap.crash = Crash(
            panics=tuple(panics),
            fatal_error=fatal,
            signal=signal,
            fault_address=fault,
            line=sec.line,
        )
        snap.crash_goroutine_pending = True

    def _parse_lines(self, sec: Section, snap: _SnapshotBuilder, start: str, reason: str) -> list[Any]:
        try:
            got: list[Any] = _grammar("\n".join(sec.lines) + "\n", start)
            return got
        except LarkError:
            pass
        out: list[Any] = []
        for i, line in enumerate(sec.lines):
            try:
                out.extend(_grammar(line + "\n", start))
            except LarkError:
                snap.issue(sec.line + i, line, reason)
        return out

    def runtime_stack(self, sec: Section, snap: _SnapshotBuilder) -> None:
        try:
            _grammar("\n".join(sec.lines) + "\n", "runtime_stack")
        except LarkError:
            for i, line in enumerate(sec.lines[1:], 1):
                snap.issue(sec.line + i, line, "runtime stack line not understood")

    def regs(self, sec: Section, snap: _SnapshotBuilder) -> None:
        self._parse_lines(sec, snap, "regs", "register line not understood")

    def record(self, sec: Section, snap: _SnapshotBuilder) -> None:
        """A debug=1 record, a line at a time (the `record` rule is made of these three):
        the same frame lines recur in many records, and each is parsed once."""
        head = sec.lines[0]
        at = head.find(" @")
        pcs = head[at:]
        try:
            if self.use_memo and pcs in self.memo.record_heads and head[:at].isdigit():
                # Records that differ only in labels print the same PCs: checked once.
                count = int(head[:at])
            else:
                count = _grammar(head + "\n", "record_head")
                self.memo.record_heads.add(pcs)
        except LarkError:
            snap.issue(sec.line, sec.lines[0], "debug=1 record not understood")
            for i, line in enumerate(sec.lines[1:], 1):
                snap.issue(sec.line + i, line, "debug=1 record not understood")
            return
        labels: Labels = ()
        frames: list[Frame] = []
        memo = self.memo.record_lines
        for i, line in enumerate(sec.lines[1:], 1):
            if line in memo and self.use_memo:
                got = memo[line]
            else:
                start = "record_labels" if line.startswith("# labels:") else "record_frame"
                try:
                    got = _grammar(line + "\n", start)
                except LarkError:
                    snap.issue(sec.line + i, line, "debug=1 record line not understood")
                    continue
                if isinstance(got, Frame):
                    got = self.memo.frame(got)
                memo[line] = got
            if isinstance(got, Frame):
                frames.append(got)
            elif isinstance(got, tuple):
                labels = got
        snap.records.append(Record(count, tuple(frames), labels, sec.line))

    def profile(self, sec: Section, snap: _SnapshotBuilder) -> None:
        try:
            snap.profile_total = _grammar(sec.lines[0] + "\n", "profile")
        except LarkError:
            snap.issue(sec.line, sec.lines[0], "profile header not understood")

    def race(self, sec: Section, snap: _SnapshotBuilder) -> None:
        try:
            access, previous = _grammar("\n".join(sec.lines) + "\n", "race")
        except LarkError:
            for i, line in enumerate(sec.lines):
                snap.issue(sec.line + i, line, "race report line not understood")
            return
        snap.races.append(Race(access, previous, sec.line))

    # -- driver
    def parse(self, sections: Iterable[Section]) -> Iterator[Snapshot]:
        snap: _SnapshotBuilder | None = None
        handlers = {
            Kind.GOROUTINE: self.goroutine,
            Kind.PREAMBLE: self.preamble,
            Kind.RUNTIME_STACK: self.runtime_stack,
            Kind.REGS: self.regs,
            Kind.RECORD: self.record,
            Kind.PROFILE: self.profile,
            Kind.RACE: self.race,
        }
        for sec in sections:
            if sec.kind is Kind.DUMP:
                if snap is not None:
                    yield snap.build()
                snap = _SnapshotBuilder(first_line=sec.line, last_line=sec.line)
                continue
            if snap is None:  # sections always open with DUMP; be safe anyway
                snap = _SnapshotBuilder(first_line=sec.line)
            snap.last_section = sec
            if sec.kind is Kind.JUNK:
                snap.issue(sec.line, sec.lines[0], "not part of any goroutine")
                continue
            handlers[sec.kind](sec, snap)
        if snap is not None:
            yield snap.build()


def _panic(text: str) -> Panic:
    for suffix, rec, rep in ((" [recovered, repanicked]", True, True), (" [recovered]", True, False)):
        first, sep, rest = text.partition("\n")
        if first.endswith(suffix):
            return Panic(first[: -len(suffix)] + sep + rest, rec, rep)
        if text.endswith(suffix):
            return Panic(text[: -len(suffix)], rec, rep)
    return Panic(text)


def parse_lines(lines: TextIO | Iterable[str], source: str = "-", *, memo: bool = True) -> Dump:
    """Parse every dump in a text stream (read in blocks) or an iterable of lines."""
    stats = SectionStats()
    snaps = tuple(Parser(memo=memo).parse(split_sections(lines, stats)))
    return Dump(source=source, snapshots=snaps, lines=stats.lines)


def parse_text(text: str, source: str = "-", *, memo: bool = True) -> Dump:
    return parse_lines(io.StringIO(text), source, memo=memo)
