"""Turn sections into model objects with the grammar; count what it rejects.

Sections come from sections.py; shapes.py shares the grammar's work between sections that
look alike; this module builds goroutines, records, crashes and races, and keeps the
accounting: every goroutine header becomes a goroutine or an unparsed header, and every
line the grammar rejects is counted with its line number.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

from lark.exceptions import LarkError, UnexpectedInput

from .model import (
    HEX_PLACEHOLDER,
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
)
from .sections import Kind, Section, SectionStats, split_sections
from .shapes import (
    GID_PLACEHOLDER,
    GID_SPLIT,
    HEAD_SPLIT,
    HEX_SPLIT,
    MAX_DIGITS,
    MEMO_ENTRIES,
    CallSplit,
    HeaderShape,
    HeaderValues,
    Memo,
    StackShape,
    assemble_stack,
    call_args,
    header_shape,
    is_number,
    items_mask_a_name,
    masked_a_name,
    parse_unit,
    split_calls,
    split_labels,
    stack_shape,
    unit_groups,
)
from .streams import LineMap
from .transform import grammar_parse

MAX_KEPT_ISSUES = 200  # per snapshot; the count goes on past it
# A run of digits no number the runtime prints is as long as (the grammar rejects it).
_LONG_NUMBER = re.compile(rf"(?<![0-9A-Za-z])[0-9]{{{MAX_DIGITS + 1}}}")
MAX_RACE_REPAIRS = 8  # lines dropped from a damaged race report before it is given up
MAX_BODIES = 1 << 13  # verbatim stack texts remembered: bounded, they are the biggest keys
MAX_CALL_KEYS = 1 << 14  # stack texts cut at their arguments (Memo.calls): one per call path
MAX_HEADER_RESTS = 1 << 14  # distinct header tails remembered (state, minutes, labels)


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
    repeated_headers: int = 0
    races_seen: int = 0
    profile_total: int | None = None
    crash: Crash | None = None
    crash_goroutine_pending: bool = False
    truncated: bool = False
    last_line: int = 0
    last_section: Section | None = None  # its end is the snapshot's last line
    # Stream line -> input line, when a carrier changed the lines (JSON logs, one-line dumps).
    origin: LineMap | None = None
    stackless: tuple[int, str] | None = None  # the last goroutine's header had no stack

    def at(self, line: int) -> int:
        """The input line of a stream line."""
        return line if self.origin is None else self.origin(line)

    def issue(self, line: int, text: str, reason: str) -> None:
        if _LONG_NUMBER.search(text) is not None:
            reason += f" (a number longer than {MAX_DIGITS} digits)"
        self.unparsed_lines += 1
        if len(self.issues) < MAX_KEPT_ISSUES:
            self.issues.append(ParseIssue(self.at(line), text[:500], reason))

    def build(self) -> Snapshot:
        if self.stackless is not None:
            self.issue(*self.stackless, "goroutine header with no stack under it")
            self.stackless = None
        sec = self.last_section
        if sec is not None:
            extra = sec.body.count("\n") if sec.body is not None else len(sec.lines) - 1
            self.last_line = sec.line + max(extra, 0)
        self.first_line, self.last_line = self.at(self.first_line), self.at(self.last_line)
        if self.profile_total is not None or self.records:
            fmt = DumpFormat.DEBUG1
        elif self.races_seen and not self.goroutines and self.crash is None:
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
            repeated_headers=self.repeated_headers,
            races_seen=self.races_seen,
            truncated=self.truncated,
            first_line=self.first_line,
            last_line=self.last_line,
        )


class Parser:
    """Parses the sections of one input; keeps the shape memo for that input."""

    def __init__(self, *, memo: bool = True) -> None:
        self.memo = Memo()
        self.use_memo = memo

    # -- goroutines
    def goroutine(self, sec: Section, snap: _SnapshotBuilder) -> None:
        snap.headers_seen += 1
        header = sec.lines[0]
        head = self._header_fast(header)
        if head is None:
            snap.unparsed_headers += 1
            if sec.cut and len(sec.lines) == 1:
                snap.truncated = True
            snap.issue(sec.line, header, "goroutine header not understood")
            stack = sec.body.split("\n")[:-1] if sec.body is not None else sec.lines[1:]
            for i, text in enumerate(stack, 1):
                snap.issue(sec.line + i, text, "stack of an unparsed goroutine header")
            return
        shape, gp_id, minutes, thread, bubble, labels = head
        text = sec.body if sec.body is not None else "".join(line + "\n" for line in sec.lines[1:])
        stack_shape, values, gids, partial = self._stack(text, sec, snap, sec.calls)
        parent = (
            int(gids[stack_shape.parent_slot])
            if stack_shape.parent_slot is not None and stack_shape.parent_slot < len(gids)
            else None
        )
        g = Goroutine(
            id=gp_id,
            state=shape.state,
            stack=stack_shape.stack,
            line=snap.at(sec.line),
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
            partial=partial,
        )
        if sec.cut and (partial or not text):
            # The input ended inside this goroutine and its last lines do not read: cut off
            # (debug=2 stops at 64 MiB mid-line). A missing final newline alone is no cut.
            snap.truncated = True
        stackless, snap.stackless = snap.stackless, None
        if sec.repeated and snap.goroutines and snap.goroutines[-1].id == g.id:
            prev = snap.goroutines[-1]
            snap.repeated_headers += 1
            snap.issue(sec.line, header, f"goroutine {g.id} printed twice in a row (counted once)")
            if not prev.stack.frames and g.stack.frames:
                snap.goroutines[-1] = g  # the first copy had lost its stack
            return
        if sec.id_seen:
            # Not a new dump (the next header was new again): one damaged digit, maybe.
            snap.issue(sec.line, header, f"goroutine {g.id} printed twice in this dump")
        if stackless is not None:
            snap.issue(*stackless, "goroutine header with no stack under it")
        if not text:
            snap.stackless = (sec.line, header)  # said unless the next header repeats it
        if snap.crash_goroutine_pending:
            snap.crash_goroutine_pending = False
            if g.state == "running" and snap.crash is not None:
                snap.crash = replace(snap.crash, goroutine=g.id)
        snap.goroutines.append(g)


    def _header_fast(self, header: str) -> HeaderValues | None:
        """Headers that differ only in the goroutine id share everything else: "goroutine
        17 [chan receive, 3 minutes]:" is looked up by " [chan receive, 3 minutes]:"."""
        sp = header.find(" ", 10)
        rest = header[sp:] if sp > 0 else ""
        hit = self.memo.header_rests.get(rest) if self.use_memo else None
        if hit is not None:
            digits = header[10:sp]
            if is_number(digits):
                # Only the id differs; the memo's tuple is reused with the id in slot 1.
                return (hit[0], int(digits), hit[2], hit[3], hit[4], hit[5])
        level2 = _level2_key(rest) if self.use_memo and rest.startswith(" gp=") else None
        if level2 is not None:
            key, words = level2
            hit = self.memo.header_gp.get(key)
            digits = header[10:sp]
            if hit is not None and is_number(digits):
                m = hit[0].m_slot
                thread = int(words[m - 1]) if m is not None and 0 < m <= len(words) else None
                return (hit[0], int(digits), hit[2], thread, hit[4], hit[5])
        got = self._header(header)
        if got is None:
            return None
        shape, values, labels = got
        vals: HeaderValues = (
            shape,
            int(values[shape.id_slot]),
            int(values[shape.minutes_slot]) if shape.minutes_slot is not None else 0,
            int(values[shape.m_slot]) if shape.m_slot is not None else None,
            int(values[shape.bubble_slot]) if shape.bubble_slot is not None else None,
            labels,
        )
        if rest.startswith(" [") and len(self.memo.header_rests) < MAX_HEADER_RESTS:
            self.memo.header_rests[rest] = vals
        elif level2 is not None and len(self.memo.header_gp) < MAX_HEADER_RESTS:
            self.memo.header_gp[level2[0]] = vals
        return vals

    def _header(self, header: str) -> tuple[HeaderShape, list[str], Labels] | None:
        head, label_text = split_labels(header)
        parts = HEAD_SPLIT.split(head)
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
                shape = header_shape(masked, len(values))
                if shape is None:
                    shape = header_shape(head, len(values), strict=False)
                elif len(memo) < MEMO_ENTRIES:
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
                got = grammar_parse(text, "labelset")
            except LarkError:
                return None
            if len(memo) < MEMO_ENTRIES:
                memo[text] = got
        return got

    def _stack(
        self, text: str, sec: Section, snap: _SnapshotBuilder, calls: list[str] | None = None
    ) -> tuple[StackShape, str, list[str], bool]:
        """The stack's shape, its Goroutine.values, and its goroutine numbers.

        Goroutines of a leak often print the very same stack text (same arguments, same
        creator): those are looked up whole. The others are cut at their argument lists,
        and that key finds a shape parsed before; only new shapes are masked and parsed.
        """
        if not self.use_memo:
            return self._stack_of_text(text, sec, snap, None)
        memo = self.memo
        seen = memo.bodies.get(text)
        if seen is not None:
            return seen
        split = split_calls(text, calls)
        got = None
        shape = memo.calls.get(split.key)
        # A key found means the text matches one the grammar read, but for its arguments
        # (the runtime prints a call site's arguments the same way each time). Arguments
        # holding what the grammar's never do, a line break ("f(" over "x)") or a ")", or
        # calls without hex words printing something else, mean it only looked alike: the
        # grammar decides.
        if shape is not None:
            args = "".join(split.args)
            if "\n" not in args and ")" not in args and shape.fits(split.args):
                got = (shape, shape.values(split.args), split.gids, False)
        if got is None:
            got = self._stack_of_text(text, sec, snap, split)
        # Level-2 texts never repeat (fp=/sp= differ), and they are the longest: not kept.
        if not got[3] and not split.level2 and len(memo.bodies) < MAX_BODIES:
            memo.bodies[text] = got
        return got

    def _stack_of_text(
        self, text: str, sec: Section, snap: _SnapshotBuilder, split: CallSplit | None
    ) -> tuple[StackShape, str, list[str], bool]:
        parts = HEX_SPLIT.split(text)
        key = HEX_PLACEHOLDER.join(parts[0::2])
        gids: list[str] = []
        found = key.count("goroutine ")
        if found == 1:
            # The usual case, "created by X in goroutine N": cut the number out directly.
            i = key.find("goroutine ") + 10
            j = key.find("\n", i)
            if is_number(key[i:j]):
                gids = [key[i:j]]
                key = key[:i] + "0" + key[j:]
            else:
                found = 2  # not a number after all: let the regex decide
        if found > 1:
            gparts = GID_SPLIT.split(key)
            gids = gparts[1::2]
            key = GID_PLACEHOLDER.join(gparts[0::2])
        memo = self.memo
        whole = not self.use_memo  # the reference path: one grammar call per stack
        shape = memo.stacks.get(key) if self.use_memo else None
        if shape is None and (key not in memo.stacks or not self.use_memo):
            try:
                shape = stack_shape(key, memo, whole=whole)
            except LarkError:
                return self._stack_by_units(text.split("\n")[:-1], sec, snap, key)
            if masked_a_name(shape.stack):
                # A "0x.." inside a function or file name was masked too: this shape is
                # parsed from its real text every time (names stay exact, arguments real).
                shape = None
            if len(memo.stacks) < MEMO_ENTRIES:
                memo.stacks[key] = shape
        if shape is None:
            return stack_shape(text, memo, literal=True, whole=whole), "", gids, False
        args = split.args if split is not None else call_args(text)
        if len(args) != shape.calls:
            # A name that ends in ")" over a location cuts the text elsewhere than the
            # grammar did: keep this stack's arguments in its frames.
            return stack_shape(text, memo, literal=True, whole=whole), "", gids, False
        if split is not None and len(gids) == len(split.gids) and len(memo.calls) < MAX_CALL_KEYS:
            memo.calls[split.key] = shape
        return shape, shape.values(args), gids, False

    def _stack_by_units(
        self, body: list[str], sec: Section, snap: _SnapshotBuilder, key: str
    ) -> tuple[StackShape, str, list[str], bool]:
        """The grammar rejected a call of the stack: keep the calls it accepts, count the
        lines of the ones it rejects. A cut-off dump ends in a rejected call."""
        masked_lines = key.split("\n")[: len(body)]
        items: list[Any] = []
        kept_real: list[str] = []
        for unit in unit_groups(masked_lines):
            try:
                u = parse_unit("".join(masked_lines[i] + "\n" for i in unit), self.memo, False)
                if items_mask_a_name(u):
                    # "0x.." in a name was masked too: this call is read from its real text.
                    u = parse_unit("".join(body[i] + "\n" for i in unit), self.memo, True)
            except LarkError:
                for i in unit:
                    snap.issue(sec.line + 1 + i, body[i], "stack line not understood")
                if sec.cut and unit[-1] == len(body) - 1:
                    snap.truncated = True
                continue
            items.extend(u)
            kept_real.extend(body[i] for i in unit)
        shape = assemble_stack(items, self.memo)
        real = "".join(line + "\n" for line in kept_real)
        args = call_args(real)
        values = shape.values(args) if len(args) == shape.calls else ""
        return shape, values, GID_SPLIT.findall(real), True

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
            line=snap.at(sec.line),
        )
        snap.crash_goroutine_pending = True

    def _parse_lines(self, sec: Section, snap: _SnapshotBuilder, start: str, reason: str) -> list[Any]:
        try:
            got: list[Any] = grammar_parse("\n".join(sec.lines) + "\n", start)
            return got
        except LarkError:
            pass
        out: list[Any] = []
        for i, line in enumerate(sec.lines):
            try:
                out.extend(grammar_parse(line + "\n", start))
            except LarkError:
                snap.issue(sec.line + i, line, reason)
        return out

    def runtime_stack(self, sec: Section, snap: _SnapshotBuilder) -> None:
        try:
            grammar_parse("\n".join(sec.lines) + "\n", "runtime_stack")
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
        if self.use_memo:
            # Heads with as many PCs read alike once the PCs are masked: one parse each.
            pcs = HEX_PLACEHOLDER.join(HEX_SPLIT.split(pcs)[0::2])
        try:
            if self.use_memo and pcs in self.memo.record_heads and is_number(head[:at]):
                count = int(head[:at])
            else:
                count = grammar_parse(head[:at] + pcs + "\n", "record_head")
                if len(self.memo.record_heads) < MEMO_ENTRIES:
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
                    got = grammar_parse(line + "\n", start)
                except LarkError:
                    snap.issue(sec.line + i, line, "debug=1 record line not understood")
                    continue
                if isinstance(got, Frame):
                    got = self.memo.frame(got)
                if len(memo) < MEMO_ENTRIES:
                    memo[line] = got
            if isinstance(got, Frame):
                frames.append(got)
            elif isinstance(got, tuple):
                labels = got
        snap.records.append(Record(count, tuple(frames), labels, snap.at(sec.line)))

    def profile(self, sec: Section, snap: _SnapshotBuilder) -> None:
        try:
            snap.profile_total = grammar_parse(sec.lines[0] + "\n", "profile")
        except LarkError:
            snap.issue(sec.line, sec.lines[0], "profile header not understood")

    def race(self, sec: Section, snap: _SnapshotBuilder) -> None:
        """A race report; a damaged one is read without the lines the grammar stops at (a
        log line inside it, a flipped byte), each counted, a few times at most."""
        snap.races_seen += 1
        kept = list(range(len(sec.lines)))
        dropped: list[int] = []
        for _ in range(MAX_RACE_REPAIRS):
            try:
                access, previous = grammar_parse("".join(sec.lines[i] + "\n" for i in kept), "race")
            except UnexpectedInput as e:
                at = max(getattr(e, "line", 0) or 0, 1) - 1  # the line the grammar stopped at
                if at >= len(kept) or at == 0:
                    break  # the report's end or its first line is missing: nothing to drop
                if dropped and dropped[-1] == kept[at] + 1:
                    at -= 1  # dropping the next line did not help: the line before is the odd one
                dropped.append(kept.pop(at))
                continue
            except LarkError:
                break
            for i in sorted(dropped):
                snap.issue(sec.line + i, sec.lines[i], "race report line not understood")
            snap.races.append(Race(access, previous, snap.at(sec.line)))
            return
        for i, line in enumerate(sec.lines):
            snap.issue(sec.line + i, line, "race report line not understood")

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
                snap = _SnapshotBuilder(first_line=sec.line, last_line=sec.line, origin=sec.origin)
                continue
            if snap is None:  # sections always open with DUMP; be safe anyway
                snap = _SnapshotBuilder(first_line=sec.line)
            snap.last_section = sec
            if sec.kind is Kind.JUNK:
                for i, text in enumerate(sec.lines):
                    snap.issue(sec.line + i, text, "not part of any goroutine")
                continue
            handlers[sec.kind](sec, snap)
        if snap is not None:
            yield snap.build()


def _level2_key(rest: str) -> tuple[str, list[str]] | None:
    """A level-2 header's tail (" gp=0x.. m=3 mp=0x.. [select]:") as a memo key with its
    gp=/m=/mp= words masked, and those words: they differ in every goroutine, the rest not."""
    i = rest.find(" [")
    if i < 0:
        return None
    parts = HEAD_SPLIT.split(rest[:i])
    return "\0".join(parts[0::2]) + rest[i:], parts[1::2]


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
    return Dump(
        source=source,
        snapshots=snaps,
        lines=stats.lines,
        binary_lines=stats.binary_lines,
        carriers=tuple(sorted(stats.carriers)),
    )


def parse_text(text: str, source: str = "-", *, memo: bool = True) -> Dump:
    return parse_lines(io.StringIO(text), source, memo=memo)
