"""--goroutines: each goroutine rebuilt from the model, as the dump printed it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from gtriage.filters import Filters, apply_filters
from gtriage.model import Frame, Goroutine
from gtriage.parse import parse_text
from gtriage.pipeline import analyze, analyze_inputs, analyze_text
from gtriage.render.goroutines import goroutine_text, render_goroutines_markdown, render_goroutines_text
from gtriage.report import Report
from manifests import SAMPLE_LIST, SAMPLES, Sample

# What the model does not keep, so the rebuilt text leaves it out: pc offsets, frame
# registers at traceback level 2, and a level-2 header's goroutine and M addresses.
NOT_KEPT = re.compile(r" \+0x[0-9a-f]+| fp=0x[0-9a-f]+ sp=0x[0-9a-f]+ pc=0x[0-9a-f]+| gp=0x[0-9a-f]+ m=(?:\d+ mp=0x[0-9a-f]+|nil)")
# Go 1.26 printed labels inside the brackets; they come back in Go 1.27's form.
GO126_LABELS = re.compile(r" labels:\{.*\}\]:$")

DUMPS = [s for s in SAMPLE_LIST if s.id.startswith("dumps/")]


def _goroutines(text: str) -> list[Goroutine]:
    return [g for snap in parse_text(text).snapshots for g in snap.goroutines]


@pytest.mark.parametrize("sample", DUMPS, ids=lambda s: s.id)
def test_rebuilt_text_is_the_dump_without_what_is_not_kept(sample: Sample) -> None:
    lines = sample.dump.read_text().split("\n")
    for g in _goroutines("\n".join(lines)):
        got = goroutine_text(g).split("\n")
        want = [NOT_KEPT.sub("", line) for line in lines[g.line - 1 : g.line - 1 + len(got)]]
        if GO126_LABELS.search(want[0]):
            want[0], got[0] = GO126_LABELS.sub("]:", want[0]), re.sub(r"\] \{.*\}:$", "]:", got[0])
        assert got == want, f"goroutine {g.id} at line {g.line}"
        # The goroutine ends where the rebuilt text ends: nothing of its stack is lost.
        after = lines[g.line - 1 + len(got)] if g.line - 1 + len(got) < len(lines) else ""
        assert not after.startswith(("\t", "created by ", "...", "[originating")), after


def _key(g: Goroutine) -> tuple[object, ...]:
    """Everything the model knows of a goroutine but where it stood in the input."""
    st = g.stack

    def calls(frames: tuple[Frame, ...]) -> list[tuple[str, str, int, str]]:
        return [(f.func, f.file, f.line, g.frame_args(f)) for f in frames]

    def creator(f: Frame | None) -> tuple[str, str, int] | None:
        return None if f is None else (f.func, f.file, f.line)

    return (
        g.id, g.state, g.minutes, g.locked, g.scan, g.leaked, g.bubble, g.labels, g.parent_id, g.ancestor_ids,
        calls(st.frames), creator(st.created_by), st.elided, st.elided_at, st.other_thread, st.cgo,
        [(calls(a.frames), creator(a.created_by), a.elided) for a in st.ancestors],
    )


# The release dumps' text is checked line by line above; reading them back is for CI.
READ_BACK = [pytest.param(s, marks=pytest.mark.slow) if s in DUMPS else s for s in SAMPLE_LIST]


@pytest.mark.parametrize("sample", READ_BACK, ids=lambda s: s.id)
def test_rebuilt_text_reads_back_as_the_same_goroutines(sample: Sample) -> None:
    # Carried dumps (JSON logs, prefixes, chat pastes) too: what comes out is plain dump text.
    before = _goroutines(sample.dump.read_text())
    after = _goroutines("\n\n".join(goroutine_text(g) for g in before) + "\n")
    assert [_key(g) for g in after] == [_key(g) for g in before]


# What no sample holds; each is the exact text the runtime prints, less pc offsets.
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("goroutine 5 [GC worker (idle) (scan)]:\nruntime.gopark(0x0?, 0x0?)\n\t/go/src/runtime/proc.go:1", id="scan"),
        pytest.param("goroutine 5 [chan receive (leaked), 3 minutes, locked to thread]:\nmain.f()\n\t/a/m.go:1", id="leaked-minutes-locked"),
        pytest.param("goroutine 5 [1 minutes]:\nmain.f()\n\t/a/m.go:1", id="state-like-minutes"),
        pytest.param("goroutine 5 [sync.WaitGroup.Wait (durable), 2 minutes, synctest bubble 4]:\nmain.f()\n\t/a/m.go:1", id="synctest"),
        pytest.param('goroutine 5 [select] {a: b, "with space": "q\\"x\\\\", k: }:\nmain.f()\n\t/a/m.go:1', id="labels-quoted"),
        pytest.param("goroutine 5 [running]:\n\tgoroutine running on other thread; stack unavailable\ncreated by main.main\n\t/a/m.go:9", id="other-thread"),
        pytest.param("goroutine 5 [syscall]:\nnon-Go function\nruntime.cgocall(0x1, 0xc0)\n\t/go/src/runtime/cgocall.go:167", id="cgo"),
        pytest.param(
            "goroutine 5 [running]:\nmain.r(0x1)\n\t/a/m.go:3\n...2 frames elided...\nmain.r(0x4)\n\t/a/m.go:3\nmain.main()\n\t/a/m.go:9",
            id="elided-middle",
        ),
        pytest.param("goroutine 5 [running]:\nmain.r(0x1)\n\t/a/m.go:3\n...additional frames elided...\ncreated by main.main\n\t/a/m.go:9", id="elided-end"),
        pytest.param(
            "goroutine 9 [chan receive]:\nmain.w(...)\n\t/a/m.go:3\ncreated by main.s in goroutine 7\n\t/a/m.go:8\n"
            "[originating from goroutine 7]:\nmain.s(...)\n\t/a/m.go:8\n...additional frames elided...\ncreated by main.main\n\t/a/m.go:12",
            id="ancestors",
        ),
    ],
)
def test_rebuilt_header_and_stack_parts(text: str) -> None:
    (g,) = _goroutines(text + "\n")
    assert goroutine_text(g) == text


def test_only_the_chosen_cluster_in_dump_order() -> None:
    report = analyze(str(SAMPLES / "demo.txt"))
    second = report.clusters[1]
    out = render_goroutines_text(apply_filters(report, Filters(ranks=(2,))))
    ids = [int(m) for m in re.findall(r"^goroutine (\d+) \[", out, re.M)]
    assert sorted(ids) == list(second.goroutine_ids)
    assert out.endswith("\n\n")
    # Only dump text: gtriage reads it back as that one cluster.
    again = analyze_text(out)
    assert [(c.count, c.blocked_at.func) for c in again.clusters] == [(second.count, second.blocked_at.func)]


HOSTILE = "main.evil\x1b]0;pwned\x07\u202e"


def test_goroutine_text_is_inert() -> None:
    report = analyze_text(f"goroutine 1 [select]:\n{HOSTILE}(0x1)\n\t/a/\x1b[2Jm.go:3 +0x1\n", "x")
    for out in (render_goroutines_text(report), render_goroutines_markdown(report)):
        assert "\x1b" not in out
        assert "\x07" not in out
        assert "\u202e" not in out
        assert "\\x1b]0;pwned\\x07\\u202e(0x1)" in out


def test_markdown_has_a_code_block_per_cluster() -> None:
    report = apply_filters(analyze(str(SAMPLES / "demo.txt")), Filters(top=3))
    tokens = MarkdownIt("commonmark").parse(render_goroutines_markdown(report))
    fences = [t for t in tokens if t.type == "fence"]
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    assert len(fences) == 3
    assert headings == [f"#{c.rank}  {c.count} × {c.state}" for c in report.clusters]
    for c, fence in zip(report.clusters, fences, strict=True):
        assert sorted(int(m) for m in re.findall(r"^goroutine (\d+) \[", fence.content, re.M)) == list(c.goroutine_ids)


FLEET = [SAMPLES / f"fleet/pod-{p}.txt" for p in "abc"]


def _leak_ids(pod: Path) -> list[int]:
    """The ids of the pod's leak, as the program reported them ([] when it has none)."""
    groups = json.loads(pod.with_suffix(".json").read_text())["groups"]
    return sorted(i for g in groups if g["key"] == "leak" for i in g["ids"])


