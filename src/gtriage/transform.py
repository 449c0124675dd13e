"""The grammar's rules turned into plain values while the LALR parser runs (no tree).

Each start rule of grammar/goroutines.lark yields what its callback here returns: items
for stacks and preambles, model objects for debug=1 frames and race reports. Nothing here
decides what a section is (sections.py) or shares work between sections (shapes.py).

The callbacks are called by lalr.py's runner, or by Lark itself when it parses
(syntax.py): tokens are then Lark's, so they are told from built values as `str`s (no
callback returns a bare string) and read through `.type` and `.start_pos` only.
"""

from __future__ import annotations

from .enums import StrEnum
from .lalr import Token
from .model import Access, Frame, Labels
from .record import NamedTuple, replace
from .syntax import grammar_parser

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from typing import Any


class Loc(NamedTuple):
    file: str
    line: int


class FrameItem(NamedTuple):
    func: Token
    args: str
    loc: Loc
    literal: bool = False  # parsed from unmasked text: `args` are the real words


class CreatedItem(NamedTuple):
    func: str
    loc: Loc
    has_gid: bool


class Elided(NamedTuple):
    frames: int


class AncestorMark(NamedTuple):
    pass


class FlagName(StrEnum):
    """What a header or stack line says besides its values (the grammar's flag rules)."""

    M = "m"  # level-2 header: the thread (m=N)
    SCAN = "scan"
    LEAKED = "leaked"
    DURABLE = "durable"
    MINUTES = "minutes"
    LOCKED = "locked"
    BUBBLE = "bubble"
    LABELS = "labels"
    OTHER_THREAD = "other_thread"
    CGO = "cgo"


class Flag(NamedTuple):
    name: FlagName
    value: Any = None


class Header(NamedTuple):
    id_tok: Token
    state: str
    flags: tuple[Flag, ...]


class PreKind(StrEnum):
    """The lines of a crash preamble."""

    PANIC = "panic"
    CONT = "cont"  # a panic message's next line
    FATAL = "fatal"
    SIGNAL = "signal"
    FAULT = "fault"
    SIGQUIT = "sigquit"
    BLANK = "blank"


class PreItem(NamedTuple):
    kind: PreKind
    text: str


class RaceWho(NamedTuple):
    goroutine: int | None


def is_token(x: object, kind: str | None = None) -> bool:
    """Whether a child is a token (of terminal `kind`), Lark's or the runner's."""
    return isinstance(x, str) and (kind is None or getattr(x, "type", None) == kind)


