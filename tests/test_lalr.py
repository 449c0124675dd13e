"""lalr.py's runner against Lark itself: the same values, the same rejections at the same
line, for every text gtriage hands the grammar on every sample, those texts damaged and
read with every start rule, and the property tests' inputs; and the same report, byte for
byte, with either parser."""

from __future__ import annotations

import dataclasses
import os
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from gtriage import lalr, lalr_tables, syntax, transform
from gtriage.parse import parse_text
from gtriage.pipeline import analyze
from gtriage.render.json import render_json
from gtriage.render.text import render_text
from gtriage.syntax import START_RULES
from gtriage.transform import DumpTransformer
from manifests import SAMPLE_LIST, Sample
from test_parse_properties import headers
from test_reference import mutated_dumps

Outcome = tuple[str, Any]


@cache
def by_lark() -> syntax.ParseFunction:
    return syntax._lark_parse(syntax.parser(DumpTransformer))


@cache
def by_runner() -> syntax.ParseFunction:
    # Derived here, not read from the cache file: the derivation is under test too.
    return lalr.Runner(lalr_tables.derive(syntax.parser(DumpTransformer)), DumpTransformer()).parse


def outcome(parse: syntax.ParseFunction, text: str, start: str) -> Outcome:
    try:
        return "value", parse(text, start)
    except lalr.UnexpectedInput as e:
        return "rejected at line", e.line
    except lalr.ParseError:
        return "rejected", None
    except Exception as e:  # a callback that raised: the same one must raise in both
        return "raised", type(e).__name__


def same(a: Any, b: Any) -> bool:
    """Equal values, and tokens of the same terminal at the same place (Lark's Token or the
    runner's); a rule without a callback builds a node in both."""
    if isinstance(a, str) or isinstance(b, str):
        return (
            isinstance(a, str) and isinstance(b, str) and str(a) == str(b)
            and getattr(a, "type", None) == getattr(b, "type", None)
            and getattr(a, "start_pos", None) == getattr(b, "start_pos", None)
        )
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if hasattr(a, "children") and hasattr(a, "data"):
        return getattr(b, "data", None) == a.data and same(a.children, getattr(b, "children", None))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(
            same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    return type(a) is type(b) and bool(a == b)


def agree(text: str, start: str) -> None:
    want = outcome(by_lark(), text, start)
    got = outcome(by_runner(), text, start)
    assert same(got, want), (start, text, got, want)


@contextmanager
def recording() -> Iterator[set[tuple[str, str]]]:
    """Every (text, start rule) gtriage asks the grammar for while the block runs."""
    seen: set[tuple[str, str]] = set()
    real = getattr(transform, "grammar_parser")  # noqa: B009  # what transform.grammar_parse calls

    def wrapped(t: Callable[[], object]) -> Callable[[str, str], Any]:
        parse = real(t)

        def recorded(text: str, start: str) -> Any:
            seen.add((text, start))
            return parse(text, start)

        return recorded

    setattr(transform, "grammar_parser", wrapped)  # noqa: B010
    try:
        yield seen
    finally:
        setattr(transform, "grammar_parser", real)  # noqa: B010


def damaged(text: str, rng: random.Random) -> str:
    """A character dropped, doubled or replaced by one the grammar cares about, or the text
    cut: what makes a parse fail, or take another path, part way."""
    if not text:
        return rng.choice(["\n", " ", "x"])
    i = rng.randrange(len(text))
    op = rng.randrange(4)
    if op == 0:
        return text[:i] + text[i + 1 :]
    if op == 1:
        return text[:i] + text[i] + text[i:]
    if op == 2:
        return text[:i] + rng.choice([" ", "\n", "\t", "(", ")", "0x", "7", ":", "{", '"', "]", "+", "é"]) + text[i + 1 :]
    return text[:i]


def texts_of(sample: Sample) -> set[tuple[str, str]]:
    with recording() as seen:
        analyze(str(sample.dump))
        if sample.dump.suffix != ".gz":
            parse_text(sample.dump.read_text(encoding="utf-8", errors="replace"), memo=False)
    return seen


# The quick loop's rows: every start rule and section kind (a crash with its preamble, a
# SIGQUIT dump with registers and runtime stacks, debug=1, a race, labels, ancestors, a
# carried log with two dumps); the `slow` tests take every sample.
FEW = {
    "demo.txt", "dumps/go1.27/crashzoo.multiline-all.txt", "dumps/go1.27/leaky.sigquit-crash.txt",
    "dumps/go1.27/leaky.debug1.txt", "dumps/go1.27/race.race.txt", "dumps/go1.27/leaky.labels.txt",
    "dumps/go1.27/leaky.ancestors.txt", "wrapped/two-dumps.txt",
}


ROWS = [pytest.param(s, id=s.id, marks=[] if s.id in FEW else [pytest.mark.slow]) for s in SAMPLE_LIST]


@pytest.mark.parametrize("sample", ROWS)
def test_the_runner_parses_every_sample_block_as_lark_does(sample: Sample) -> None:
    rng = random.Random(sample.id)
    for text, start in sorted(texts_of(sample)):
        agree(text, start)
        agree(damaged(text, rng), start)


@pytest.mark.slow
@pytest.mark.parametrize("sample", SAMPLE_LIST, ids=lambda s: s.id)
def test_the_runner_rejects_as_lark_does_with_every_start_rule(sample: Sample) -> None:
    # Every text read as every other start rule: mostly rejections, at every depth of the
    # grammar; and many more damaged copies.
    rng = random.Random(sample.id)
    for text, _ in sorted(texts_of(sample)):
        for start in START_RULES:
            agree(text, start)
            for _ in range(5):
                agree(damaged(text, rng), start)


@pytest.mark.parametrize("text", ["", "\n", "x", "goroutine 1 [", "goroutine 1 [running]:", "goroutine 1 [running]:\n\n"])
@pytest.mark.parametrize("start", START_RULES)
def test_empty_and_short_texts(text: str, start: str) -> None:
    agree(text, start)


@settings(max_examples=50, deadline=None)
@given(headers())
def test_generated_headers(h: tuple[str, dict[str, object]]) -> None:
    text, _ = h
    for start in ("header", "labelset", "stack"):
        agree(text + "\n", start)
    agree(text + "\nmain.f()\n\t/src/m.go:1 +0x1\n", "stack")


def check_mutated(text: str) -> None:
    with recording() as seen:
        parse_text(text, memo=False)
        parse_text(text)
    for t, start in seen:
        agree(t, start)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_dumps())
