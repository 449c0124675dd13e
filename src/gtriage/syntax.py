"""The grammar shipped with the package, and the parser that reads it, loaded once.

A parse runs lalr.py's runner over the tables Lark derived from the grammar (lalr_tables.py,
kept in a per-user cache file), so that a run does not import Lark; Lark itself parses when
the tables cannot be had or used (GTRIAGE_PARSER=lark asks for it). Both reject input with
lalr.ParseError, so that no caller needs Lark's exceptions.
"""

from __future__ import annotations

import os

from .call_cache import cache
from .contexts import suppress
from .lalr import ParseError, Runner, UnexpectedInput, Unsupported
from .user_cache import cache_folder, prune_caches

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from lark import Lark

    ParseFunction = Callable[[str, str], Any]  # (text, start rule) -> what the Transformer built

GRAMMAR_FILE = "goroutines.lark"
START_RULES = [
    "header",
    "labelset",
    "stack",
    "runtime_stack",
    "record_head",
    "record_labels",
    "record_frame",
    "profile",
    "preamble",
    "regs",
    "race",
]


def grammar_text() -> str:
    """The grammar from the installed package, or from the source tree when run from it."""
    # os.path rather than pathlib: pathlib costs every run ~5 ms to import (urllib, ipaddress).
    here = os.path.dirname(os.path.realpath(__file__))
    # An installed wheel: gtriage/grammar/ next to this file. Editable installs and a plain
    # checkout: the top-level grammar/ folder.
    top = os.path.dirname(os.path.dirname(here))
    for candidate in (os.path.join(here, "grammar", GRAMMAR_FILE), os.path.join(top, "grammar", GRAMMAR_FILE)):
        if os.path.isfile(candidate):
            with open(candidate, encoding="utf-8") as f:
                return f.read()
    # Zipped installs; importlib.resources costs ~60 ms to import, so it comes last.
    from importlib import resources

    return resources.files("gtriage").joinpath("grammar").joinpath(GRAMMAR_FILE).read_text(encoding="utf-8")


def _cache_file(text: str) -> str | bool:
    """Where Lark keeps its grammar analysis (0.8 s to build, 0.1 s to load); no cache when
    the folder cannot be made."""
    import hashlib

    import lark

    folder = cache_folder()
    if folder is None:
        return False
    key = hashlib.sha256(f"{lark.__version__}\0{text}".encode()).hexdigest()[:20]
    return os.path.join(folder, f"grammar-{key}.cache")


@cache
def parser(transformer: Callable[[], object]) -> Lark:
    """Lark's LALR parser that builds objects with `transformer` while it parses (no tree)."""
    from lark import Lark

    text = grammar_text()
    cache = _cache_file(text)
    lark_parser = Lark(
        text,
        parser="lalr",
        lexer="contextual",
        start=START_RULES,
        transformer=transformer(),  # Lark needs only its methods: no Transformer base class
        maybe_placeholders=True,
        propagate_positions=False,
        cache=cache,
    )
    if isinstance(cache, str):
        prune_caches(cache)
    return lark_parser


@cache
def grammar_parser(transformer: Callable[[], object]) -> ParseFunction:
    """How the start rules are parsed in this process: the runner when the tables can be
    had, else Lark."""
    if os.environ.get("GTRIAGE_PARSER") != "lark":
        runner = _runner(transformer)
        if runner is not None:
            return runner.parse
    return _lark_parse(parser(transformer))


def _runner(transformer: Callable[[], object]) -> Runner | None:
    from . import lalr_tables

    text = grammar_text()
    version = lalr_tables.lark_version()
    folder = cache_folder()
    path = lalr_tables.tables_file(folder, text, version) if folder and version else None
    if path is not None:
        tables = lalr_tables.load(path, text, version or "")
        if tables is not None:
            try:
                runner = Runner(tables, transformer())
            except Unsupported:
                return None
            except (LookupError, TypeError, ValueError):
                pass  # well formed but not tables this runner can read: derive them again
            else:
                with suppress(OSError):
                    os.utime(path)  # used: the last files to be pruned
                return runner
    try:
        tables = lalr_tables.derive(parser(transformer))
        runner = Runner(tables, transformer())
    except Unsupported:
        return None
    if path is not None:
        lalr_tables.save(path, tables, text, version or "")
        prune_caches(path)
    return runner


def _lark_parse(lark_parser: Lark) -> ParseFunction:
    from lark.exceptions import LarkError
    from lark.exceptions import UnexpectedInput as LarkUnexpectedInput

    def parse(text: str, start: str) -> Any:
        try:
            return lark_parser.parse(text, start=start)
        except LarkUnexpectedInput as e:
            raise UnexpectedInput(e.line, type(e).__name__) from e
        except LarkError as e:
            raise ParseError(str(e)) from e

    return parse