class DumpTransformer:
    """Builds plain values while the parser runs (LALR, no tree): a method a rule."""

    # -- header
    def header(self, c: list[Any]) -> Header:
        state = next(t for t in c if is_token(t, "STATE"))
        flags = tuple(f for f in c if isinstance(f, Flag))
        return Header(c[0], str(state), flags)

    def regs_gp(self, c: list[Any]) -> Flag:
        return Flag(FlagName.M, c[1] if len(c) > 2 and c[1] is not None else None)

    def scan(self, c: list[Any]) -> Flag:
        return Flag(FlagName.SCAN)

    def leaked(self, c: list[Any]) -> Flag:
        return Flag(FlagName.LEAKED)

    def durable(self, c: list[Any]) -> Flag:
        return Flag(FlagName.DURABLE)

    def minutes(self, c: list[Any]) -> Flag:
        return Flag(FlagName.MINUTES, c[0])

    def locked(self, c: list[Any]) -> Flag:
        return Flag(FlagName.LOCKED)

    def bubble(self, c: list[Any]) -> Flag:
        return Flag(FlagName.BUBBLE, c[-1])

    def labels_in(self, c: list[Any]) -> Flag:
        return Flag(FlagName.LABELS, c[0])

    def labels_out(self, c: list[Any]) -> Flag:
        return Flag(FlagName.LABELS, c[0])

    def labelset(self, c: list[Any]) -> Labels:
        return tuple(x for x in c if x is not None)

    def label(self, c: list[Any]) -> tuple[str, str]:
        return (_unquote(c[0]), _unquote(c[2]))

    # -- stack
    def stack(self, c: list[Any]) -> list[Any]:
        return c

    def runtime_stack(self, c: list[Any]) -> list[Any]:
        return [x for x in c if not is_token(x)]

    def frame(self, c: list[Any]) -> FrameItem:
        return FrameItem(c[0], str(c[1]) if c[1] is not None else "", c[3])

    def location(self, c: list[Any]) -> Loc:
        return Loc(str(c[0]), int(c[1]))

    def created_by(self, c: list[Any]) -> CreatedItem:
        has_gid = any(is_token(t, "INT") for t in c)
        return CreatedItem(str(c[0]), c[-1], has_gid)

    def elided(self, c: list[Any]) -> Elided:
        return Elided(int(c[0]) if c and is_token(c[0], "INT") else -1)

    def other_thread(self, c: list[Any]) -> Flag:
        return Flag(FlagName.OTHER_THREAD)

    def ancestor(self, c: list[Any]) -> AncestorMark:
        return AncestorMark()

    def cgo_frame(self, c: list[Any]) -> Flag:
        return Flag(FlagName.CGO)

    # -- debug=1
    def profile(self, c: list[Any]) -> int:
        return int(c[0])

    def record_head(self, c: list[Any]) -> int:
        return int(c[0])

    def record_labels(self, c: list[Any]) -> Labels:
        return tuple(c[0])

    def record_frame(self, c: list[Any]) -> Frame | None:
        toks = [t for t in c if is_token(t) and t.type != "TABS"]
        if len(toks) < 5:
            return None  # a PC with no symbol
        return Frame(str(toks[1]), "", str(toks[3]), int(toks[4]))

    # -- preamble
    def preamble(self, c: list[Any]) -> list[PreItem]:
        return [x for x in c if isinstance(x, PreItem)]

    def panic_line(self, c: list[Any]) -> PreItem:
        return PreItem(PreKind.PANIC, str(c[0]))

    def continuation(self, c: list[Any]) -> PreItem:
        return PreItem(PreKind.CONT, str(c[0]))

    def fatal_error(self, c: list[Any]) -> PreItem:
        return PreItem(PreKind.FATAL, str(c[0]))

    def signal(self, c: list[Any]) -> PreItem:
        return PreItem(PreKind.SIGNAL, str(c[0]))

    def fault(self, c: list[Any]) -> PreItem:
        return PreItem(PreKind.FAULT, str(c[0]))

    def sigquit(self, c: list[Any]) -> PreItem:
        return PreItem(PreKind.SIGQUIT, f"{c[0]}: {c[1]}")

    def blank(self, c: list[Any]) -> PreItem:
        return PreItem(PreKind.BLANK, "")

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
        toks = [x for x in c if not is_token(x, "NL")]
        return _access(str(toks[0]), toks[1], toks[2], toks[3:])

    def race_created(self, c: list[Any]) -> tuple[int, list[Frame]]:
        toks = [x for x in c if not is_token(x, "NL")]
        return int(toks[0]), [f for f in toks[2:] if isinstance(f, Frame)]

    def race_goroutine(self, c: list[Any]) -> RaceWho:
        return RaceWho(int(c[0]))

    def race_main(self, c: list[Any]) -> RaceWho:
        return RaceWho(None)

    def race_frame(self, c: list[Any]) -> Frame | None:
        toks = [t for t in c if is_token(t) and t.type != "NL"]
        if len(toks) < 3:
            return None  # [failed to restore the stack]
        return Frame(str(toks[0]), "", str(toks[1]), int(toks[2]))

    # -- register dump: only whether it parses counts
    def regs(self, c: list[Any]) -> list[Any]:
        return []

    def reg(self, c: list[Any]) -> None:
        return None

    def pc_offset(self, c: list[Any]) -> None:
        return None

    def frame_regs(self, c: list[Any]) -> None:
        return None


def _access(op: str, address: Token, who: RaceWho, frames: list[Any]) -> Access:
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


def token_pos(tok: Token) -> int:
    # The lexer always sets positions; None only exists for tokens made by hand.
    return tok.start_pos if tok.start_pos is not None else -1


def grammar_parse(text: str, start: str) -> Any:
    """What `start`'s callback built from text; raises lalr.ParseError when the grammar
    rejects it."""
    return grammar_parser(DumpTransformer)(text, start)
