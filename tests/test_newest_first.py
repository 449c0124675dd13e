"""Dumps pasted newest line first, put back in order (newest_first.py).

The newest-first texts here are real captures with their lines in reverse order, as `tac`
and a log viewer's newest-first list give them; samples/wrapped/journald-reverse.txt is
`journalctl -r` itself, checked with every other sample.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gtriage import newest_first
from gtriage.newest_first import TURNED, bottom_up
from gtriage.pipeline import analyze
from gtriage.render.json import render_json

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
NEWEST = SAMPLES / "dumps" / "go1.27"
QUICK = ("crashzoo.goroutine-all", "leaky.sigquit-all", "leaky.debug1", "race.race")


def newest_line_first(text: str) -> str:
    """`text` as `tac` writes it: its lines last to first."""
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return "\n".join(reversed(lines)) + "\n"


def _report(path: Path) -> dict[str, object]:
    r: dict[str, object] = json.loads(render_json(analyze(str(path))))
    return r


def _reading(r: dict[str, object]) -> dict[str, object]:
    """What a report says of its dump, less how the input carried it."""
    return {k: r[k] for k in ("goroutines", "unparsed", "clusters", "crash", "truncated", "format")}


@pytest.mark.parametrize(
    "name",
    [n if n in QUICK else pytest.param(n, marks=pytest.mark.slow) for n in sorted(p.stem for p in NEWEST.glob("*.txt"))],
)
def test_a_capture_newest_line_first_reads_as_the_capture(name: str, tmp_path: Path) -> None:
    plain = (NEWEST / f"{name}.txt").read_text()
    (tmp_path / "r.txt").write_text(newest_line_first(plain))
    got = _report(tmp_path / "r.txt")
    assert _reading(got) == _reading(_report(NEWEST / f"{name}.txt"))
    assert TURNED in got["carriers"]  # type: ignore[operator]


@pytest.mark.parametrize(
    "path",
    sorted(p for p in SAMPLES.glob("*/**/*.txt") if p.name != "journald-reverse.txt"),
    ids=lambda p: str(p.relative_to(SAMPLES)),
)
def test_no_sample_is_taken_for_newest_first(path: Path) -> None:
    assert not bottom_up(path.read_text(errors="replace")[: 1 << 20])


def test_a_line_not_understood_is_cited_at_its_input_line(tmp_path: Path) -> None:
    # The line map is turned over too: a warning names the line of the paste, not of the
    # dump put back in order.
    lines = newest_line_first((NEWEST / "crashzoo.goroutine-all.txt").read_text()).split("\n")
    at = lines.index("main.waitJob(...)")
    lines[at] = "main.waitJob(...garbled"
    (tmp_path / "r.txt").write_text("\n".join(lines))
    unparsed = _report(tmp_path / "r.txt")["unparsed"]
    assert isinstance(unparsed, dict)
    # The call and its location, in the runtime's order: the location is the line above.
    cited = [(s["line"], s["text"]) for s in unparsed["samples"]]
    assert cited == [(at + 1, "main.waitJob(...garbled"), (at, lines[at - 1])]
    assert lines[at - 1].startswith("\t/home/gopher/samples/crashzoo/")


def test_a_longer_stream_is_read_as_it_comes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Only what can be held is turned over: past MAX_TURNED the lines are read in the
    # order they come (here: no goroutine reads right), and nothing is claimed.
    text = newest_line_first((NEWEST / "crashzoo.goroutine-all.txt").read_text())
    monkeypatch.setattr(newest_first, "MAX_TURNED", len(text) // 2)
    (tmp_path / "again.txt").write_text(text + text)
    r = _report(tmp_path / "again.txt")
    assert TURNED not in r["carriers"]  # type: ignore[operator]


def test_a_journald_export_newest_first_reads_per_process(tmp_path: Path) -> None:
    # `journalctl -r -o json`: each process's stream is turned over on its own.
    exported = (SAMPLES / "wrapped" / "journald-json.txt").read_text()
    (tmp_path / "r.txt").write_text(newest_line_first(exported))
    got = _report(tmp_path / "r.txt")
    assert _reading(got) == _reading(_report(SAMPLES / "wrapped" / "journald-json.txt"))
    assert set(got["carriers"]) == {"journald JSON", TURNED}  # type: ignore[call-overload]


@pytest.mark.parametrize("goroutines", [1, 2])
def test_a_header_swapped_with_its_call_is_damage_not_newest_first(goroutines: int) -> None:
    # Regression (found by test_reference's exhaustive run): a short paste whose first
    # header and first call swapped places. The header stands under a call, but that
    # call's location is below it, not above: the paste is read as it is.
    blocks = (NEWEST / "crashzoo.goroutine-all.txt").read_text().split("\n\n")
    lines = "\n\n".join(blocks[: 1 + goroutines]).split("\n")
    i = next(i for i, line in enumerate(lines) if line.startswith("goroutine "))
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    assert not bottom_up("\n".join(lines) + "\n")