def _fleet_leak() -> Report:
    report = analyze_inputs([str(p) for p in FLEET], fleet=True)
    (leak,) = [c for c in report.clusters if c.blocked_at.func == "main.(*Server).awaitReply"]
    return apply_filters(report, Filters(ranks=(leak.rank,)))


def test_a_fleet_s_goroutines_come_under_their_source() -> None:
    """Each pod's goroutines of the leak follow a `==> pod <==` line, and that run read back
    alone is that pod's leak, as the program reported it (ids repeat across pods)."""
    text = render_goroutines_text(_fleet_leak())
    runs = re.split(r"^==> (\S+) <==\n\n", text, flags=re.M)
    assert runs[0] == ""
    by_pod = dict(zip(runs[1::2], runs[2::2], strict=True))
    expected = {p.stem: _leak_ids(p) for p in FLEET if _leak_ids(p)}
    assert list(by_pod) == sorted(expected, key=lambda pod: -len(expected[pod]))  # most first
    for pod, run in by_pod.items():
        back = analyze_text(run)
        assert sorted(i for c in back.clusters for i in c.goroutine_ids) == expected[pod]


def test_a_fleet_s_markdown_has_a_code_block_per_source() -> None:
    report = _fleet_leak()
    tokens = MarkdownIt("commonmark").parse(render_goroutines_markdown(report))
    fences = [t.content for t in tokens if t.type == "fence"]
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h3"]
    expected = {p.stem: _leak_ids(p) for p in FLEET if _leak_ids(p)}
    assert headings == [f"{pod}: {len(ids)} goroutines" for pod, ids in sorted(expected.items(), key=lambda kv: -len(kv[1]))]
    for heading, fence in zip(headings, fences, strict=True):
        ids = sorted(int(m) for m in re.findall(r"^goroutine (\d+) \[", fence, re.M))
        assert ids == expected[heading.split(":")[0]]
