"""A reference reader for goroutine dumps: slow, plain, and sharing nothing with gtriage's
fast path but the grammar file.

It reads the text a line at a time, applies the reading rules written in
src/gtriage/line_reader.py (module docstring and comments, formerly sections.py), in
prefixes.py / carriers.py and in parse.py, parses every section with
grammar/goroutines.lark through a Lark parser of its own (no transformer: values are read
from the parse trees), and says per snapshot which goroutines it found (ids, states,
frames, creators and their goroutine numbers), the input lines it could not read, and the
crash (panic messages, fatal error, first signal). There are no blocks taken whole, no
memo, no masking of hex words or goroutine numbers and no chunks: every line goes through
the same few `if`s, and every section through one grammar call (a stack the grammar
rejects: one call per call line and the tab-indented lines under it).

What it handles and what it leaves out (test_reference.py only generates inputs it handles):
- plain text; CRLF line ends; learned line prefixes (a prefix before a goroutine header or
  another line only the runtime starts a line with, confirmed by the line before or after it
  carrying a prefix of the same shape), indentation, headers glued to the end of another line;
- not JSON-lines carriers (go test -json, docker, slog) nor escaped one-line dumps: inputs
  hold no line that starts with "{" and no "\\n";
- not lines longer than 64 KiB (the fast reader counts them apart);
- the input is read as one piece (the fast reader reads it in 1 MiB chunks).

Where it reads differently from the fast reader, on purpose (fast-reader bugs, rows of
test_reference.py::KNOWN_DIFFERENCES):
- a text that starts with a tab once the prefixes learned so far are off is a stack
  location glued to the runtime's line, never a log prefix;
- the creator and its goroutine number come from the same "created by" line;
- a race report's lines are counted at their own line numbers;
- a prefix is confirmed by its neighbours wherever the line stands (no chunk boundary).
`compat` names fast-reader behaviours to reproduce instead ("tab_prefix", "first_parent",
"race_fence_lines", "chunks"), so that a property test can still compare everything else.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

GRAMMAR = Path(__file__).resolve().parents[1] / "grammar" / "goroutines.lark"
START_RULES = [
    "header",
    "stack",
    "runtime_stack",
    "record_head",
    "record_labels",
    "record_frame",
    "profile",
    "preamble",
    "regs",
    "race",
]


@cache
def grammar() -> Lark:
    return Lark(
        GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        start=START_RULES,
        maybe_placeholders=True,
    )


def tree_of(text: str, start: str) -> Tree[Token] | None:
    """The parse tree of `text` (each line ending in a newline) from rule `start`, or None."""
    try:
        return grammar().parse(text, start=start)
    except LarkError:
        return None


# ------------------------------------------------------------------------------ results

Place = tuple[str, str, int]  # (function, file, line)


@dataclass
class RefGoroutine:
    id: int
    state: str
    frames: list[Place]
    creator: Place | None
    parent: int | None  # "created by ... in goroutine N"
    line: int


@dataclass
class RefSnapshot:
    goroutines: list[RefGoroutine] = field(default_factory=list)
    unparsed: list[int] = field(default_factory=list)  # input line numbers, sorted
    panics: list[str] = field(default_factory=list)
    fatal_error: str | None = None
    signal: str | None = None
    crash_seen: bool = False
    # The stack lines under goroutine headers the grammar rejected (they are in `unparsed`).
    orphan_stack_lines: list[int] = field(default_factory=list)


# ------------------------------------------------------------------------------ line tests

FENCE = "=================="
RACE_START = "WARNING: DATA RACE"
PROFILE_START = "goroutine profile: total "
# Lines only a crash prints first (the runtime's preamble lines).
CRASH_FIRST = ("panic: ", "fatal error: ", "[signal ", "unexpected fault address ", "*** Test killed")
CRASH_LATER = ("runtime: ", "PC=0x")  # preamble lines that never open a dump
STACK_STARTS = ("created by ", "...", "[originating from goroutine ", "non-Go function")

SIGNAL = re.compile(r"SIG[A-Z0-9]+: ")
REGISTER = re.compile(r"[a-z][a-z0-9]* +0x[0-9a-fA-F]+$")
RECORD_HEAD = re.compile(r"[0-9]+ @( 0x[0-9a-fA-F]+)*$")


def is_header(line: str) -> bool:
    """A goroutine header: "goroutine " and an ASCII digit."""
    return line.startswith("goroutine ") and len(line) > 10 and line[10] in "0123456789"


def ascii_id(line: str) -> int | None:
    """A header's goroutine id, when it is 1 to 20 ASCII digits up to the next space."""
    word = line[10:].split(" ", 1)[0]
    if 1 <= len(word) <= 20 and all(c in "0123456789" for c in word):
        return int(word)
    return None


