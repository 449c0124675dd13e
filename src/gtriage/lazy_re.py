"""Regexes compiled at their first use.

Compiling a regex costs 0.05-0.3 ms, and a run imports modules for every kind of input:
the patterns of log carriers, escaped dumps, URLs, archives, option values or source
trees are compiled only when an input or an option needs them, and so are the patterns of
the general reading path, which a small dump read by the fast path never meets. After the
first use a call costs what a compiled pattern's does: the methods are then found on the
instance (measured: `match` 0.71 us lazy, 0.74 us compiled). Patterns every run uses keep
plain `re.compile`.
"""

from __future__ import annotations

from .regex_cache import compiled

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    import re
    from typing import Any


class _LazyPattern:
    def __init__(self, pattern: str, flags: int) -> None:
        self._pattern, self._flags = pattern, flags

    def __getattr__(self, name: str) -> Any:
        # Called only for what the instance does not hold yet: the first use compiles and
        # keeps the pattern's methods on the instance, so later calls find them directly.
        rx = compiled(self._pattern, self._flags)
        for method in ("match", "search", "fullmatch", "finditer", "findall", "sub", "split"):
            setattr(self, method, getattr(rx, method))
        self.pattern, self.groups = rx.pattern, rx.groups
        return getattr(rx, name)


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern that compiles at its first use and then acts as `re.compile(pattern)`."""
    made: Any = _LazyPattern(pattern, flags)
    return made  # type: ignore[no-any-return]
