"""call_cache.py: cache and lru_cache keep results as functools' do, within their bound;
partial is functools'."""

from __future__ import annotations

import functools

from gtriage import call_cache


def test_a_result_is_computed_once_per_argument() -> None:
    calls: list[str] = []

    @call_cache.cache
    def upper(s: str) -> str:
        """Upper."""
        calls.append(s)
        return s.upper()

    assert [upper("a"), upper("b"), upper("a")] == ["A", "B", "A"]
    assert calls == ["a", "b"]
    assert (upper.__name__, upper.__doc__) == ("upper", "Upper.")
    upper.cache_clear()
    assert upper("a") == "A"
    assert calls == ["a", "b", "a"]


def test_a_bounded_cache_keeps_its_first_results_and_computes_the_rest() -> None:
    calls: list[int] = []

    @call_cache.lru_cache(maxsize=2)
    def square(n: int) -> int:
        calls.append(n)
        return n * n

    assert [square(n) for n in (1, 2, 3, 1, 2, 3)] == [1, 4, 9, 1, 4, 9]
    assert calls == [1, 2, 3, 3]


def test_none_is_a_result_kept_too() -> None:
    calls: list[int] = []

    @call_cache.cache
    def nothing(n: int) -> None:
        calls.append(n)

    assert nothing(1) is None
    assert nothing(1) is None
    assert calls == [1]


def test_partial_is_functools_own() -> None:
    assert call_cache.partial is functools.partial