def is_crash_line(line: str) -> bool:
    return line.startswith(CRASH_FIRST + CRASH_LATER) or SIGNAL.match(line) is not None


def opens_dump(line: str) -> bool:
    """Lines that start a dump wherever they stand."""
    if is_header(line) or line.startswith(PROFILE_START) or line in (RACE_START, FENCE):
        return True
    return is_crash_line(line) and not line.startswith(CRASH_LATER)


def ends_stack(line: str) -> bool:
    return (
        is_header(line)
        or is_crash_line(line)
        or line.startswith(PROFILE_START)
        or line in (RACE_START, FENCE)
    )


def stacky(line: str) -> bool:
    """A call line ("f(...)") or another line a stack holds, but for locations."""
    return line.endswith(")") or line.startswith(STACK_STARTS)


# A location pasted without its tab: a path with a "/" (or "\") and a file extension, a line
# number, then what the runtime prints after it. No "=" or '"' in the path: log text.
BARE_LOCATION = re.compile(
    r"""[^\s"=][^\n"=]*[/\\][^\n"=]*\.[A-Za-z][A-Za-z0-9_]*:[0-9]+"""
    r"""( \+0x[0-9a-fA-F]+)?( fp=0x[0-9a-fA-F]+ sp=0x[0-9a-fA-F]+)?( pc=0x[0-9a-fA-F]+)?"""
)


def bare_location(line: str) -> bool:
    return BARE_LOCATION.fullmatch(line) is not None


def looks_located(line: str | None) -> bool:
    """A frame location: tab-indented, or a bare one (maybe space-indented)."""
    if line is None:
        return False
    if line.startswith("\t"):
        return True
    bare = line.lstrip(" ")
    return not bare.endswith(")") and bare_location(bare)


def location_near(nxt: str | None, nxt2: str | None) -> bool:
    """A location on the next line, or on the one after a non-blank next line."""
    if looks_located(nxt):
        return True
    return nxt is not None and nxt.strip() != "" and looks_located(nxt2)


# ------------------------------------------------------------------------------ carriers


def prefix_pattern(prefix: str) -> str:
    """A regex for line prefixes like `prefix`: numbers vary, a fraction of a second may be
    missing, and trailing white space may be missing at the end of a line."""
    out = ""
    i = 0
    while i < len(prefix):
        c = prefix[i]
        if c in ".," and i + 1 < len(prefix) and prefix[i + 1] in "0123456789":
            j = i + 1
            while j < len(prefix) and prefix[j] in "0123456789":
                j += 1
            out += "(?:[.,][0-9]+)?"
            i = j
        elif c in "0123456789":
            j = i
            while j < len(prefix) and prefix[j] in "0123456789":
                j += 1
            out += "[0-9]+"
            i = j
        elif c.isspace() and prefix[i:].isspace():
            out += "(?:" + re.escape(prefix[i:]) + "|$)"
            i = len(prefix)
        else:
            out += re.escape(c)
            i += 1
    return out


# Headers that do not start their line. Not "in goroutine N" (a creator), "by goroutine N"
# (a race), "from goroutine N" (an ancestor).
HEADER_ANYWHERE = re.compile(
    r"(?<!in )(?<!by )(?<!from )goroutine [0-9]+ (gp=0x[0-9a-f]+ m=[0-9a-z]+ (mp=0x[0-9a-f]+ )?)?\[[^\]\n]*\]"
)
OTHER_MARKS = ("created by ", "panic: ", "fatal error: ", RACE_START, PROFILE_START, "SIGQUIT: quit", "SIGABRT: abort", "[signal ")
MAX_PREFIXES = 16


