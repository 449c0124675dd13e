"""Load the Lark grammar shipped with the package, once."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import lark
from lark import Lark, Transformer

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
    here = Path(__file__).resolve().parent
    # An installed wheel: gtriage/grammar/ next to this file. Editable installs and a plain
    # checkout: the top-level grammar/ folder.
    for candidate in (here / "grammar" / GRAMMAR_FILE, here.parents[1] / "grammar" / GRAMMAR_FILE):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    # Zipped installs; importlib.resources costs ~60 ms to import, so it comes last.
    from importlib import resources

    return resources.files("gtriage").joinpath("grammar").joinpath(GRAMMAR_FILE).read_text(encoding="utf-8")


def _cache_file(text: str) -> str | bool:
    """Where Lark keeps its grammar analysis (0.8 s to build, 0.1 s to load).

    A private per-user folder rather than Lark's default in the shared temp dir, since the
    cache is a pickle. No cache when that folder cannot be made.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "gtriage")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return False
    if not os.access(folder, os.W_OK):
        return False
    key = hashlib.sha256(f"{lark.__version__}\0{text}".encode()).hexdigest()[:20]
    return os.path.join(folder, f"grammar-{key}.cache")


KEEP_CACHES = 4  # grammar caches kept: the ones of the gtriage versions used last


def prune_caches(current: str, keep: int = KEEP_CACHES) -> None:
    """Mark `current` as just used and delete all but the `keep` newest grammar caches
    beside it: every grammar version writes one, and nothing else ever removes them."""
    folder = os.path.dirname(current)
    try:
        os.utime(current)
        names = [n for n in os.listdir(folder) if n.startswith("grammar-") and n.endswith(".cache")]
        paths = sorted((os.path.join(folder, n) for n in names), key=os.path.getmtime, reverse=True)
        for old in paths[keep:]:
            os.remove(old)
    except OSError:
        pass  # another gtriage may be pruning too; a cache left over costs only disk


@functools.cache
def parser(transformer: type[Transformer[object, object]]) -> Lark:
    """An LALR parser that builds objects with `transformer` while it parses (no tree)."""
    text = grammar_text()
    cache = _cache_file(text)
    lark_parser = Lark(
        text,
        parser="lalr",
        lexer="contextual",
        start=START_RULES,
        transformer=transformer(),
        maybe_placeholders=True,
        propagate_positions=False,
        cache=cache,
    )
    if isinstance(cache, str):
        prune_caches(cache)
    return lark_parser
