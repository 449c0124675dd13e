"""The tables lalr.py runs, derived from the grammar by Lark, and the file that keeps them.

`derive` reads them off a Lark LALR parser built with the contextual lexer: its parse
table, each state's lexer (the terminals in the order Lark tries them, and the keywords a
regex match turns into), and the wrapper chain Lark's parse-tree builder put on each rule.
Anything in that chain it does not know raises Unsupported, and gtriage then parses with
Lark itself: nothing is guessed.

The file is marshal's (plain data: loading it runs no code; and unlike JSON it costs no
import), one per grammar text, Lark version and interpreter, in the same private per-user
folder as Lark's own grammar cache. It holds the grammar text and the Lark version the
tables were derived for and a checksum of the tables' bytes; it is used only when all
three match, and a missing, damaged or stale file is derived again.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib

from .lalr import END, Unsupported
from .regex_cache import MULTILINE, compiled
from .user_cache import write_whole

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from typing import Any

SCHEMA = 1  # bump when the layout of the tables changes


def derive(lark_parser: Any) -> dict[str, Any]:
    """The tables of `lark_parser` (a lark.Lark, LALR, contextual lexer) as plain data."""
    from lark.lexer import ContextualLexer, PatternStr, UnlessCallback
    from lark.parse_tree_builder import ChildFilterLALR, ChildFilterLALR_NoPlaceholders, ExpandSingleChild
    from lark.parsers.lalr_analysis import Shift

    frontend = lark_parser.parser
    lexer = frontend.lexer
    options = lark_parser.options
    if not isinstance(lexer, ContextualLexer) or options.postlex is not None or frontend.lexer_conf.ignore:
        raise Unsupported("only the contextual lexer, without postlex or %ignore")
    if options.lexer_callbacks or options.g_regex_flags or options.use_bytes:
        raise Unsupported("lexer callbacks, regex flags or bytes")
    table = frontend.parser.parser.parse_table

    terminals: dict[str, list[str]] = {}
    for t in lark_parser.terminals:
        p = t.pattern
        if isinstance(p, PatternStr) and not p.flags:
            terminals[t.name] = ["str", p.value]
        else:
            terminals[t.name] = ["re", p.to_regexp()]

    lexers: list[list[Any]] = []
    seen: dict[int, int] = {}
    state_lexer: list[int] = []
    states: list[dict[str, int]] = []
    rules = list(lark_parser.rules)
    rule_index = {r: i for i, r in enumerate(rules)}  # Rules compare by origin and expansion
    if sorted(table.states) != list(range(len(table.states))):
        raise Unsupported("parser states that are not 0..n-1")
    for state in range(len(table.states)):
        basic: Any = lexer.lexers[state]
        if id(basic) not in seen:
            scanner = basic.scanner  # built on first use: this orders the terminals
            unless: dict[str, list[str]] = {}
            for name, cb in basic.callback.items():
                if not isinstance(cb, UnlessCallback):
                    raise Unsupported(f"lexer callback {cb!r}")
                unless[name] = [s.name for s in cb.scanner.terminals]
            seen[id(basic)] = len(lexers)
            lexers.append([[t.name for t in scanner.terminals], unless])
        state_lexer.append(seen[id(basic)])
        actions: dict[str, int] = {}
        for sym, (action, arg) in table.states[state].items():
            if action is Shift:
                actions[sym] = arg
            else:
                actions[sym] = -1 - rule_index[arg]
        states.append(actions)

    shaped: list[list[Any]] = []
    builders = dict(lark_parser._parse_tree_builder.rule_builders)
    for rule in rules:
        expand1 = False
        include: list[list[int]] | None = None
        append_none = 0
        for w in builders[rule]:
            if w is ExpandSingleChild:
                expand1 = True
            elif getattr(w, "func", None) is ChildFilterLALR:
                steps, append_none = w.args
                include = [[i, int(expand), nones] for i, expand, nones in steps]
            elif getattr(w, "func", None) is ChildFilterLALR_NoPlaceholders:
                (steps,) = w.args
                include = [[i, int(expand), 0] for i, expand in steps]
            else:
                raise Unsupported(f"parse-tree builder step {w!r}")
        name = rule.alias or rule.options.template_source or rule.origin.name
        shaped.append([rule.origin.name, len(rule.expansion), name, expand1, include, append_none])

    return {
        "terminals": terminals,
        "lexers": lexers,
        "state_lexer": state_lexer,
        "states": states,
        "start": dict(table.start_states),
        "end": dict(table.end_states),
        "rules": shaped,
    }


_VERSION = compiled(r"""^__version__\s*(?::\s*str\s*)?=\s*["']([^"']+)["']""", MULTILINE)


def lark_version() -> str | None:
    """The installed Lark's version, read from its package without importing it (that
    import is what the tables save); None when it cannot be told."""
    try:
        spec = _find_spec("lark")
        if spec is None or spec.origin is None:
            return None
        with open(spec.origin, encoding="utf-8") as f:
            m = _VERSION.search(f.read())
    except (OSError, ImportError, ValueError):
        return None
    return m.group(1) if m else None


def _find_spec(name: str) -> Any:
    """importlib.util.find_spec of a top-level module, from the import system's own finders:
    importlib.util imports contextlib, and with it functools and collections (~13M
    instructions a run)."""
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded.__spec__
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        spec = find(name, None) if find is not None else None
        if spec is not None:
            return spec
    return None


def tables_file(folder: str, grammar: str, version: str) -> str:
    # The name only spreads versions over files; the file's content is what is checked.
    key = zlib.crc32(f"{SCHEMA}\0{version}\0{sys.hexversion}\0{grammar}".encode())
    return os.path.join(folder, f"tables-{key:08x}.marshal")


def load(path: str, grammar: str, version: str) -> dict[str, Any] | None:
    """The tables in `path` if they were derived from this grammar text by this Lark
    version with this layout and are whole; None otherwise (absent, unreadable, damaged,
    stale)."""
    try:
        with open(path, "rb") as f:
            kept = marshal.loads(f.read())
        if not (isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[1], bytes)):
            return None
        meta, body = kept
        if meta != _meta(grammar, version, zlib.crc32(body)):
            return None
        tables = marshal.loads(body)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return tables if isinstance(tables, dict) else None


def _meta(grammar: str, version: str, crc: int) -> tuple[int | str, ...]:
    return (SCHEMA, version, END, crc, sys.hexversion, grammar)


def save(path: str, tables: dict[str, Any], grammar: str, version: str) -> None:
    """Write the tables whole or not at all, with what they were derived from and the
    checksum of their bytes."""
    import json  # only when the tables are derived, with Lark loaded anyway

    # Through JSON first: the tables hold Lark's str subclasses, which marshal refuses,
    # and JSON's plain form (lists, string keys) is the one the runner was proven on.
    body = marshal.dumps(json.loads(json.dumps(tables)))
    write_whole(path, marshal.dumps((_meta(grammar, version, zlib.crc32(body)), body)))