class Prefixes:
    """Line prefixes learned so far (regexes), and taking them off a line."""

    def __init__(self, compat: Collection[str]) -> None:
        self.patterns: list[str] = []
        self.compat = compat

    def match(self, line: str) -> re.Match[str] | None:
        """The longest of the learned prefixes at the line's start ("> > " before "> ")."""
        best = None
        for p in self.patterns:
            m = re.match(p, line)
            if m is not None and (best is None or m.end() > best.end()):
                best = m
        return best

    def strip(self, line: str) -> str:
        m = self.match(line)
        return line[m.end() :] if m is not None else line

    def learn(self, p: str) -> None:
        if p not in self.patterns and len(self.patterns) < MAX_PREFIXES:
            self.patterns.append(p)

    def is_log_prefix(self, line: str, at: int) -> bool:
        """Whether line[:at] may be a log prefix. Not when, without the prefixes learned so
        far, it starts with a tab: that is a stack location glued to the runtime line."""
        if "tab_prefix" in self.compat:
            return True
        known = self.match(line)
        return not line[known.end() if known is not None and known.end() <= at else 0 : at].startswith("\t")

    def read(self, lines: list[str]) -> dict[int, list[int]]:
        """Learn the prefixes of `lines`; return where headers glued to other text start
        (line index -> offsets)."""

        def neighbour_carries(i: int, p: str) -> bool:
            return any(0 <= j < len(lines) and lines[j] and re.match(p, lines[j]) for j in (i + 1, i - 1))

        cuts: dict[int, list[int]] = {}
        inside = False  # a header that does not start its line
        for i, line in enumerate(lines):
            for m in HEADER_ANYWHERE.finditer(line):
                at = m.start()
                if at == 0:
                    continue
                inside = True
                known = self.match(line)
                if known is not None and known.end() == at:
                    continue
                prefix = line[:at]
                if prefix.isspace():
                    self.learn(re.escape(prefix))  # the whole dump was indented
                    continue
                p = prefix_pattern(prefix)
                if self.is_log_prefix(line, at) and neighbour_carries(i, p):
                    self.learn(p)
                else:
                    cuts.setdefault(i, []).append(at)  # text glued to the header
        if inside or any(line.startswith("goroutine ") for line in lines):
            return cuts  # headers taught what there is to learn, or stand bare
        for mark in OTHER_MARKS:
            for i, line in enumerate(lines):
                at = line.find(mark)
                if at <= 0 or line[at - 1] == "\t":
                    continue
                known = self.match(line)
                if known is not None and known.end() == at:
                    continue
                prefix = line[:at]
                if not prefix.strip() or prefix.endswith(("in ", "by ")):
                    continue
                p = prefix_pattern(prefix)
                if self.is_log_prefix(line, at) and neighbour_carries(i, p):
                    self.learn(p)
        return cuts


def carried_lines(text: str, compat: Collection[str] = ()) -> list[tuple[int, str]]:
    """The input's lines as the runtime printed them, each with its input line number:
    CRLF undone, headers glued to other text put on a line of their own, learned prefixes
    taken off. A final line without a newline is kept; the newline after the last line is
    no line of its own.

    compat "chunks": like the fast reader, read the last complete line (and what follows
    it) apart from the lines before, so that neither sees the other as its neighbour."""
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    pieces = [lines]
    if "chunks" in compat and text.count("\n") >= 2:
        ends_at = len(text[: text.rfind("\n", 0, text.rfind("\n")) + 1].split("\n")) - 1
        pieces = [lines[:ends_at], lines[ends_at:]]
    prefixes = Prefixes(compat)
    out: list[tuple[int, str]] = []
    n = 0
    for piece in pieces:
        cuts = prefixes.read(piece)
        for i, line in enumerate(piece):
            n += 1
            last = 0
            for at in [*cuts.get(i, []), len(line)]:
                out.append((n, prefixes.strip(line[last:at])))
                last = at
    if out and out[-1][1] == "" and not text.endswith("\n"):
        out.pop()  # a last line that was only a prefix, with no line break after it: nothing
    return out


