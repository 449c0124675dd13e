"""The grammar as Lark compiles it."""

from __future__ import annotations

from gtriage.syntax import parser
from gtriage.transform import DumpTransformer


def test_the_compiled_grammar_stays_small() -> None:
    # Every process loads the compiled grammar before its first parse, and the load time
    # follows the number of rules and parser states. Nine optional parts written in one
    # rule once expanded into 512 header rules (45 ms to load instead of 10 ms).
    lark = parser(DumpTransformer)
    assert len(lark.rules) < 200
    assert max(sum(1 for r in lark.rules if r.origin == o.origin) for o in lark.rules) <= 16
