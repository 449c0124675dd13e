"""A section of a dump: what kind it is and the lines it holds, as the line reader
(line_reader.py) and the fast path (sections.py) cut them for the grammar (parse.py)."""

from __future__ import annotations

from .enums import Enum
from .record import NamedTuple, dataclass, field
from .streams import LineMap


class Kind(Enum):
    DUMP = "dump"  # a new snapshot starts; no lines
    GOROUTINE = "goroutine"  # header line, then its stack lines
    RUNTIME_STACK = "runtime stack"  # "runtime stack:" then the system stack of a throw
    PREAMBLE = "preamble"  # panic / fatal error / signal / SIGQUIT lines
    PROFILE = "profile"  # "goroutine profile: total N"
    RECORD = "record"  # one ?debug=1 record
    RACE = "race"  # one race report, without its "=====" fences
    REGS = "regs"  # a register dump
    JUNK = "junk"  # a line inside a dump that fits no section


class CallSplit(NamedTuple):
    """A stack text cut at its argument lists, with no regular expression (call_split.split_calls;
    the fast path's key, fast_path.ShapeMemo.calls)."""

    key: str  # the text without arguments, the creator's goroutine number as 0
    args: tuple[str, ...]  # the argument text of each call, in printed order
    gids: list[str]
    level2: bool  # the text had fp=/sp= words: no two goroutines print it alike
    flat: bool  # no argument text holds a line break or a ")", as the grammar's never do


@dataclass(slots=True)
class Section:
    kind: Kind
    line: int  # 1-based input line of lines[0]
    lines: list[str] = field(default_factory=list)
    # The input ended inside this section without a final newline (a cut-off dump).
    cut: bool = False
    # GOROUTINE sections taken as whole blocks: the stack lines as one text (lines[0] is
    # the header and the only item of `lines` then), and that text cut at its argument
    # lists when it is made of call lines over their locations (_call_pairs).
    body: str | None = None
    calls: CallSplit | None = None
    # DUMP sections: where the lines of this dump's stream came from in the input.
    origin: LineMap | None = None
    # GOROUTINE sections: the same id as the goroutine just before (a line printed twice),
    # or as an earlier one of the same dump (not a new dump: the next header was new).
    repeated: bool = False
    id_seen: bool = False
    # GOROUTINE sections: the log text right before the header, when it says a panic was
    # recovered and logged (logged_text.py: a line, or the lines its value goes on over):
    # its stack is the one logged with it.
    logged: str | None = None

    def closed(self) -> Section:
        """The section as it is handed on: a preamble without its trailing blank lines."""
        if self.kind is Kind.PREAMBLE:
            while self.lines and not self.lines[-1]:
                self.lines.pop()
        return self
