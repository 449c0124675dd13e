"""Dumps are untrusted: mutated and cut real dumps never crash or hang the parser, and every
goroutine header is accounted for (parsed + unparsed = headers seen)."""

from __future__ import annotations

import contextlib
import io
import random
import re
import time
from collections.abc import Sized
from pathlib import Path

import pytest

from gtriage import fast_path, parse, record_sections, shapes
from gtriage.dump_report import report_from_dump
from gtriage.errors import NoDumpError
from gtriage.model import Dump
from gtriage.parse import parse_text
from gtriage.sections import split_sections
from manifests import SAMPLES

REAL = [
    SAMPLES / "demo.txt",
    *sorted((SAMPLES / "dumps").glob("go1.19/leaky.sigquit-crash.txt")),
    *sorted((SAMPLES / "dumps").glob("go1.2*/crashzoo.goroutine-all.txt"))[:1],
    *sorted((SAMPLES / "dumps").glob("go1.2*/leaky.debug1.txt"))[:1],
]


# A header glued to the end of other text (a mutation ate the line break, or prepended
# bytes): still a header.
GLUED = re.compile(r"(?<!in )(?<!by )(?<!from )goroutine [0-9]+ (?:gp=0x[0-9a-f]+ m=[0-9a-z]+ (?:mp=0x[0-9a-f]+ )?)?\[[^\]\n]*\]")


def headers_in(text: str) -> int:
    """Goroutine header lines, counted with plain string operations (not gtriage's)."""
    n = 0
    for line in text.splitlines():
        if (line.startswith("goroutine ") and "0" <= line[10:11] <= "9") or GLUED.search(line, 1):
            n += 1
    return n


def check(text: str) -> None:
    dump = parse_text(text)
    seen = sum(s.headers_seen for s in dump.snapshots)
    parsed = sum(len(s.goroutines) for s in dump.snapshots)
    unparsed = sum(s.unparsed_headers + s.repeated_headers for s in dump.snapshots)
    assert seen == parsed + unparsed
    assert seen == headers_in(text)
    with contextlib.suppress(NoDumpError):
        report_from_dump(dump)


def mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text
    op = rng.choice(["cut", "delete", "duplicate", "swap", "flip", "nul", "utf8", "shuffle-block"])
    i = rng.randrange(len(lines))
    j = rng.randrange(len(lines))
    if op == "cut":
        return text[: rng.randrange(len(text))]
    if op == "delete":
        del lines[i : i + rng.randint(1, 5)]
    elif op == "duplicate":
        lines[i:i] = lines[i : i + rng.randint(1, 5)]
    elif op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "flip":
        b = bytearray(text.encode())
        for _ in range(rng.randint(1, 20)):
            k = rng.randrange(len(b))
            b[k] ^= 1 << rng.randrange(8)
        return b.decode("utf-8", errors="replace")
    elif op == "nul":
        lines[i] = lines[i][: len(lines[i]) // 2] + "\x00" + lines[i][len(lines[i]) // 2 :]
    elif op == "utf8":
        lines[i] = b"\xff\xfe\xc3(".decode("utf-8", errors="replace") + lines[i]
    elif op == "shuffle-block":
        block = lines[i : i + 8]
        rng.shuffle(block)
        lines[i : i + 8] = block
    return "".join(lines)


@pytest.mark.parametrize("path", REAL, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_mutated_real_dumps(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    rng = random.Random(path.name)
    for _ in range(40):
        check(mutate(text, rng))
        check(mutate(mutate(text, rng), rng))


@pytest.mark.parametrize("path", REAL[:2], ids=lambda p: str(p.relative_to(SAMPLES)))
def test_every_cut_point_of_a_goroutine(path: Path) -> None:
    text = path.read_text()
    start = text.index("\ngoroutine ", 200) + 1
    end = text.index("\n\n", start) + 2
    for k in range(start, end):
        check(text[:k])


@pytest.mark.slow
def test_50_mb_line_inside_a_dump() -> None:
    text = (SAMPLES / "demo.txt").read_text()
    cut = text.index("\n", text.index("\ngoroutine ", 100) + 1) + 1  # after a header line
    huge = text[:cut] + "x(" * 10 + "a" * 50_000_000 + "\n" + text[cut:]
    t = time.perf_counter()
    check(huge)
    assert time.perf_counter() - t < 30


def test_time_is_linear_in_input_size() -> None:
    one = (SAMPLES / "demo.txt").read_text()
    parse_text(one)  # warm the grammar
    t1 = min(_timed(one) for _ in range(3))
    many = one * 16
    t16 = _timed(many)
    # 16x the input may cost 16x the time, and more for noise, but never quadratic.
    assert t16 < 16 * t1 * 3 + 0.5, (t1, t16)


def _timed(text: str) -> float:
    t = time.perf_counter()
    parse_text(text)
    return time.perf_counter() - t


def seen(dump: Dump) -> list[object]:
    """What a parse shows of each goroutine and of what it could not read."""
    out: list[object] = []
    for s in dump.snapshots:
        out.append((s.headers_seen, s.unparsed_headers, s.unparsed_lines, s.truncated, [i.line for i in s.issues]))
        for g in s.goroutines:
            st = g.stack
            out.append(
                (g.id, g.line, g.state, g.minutes, g.partial, g.parent_id, g.ancestor_ids, st.created_by and st.created_by.func)
            )
            out.append([(f.func, f.file, f.line, g.frame_args(f)) for f in st.frames])
    return out


@pytest.mark.parametrize("path", REAL, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_mutated_dumps_parse_the_same_with_and_without_the_memo(path: Path) -> None:
    # The memo finds known stacks by their text cut at the argument lists, without the
    # grammar: on damaged text it must still show what the grammar alone shows. (Only the
    # masked argument text of a shape may differ: a stack whose arguments hold an odd
    # character joins the shape of its call site instead of making its own.)
    text = path.read_text(encoding="utf-8", errors="replace")
    rng = random.Random("memo" + path.name)
    for _ in range(15):
        damaged = mutate(mutate(text, rng), rng)
        assert seen(parse_text(damaged, memo=True)) == seen(parse_text(damaged, memo=False))


# One damaged line must not split a dump: the goroutines before the damage would be
# counted in a first snapshot and vanish from the report of the last.
def damage(text: str, rng: random.Random, op: str) -> str:
    if op == "20 byte flips":
        b = bytearray(text.encode())
        for _ in range(20):
            k = rng.randrange(len(b))
            b[k] ^= 1 << rng.randrange(8)
        return b.decode("utf-8", errors="replace")
    lines = text.split("\n")
    if op == "5% of lines dropped":
        return "\n".join(line for line in lines if rng.random() > 0.05)
    for _ in range(5):
        i = rng.randrange(len(lines) - 1)
        if op == "adjacent lines swapped":
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif op == "NUL bytes":
            lines[i] = lines[i][: len(lines[i]) // 2] + "\x00" + lines[i][len(lines[i]) // 2 :]
        else:  # invalid UTF-8, decoded as the source does
            lines[i] = "\ufffd\ufffd" + lines[i]
    return "\n".join(lines)


DAMAGES = ["20 byte flips", "5% of lines dropped", "adjacent lines swapped", "NUL bytes", "invalid UTF-8"]
SINGLE_DUMPS = [
    SAMPLES / "dumps" / "go1.27" / f"{name}.txt"
    for name in ("leaky.debug2", "leaky.sigquit-all", "leaky.sigquit-crash", "leaky.debug1", "crashzoo.goroutine-all")
]


@pytest.mark.parametrize("op", DAMAGES)
@pytest.mark.parametrize("path", SINGLE_DUMPS, ids=lambda p: p.name)
def test_damage_never_splits_a_dump(path: Path, op: str) -> None:
    text = path.read_text(encoding="utf-8")
    for seed in range(6):
        dump = parse_text(damage(text, random.Random(seed), op))
        holding = [s for s in dump.snapshots if s.goroutines or s.records]
        assert len(holding) == 1, (op, seed, [len(s.goroutines) for s in dump.snapshots])


# A dump of all-distinct stacks filled the memo's tables with every text it held (2 GB while
# a million goroutines were parsed); each table now stops growing at MEMO_ENTRIES, and a text
# past that is parsed as if new. Tiny bounds here: what is read must not change.
STATES = ["chan receive", "select", "chan send", "sync.Mutex.Lock", "IO wait"]
DISTINCT = "".join(
    f"goroutine {i} [{STATES[i % 5]}, {i % 3 + 1} minutes] {{job: w{i % 4}}}:\n"
    f"main.h{i % 7}(0xc0000{i:05x})\n\t/x/y.go:{i % 5 + 1} +0x1d\n"
    f"created by main.spawn{i % 3} in goroutine 1\n\t/x/y.go:40 +0x2f\n\n"
    for i in range(1, 200)
)
DEBUG1 = "goroutine profile: total 9\n" + "".join(
    f"{i} @ 0x47c70e{' 0x1' * (i % 4)}\n# labels: {{\"k\":\"v{i % 3}\"}}\n#\t0x47c70d\tmain.f{i % 5}+0x2d\t/x/y.go:{i}\n\n"
    for i in range(1, 40)
)


@pytest.mark.parametrize(
    "text",
    [DISTINCT, DEBUG1, *[p.read_text(encoding="utf-8", errors="replace") for p in REAL[:2]]],
    ids=["distinct stacks", "debug=1", *[str(p.relative_to(SAMPLES)) for p in REAL[:2]]],
)
def test_a_full_memo_reads_the_same(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def records(dump: Dump) -> list[object]:
        return [(r.count, r.frames, r.labels) for s in dump.snapshots for r in s.records]

    unbounded = parse_text(text)
    monkeypatch.setattr(shapes, "MEMO_ENTRIES", 3)
    monkeypatch.setattr(fast_path, "MEMO_ENTRIES", 3)
    monkeypatch.setattr(record_sections, "MEMO_ENTRIES", 3)
    parser = parse.SectionReader()
    bounded = Dump("-", tuple(parser.parse(split_sections(io.StringIO(text)))))
    assert seen(bounded) == seen(unbounded)
    assert records(bounded) == records(unbounded)
    memo = parser.memo
    tables: list[Sized] = [memo.stacks, memo.units, memo.frames, memo.frame_parts, memo.headers, memo.labels, memo.record_lines, memo.record_heads]
    assert all(len(t) <= 3 for t in tables), [len(t) for t in tables]