def test_the_reference_tests_mutated_dumps(text: str) -> None:
    check_mutated(text)


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_dumps())
def test_the_reference_tests_mutated_dumps_exhaustive(text: str) -> None:
    check_mutated(text)


@pytest.mark.parametrize("sample", ROWS)
def test_the_report_is_the_same_with_lark(sample: Sample, monkeypatch: pytest.MonkeyPatch) -> None:
    def reports() -> tuple[str, str]:
        syntax.grammar_parser.cache_clear()
        r = analyze(str(sample.dump))
        return render_json(r), render_text(r)

    ours = reports()
    monkeypatch.setenv("GTRIAGE_PARSER", "lark")
    try:
        assert syntax.grammar_parser(DumpTransformer) is not None
        theirs = reports()
    finally:
        monkeypatch.delenv("GTRIAGE_PARSER")
        syntax.grammar_parser.cache_clear()
    assert ours == theirs


# ------------------------------------------------------------------------------ the tables file


def test_tables_round_trip_and_refuse_what_is_not_theirs(tmp_path: Path) -> None:
    grammar = syntax.grammar_text()
    tables = lalr_tables.derive(syntax.parser(DumpTransformer))
    path = str(tmp_path / "tables-x.marshal")
    lalr_tables.save(path, tables, grammar, "1.2.3")
    assert lalr_tables.load(path, grammar, "1.2.3") == tables
    assert lalr_tables.load(path, grammar + "\n", "1.2.3") is None  # another grammar
    assert lalr_tables.load(path, grammar, "1.2.4") is None  # another Lark
    data = Path(path).read_bytes()
    at = max(i for i, b in enumerate(data) if chr(b) in "123456789")
    Path(path).write_bytes(data[:at] + b"0" + data[at + 1 :])  # a number in the tables changed
    assert lalr_tables.load(path, grammar, "1.2.3") is None
    Path(path).write_bytes(data[: len(data) // 2])  # cut
    assert lalr_tables.load(path, grammar, "1.2.3") is None
    assert lalr_tables.load(str(tmp_path / "absent.marshal"), grammar, "1.2.3") is None


def test_the_lark_version_is_read_without_importing_lark() -> None:
    import lark

    assert lalr_tables.lark_version() == lark.__version__


def test_tables_are_written_once_and_used_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    syntax.grammar_parser.cache_clear()
    try:
        parse = syntax.grammar_parser(DumpTransformer)
        assert isinstance(getattr(parse, "__self__", None), lalr.Runner)
        files = list((tmp_path / "gtriage").glob("tables-*.marshal"))
        assert len(files) == 1
        assert os.stat(files[0]).st_mode & 0o077 == 0
        syntax.grammar_parser.cache_clear()
        files[0].write_bytes(b"\xe3not marshal")  # damaged: derived and written again
        assert isinstance(getattr(syntax.grammar_parser(DumpTransformer), "__self__", None), lalr.Runner)
        assert lalr_tables.load(str(files[0]), syntax.grammar_text(), lalr_tables.lark_version() or "") is not None
    finally:
        syntax.grammar_parser.cache_clear()


def test_an_unwritable_cache_still_parses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")  # a file where the folder would be: nothing can be made under it
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    syntax.grammar_parser.cache_clear()
    try:
        g = parse_text("goroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1\n").snapshots[0].goroutines[0]
        assert (g.id, g.state) == (1, "running")
    finally:
        syntax.grammar_parser.cache_clear()
