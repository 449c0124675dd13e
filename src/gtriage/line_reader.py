"""The line reader: the one place that decides where a section starts and ends, and where a
dump (a snapshot) starts, by the first characters of a line, one line (and at most two
lines of look-ahead) at a time. sections.py feeds it, and takes whole goroutine blocks past
it only where it would have cut them the same way.

The rules, in the order the line reader applies them:
- A dump starts at a goroutine header, a crash's first line (`panic: `, `fatal error: `,
  `[signal `, `SIGQUIT: quit`, ...), `goroutine profile: total N`, a debug=1 record over
  its frames, or a race report.
- A new dump starts only where the runtime starts one: the dump's first goroutine id again,
  or two ids in a row seen before in it (one repeated id alone is a damaged digit; goroutine
  0, the threads' system stacks, repeats in every dump; the same header right under itself
  is a line printed twice); a `panic: `, `fatal error: ` or signal line after goroutines
  (but a signal line after a thread's registers: GOTRACEBACK=crash); a debug=1 profile
  header after goroutines or records; a goroutine header after debug=1 records.
- Text that belongs to no section (log lines, prose, markdown headings) is skipped; it ends
  the open section but not the dump. A dump made only of a crash's first lines ends there.
- A line that fits no section but is followed (within two lines) by a stack location is
  damage, not foreign text: it stays in its goroutine, or, with no goroutine open, is
  counted with the stack lines after it as lines of no goroutine.
- Inside a stack, a line that ends in ")" over a tab-indented line is a call, whatever it
  starts with; a location is told by its shape, not its indentation (tabs pasted as
  spaces or as nothing); indented calls lose their indentation.
"""

from __future__ import annotations

from .line_kinds import (
    LOCATION,
    MAX_STACK_LINE,
    PROFILE_START,
    RACE_FENCE,
    RACE_WARNING,
    RECORD_START,
    REG_LINE,
    SIGNAL_LINE,
    call_over_location,
    header_id,
    is_header,
    is_location,
    is_stack_line,
    location_follows,
    retab_leading,
    retab_record_line,
    starts_dump,
    starts_preamble,
    starts_section,
)
from .logged_text import LoggedText
from .section import CallSplit, Kind, Section
from .streams import LineMap

# For the per-goroutine path: reading an enum member costs ~0.1 us on Python 3.11.
_GOROUTINE = Kind.GOROUTINE
_PREAMBLE = Kind.PREAMBLE


