"""The one place where text from a dump is made inert before it is shown.

A dump is untrusted input: a panic message can hold terminal escape sequences, Rich
markup or Markdown. Renderers call these functions on every string that came from a dump.
"""

from __future__ import annotations

from gtriage.lazy_re import lazy

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    import re

# C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-byte CSI on some
# terminals), the Unicode bidi overrides that reorder what a line appears to say, and
# surrogates: no encoder writes one (UTF-8 refuses, "\ud800" in JSON is no text, and jq
# rejects it), yet a str may hold one: a caller's string, or a Go-quoted "\ud800" label.
# Compiled only for text that _clean cannot pass: a class past Latin-1 makes re build a
# table of every BMP character, ~0.9 ms of each start.
_UNSAFE = lazy("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = lazy("[\ud800-\udfff]")


def _clean(text: str) -> bool:
    """Whether _UNSAFE matches nothing in text, without compiling it. Each character it
    matches is a control (Cc), format (Cf) or surrogate (Cs) character, which
    str.isprintable() refuses: text that is printable once its tabs and newlines are set
    aside holds none (a test checks this over every code point)."""
    if text.isprintable():
        return True
    return ("\n" in text or "\t" in text) and text.replace("\n", "").replace("\t", "").isprintable()


def _escape(m: re.Match[str]) -> str:
    c = ord(m.group(0))
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def scalar(text: str) -> str:
    """Text that any encoder can write: each surrogate spelled out (`\\ud800`), the rest
    as it is. For output that keeps dump text exact otherwise (JSON)."""
    return text if text.isascii() else _SURROGATE.sub(_escape, text)


def inert(text: str) -> str:
    """Text with every control character spelled out (`\\x1b`), newlines and tabs kept."""
    return text if _clean(text) else _UNSAFE.sub(_escape, text)


def inert_line(text: str) -> str:
    """One line of text: control characters spelled out, and newlines and tabs too."""
    return inert(text).replace("\n", "\\n").replace("\t", "\\t")


# Mid-line, only these start Markdown or HTML (emphasis, code, links, autolinks and tags,
# table cells, GFM strikethrough, entities); line-start markers never occur where it is used.
_MD_SPECIAL = lazy(r"([\\`*_\[\]<>|~&])")
_TICKS = lazy("`+")
_FENCE_TICKS = lazy("`{3,}")


def _backslashed(m: re.Match[str]) -> str:
    # A function, not the template r"\\\1": a template makes the matcher import re.
    return "\\" + m.group(1)


def md_inline(text: str) -> str:
    """Text for a Markdown paragraph or table cell: nothing in it is Markdown or HTML."""
    return _MD_SPECIAL.sub(_backslashed, inert_line(text))


def md_code_span(text: str, *, in_table: bool = False) -> str:
    """Text as a Markdown code span, whatever backticks it holds. In a GFM table cell a
    pipe must be escaped even inside a code span."""
    body = inert_line(text)
    if in_table:
        body = body.replace("|", "\\|")
    longest = max((len(r) for r in _TICKS.findall(body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def md_fence(text: str, info: str = "") -> str:
    """A fenced code block that the text cannot close early."""
    body = inert(text)
    longest = max((len(r) for r in _FENCE_TICKS.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"
