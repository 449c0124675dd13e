"""`cache` and `lru_cache` of one-argument functions, made without importing functools at
run time, and functools' own `partial`.

`import functools` brings collections with it and builds a named tuple: ~10.7M
instructions, 1.5% of the 1k bench dump's whole run. Type checkers see functools' own
(the TYPE_CHECKING branch at the end). `lru_cache(maxsize)` here keeps the first
`maxsize` arguments' results and computes the rest each time, rather than evicting the
least recent: gtriage's caches hold a dump's names, which fit.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable, Hashable
    from typing import Any


def _lru_cache(maxsize: int | None = None) -> Callable[[Callable[[Any], Any]], Any]:
    def wrap(func: Callable[[Any], Any]) -> Any:
        memo: dict[Hashable, Any] = {}
        missing = object()

        def cached(arg: Hashable) -> Any:
            got = memo.get(arg, missing)
            if got is missing:
                got = func(arg)
                if maxsize is None or len(memo) < maxsize:
                    memo[arg] = got
            return got

        cached.__name__, cached.__qualname__, cached.__doc__ = func.__name__, func.__qualname__, func.__doc__
        cached.__module__, cached.__wrapped__ = func.__module__, func  # type: ignore[attr-defined]
        cached.cache_clear = memo.clear  # type: ignore[attr-defined]
        return cached

    return wrap


def _cache(func: Callable[[Any], Any]) -> Any:
    return _lru_cache()(func)


if TYPE_CHECKING:
    from functools import cache, lru_cache, partial
else:
    from _functools import partial  # functools.partial is this C type

    cache, lru_cache = _cache, _lru_cache

__all__ = ["cache", "lru_cache", "partial"]
