"""The command line read without argparse when it takes only the common forms.

argparse with gettext and locale costs a small dump's run ~5 ms of imports, and building
the parser (cli_parser.py) as much again. quick_parse() reads the usual spelling of every
option: `--name value`, `--name=value`, the short forms, one run of inputs. Anything
else (help, version, an abbreviation, `--`, a value that starts with "-", a bad value, two
of a mutually exclusive pair) it leaves to argparse, which parses it or says what is
wrong as before. A test holds the tables below to the argparse parser's, and checks on
generated command lines that both read the same.
"""

from __future__ import annotations

import math
import sys

from .lazy_re import lazy
from .regex_cache import IGNORECASE
from .source import DEFAULT_CONCURRENCY, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    import re
    from collections.abc import Callable, Sequence
    from typing import Any


class Options:
    """The command line's values: the attributes of the argparse parser's namespace."""

    inputs: list[str]
    fleet: bool
    watch: bool
    interval: float
    polls: int | None
    source: str | None
    concurrency: int
    format: str | None
    top: int | None
    match: re.Pattern[str] | None
    exclude: re.Pattern[str] | None
    min_count: int
    ranks: list[int]
    goroutines: bool
    healthy: bool
    color: str
    stacks: bool
    timeout: float
    max_size: int
    debug0: bool
    jobs: int | None

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _bad(message: str) -> Exception:
    # The type error argparse reports as "argument --x: message"; imported only then.
    import argparse

    return argparse.ArgumentTypeError(message)


def regex(text: str) -> re.Pattern[str]:
    import re  # only for --match / --exclude: a run without them imports no re

    from .filters import filter_regex

    try:
        return filter_regex(text)
    except re.error as e:
        raise _bad(f"bad regular expression {text!r}: {e}") from e


def positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise _bad(f"not a number: {text!r}") from None
    if n < 1:
        raise _bad(f"must be 1 or more: {text!r}")
    return n


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _bad(f"not a number of seconds: {text!r}") from None
    # inf and nan parse as floats but bound nothing; 0 or less would fail every fetch.
    if not math.isfinite(value) or value <= 0:
        raise _bad(f"must be a positive number of seconds: {text!r}")
    return value


_DURATION = lazy(r"(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|m|h)?", IGNORECASE)


def interval(text: str) -> float:
    """Seconds, or with a unit: 500ms, 30s, 2m, 1h."""
    m = _DURATION.fullmatch(text.strip())
    if m is None:
        raise _bad(f"not a duration: {text!r} (30s, 2m, 500ms, or seconds)")
    value = float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[(m.group(2) or "s").lower()]
    if value < 0.1:
        raise _bad(f"must be at least 100ms: {text!r}")
    return value


_SIZE = lazy(r"(\d+(?:\.\d*)?|\.\d+)\s*([KMGT]?)(?:i?B)?", IGNORECASE)


def size(text: str) -> int:
    """Bytes, or with a binary unit: 500M, 8G, 1.5GiB."""
    m = _SIZE.fullmatch(text.strip())
    if m is None:
        raise _bad(f"not a size: {text!r} (bytes, or with K, M, G or T: 500M, 8G)")
    unit = 1 << (10 * "_KMGT".index(m.group(2).upper() or "_"))
    n = int(float(m.group(1)) * unit)
    if n < 1:
        raise _bad(f"must be 1 byte or more: {text!r}")
    return n


FORMATS = ("text", "markdown", "json", "tui")
COLORS = ("auto", "always", "never")

# Each option that takes a value: its destination, its value type (or its choices), and
# whether it adds to a list. cli_parser.py declares the same options to argparse.
VALUED: dict[str, tuple[str, Callable[[str], object] | tuple[str, ...], bool]] = {
    "--interval": ("interval", interval, False),
    "--polls": ("polls", positive, False),
    "--source": ("source", str, False),
    "--concurrency": ("concurrency", positive, False),
    "--format": ("format", FORMATS, False),
    "-f": ("format", FORMATS, False),
    "--top": ("top", positive, False),
    "-n": ("top", positive, False),
    "--match": ("match", regex, False),
    "-m": ("match", regex, False),
    "--exclude": ("exclude", regex, False),
    "-x": ("exclude", regex, False),
    "--min-count": ("min_count", positive, False),
    "--cluster": ("ranks", positive, True),
    "--color": ("color", COLORS, False),
    "--timeout": ("timeout", seconds, False),
    "--max-size": ("max_size", size, False),
    "--jobs": ("jobs", positive, False),
    "-j": ("jobs", positive, False),
}
# Each option without a value: its destination and what it stores there.
FLAGS: dict[str, tuple[str, bool]] = {
    "--fleet": ("fleet", True),
    "--watch": ("watch", True),
    "--goroutines": ("goroutines", True),
    "--hide-healthy": ("healthy", False),
    "--show-healthy": ("healthy", True),
    "--no-stacks": ("stacks", False),
    "--debug0": ("debug0", True),
}
EXCLUSIVE = ("--hide-healthy", "--show-healthy")


def defaults() -> dict[str, Any]:
    return {
        "inputs": [], "fleet": False, "watch": False, "interval": 30.0, "polls": None, "source": None,
        "concurrency": DEFAULT_CONCURRENCY, "format": None, "top": None, "match": None, "exclude": None,
        "min_count": 1, "ranks": [], "goroutines": False, "healthy": True, "color": "auto", "stacks": True,
        "timeout": DEFAULT_TIMEOUT, "max_size": DEFAULT_MAX_BYTES, "debug0": False, "jobs": None,
    }


def quick_parse(argv: Sequence[str]) -> Options | None:
    """The options as the argparse parser reads argv, or None when argv is not in the
    common forms this reads (see the module's docstring)."""
    values = defaults()
    inputs: list[str] = values["inputs"]
    inputs_ended = False
    seen: set[str] = set()
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "-" or not arg.startswith("-"):
            if inputs_ended:
                return None  # argparse takes one run of inputs
            inputs.append(arg)
            continue
        inputs_ended = bool(inputs)
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        seen.add(name)
        if name in FLAGS and not eq:
            dest, const = FLAGS[name]
            values[dest] = const
            continue
        if name not in VALUED:
            return None
        if not eq:
            if i == len(argv):
                return None
            value = argv[i]
            i += 1
        if value.startswith("-"):
            return None
        dest, kind, append = VALUED[name]
        if isinstance(kind, tuple):
            if value not in kind:
                return None
            converted: object = value
        else:
            try:
                converted = kind(value)
            except Exception:  # argparse converts it again, and says why or raises the same
                return None
        if append:
            values[dest] = [*values[dest], converted]
        else:
            values[dest] = converted
    if seen.issuperset(EXCLUSIVE):
        return None
    return Options(values)


def parse_args(argv: Sequence[str] | None = None) -> Options:
    """The command line (sys.argv when argv is None); exits as argparse does on --help,
    --version and usage errors."""
    given = sys.argv[1:] if argv is None else argv
    quick = quick_parse(given)
    if quick is not None:
        return quick
    from .cli_parser import build_parser

    return Options(vars(build_parser().parse_args(given)))
