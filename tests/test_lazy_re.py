"""lazy_re: a pattern compiles at its first use and then answers as re.compile's."""

from __future__ import annotations

import re

import pytest

from gtriage import lazy_re
from gtriage.lazy_re import lazy


def test_nothing_is_compiled_before_the_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    # Counted where lazy_re compiles (regex_cache.compiled, which may not call re.compile
    # at all: the program may be kept from an earlier run).
    compiled: list[str] = []

    def counting(pattern: str, flags: int = 0) -> re.Pattern[str]:
        compiled.append(pattern)
        return re.compile(pattern, flags)

    monkeypatch.setattr(lazy_re, "compiled", counting)
    rx = lazy(r"(\d+)-(\d+)")
    assert compiled == []
    m = rx.match("12-34")
    assert m is not None
    assert m.groups() == ("12", "34")
    assert rx.search("x 5-6") is not None
    assert compiled == [r"(\d+)-(\d+)"]  # once, whatever is used after


@pytest.mark.parametrize("flags", [0, re.IGNORECASE, re.MULTILINE])
def test_every_method_answers_as_the_compiled_pattern(flags: int) -> None:
    pattern, text = r"^a(b+)", "ab\nABB\nabbb x"
    rx, real = lazy(pattern, flags), re.compile(pattern, flags)
    assert [m.span() for m in rx.finditer(text)] == [m.span() for m in real.finditer(text)]
    assert rx.findall(text) == real.findall(text)
    assert rx.sub("-", text) == real.sub("-", text)
    assert rx.split(text) == real.split(text)
    assert (rx.fullmatch("abb") is None) == (real.fullmatch("abb") is None)
    assert (rx.pattern, rx.groups) == (real.pattern, real.groups)