class LineReader:
    """The line-by-line reading of one stream of dump text, resumable a line at a time."""

    def __init__(self, origin: LineMap | None) -> None:
        self.origin = origin
        self.open = False  # a dump is open
        self.content = False  # it holds more than a crash's first lines
        self.debug1 = False  # it is a ?debug=1 profile
        self.records = False  # it holds debug=1 records
        self.ids: set[int] = set()  # goroutine ids seen in it
        self.last_id: int | None = None
        self.first_id: int | None = None  # of the dump's first goroutine
        self.cur: Section | None = None  # the open section
        self.held: int | None = None  # index in `out` of a goroutine held back
        self.closed: Kind | None = None  # the kind of the section closed last
        self.after_blank = False
        self.header_next = False  # a goroutine taken whole ended at the header fed next (no blank)
        self.logged = LoggedText()  # the log text over a stack logged with a panic
        self.out: list[Section] = []
        self.binary_lines = 0  # outside any dump, not text (invalid UTF-8 or NUL bytes)

    def _new_dump(self, n: int) -> None:
        self._close()
        self.held = None
        self.open, self.content, self.debug1, self.records = True, False, False, False
        self.ids = set()
        self.last_id = self.first_id = None
        self.out.append(Section(Kind.DUMP, n, origin=self.origin))

    def _close(self) -> None:
        if self.cur is not None:
            self.closed = self.cur.kind
            self.out.append(self.cur.closed())
            self.cur = None

    def _open(self, sec: Section) -> None:
        self._close()
        self.cur = sec

    def _goroutine(self, header: str, n: int, logged: bool = False) -> Section:
        """A goroutine header: in this dump, or the first of a new one.

        The runtime starts every dump afresh, so ids repeat only in a new dump, but one
        damaged digit repeats an id too. A new dump therefore starts at a repeated id only
        when it is the dump's first id again, or when the next header repeats one as well
        (until then the goroutine is held back). The same header right under itself is a
        line printed twice. A stack logged with a panic (`logged`) is an event of its own:
        a connection's goroutine logs request after request, its id again each time.
        """
        gid = header_id(header)
        cur = self.cur
        under, self.header_next = self.header_next, False
        if gid and self.held is None and self.open and not self.records and (logged or gid not in self.ids):
            # The common case, a new goroutine of the open dump.
            if cur is not None:
                self._close()
            self.ids.add(gid)
            self.last_id = gid
            if self.first_id is None:
                self.first_id = gid
            self.content = True
            return Section(_GOROUTINE, n)
        adjacent = gid == self.last_id and (under or (cur is not None and cur.kind is Kind.GOROUTINE))
        self._close()
        if not self.open or self.records:
            self._new_dump(n)
        repeated = bool(gid) and gid in self.ids
        sec = Section(Kind.GOROUTINE, n, repeated=repeated and adjacent, id_seen=repeated and not adjacent)
        held = self.held
        if held is None and repeated and not adjacent:
            if gid == self.first_id:
                # The dump starts over, as the runtime prints every dump: a new one.
                self._new_dump(n)
                repeated = sec.id_seen = False
            else:
                self.held = len(self.out)
        elif held is not None:
            self.held = None
            while held < len(self.out) - 1 and self.out[held].kind is not Kind.GOROUTINE:
                held += 1  # a line too long for a stack was counted before its goroutine ended
            if repeated and not adjacent and held < len(self.out):
                # Two repeated ids in a row: the new dump started at the first.
                first = self.out[held]
                first.id_seen = False
                self.out.insert(held, Section(Kind.DUMP, first.line, origin=self.origin))
                self.first_id = header_id(first.lines[0])
                self.ids = {i for i in (self.first_id, gid) if i is not None}
                self.debug1 = self.records = False
                sec.id_seen = repeated = False
        if self.first_id is None:
            self.first_id = gid
        if gid is not None:
            self.ids.add(gid)
        self.last_id = gid
        self.content = True
        return sec

    def ready(self) -> list[Section]:
        """The sections read so far, less a goroutine held back (see _goroutine)."""
        out = self.out
        if self.held is None:
            self.out = []
            return out
        keep = self.held
        self.held = 0
        self.out = out[keep:]
        return out[:keep]

    def feed(self, text: str, n: int, nxt: str | None = None, nxt2: str | None = None) -> None:
        """One line (without its newline), 1-based stream line `n`, and the one or two lines
        after it in its block (None past a blank line); sections go to `out`."""
        if not text.strip():
            self._blank()
            return
        self.header_next = self.header_next and is_header(text)
        prev_blank, self.after_blank = self.after_blank, False
        if self._race_line(text):
            return
        cur = self.cur
        kind = cur.kind if cur is not None else None
        if (kind is Kind.GOROUTINE or kind is Kind.RUNTIME_STACK) and call_over_location(text, nxt):
            assert cur is not None
            cur.lines.append(text)
            return
        if is_header(text):
            logged = self.logged.over(n)
            sec = self._goroutine(text, n, logged is not None)
            sec.lines.append(text)
            sec.logged = logged
            self._open(sec)
            return
        if cur is not None:
            taken, kind = self._continue_section(cur, text, n, nxt, nxt2)
            if taken:
                return
        if self._section_start(text, n, kind, prev_blank, nxt):
            return
        if kind is Kind.PREAMBLE and self._preamble_line(text, prev_blank):
            return
        self._outside(text, n, nxt, nxt2)

    def _blank(self) -> None:
        # A blank line ends every section but a race report and a preamble (panic values
        # may hold blank lines).
        cur = self.cur
        if cur is not None:
            if cur.kind is Kind.PREAMBLE or cur.kind is Kind.RACE:
                cur.lines.append("")
            else:
                self._close()
        self.after_blank, self.header_next = True, False

    def _race_line(self, text: str) -> bool:
        """A line of an open race report; False (and the report closed) for a goroutine
        header: a race report that lost its closing fence ends at a goroutine."""
        cur = self.cur
        if cur is None or cur.kind is not Kind.RACE:
            return False
        if is_header(text):
            self._close()
            return False
        if text == RACE_FENCE:
            while cur.lines and not cur.lines[-1]:
                cur.lines.pop()
            self._close()
            self.after_blank = True  # the closing fence ends the report like a blank line
        else:
            cur.lines.append(text)
        return True

    def _continue_section(
        self, cur: Section, text: str, n: int, nxt: str | None, nxt2: str | None
    ) -> tuple[bool, Kind | None]:
        """Whether the open section took the line, and the kind a new section is started
        after (None when a stack ended on a line that is not one of its own)."""
        kind = cur.kind
        if kind is Kind.GOROUTINE or kind is Kind.RUNTIME_STACK or kind is Kind.JUNK:
            return (True, kind) if self._stack_line(cur, text, n, nxt, nxt2) else (False, None)
        if kind is Kind.RECORD:
            if text.startswith("#"):
                cur.lines.append(retab_record_line(text))
                return True, kind
            self._close()
        elif kind is Kind.REGS:
            if REG_LINE.match(text):
                cur.lines.append(text)
                return True, kind
            self._close()
        return False, kind

    def _preamble_line(self, text: str, prev_blank: bool) -> bool:
        assert self.cur is not None
        if not prev_blank or not self.content:
            if prev_blank and not text.startswith("\t") and len(self.cur.lines) > 20:
                # A long "panic value" that goes on after a blank line: a panic line in a
                # log, and this is the log going on.
                self._foreign(text)
                return True
            # Continuation of a multi-line panic value ("\t" indented from Go 1.23).
            self.cur.lines.append(retab_leading(text))
            return True
        self._close()
        return False

    def _outside(self, text: str, n: int, nxt: str | None, nxt2: str | None) -> None:
        """A line outside any section."""
        self.logged.note(text, n, nxt)
        if not self.open:
            if "\ufffd" in text or "\x00" in text:
                self.binary_lines += 1
            return
        if location_follows(nxt, nxt2) and not is_location(text):
            # A stack whose header is damaged beyond recognition: count its lines.
            self._open(Section(Kind.JUNK, n, [text]))
            return
        self._foreign(text)

    def _foreign(self, text: str) -> None:
        """Text that is not the dump's (a log line, prose): skipped. A dump that so far
        holds only a crash's first lines was a panic line in a log: it ends."""
        self._close()
        if not self.content:
            self.open = False

    def _stack_line(self, cur: Section, text: str, n: int, nxt: str | None, nxt2: str | None) -> bool:
        """Add a line to an open goroutine (or damaged stack); False when it ends it."""
        if len(text) > MAX_STACK_LINE:
            # No frame is this long; keep the grammar away from it and count it.
            self.out.append(Section(Kind.JUNK, n, [text[:200] + "…"]))
            return True
        first = text[:1]
        if first == "\t":
            cur.lines.append(text)
            return True
        if first == " ":
            # Pasted with spaces for tabs, or indented: calls keep their text, the rest
            # is a location.
            bare = text.lstrip(" ")
            cur.lines.append(bare if is_stack_line(bare) and not is_location(bare) else "\t" + bare)
            return True
        if cur.kind is not Kind.JUNK and REG_LINE.match(text):
            # GOTRACEBACK=crash: a thread's registers right under its system stack.
            self._open(Section(Kind.REGS, n, [text]))
            return True
        if starts_section(text):
            self._close()
            return False
        if is_stack_line(text):
            cur.lines.append(text)
            return True
        last = cur.lines[-1]
        if len(cur.lines) > 1 and last[:1] != "\t" and LOCATION.fullmatch(text):
            cur.lines.append("\t" + text)  # a location pasted without its tab
            return True
        if location_follows(nxt, nxt2):
            cur.lines.append(text)  # damage: the grammar will reject it, and it is counted
            return True
        self.logged.note(text, n, nxt)
        self._foreign(text)
        return True

    def _section_start(self, text: str, n: int, kind: Kind | None, prev_blank: bool, nxt: str | None) -> bool:
        """Open the section this line starts, if it starts one here."""
        if not self.debug1 and nxt is not None and nxt[:1] == "#" and RECORD_START.match(text):
            # A debug=1 record without its "goroutine profile: total" line (cut off, or
            # pasted without it): the profile starts here.
            if not self.open or self.content:
                self._new_dump(n)
            self.content = self.debug1 = True
        if text in (RACE_FENCE, RACE_WARNING):
            if not self.open:
                self._new_dump(n)
            self.content = True
            # After a fence, the report's first line is the next one.
            self._open(Section(Kind.RACE, n + 1, []) if text == RACE_FENCE else Section(Kind.RACE, n, [text]))
            return True
        if text.startswith(PROFILE_START):
            if not self.open or self.content:
                self._new_dump(n)
            self.content = self.debug1 = True
            self._open(Section(Kind.PROFILE, n, [text]))
            self._close()
            return True
        if not self.open and not starts_dump(text):
            return False
        if self.debug1 and RECORD_START.match(text):
            self.records = True
            self._open(Section(Kind.RECORD, n, [text]))
            return True
        if text == "runtime stack:":
            self._open(Section(Kind.RUNTIME_STACK, n, [text]))
            return True
        if prev_blank and REG_LINE.match(text):
            self._open(Section(Kind.REGS, n, [text]))
            return True
        if starts_preamble(text) or text == "-----":
            if kind is Kind.PREAMBLE:
                assert self.cur is not None
                self.cur.lines.append(text)
                return True
            if not self.open or (
                self.content
                and (
                    text.startswith(("panic: ", "fatal error: "))
                    or (SIGNAL_LINE.match(text) and self.closed is not Kind.REGS)
                )
            ):
                # A crash's first line; after goroutines, a second crash or SIGQUIT: a new
                # dump (GOTRACEBACK=crash prints a signal line per thread, after its
                # registers and "-----").
                self._new_dump(n)
            self._open(Section(Kind.PREAMBLE, n, [text]))
            return True
        return False

    def take_goroutine(self, header: str, body: str, n: int, calls: CallSplit | None, at_header: bool = False) -> None:
        """A whole goroutine block known to be clean, inside a dump, read as feeding its lines
        would read it: a blank line or, `at_header`, the next goroutine's header ends it
        (accepts_blocks)."""
        sec = self._goroutine(header, n)
        sec.lines.append(header)
        sec.body, sec.calls = body, calls
        self.out.append(sec)
        self.closed = _GOROUTINE
        self.after_blank, self.header_next = True, at_header

    def accepts_blocks(self, after_header: bool = False) -> bool:
        """Whether the next clean goroutine block skips the line-by-line reading; `after_header`:
        one right under a goroutine's lines (journald), which its header closes, as fed."""
        cur = self.cur
        return self.open and not self.records and (cur is None or cur.kind is _PREAMBLE or (after_header and cur.kind is _GOROUTINE))

    def finish(self, ended_with_newline: bool) -> None:
        if self.cur is not None:
            self.cur.cut = not ended_with_newline
            self._close()
        self.held = None
