"""Load the Lark grammar shipped with the package, once."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from lark import Lark, Transformer

GRAMMAR_FILE = "goroutines.lark"
START_RULES = ["header", "labelset", "stack", "runtime_stack", "record", "profile", "preamble", "regs", "race"]


def grammar_text() -> str:
    """The grammar from the installed package, or from the source tree when run from it."""
    packaged = resources.files("gtriage").joinpath("grammar").joinpath(GRAMMAR_FILE)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    # Editable installs and a plain checkout: the top-level grammar/ folder.
    source_tree = Path(__file__).resolve().parents[2] / "grammar" / GRAMMAR_FILE
    return source_tree.read_text(encoding="utf-8")


@functools.cache
def parser(transformer: type[Transformer[object, object]]) -> Lark:
    """An LALR parser that builds objects with `transformer` while it parses (no tree)."""
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        start=START_RULES,
        transformer=transformer(),
        maybe_placeholders=True,
        propagate_positions=False,
    )
