"""Line prefixes learned from the lines only the runtime prints, and headers glued to other
text. Nobody lists the prefixes: kubectl, journald, klog, CRI, hclog, markdown quotes and
any other are learned the same way."""

from __future__ import annotations

from .lazy_re import lazy
from .line_kinds import PROFILE_START, RACE_WARNING
from .log_sources import Sources, named_span
from .regex_cache import MULTILINE, compiled, escape, uncached

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    import re
    from collections.abc import Iterator

# Headers not at the start of their line: "2021-05-27T10:46:33.875+0300 [DEBUG] x: goroutine 1 [".
# The lookbehinds sit after the literal so that the regex engine can search for it fast;
# "in goroutine" (creators), "by goroutine" (races) and "from goroutine" (ancestors) are
# not headers.
_HEADER_REST = compiled(r"[0-9]+ (?:gp=0x[0-9a-f]+ m=[0-9a-z]+ (?:mp=0x[0-9a-f]+ )?)?\[[^\]\n]*\]")
# "goroutine " that does not start its line and follows none of those words, with a
# header's rest after it. One search: a plain dump's every header and creator holds
# "goroutine ", and a str.find loop over them cost ~1 ms a MiB in Python steps.
_HEADER_INSIDE = compiled(
    r"goroutine (?<!\ngoroutine )(?<!in goroutine )(?<!by goroutine )(?<!om goroutine )(?="
    + _HEADER_REST.pattern
    + ")"
)


def _headers_inside(text: str) -> Iterator[int]:
    """Offsets of goroutine headers that do not start their line (offset 0 starts one)."""
    for m in _HEADER_INSIDE.finditer(text):
        if m.start() > 0:
            yield m.start()


# Other lines only the runtime prints at a line's start; a prefix before them is learned
# when the next line carries the same prefix.
_OTHER_STARTS = (
    "created by ",
    "panic: ",
    "fatal error: ",
    RACE_WARNING,
    PROFILE_START,
    "SIGQUIT: quit",
    "SIGABRT: abort",
    "[signal ",
)
# Each found by its literal (fast), then kept only when no line break or tab is right
# before it (a nested panic is "\tpanic: "): every "created by" of a plain dump is at a
# line's start, and the loop over them would cost ~10 ms a MiB.
_OTHER_INSIDE = tuple(
    lazy(escape(m) + "".join(f"(?<!{escape(c + m)})" for c in "\n\t")) for m in _OTHER_STARTS
)
MAX_SHAPES = 16  # distinct prefixes learned per stream; a prefix that varies more is no prefix
_DIGITS = lazy(r"[.,][0-9]+|[0-9]+|\s+$")


def prefix_shape(prefix: str) -> str:
    """A regex for lines that carry a prefix like this one: the digits of timestamps, pids
    and counters vary; fractions of a second may vanish (RFC 3339 drops trailing zeros); a
    blank line may lose the prefix's trailing space. A start that names the source whole
    (kubectl's "[pod/web-0/app] ", stern's "web-0 app ") stays as it is: "web-1" is
    another pod."""
    start, end = named_span(prefix)
    if not end:
        return _varying(prefix)
    return _varying(prefix[:start]) + escape(prefix[start:end]) + _varying(prefix[end:])


def _varying(prefix: str) -> str:

    def part(m: re.Match[str]) -> str:
        t = m.group()
        if t[0] in ".,":
            return r"(?:[.,][0-9]+)?"
        if t[0].isspace():
            return "(?:" + escape(t) + "|(?=\n)|$)"
        return "[0-9]+"

    out = []
    last = 0
    for m in _DIGITS.finditer(prefix):
        out.append(escape(prefix[last : m.start()]))
        out.append(part(m))
        last = m.end()
    out.append(escape(prefix[last:]))
    return "".join(out)


