"""Property-based: headers, frames and argument lists as the runtime prints them parse back
to what was printed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gtriage.parse import parse_text

WAIT_REASONS = [
    "chan receive", "chan send", "chan receive (nil chan)", "select", "select (no cases)",
    "sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.WaitGroup.Wait", "sync.Cond.Wait", "semacquire",
    "IO wait", "sleep", "syscall", "running", "runnable", "GC worker (idle)", "finalizer wait",
    "select (durable)", "cleanup wait",
]
# An open set: reasons Go may add later parse too.
states = st.one_of(
    st.sampled_from(WAIT_REASONS),
    st.from_regex(r"[a-zA-Z][a-zA-Z .()]{0,25}[a-zA-Z)]", fullmatch=True).filter(
        lambda s: "(scan)" not in s and "(leaked)" not in s and "(durable)" not in s and "  " not in s
    ),
)
hexword = st.integers(0, 2**48).map(hex)
ident = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,10}", fullmatch=True)
label_word = st.text(st.characters(codec="ascii", categories=("L", "N", "P", "Zs")), max_size=12)


def quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def needs_quote(s: str) -> bool:
    return not s or any(not (c.isascii() and (c.isalnum() or c in "./_")) for c in s)


@st.composite
def headers(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    gid = draw(st.integers(1, 10**7))
    state = draw(states)
    minutes = draw(st.one_of(st.just(0), st.integers(1, 100000)))
    locked = draw(st.booleans())
    leaked = draw(st.booleans())
    level2 = draw(st.booleans())
    labels = draw(st.lists(st.tuples(label_word.filter(bool), label_word), max_size=3, unique_by=lambda kv: kv[0]))
    form = draw(st.sampled_from(["1.26", "1.27"]))
    text = f"goroutine {gid}"
    if level2:
        m = draw(st.one_of(st.none(), st.integers(0, 64)))
        text += f" gp={draw(hexword)}" + (f" m={m} mp={draw(hexword)}" if m is not None else " m=nil")
    text += f" [{state}" + (" (leaked)" if leaked else "")
    if minutes:
        text += f", {minutes} minutes"
    if locked:
        text += ", locked to thread"
    if labels and form == "1.26":
        text += " labels:{" + ", ".join(f"{quote(k)}: {quote(v)}" for k, v in labels) + "}"
    text += "]"
    if labels and form == "1.27":

        def q(s: str) -> str:
            return quote(s) if needs_quote(s) else s

        text += " {" + ", ".join(f"{q(k)}: {q(v)}" for k, v in labels) + "}"
    text += ":"
    return text, {"id": gid, "state": state, "minutes": minutes, "locked": locked, "leaked": leaked, "labels": tuple(labels)}


@settings(max_examples=300, deadline=None)
@given(headers())
def test_headers_parse_back(h: tuple[str, dict[str, object]]) -> None:
    text, want = h
    snap = parse_text(text + "\nmain.f()\n\t/src/m.go:1 +0x1\n").snapshots[0]
    assert snap.unparsed_lines == 0, (text, snap.issues)
    g = snap.goroutines[0]
    got = {"id": g.id, "state": g.state, "minutes": g.minutes, "locked": g.locked, "leaked": g.leaked, "labels": g.labels}
    assert got == want


# Argument lists: hex words, "?" for stale values, "{...}" aggregates, "_" and "...".
word = st.one_of(hexword, hexword.map(lambda h: h + "?"), st.just("_"))
args = st.recursive(
    st.lists(word, max_size=4).map(", ".join),
    lambda inner: st.lists(st.one_of(word, inner.map(lambda a: "{" + a + "}")), min_size=1, max_size=4).map(
        lambda xs: ", ".join(xs)
    ),
    max_leaves=10,
).map(lambda a: a + (", ..." if a and len(a) % 3 == 0 else ""))

pkg = st.one_of(
    st.just("main"),
    st.lists(ident.map(str.lower), min_size=1, max_size=3).map("/".join),
    st.tuples(st.sampled_from(["github.com", "example.org", "gopkg.in"]), ident.map(str.lower)).map("/".join),
)
receiver = st.one_of(st.just(""), ident.map(lambda t: f"(*{t.capitalize()})."), ident.map(lambda t: f"(*{t.capitalize()}[...])."))
closure = st.lists(st.sampled_from(["func1", "func2", "1", "gowrap1", "deferwrap1"]), max_size=2).map(
    lambda xs: "".join("." + x for x in xs)
)
funcs = st.tuples(pkg, receiver, ident, st.sampled_from(["", "[...]"]), closure).map(lambda t: f"{t[0]}.{t[1]}{t[2]}{t[3]}{t[4]}")
files = st.tuples(
    st.sampled_from(["/home/u/src/", "C:/work/", "", "/root/go/pkg/mod/github.com/x/y@v1.2.3/"]),
    st.lists(ident, min_size=1, max_size=3).map("/".join),
).map(lambda t: f"{t[0]}{t[1]}.go")


@st.composite
def frames(draw: st.DrawFn) -> tuple[str, str, str, int, bool]:
    return draw(funcs), draw(args), draw(files), draw(st.integers(1, 99999)), draw(st.booleans())


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.lists(frames(), min_size=1, max_size=6), st.integers(1, 99))
def test_frames_parse_back(fs: list[tuple[str, str, str, int, bool]], n: int) -> None:
    body = "".join(
        f"{func}({a})\n\t{file}:{line}" + (f" +{hex(line)}" if not inl else "") + "\n" for func, a, file, line, inl in fs
    )
    # Two goroutines with the same stack: the second one goes through the shape memo.
    text = f"goroutine {n} [select]:\n{body}\ngoroutine {n + 1} [select]:\n{body}"
    snap = parse_text(text).snapshots[0]
    assert snap.unparsed_lines == 0, (text, snap.issues)
    for g in snap.goroutines:
        got = [(f.func, g.frame_args(f), f.file, f.line) for f in g.stack.frames]
        assert got == [(func, a, file, line) for func, a, file, line, _ in fs]
