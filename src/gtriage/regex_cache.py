"""gtriage's regexes, compiled once per interpreter and kept in the user's cache folder.

`re.compile` runs re's parser and code generator, written in Python: 0.1-0.4 ms a
pattern, ~25 patterns in a tiny panic's run (7% of its instructions) and ~30 in the 1k
bench dump's. What they make, the program the C matcher runs (a list of ints, the groups'
names), depends only on the pattern, its flags and the interpreter. So it is kept, as the
records' compiled methods are (record.py), in a file of this user's private cache folder
named for the interpreter's exact version, and handed to the C matcher directly on later
runs; the matcher checks a program before it takes it.

A program is kept only when the pattern it makes compares equal to re.compile's (same
flags, groups and code: Pattern equality compares the code). Anything unexpected (another
interpreter's re internals, a damaged file, a program the matcher refuses) falls back to
re.compile.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # the C matcher; no stub
import sys

from . import user_cache

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    import re
    from typing import Any, AnyStr

# re's flags (re.IGNORECASE and the others), as the ints they are: a pattern made from a kept
# program needs no `re` at all, and importing re (with enum, which it imports) costs a run
# ~25M instructions, more than a tiny panic's whole parse.
IGNORECASE, LOCALE, MULTILINE, DOTALL, VERBOSE, DEBUG = 2, 4, 8, 16, 64, 128
# What re.escape escapes: every character with a meaning in a pattern, and blanks.
_SPECIAL = {ord(c): "\\" + c for c in "()[]{}?*+-|^$\\.&~# \t\n\r\v\f"}

# A kept program: the flags with the pattern's inline ones, the code, the number of groups
# (less one, as _sre takes it), the group index by name and the names by index.
_Program = tuple[int, list[int], int, dict[str, int], tuple["str | None", ...]]

_MAX_ENTRIES = 1000  # patterns a file holds: gtriage has ~100; a file past this is started over at its next load
_PROBE = "#interpreter"
_UNCACHED = DEBUG | LOCALE  # printed while compiled, or depending on the locale
_programs: dict[Any, Any] | None = None
_unsaved = False  # programs derived in this run and not yet in the file


def compiled(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """re.compile(pattern, flags), from the kept program when there is one."""
    global _programs
    if flags & _UNCACHED:
        import re

        return re.compile(pattern, flags)
    if _programs is None:
        _programs = _load()
    key = (pattern, int(flags))
    kept = _programs.get(key)
    if kept is not None:
        try:
            rx: re.Pattern[AnyStr] = _sre.compile(pattern, *kept)
            return rx
        except Exception:  # a program this matcher refuses (RuntimeError), or not a program
            del _programs[key]
    return _derive(pattern, flags, _programs)


def uncached(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """re.compile(pattern, flags) for a pattern made from the input (a log's prefixes, a
    dump's addresses, the user's --match): re is imported only then, and the pattern is
    never kept (the file holds gtriage's own patterns, a bounded set)."""
    import re

    return re.compile(pattern, flags)


def escape(text: str) -> str:
    """re.escape(text), without importing re."""
    return text.translate(_SPECIAL)


def _derive(pattern: AnyStr, flags: int, programs: dict[Any, Any]) -> re.Pattern[AnyStr]:
    global _unsaved
    import re  # a pattern new to the cache: compiled by re, once per interpreter

    ref = re.compile(pattern, flags)
    try:
        program = _program(pattern, flags)
        same = _sre.compile(pattern, *program) == ref
    except Exception:  # re's internals are not the ones this was written against
        return ref
    # Kept even past _MAX_ENTRIES: the file is then started over at the next load, rather
    # than a full file keeping every new pattern out for good.
    if same:
        programs[(pattern, int(flags))] = program
        if not _unsaved:
            _unsaved = True
            import atexit  # only a run that derived something has anything to write

            atexit.register(save_programs)
    return ref


def _program(pattern: str | bytes, flags: int) -> _Program:
    """What re._compiler.compile hands to _sre.compile."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    state = parsed.state
    groupindex = dict(state.groupdict)
    indexgroup: list[str | None] = [None] * state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    # Plain ints: the opcodes and flags are int subclasses, which marshal refuses.
    code = [int(op) for op in _compiler._code(parsed, flags)]
    return int(flags | state.flags), code, state.groups - 1, groupindex, tuple(indexgroup)


def _probe() -> tuple[object, ...]:
    """What a program depends on besides its pattern: the interpreter and its matcher."""
    return (sys.implementation.name, sys.hexversion, _sre.MAGIC, _sre.CODESIZE, _sre.MAXREPEAT, _sre.MAXGROUPS)


def _cache_path() -> str | None:
    return user_cache.interpreter_file("regex")


def _load() -> dict[Any, Any]:
    # One entry past _MAX_ENTRIES: the probe.
    return user_cache.load_table(_cache_path(), _PROBE, _probe(), _MAX_ENTRIES + 1)


def save_programs() -> None:
    """Write what this run derived to the cache file, once for the run: at exit, or before
    it by a caller that leaves without the interpreter's exit (os._exit: parallel.py's
    workers). Added to what the file holds by then: another process (a worker of this run,
    another gtriage) may have kept programs since this one loaded it."""
    global _unsaved
    if not _unsaved or _programs is None:
        return
    _unsaved = False
    kept = _load()
    kept.update(_programs)
    user_cache.save_table(_cache_path(), kept)  # a value marshal refuses: nothing is kept
