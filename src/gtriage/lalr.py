"""An LALR runner over tables that Lark derived from grammar/goroutines.lark, without Lark.

Importing Lark is most of a small dump's run time (it pulls in logging, pickle, hashlib,
tempfile and its whole front end), so a parse does not import it: lalr_tables.py asks Lark
once for what its LALR parser and contextual lexer do with the grammar — the parse table,
each parser state's terminals in the order Lark's lexer tries them, and what its parse-tree
builder does with each rule (`_rule` and `?rule` inlining, filtered tokens, `[optional]`
placeholders, aliases) — and keeps it as plain data in a cache file. This module runs those
tables: the same tokens, the same callbacks of the Transformer with the same children, the
same rejections at the same line (tests/test_lalr.py checks it against Lark on every block
of every sample, on generated and on damaged input). The grammar stays the one definition;
the tables are derived from it, never written by hand.

Work is linear in the text: one terminal match a token (each regex is the grammar's own,
anchored at the position), and a bounded number of reductions a token (the grammar is
LALR(1)).
"""

from __future__ import annotations

from .regex_cache import compiled

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    import re
    from collections.abc import Callable
    from typing import Any

# An action in the parse table: a shift to state n is n >= 0, a reduction by rule r is -1 - r.
END = "$END"  # the terminal Lark feeds at the end of the text


class Token(str):
    """A terminal as the lexer matched it: the text, its terminal's name and where it starts
    (what Lark's Token carries that the Transformer reads)."""

    __slots__ = ("start_pos", "type")
    type: str
    start_pos: int

    def __new__(cls, type_: str, value: str, start_pos: int) -> Token:
        self = str.__new__(cls, value)
        self.type = type_
        self.start_pos = start_pos
        return self

    def __reduce__(self) -> tuple[Any, tuple[str, str, int]]:
        # str's own pickling would call __new__ with the text alone.
        return (Token, (self.type, str(self), self.start_pos))

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {str(self)!r})"


class ParseError(Exception):
    """The grammar rejects the text (what Lark raises as a LarkError)."""


class UnexpectedInput(ParseError):
    """Rejected at a place: `line` is 1-based, counted as Lark counts it (the line where the
    token or character it could not take starts)."""

    def __init__(self, line: int, what: str) -> None:
        super().__init__(f"line {line}: unexpected {what}")
        self.line = line


class Node:
    """What a rule without a Transformer method builds (Lark's default: a tree node)."""

    __slots__ = ("children", "data")

    def __init__(self, data: str, children: list[Any]) -> None:
        self.data = data
        self.children = children

    def __repr__(self) -> str:
        return f"Node({self.data!r}, {self.children!r})"


# A terminal: ("str", text) or ("re", regexp).
TerminalSpec = list[str]


class Unsupported(Exception):
    """The tables ask for something this runner does not do: parse with Lark instead."""


class _Rule:
    """One rule's reduction: how many values it pops and what it builds from them."""

    __slots__ = ("build", "origin", "size")

    def __init__(self, origin: str, size: int, build: Callable[[list[Any]], Any]) -> None:
        self.origin = origin
        self.size = size
        self.build = build


def _builder(
    name: str, callback: Callable[[list[Any]], Any] | None, expand1: bool,
    include: list[list[int]] | None, append_none: int,
) -> Callable[[list[Any]], Any]:
    """The children a rule's callback gets, as Lark's parse-tree builder shapes them: the
    kept children (`include`: index, inline a `_rule`'s children, Nones for absent
    `[optional]` parts before it), then trailing Nones; a `?rule` with one child is that
    child."""

    def call(children: list[Any]) -> Any:
        if expand1 and len(children) == 1:
            return children[0]
        return callback(children) if callback is not None else Node(name, children)

    if include is None:
        return call
    steps = [(i, bool(expand), nones) for i, expand, nones in include]

    def shaped(children: list[Any]) -> Any:
        out: list[Any] = []
        for i, expand, nones in steps:
            if nones:
                out += [None] * nones
            if expand:
                out += children[i].children
            else:
                out.append(children[i])
        if append_none:
            out += [None] * append_none
        return call(out)

    return shaped


