"""Text, Markdown and JSON on real samples, and dump text that tries to escape."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from gtriage.pipeline import analyze, analyze_text
from gtriage.render import json as json_render
from gtriage.render import safe
from gtriage.render.json import render_json
from gtriage.render.markdown import render_markdown
from gtriage.render.safe import inert, md_code_span, md_inline, scalar
from gtriage.render.text import render_text
from gtriage.report import Report
from manifests import SAMPLE_LIST, SAMPLES, Sample

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "src/gtriage/schema/report.schema.json").read_text())
SOME = [s for s in SAMPLE_LIST if not s.manifest.get("parts")][::4]


@pytest.mark.parametrize("sample", SOME, ids=lambda s: s.id)
def test_json_validates_against_the_shipped_schema(sample: Sample) -> None:
    obj = json.loads(render_json(analyze(str(sample.dump))))
    jsonschema.validate(obj, SCHEMA)
    assert obj["schema"] == "gtriage/1"
    assert [c["rank"] for c in obj["clusters"]] == list(range(1, len(obj["clusters"]) + 1))
    assert sum(c["count"] for c in obj["clusters"]) == obj["goroutines"]


def test_json_schema_rejects_a_broken_report() -> None:
    obj = json.loads(render_json(analyze(str(SAMPLES / "demo.txt"))))
    del obj["clusters"][0]["blocked_at"]["origin"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(obj, SCHEMA)


def _md_tokens(text: str) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(text)


def test_markdown_is_a_ticket() -> None:
    report = analyze(str(SAMPLES / "demo.txt"))
    md = render_markdown(report)
    tokens = _md_tokens(md)
    kinds = [t.type for t in tokens]
    assert "table_open" in kinds
    rows = sum(1 for t in tokens if t.type == "tr_open")
    assert rows == len(report.clusters) + 1  # header row
    fences = [t for t in tokens if t.type == "fence"]
    assert len(fences) == min(len(report.clusters), 10)
    top = report.clusters[0]
    assert top.blocked_at.func in fences[0].content
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<details>" in html  # long id lists are folded


def test_text_is_ranked_and_compact() -> None:
    report = analyze(str(SAMPLES / "demo.txt"))
    text = render_text(report)
    first = text.index(f"#1  {report.clusters[0].count} ×")
    second = text.index(f"#2  {report.clusters[1].count} ×")
    assert first < second
    assert "\x1b[" not in text
    assert "\x1b[" in render_text(report, color=True)


HOSTILE = "boom \x1b[2J\x1b]0;pwned\x07 [bold red]x[/] <script>alert(1)</script> ``` | *y* \u202e"


def _hostile_report() -> Report:
    crash = (SAMPLES / "demo.txt").read_text()
    # The panicking goroutine is one the demo dump does not hold: an id printed twice
    # would start a second dump.
    text = f"panic: {HOSTILE}\n\ngoroutine 100000 [running]:\nmain.main()\n\t/src/m.go:3 +0x1\n\n" + crash.split("\n\n", 1)[1]
    return analyze_text(text, "hostile")


def test_escape_sequences_never_reach_the_terminal() -> None:
    report = _hostile_report()
    for out in (render_text(report), render_text(report, color=True), render_markdown(report), render_json(report)):
        assert "\x1b]" not in out
        assert "\x1b[2J" not in out
        assert "\x07" not in out
        assert "\u202e" not in out
    text = render_text(report)
    assert "\\x1b[2J" in text
    assert "[bold red]x[/]" in text  # shown as typed, never interpreted


def test_markdown_of_hostile_text_stays_text() -> None:
    html = MarkdownIt("commonmark").render(render_markdown(_hostile_report()))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_json_keeps_the_message_exactly() -> None:
    obj = json.loads(render_json(_hostile_report()))
    assert obj["crash"]["panics"][0]["message"] == HOSTILE


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("a\x1bb", "a\\x1bb"),
        ("tab\tnl\n", "tab\tnl\n"),
        ("\x9b31m", "\\x9b31m"),
        ("\u202eevil", "\\u202eevil"),
        ("\ud800x", "\\ud800x"),  # a lone surrogate: no encoder writes it
        ("\ud83d\ude00", "\\ud83d\\ude00"),  # two of them are still no character in a str
        ("😀 é", "😀 é"),
    ],
)
def test_inert(raw: str, want: str) -> None:
    assert inert(raw) == want
    assert inert(f"{raw}\n\tplain") == f"{want}\n\tplain"


def test_the_fast_path_passes_no_unsafe_character() -> None:
    # inert() and scalar() return text unchanged without their regexes when str.isprintable()
    # (tabs and newlines aside) or str.isascii() says it is clean: that holds only if every
    # character the classes match is refused by those checks.
    every = "".join(map(chr, range(0x110000)))
    unsafe = safe._UNSAFE.findall(every)
    assert len(unsafe) == 0x20 - 2 + 0x21 + 1 + 2 + 5 + 4 + 0x800
    assert not any(c.isprintable() for c in unsafe)
    assert "\n" not in unsafe
    assert "\t" not in unsafe
    assert not any(c.isascii() for c in safe._SURROGATE.findall(every))
    for c in unsafe:
        assert not safe._clean(c)
        assert not safe._clean(f"a\n{c}\tb")
    assert scalar("\ud800 é \x1b") == "\\ud800 é \x1b"


def test_markdown_helpers() -> None:
    assert MarkdownIt("commonmark").renderInline(md_inline("*a* `b` <i>")) == "*a* `b` &lt;i&gt;"
    span = md_code_span("x ``y`` z")
    assert MarkdownIt("commonmark").renderInline(span) == "<code>x ``y`` z</code>"


# A str may hold surrogates, which no encoder writes: a caller's string, or a Go-quoted
# "\\ud800" in a label that the transformer decodes.
SURROGATE_DUMP = (
    "panic: boom\ud800\n\n"
    "goroutine 1 [running]:\nmain.main\udfff()\n\t/src/m\ud800.go:3 +0x1\n\n"
    'goroutine 2 [chan receive\ud800] {job: "\\ud800x", emoji: "\\U0001F600"}:\nmain.f\ud800(0x1)\n\t/src/m.go:4 +0x1\n'
    "created by main.g\ud800 in goroutine 1\n\t/src/m.go:9 +0x1\n\n"
    "not a dump line \ud800\n"
)


def _strings(obj: object) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in [k, *_strings(v)]]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []


def test_surrogates_are_spelled_out_in_every_format() -> None:
    report = analyze_text(SURROGATE_DUMP, "src\ud800")
    assert ("job", "\ud800x") in [kv for c in report.clusters for lc in c.labels for kv in lc.labels]
    for out in (render_text(report), render_text(report, color=True), render_markdown(report)):
        out.encode("utf-8")  # raised UnicodeEncodeError
        assert "\\ud800" in out
    out = render_json(report)
    assert "\\ud800" not in out.replace("\\\\", "")  # no surrogate escape: jq rejects them
    strings = _strings(json.loads(out))
    for s in strings:
        s.encode("utf-8")
    assert "\\ud800x" in strings  # the label value, spelled out
    assert "\U0001F600" in strings  # a character beyond the BMP stays itself


def test_json_written_in_pieces_spells_out_surrogates_as_the_whole_does() -> None:
    # Clusters are written a piece at a time, each frame encoded once (render_json's
    # _cluster_text): a surrogate in any piece is spelled out as encode() of the whole
    # report object spells it.
    report = analyze_text(SURROGATE_DUMP, "src\ud800")
    assert render_json(report) == json_render.encode(json_render.report_obj(report)) + "\n"


@pytest.mark.parametrize("batch", [1, 2, 1000])
def test_json_written_in_batches_is_the_report_object(batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Clusters are made into dicts and written a batch at a time (a million clusters of
    # dicts at once took 2.7 GB); the text is what one json.dumps of report_obj writes.
    report = analyze(str(SAMPLES / "demo.txt"))
    assert len(report.clusters) > 2
    monkeypatch.setattr(json_render, "CLUSTER_BATCH", batch)
    whole = json.dumps(json_render.report_obj(report), ensure_ascii=True, separators=(",", ":")) + "\n"
    assert render_json(report) == whole


@pytest.mark.parametrize(
    ("sample", "carriers"),
    [
        ("demo.txt", []),
        ("wrapped/kubectl-timestamps.txt", []),  # a prefix is stripped, not named
        ("wrapped/docker-jsonfile.txt", ["docker json-file"]),
        ("wrapped/gotest-json-panic.txt", ["go test -json"]),
        ("wrapped/oneline-goquote.txt", ["one-line dump"]),
    ],
)
def test_the_report_says_what_the_dump_came_inside(sample: str, carriers: list[str]) -> None:
    report = analyze(str(SAMPLES / sample))
    assert json.loads(render_json(report))["carriers"] == carriers
    first = render_text(report).splitlines()[1]
    assert ("read from " + ", ".join(carriers) in first) if carriers else "read from" not in first


# What JSON reports hold: nested dicts and lists, tuples, every scalar kind, text from the
# dump (controls, bidi, astral characters, quotes and backslashes), big and odd numbers.
_JSON_VALUES = [
    {"a": [1, 2.5, None, True, False], "b": {"c": ("x", -3)}},
    ["\x1b[31m", "\u202e", "\U0001f600", '"\\', "", "ü"],
    [1e300, -0.0, 2**70, float("nan"), float("inf"), 1 / 3],
    "top-level text",
    [],
    {},
]


@pytest.mark.parametrize("obj", _JSON_VALUES)
def test_json_is_written_as_json_dumps_writes_it(obj: object, monkeypatch: pytest.MonkeyPatch) -> None:
    want = json.dumps(obj, ensure_ascii=True, separators=(",", ":"))
    assert json_render._dumps(obj) == want
    # An interpreter without the C encoder: json.dumps itself.
    monkeypatch.setitem(__import__("sys").modules, "_json", None)
    assert json_render._dumps(obj) == want


def test_json_refuses_what_it_cannot_write() -> None:
    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        json_render._dumps({"x": {1}})