# ------------------------------------------------------------------------------ sections


@dataclass(eq=False)
class Sec:
    kind: str  # goroutine, runtime_stack, preamble, profile, record, race, regs, junk
    lines: list[tuple[int, str]]  # (input line, text)
    fenced: bool = False  # a race report opened by its "==================" fence
    repeated: bool = False  # the header just before had the same id: a line printed twice
    id_seen: bool = False  # an id seen before in this dump, yet no new dump


@dataclass(eq=False)
class Dump:
    sections: list[Sec] = field(default_factory=list)


class LineReader:
    """Cuts the lines into dumps and sections, one line at a time."""

    def __init__(self) -> None:
        self.dumps: list[Dump] = []
        self.dump: Dump | None = None  # the open dump
        self.crash_only = True  # it holds only a crash's first lines so far
        self.debug1 = False  # it is a ?debug=1 profile
        self.records = False  # it holds debug=1 records
        self.ids: set[int] = set()
        self.first_id: int | None = None
        self.last_id: int | None = None
        self.cur: Sec | None = None
        self.held: Sec | None = None  # a goroutine with an id seen before, not yet placed
        self.closed: str | None = None  # the kind of the section closed last
        self.after_blank = False

    # -- helpers
    def new_dump(self) -> None:
        self.close()
        self.dump = Dump()
        self.dumps.append(self.dump)
        self.crash_only, self.debug1, self.records = True, False, False
        self.ids, self.first_id, self.last_id, self.held = set(), None, None, None

    def close(self) -> None:
        if self.cur is not None:
            assert self.dump is not None
            self.closed = self.cur.kind
            if self.cur.kind == "preamble":
                while self.cur.lines and self.cur.lines[-1][1] == "":
                    self.cur.lines.pop()
            self.dump.sections.append(self.cur)
            self.cur = None

    def start(self, kind: str, n: int, text: str) -> None:
        self.close()
        self.cur = Sec(kind, [(n, text)])

    def foreign(self) -> None:
        """A line that is not the dump's: skipped; it ends the open section, and a dump of
        only a crash's first lines (a panic line in a log)."""
        self.close()
        if self.crash_only:
            self.dump = None

    # -- one line
    def line(self, n: int, text: str, nxt: str | None, nxt2: str | None) -> None:
        cur = self.cur
        if text.strip() == "":
            if cur is not None and cur.kind in ("preamble", "race"):
                cur.lines.append((n, ""))  # panic values and race reports hold blank lines
            else:
                self.close()
            self.after_blank = True
            return
        prev_blank, self.after_blank = self.after_blank, False

        if cur is not None and cur.kind == "race" and is_header(text):
            self.close()  # a race report that lost its closing fence ends at a goroutine
            cur = None

        if cur is not None and cur.kind == "race":
            if text == FENCE:
                while cur.lines and cur.lines[-1][1] == "":
                    cur.lines.pop()
                self.close()
                self.after_blank = True
            else:
                cur.lines.append((n, text))
            return

        kind = cur.kind if cur is not None else None
        call = text.endswith(")") and not text.startswith(" ") and not is_header(text)
        if kind in ("goroutine", "runtime_stack") and call and nxt is not None and nxt.startswith("\t"):
            assert cur is not None
            cur.lines.append((n, text))  # a call over its location, whatever it starts with
            return

        if is_header(text):
            self.header(n, text)
            return

        if cur is not None and kind in ("goroutine", "runtime_stack", "junk"):
            if self.stack_line(cur, n, text, nxt, nxt2):
                return
            kind = None
        elif cur is not None and kind == "record":
            if text.startswith("#"):
                cur.lines.append((n, record_retab(text)))
                return
            self.close()
        elif cur is not None and kind == "regs":
            if REGISTER.match(text):
                cur.lines.append((n, text))
                return
            self.close()

        if self.section_start(n, text, kind, prev_blank, nxt):
            return

        if self.cur is not None and kind == "preamble":
            if not prev_blank or self.crash_only:
                if prev_blank and not text.startswith("\t") and len(self.cur.lines) > 20:
                    self.foreign()  # a log goes on after a panic line it printed
                else:
                    self.cur.lines.append((n, preamble_retab(text)))
                return
            self.close()

        if self.dump is None:
            return
        if location_near(nxt, nxt2) and not looks_located(text):
            self.start("junk", n, text)  # a stack whose header is damaged beyond recognition
            return
        self.foreign()

    def stack_line(self, cur: Sec, n: int, text: str, nxt: str | None, nxt2: str | None) -> bool:
        """A line under a goroutine header (or damaged stack); False when it starts another
        section."""
        if text.startswith("\t"):
            cur.lines.append((n, text))
            return True
        if text.startswith(" "):
            bare = text.lstrip(" ")  # pasted with spaces for tabs
            cur.lines.append((n, bare if stacky(bare) and not looks_located(bare) else "\t" + bare))
            return True
        if cur.kind != "junk" and REGISTER.match(text):
            self.start("regs", n, text)
            return True
        if ends_stack(text):
            self.close()
            return False
        if stacky(text):
            cur.lines.append((n, text))
            return True
        if len(cur.lines) > 1 and not cur.lines[-1][1].startswith("\t") and bare_location(text):
            cur.lines.append((n, "\t" + text))
            return True
        if location_near(nxt, nxt2):
            cur.lines.append((n, text))  # damage: the grammar rejects it, and it is counted
            return True
        self.foreign()
        return True

    def header(self, n: int, text: str) -> None:
        gid = ascii_id(text)
        cur = self.cur
        just_before = cur is not None and cur.kind == "goroutine" and gid == self.last_id
        self.close()
        if self.dump is None or self.records:
            self.new_dump()
        assert self.dump is not None
        seen = bool(gid) and gid in self.ids
        sec = Sec("goroutine", [(n, text)], repeated=seen and just_before, id_seen=seen and not just_before)
        held = self.held
        if held is None and seen and not just_before:
            if gid == self.first_id:
                self.new_dump()  # the runtime printed a new dump: it starts with the same id
                sec.id_seen = False
            else:
                self.held = sec  # a new dump only if the next header repeats an id too
        elif held is not None:
            self.held = None
            if seen and not just_before and held in self.dump.sections:
                # Two ids seen before in a row: a new dump started at the first of them.
                at = self.dump.sections.index(held)
                moved = self.dump.sections[at:]
                del self.dump.sections[at:]
                self.dump = Dump(moved)
                self.dumps.append(self.dump)
                held.id_seen = sec.id_seen = False
                self.first_id = ascii_id(held.lines[0][1])
                self.ids = {i for i in (self.first_id, gid) if i is not None}
                self.debug1 = self.records = False
        if self.first_id is None:
            self.first_id = gid
        if gid is not None:
            self.ids.add(gid)
        self.last_id = gid
        self.crash_only = False
        self.cur = sec

    def section_start(self, n: int, text: str, kind: str | None, prev_blank: bool, nxt: str | None) -> bool:
        if not self.debug1 and nxt is not None and nxt.startswith("#") and RECORD_HEAD.match(text):
            # A debug=1 record without the profile's first line: the profile starts here.
            if self.dump is None or not self.crash_only:
                self.new_dump()
            self.crash_only, self.debug1 = False, True
        if text in (FENCE, RACE_START):
            if self.dump is None:
                self.new_dump()
            self.crash_only = False
            self.close()
            self.cur = Sec("race", [] if text == FENCE else [(n, text)], fenced=text == FENCE)
            return True
        if text.startswith(PROFILE_START):
            if self.dump is None or not self.crash_only:
                self.new_dump()
            self.crash_only, self.debug1 = False, True
            self.start("profile", n, text)
            self.close()
            return True
        if self.dump is None and not opens_dump(text):
            return False
        if self.debug1 and RECORD_HEAD.match(text):
            self.records = True
            self.start("record", n, text)
            return True
        if text == "runtime stack:":
            self.start("runtime_stack", n, text)
            return True
        if prev_blank and REGISTER.match(text):
            self.start("regs", n, text)
            return True
        if is_crash_line(text) or text == "-----":
            if kind == "preamble" and self.cur is not None:
                self.cur.lines.append((n, text))
                return True
            # After goroutines a crash's first line, or a signal line (but a thread's, after
            # its registers, in a GOTRACEBACK=crash dump) starts a new dump.
            second_crash = text.startswith(("panic: ", "fatal error: ")) or (
                SIGNAL.match(text) is not None and self.closed != "regs"
            )
            if self.dump is None or (not self.crash_only and second_crash):
                self.new_dump()
            self.start("preamble", n, text)
            return True
        return False

    def finish(self) -> None:
        self.close()
        self.held = None


