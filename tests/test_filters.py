"""Filters: smart-case patterns, --cluster ranks, and the count before filtering."""

from __future__ import annotations

from functools import cache

import pytest

from gtriage.filters import Filters, apply_filters, filter_regex, has_capital
from gtriage.pipeline import analyze
from gtriage.report import Report
from manifests import SAMPLES


@pytest.mark.parametrize(
    ("pattern", "capital"),
    [
        ("recvforever", False),
        ("recvForever", True),
        ("[A-Z]x", True),
        (r"\S+\W\D\Bx\A\Z", False),  # classes and anchors are no letters to match
        (r"\x4Fk", False),  # hexadecimal digits
        (r"\u00C9t\U0001F600", False),
        (r"(?P<Name>x)(?P=Name)", False),  # group names
        ("(?#A comment)x", False),
        (r"\N{LATIN CAPITAL LETTER A}", True),
        (r"\N{LATIN SMALL LETTER A}", False),
        ("État", True),
        (r"\Éx", True),  # an escaped non-ASCII letter is the letter
        ("ünïcode", False),
        ("", False),
    ],
)
def test_has_capital(pattern: str, capital: bool) -> None:
    assert has_capital(pattern) is capital


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        ("chan receive", "Chan Receive", True),
        ("Chan", "chan receive", False),
        ("Chan", "Chan receive", True),
        (r"\bmain\.recv", "MAIN.RECVFOREVER", True),
        ("(?i)Chan", "chan", True),  # an explicit flag still wins
    ],
)
def test_filter_regex_is_smart_case(pattern: str, text: str, found: bool) -> None:
    assert bool(filter_regex(pattern).search(text)) is found


@cache
def demo() -> Report:
    return analyze(str(SAMPLES / "demo.txt"))


def test_ranks_keep_their_numbers() -> None:
    got = apply_filters(demo(), Filters(ranks=(5, 2)))
    assert [c.rank for c in got.clusters] == [2, 5]
    assert got.clusters_before_filters == len(demo().clusters)


def test_filtering_twice_keeps_the_dump_count() -> None:
    once = apply_filters(demo(), Filters(top=5))
    twice = apply_filters(once, Filters(top=2))
    assert len(twice.clusters) == 2
    assert twice.clusters_before_filters == len(demo().clusters) == 25
    assert demo().clusters_before_filters is None
