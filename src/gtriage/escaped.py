"""Dumps inside one line, their line breaks escaped: a log's `stack="..."` (Go `%q`), a
JSON string copied out of a log, a pod's `"message": "..."`."""

from __future__ import annotations

from .lazy_re import lazy

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    import re

# A dump inside one line, newlines escaped: "goroutine 1 [running]:\nmain.main()\n\t...".
_ESCAPED_DUMP = lazy(r"goroutine [0-9]+ (?:gp=0x[0-9a-f]+ m=[0-9a-z]+ (?:mp=0x[0-9a-f]+ )?)?\[[^\]\n]*\]:\\n|\\n\\t[^\n]*\.go:[0-9]+")
# A Go- or JSON-quoted string literal.
_QUOTED = lazy(r'"((?:[^"\\\n]|\\.)*)"')
_ESCAPE = lazy(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\", '"': '"', "'": "'", "/": "/"}


def _unescape_one(m: re.Match[str]) -> str:
    s = m.group()[1:]
    c = s[0]
    if c in "xuU" and len(s) > 1:
        code = int(s[1:], 16)
        # A surrogate or an out-of-range code point is shown, not decoded (it is no text).
        return chr(code) if code < 0x110000 and not 0xD800 <= code < 0xE000 else "\ufffd"
    if c in "01234567" and len(s) == 3:
        return chr(int(s, 8))
    return _SIMPLE_ESCAPES.get(c, s)


def unescape(text: str) -> str:
    """The text of a Go (`%q`, strconv.Quote) or JSON string literal's inside."""
    return _ESCAPE.sub(_unescape_one, text)


def one_line_dump(line: str) -> str | None:
    """The dump text a line holds escaped, or None. Inside a quoted literal (a log line's
    `stack="..."`, a pod's `"message": "..."`), the literal; otherwise the whole line."""
    m = _ESCAPED_DUMP.search(line)
    if m is None:
        return None
    for q in _QUOTED.finditer(line):
        if q.start() < m.start() < q.end():
            return unescape(q.group(1))
    return unescape(line)
