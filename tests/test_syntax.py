"""The grammar as Lark compiles it."""

from __future__ import annotations

import os
from pathlib import Path

from gtriage.syntax import parser
from gtriage.transform import DumpTransformer
from gtriage.user_cache import prune_caches


def test_the_compiled_grammar_stays_small() -> None:
    # Every process loads the compiled grammar before its first parse, and the load time
    # follows the number of rules and parser states. Nine optional parts written in one
    # rule once expanded into 512 header rules (45 ms to load instead of 10 ms).
    lark = parser(DumpTransformer)
    assert len(lark.rules) < 200
    assert max(sum(1 for r in lark.rules if r.origin == o.origin) for o in lark.rules) <= 16


def test_old_grammar_caches_are_pruned(tmp_path: Path) -> None:
    # One cache per grammar version; the ones used last stay, older ones go, other files
    # in the folder are left alone.
    caches = [tmp_path / f"grammar-{i}.cache" for i in range(6)]
    for age, path in enumerate(caches):
        path.write_bytes(b"x")
        os.utime(path, (1_000_000 - age * 1000, 1_000_000 - age * 1000))
    other = tmp_path / "notes.txt"
    other.write_text("mine")
    current = caches[-1]  # the oldest file, but the one in use now
    prune_caches(str(current), keep=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grammar-0.cache", "grammar-1.cache", "grammar-5.cache", "notes.txt"]