def record_retab(text: str) -> str:
    """debug=1 frame lines are tab-separated: runs of spaces (and the one after "#") become
    tabs when the line holds no tab at all; a frame's three words (pc, function+offset,
    location) are told apart by any blanks (a tab stop may leave one)."""
    if "\t" in text or text.startswith("# labels:"):
        return text
    words = text.split(" ")
    if words[0] == "#":
        rest = [w for w in words[1:] if w]
        if len(rest) >= 3 and rest[0].startswith("0x") and "+0x" in rest[1]:
            loc = text[text.index(rest[1]) + len(rest[1]) :].lstrip(" ")
            if all(c in "0123456789abcdefABCDEF" for c in rest[0][2:]) and rest[0][2:]:
                return f"#\t{rest[0]}\t{rest[1]}\t{loc}"
    out = re.sub(r" {2,}", "\t", text)
    return "#\t" + out[2:] if out.startswith("# ") else out


def preamble_retab(text: str) -> str:
    """A nested panic ("\\tpanic: ") pasted with spaces for its tab."""
    bare = text.lstrip(" ")
    if text.startswith(" ") and bare.startswith("panic: "):
        return "\t" + bare
    return text


def sections(lines: list[tuple[int, str]]) -> list[Dump]:
    reader = LineReader()
    texts = [t for _, t in lines]
    for i, (n, text) in enumerate(lines):
        # The one or two lines after this one, up to an empty line.
        nxt = texts[i + 1] if i + 1 < len(texts) and texts[i + 1] != "" else None
        nxt2 = texts[i + 2] if nxt is not None and i + 2 < len(texts) and texts[i + 2] != "" else None
        reader.line(n, text, nxt, nxt2)
    reader.finish()
    return reader.dumps