class Prefixes:
    """The line prefixes learned so far in one stream, and stripping them."""

    def __init__(self) -> None:
        self.shapes: list[str] = []
        self.strip: re.Pattern[str] | None = None
        self._strip_after_nl: re.Pattern[str] = compiled("$^")
        self._compiled: dict[str, re.Pattern[str]] = {}
        self.sources = Sources()

    def _matcher(self, shape: str) -> re.Pattern[str]:
        m = self._compiled.get(shape)
        if m is None:
            m = self._compiled[shape] = uncached(shape)
        return m

    def learn(self, shape: str, prefix: str = "") -> None:
        """Learn a prefix's shape; `prefix`: the text it was learned from, when it may name
        one log source among others (log_sources.py)."""
        if shape in self.shapes or len(self.shapes) >= MAX_SHAPES:
            return
        self.shapes.append(shape)
        if prefix:
            self.sources.learn(prefix)
        # Longest first: "> > " before "> ".
        alts = "|".join(sorted(self.shapes, key=len, reverse=True))
        self.strip = uncached("^(?:" + alts + ")", MULTILINE)
        # Searching for "\n" then the prefix is faster than trying "^" at every position.
        self._strip_after_nl = uncached("\n(?:" + alts + ")")

    def stripped(self, text: str) -> str:
        """The text without the learned prefixes at its lines' starts."""
        assert self.strip is not None
        return self._strip_after_nl.sub("\n", "\n" + text)[1:]

    def known(self, text: str, start: int, end: int) -> bool:
        """Whether text[start:end] is a prefix learned before."""
        if self.strip is None:
            return False
        m = self.strip.match(text, start)
        return m is not None and m.end() == end

    def carried(self, text: str, shape: str) -> bool:
        return self._matcher(shape).match(text) is not None


def _line_at(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _confirmed(text: str, start: int, end: int, shape: str, prefixes: Prefixes) -> bool:
    """Whether the line before or after [start, end) carries the same prefix."""
    if end < len(text):
        nxt_end = text.find("\n", end + 1)
        nxt = text[end + 1 : len(text) if nxt_end < 0 else nxt_end]
        if nxt and prefixes.carried(nxt, shape):
            return True
    if start > 0:
        prev = text[text.rfind("\n", 0, start - 1) + 1 : start - 1]
        if prev and prefixes.carried(prev, shape):
            return True
    return False


def learn_prefixes(
    text: str, prefixes: Prefixes, glued: list[int], limit: int | None = None, stripped: bool = False
) -> None:
    """Learn the prefixes of the runtime's lines in text[:limit]; note headers glued to the
    end of another line (their offsets go to `glued`). The text past `limit` is only there
    as the next line of the last one (a prefix is confirmed by a neighbour). `stripped`:
    the prefixes known are already off the text, so one still before a header was printed
    twice: a prefixed line whose line break was lost, glued to the header."""
    limit = len(text) if limit is None else limit
    found = False
    for p in _headers_inside(text):
        if p >= limit:
            break
        found = True
        start, end = _line_at(text, p)
        if start == p:
            continue
        if prefixes.known(text, start, p):
            if stripped:
                glued.append(p)
            continue
        prefix = text[start:p]
        if not prefix.strip():
            prefixes.learn(escape(prefix))  # indentation: the whole dump was indented
            continue
        if prefixes.sources.other(prefix) is not None:
            continue  # another log source's dump: read in a stream of its own (log_sources.py)
        shape = prefix_shape(prefix)
        # A log prefix holds no tab: text with one is a location the header is glued to.
        if "\t" not in prefix and _confirmed(text, start, end, shape, prefixes):
            prefixes.learn(shape, prefix)
        else:
            # Not repeated on its neighbours: text glued to the header ("...dumping all
            # stacksgoroutine 1 [running]:"). The header starts a line of its own.
            glued.append(p)
    if found or text.startswith("goroutine ") or "\ngoroutine " in text:
        # Headers taught what there is to learn, or stand bare: the runtime's other lines
        # (a crash's first lines, race reports) are looked at only in text without them.
        return
    for m in (m for pat in _OTHER_INSIDE for m in pat.finditer(text, 0, limit)):
        i = m.start()
        start, end = _line_at(text, i)
        if start == i or prefixes.known(text, start, i):
            continue
        prefix = text[start:i]
        if prefixes.sources.other(prefix) is not None:
            continue
        if prefix.strip() and "\t" not in prefix and not prefix.endswith(("in ", "by ")):
            shape = prefix_shape(prefix)
            if _confirmed(text, start, end, shape, prefixes):
                prefixes.learn(shape, prefix)
