"""Dumps inside one escaped line (escaped.py)."""

from __future__ import annotations

from gtriage.escaped import unescape


def test_unescape_go_quoted() -> None:
    # strconv.Quote of a dump line: tab, newline, quote, backslash, a byte, a rune.
    assert unescape(r"main.f({0x1, \"a\\b\"})\n\t/m.go:3 +0x1d\x00\u00e9") == 'main.f({0x1, "a\\b"})\n\t/m.go:3 +0x1d\x00é'
    assert unescape(r"\ud800") == "\ufffd"  # no lone surrogate gets out