# ------------------------------------------------------------------------------ parsing


def tokens(t: Tree[Token], kind: str) -> list[Token]:
    return [c for c in t.children if isinstance(c, Token) and c.type == kind]


def subtree(t: Tree[Token], name: str) -> Tree[Token] | None:
    for c in t.children:
        if isinstance(c, Tree) and c.data == name:
            return c
    return None


def place(t: Tree[Token], name_kind: str) -> Place:
    loc = subtree(t, "location")
    assert loc is not None
    return (str(tokens(t, name_kind)[0]), str(tokens(loc, "FILE")[0]), int(tokens(loc, "INT")[0]))


@dataclass
class StackRead:
    frames: list[Place] = field(default_factory=list)
    creator: Place | None = None
    parent: int | None = None
    bad: list[int] = field(default_factory=list)  # input lines the grammar rejected


def stack_units(lines: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """A stack's calls: each line that is not tab-indented (and the line saying the stack is
    on another thread), with the tab-indented lines under it."""
    units: list[list[tuple[int, str]]] = []
    for n, text in lines:
        if text.startswith("\t") and units and not text.startswith("\tgoroutine running"):
            units[-1].append((n, text))
        else:
            units.append([(n, text)])
    return units


def read_stack(lines: list[tuple[int, str]], compat: Collection[str] = ()) -> StackRead:
    """The grammar's reading of a stack; when it rejects the whole, the calls it accepts.
    The creator and its goroutine number come from the same (the last) "created by" line.

    compat "first_parent": like the fast reader, the number of the first "created by" line
    that has one."""
    out = StackRead()
    first_parent: int | None = None
    whole = tree_of("".join(t + "\n" for _, t in lines), "stack")
    trees: list[Tree[Token]] = []
    if whole is not None:
        trees.append(whole)
    else:
        for unit in stack_units(lines):
            t = tree_of("".join(text + "\n" for _, text in unit), "stack")
            if t is None:
                out.bad.extend(n for n, _ in unit)
            else:
                trees.append(t)
    in_ancestor = False
    for t in trees:
        for item in t.children:
            if not isinstance(item, Tree):
                continue
            if item.data == "ancestor":
                in_ancestor = True
            elif in_ancestor:
                continue  # frames of the goroutine that created an ancestor
            elif item.data == "frame":
                out.frames.append(place(item, "FUNC"))
            elif item.data == "created_by":
                out.creator = place(item, "CREATOR")
                gid = tokens(item, "INT")
                out.parent = int(gid[0]) if gid else None
                if first_parent is None:
                    first_parent = out.parent
    if "first_parent" in compat:
        out.parent = first_parent
    return out


def header_values(text: str) -> tuple[int, str] | None:
    t = tree_of(text + "\n", "header")
    if t is None:
        return None
    state = str(tokens(t, "STATE")[0])
    if subtree(t, "durable") is not None:
        state += " (durable)"
    return int(tokens(t, "INT")[0]), state


def panic_text(lines: list[str]) -> str:
    """A panic value; " [recovered]" marks come off (on its first line, or at its end)."""
    text = "\n".join(lines)
    for mark in (" [recovered, repanicked]", " [recovered]"):
        first, sep, rest = text.partition("\n")
        if first.endswith(mark):
            return first[: -len(mark)] + sep + rest
        if text.endswith(mark):
            return text[: -len(mark)]
    return text


def lines_or_each(sec: Sec, start: str, skip_first: bool = False) -> list[int]:
    """Input lines a section's grammar rule rejects: all of them or the ones it rejects
    alone (with skip_first, the section's first line is never counted)."""
    if tree_of("".join(t + "\n" for _, t in sec.lines), start) is not None:
        return []
    if start == "runtime_stack":
        return [n for n, _ in sec.lines[1 if skip_first else 0 :]]
    return [n for n, t in sec.lines if tree_of(t + "\n", start) is None]


@dataclass
class CrashRead:
    panics: list[str] = field(default_factory=list)
    fatal_error: str | None = None
    signal: str | None = None
    fault: str | None = None


def preamble_crash(sec: Sec) -> CrashRead:
    """What a preamble says of a crash: panic messages (with their continuation lines), the
    fatal error, the first signal."""
    texts = [t for _, t in sec.lines]
    if tree_of("".join(t + "\n" for t in texts), "preamble") is None:
        texts = [t for t in texts if tree_of(t + "\n", "preamble") is not None]
    items: list[tuple[str, list[str]]] = []
    for t in texts:
        tree = tree_of(t + "\n", "preamble")
        assert tree is not None
        for item in tree.children:
            if isinstance(item, Tree):
                items.append(
                    (item.data, [str(c) for c in item.children if isinstance(c, Token) and c.type != "NL"])
                )
    out = CrashRead()
    messages: list[list[str]] = []
    target: list[str] | None = None
    for kind, values in items:
        if kind == "panic_line":
            target = [values[0]]
            messages.append(target)
        elif kind == "continuation" and target is not None:
            target.append(values[0][1:] if values[0].startswith("\t") else values[0])
        elif kind == "fatal_error":
            out.fatal_error = values[0]
            target = None
        elif kind in ("signal", "sigquit"):
            if out.signal is None:
                out.signal = values[0] if kind == "signal" else f"{values[0]}: {values[1]}"
            target = None
        elif kind == "fault":
            out.fault = values[0]
        elif kind == "blank" and target is not None:
            target.append("")
    for msg in messages:
        while msg and msg[-1] == "":
            msg.pop()
        out.panics.append(panic_text(msg))
    return out


MAX_RACE_REPAIRS = 8


def race_bad(sec: Sec, compat: Collection[str] = ()) -> list[int]:
    """A race report the grammar rejects is read again without the line it stopped at (or,
    when that did not help, the line before), a few times; the lines left out are counted.
    When that does not make it read, every line is counted.

    compat "race_fence_lines": like the fast reader, count them a line early after a fence."""
    if "race_fence_lines" in compat and sec.fenced:
        return [n - 1 for n in race_bad(sec)]
    kept = list(sec.lines)
    dropped: list[tuple[int, str]] = []
    for _ in range(MAX_RACE_REPAIRS):
        try:
            grammar().parse("".join(t + "\n" for _, t in kept), start="race")
        except UnexpectedInput as e:
            at = max(e.line, 1) - 1
            if at >= len(kept) or at == 0:
                break
            if dropped and dropped[-1][0] == kept[at][0] + 1:
                at -= 1
            dropped.append(kept.pop(at))
            continue
        except LarkError:
            break
        return sorted(n for n, _ in dropped)
    return [n for n, _ in sec.lines]


def record_lines_bad(sec: Sec) -> list[int]:
    head = sec.lines[0][1]
    if tree_of(head + "\n", "record_head") is None:
        return [n for n, _ in sec.lines]
    bad = []
    for n, t in sec.lines[1:]:
        start = "record_labels" if t.startswith("# labels:") else "record_frame"
        if tree_of(t + "\n", start) is None:
            bad.append(n)
    return bad


def read_dump(dump: Dump, compat: Collection[str] = ()) -> RefSnapshot:
    snap = RefSnapshot()
    bad: list[int] = []
    stackless: int | None = None  # the last goroutine's header, when it had no stack
    for sec in dump.sections:
        if sec.kind == "goroutine":
            n, header = sec.lines[0]
            values = header_values(header)
            if values is None:
                bad.extend(m for m, _ in sec.lines)
                snap.orphan_stack_lines.extend(m for m, _ in sec.lines[1:])
                continue
            gid, state = values
            stack = read_stack(sec.lines[1:], compat)
            bad.extend(stack.bad)
            g = RefGoroutine(gid, state, stack.frames, stack.creator, stack.parent, n)
            pending, stackless = stackless, None
            if sec.repeated and snap.goroutines and snap.goroutines[-1].id == gid:
                bad.append(n)  # printed twice in a row: counted once
                if not snap.goroutines[-1].frames and g.frames:
                    snap.goroutines[-1] = g
                continue
            if sec.id_seen:
                bad.append(n)
            if pending is not None:
                bad.append(pending)
            if len(sec.lines) == 1:
                stackless = n
            snap.goroutines.append(g)
        elif sec.kind == "junk":
            bad.extend(n for n, _ in sec.lines)
        elif sec.kind == "preamble":
            bad.extend(lines_or_each(sec, "preamble"))
            crash = preamble_crash(sec)
            said = crash.panics or crash.fatal_error or crash.signal or crash.fault
            if said and not snap.crash_seen:
                snap.crash_seen = True
                snap.panics, snap.fatal_error, snap.signal = crash.panics, crash.fatal_error, crash.signal
        elif sec.kind == "runtime_stack":
            bad.extend(lines_or_each(sec, "runtime_stack", skip_first=True))
        elif sec.kind == "regs":
            bad.extend(lines_or_each(sec, "regs"))
        elif sec.kind == "record":
            bad.extend(record_lines_bad(sec))
        elif sec.kind == "profile":
            bad.extend(lines_or_each(sec, "profile"))
        elif sec.kind == "race":
            bad.extend(race_bad(sec, compat))
    if stackless is not None:
        bad.append(stackless)
    snap.unparsed = sorted(bad)
    return snap


def read(text: str, compat: Collection[str] = ()) -> list[RefSnapshot]:
    """Every snapshot in `text`, read the slow and plain way."""
    return [read_dump(d, compat) for d in sections(carried_lines(text, compat))]