class Runner:
    """Parses with the derived tables, calling `transformer`'s methods as Lark would."""

    def __init__(self, tables: dict[str, Any], transformer: object) -> None:
        terminals: dict[str, TerminalSpec] = tables["terminals"]
        for name in terminals:
            if getattr(transformer, name, None) is not None:
                raise Unsupported(f"a Transformer method for the terminal {name}")
        self._terminals = terminals
        self._compiled: dict[str, re.Pattern[str]] = {}
        self._lexer_specs: list[list[Any]] = tables["lexers"]
        self._lexers: list[list[tuple[str, str | None, Any, Any]] | None] = [None] * len(self._lexer_specs)
        self._state_lexer: list[int] = tables["state_lexer"]
        self._states: list[dict[str, int]] = tables["states"]
        self._start: dict[str, int] = tables["start"]
        self._end: dict[str, int] = tables["end"]
        self._rules = [
            _Rule(origin, size, _builder(callback, getattr(transformer, callback, None), expand1, include, append))
            for origin, size, callback, expand1, include, append in tables["rules"]
        ]

    def _matcher(self, name: str) -> tuple[str | None, Any]:
        """A terminal as (its text, None) when it is a string, else (None, a compiled regex):
        a string matches where the text starts with it, as its escaped regex would."""
        kind, value = self._terminals[name]
        if kind == "str":
            return value, None
        found = self._compiled.get(name)
        if found is None:
            # Compiled on first use: a small dump meets a few of the terminals.
            found = self._compiled[name] = compiled(value)
        return None, found

    def _lexer(self, index: int) -> list[tuple[str, str | None, Any, Any]]:
        """A parser state's terminals in the order Lark's contextual lexer tries them (the
        first that matches wins), each with the string terminals it turns into when the
        whole match is one of them (Lark's "unless" for a keyword a regex also matches)."""
        order, unless = self._lexer_specs[index]
        out = []
        for name in order:
            lit, rx = self._matcher(name)
            alts = [(alt, *self._matcher(alt)) for alt in unless.get(name, ())]
            out.append((name, lit, rx.match if rx is not None else None, alts or None))
        self._lexers[index] = out
        return out

    def parse(self, text: str, start: str) -> Any:
        states, state_lexer, lexers, rules = self._states, self._state_lexer, self._lexers, self._rules
        stack = [self._start[start]]
        values: list[Any] = []
        end = len(text)
        pos = 0
        last_start = -1
        while pos < end:
            lexer = lexers[state_lexer[stack[-1]]] or self._lexer(state_lexer[stack[-1]])
            for name, lit, match, unless in lexer:  # noqa: B007  # the one that matched is read after the loop
                if lit is not None:
                    if text.startswith(lit, pos):
                        value = lit
                        break
                else:
                    m = match(text, pos)
                    if m is not None:
                        value = m.group()
                        break
            else:
                raise UnexpectedInput(_line(text, pos), "character")
            if unless is not None:
                for alt, alt_lit, alt_rx in unless:
                    if (value == alt_lit) if alt_lit is not None else alt_rx.fullmatch(value):
                        name = alt
                        break
            token = Token(name, value, pos)
            last_start = pos
            pos += len(value)
            # Reduce as the token asks, then shift it.
            while True:
                act = states[stack[-1]].get(name)
                if act is None:
                    raise UnexpectedInput(_line(text, last_start), f"token {name}")
                if act >= 0:
                    stack.append(act)
                    values.append(token)
                    break
                _reduce(rules[-1 - act], stack, values, states)
        # The end: reduce until the start rule is complete.
        end_state = self._end[start]
        where = _line(text, last_start) if last_start >= 0 else 1
        while True:
            act = states[stack[-1]].get(END)
            if act is None or act >= 0:
                raise UnexpectedInput(where, "end of text")
            _reduce(rules[-1 - act], stack, values, states)
            if stack[-1] == end_state:
                return values[-1]


def _reduce(rule: _Rule, stack: list[int], values: list[Any], states: list[dict[str, int]]) -> None:
    size = rule.size
    if size:
        children = values[-size:]
        del stack[-size:]
        del values[-size:]
    else:
        children = []
    value = rule.build(children)
    stack.append(states[stack[-1]][rule.origin])
    values.append(value)


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1
