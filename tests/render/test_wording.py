"""How text and Markdown reports say numbers, shares, minutes, recursion and families."""

from __future__ import annotations

import re
from functools import cache

import pytest
from markdown_it import MarkdownIt

from gtriage.filters import Filters, apply_filters
from gtriage.pipeline import analyze, analyze_text
from gtriage.rank import share_text
from gtriage.render.markdown import render_markdown
from gtriage.render.text import render_text
from gtriage.report import Report
from manifests import SAMPLES

WAIT = "main.w(0x1)\n\t/a/w.go:{line} +0x1\nmain.run()\n\t/a/run.go:5 +0x1\ncreated by main.s in goroutine 1\n\t/a/s.go:3 +0x1\n"
# A deep recursion of one call: main.r at r.go:5, 120 times, under its top frame.
RECURSION = "main.r(0x1)\n\t/a/r.go:7 +0x1\n" + "main.r(0x2)\n\t/a/r.go:5 +0x1\n" * 120 + "main.main()\n\t/a/m.go:3 +0x1\n"


def _goroutines(first: int, n: int, header: str, stack: str) -> str:
    return "".join(f"goroutine {first + i} [{header}]:\n{stack}\n" for i in range(n))


@cache
def big() -> Report:
    """1,234 goroutines waiting a minute, 3 at a neighbouring line (the same family), and
    one in a deep recursion: 1,238 in all."""
    text = (
        _goroutines(2, 1234, "chan receive, 1 minutes", WAIT.format(line=10))
        + _goroutines(2000, 3, "chan receive", WAIT.format(line=12))
        + _goroutines(3000, 1, "select", RECURSION)
    )
    return analyze_text(text, "big")


def _outputs(report: Report) -> dict[str, str]:
    return {"text": render_text(report), "markdown": render_markdown(report)}


@pytest.mark.parametrize("fmt", ["text", "markdown"])
@pytest.mark.parametrize(
    ("want", "not_want"),
    [
        pytest.param("1,238 goroutines", "1238 goroutines", id="total"),
        pytest.param("1,234 × chan receive", "1234 ×", id="count"),
        pytest.param("fan-out: 1,234 started", "fan-out: 1234", id="fan-out"),
        pytest.param("waiting 1 minute;", "1 minutes", id="one-minute"),
        pytest.param("3 goroutines (<1% of all)", "(0% of all)", id="under-one-percent"),
        pytest.param("1,234 goroutines (>99% of all)", "(100% of all)", id="not-quite-all"),
        pytest.param("× 120", "main.r  /a/r.go:5\n      main.r  /a/r.go:5", id="recursion"),
        pytest.param("near-identical stacks", None, id="family-explained"),
    ],
)
def test_report_wording(fmt: str, want: str, not_want: str | None) -> None:
    out = _outputs(big())[fmt]
    if fmt == "markdown":
        out = out.replace("\\<", "<").replace("\\>", ">")  # Markdown escapes them in text
    assert want in out
    if not_want is not None:
        assert not_want not in out


def test_recursion_is_one_row() -> None:
    text = render_text(big())
    rows = [line for line in text.splitlines() if "/a/r.go:5" in line]
    assert rows == ["      main.r  /a/r.go:5  × 120"]
    md = render_markdown(big())
    assert md.count("/a/r.go:5") == 1
    assert "main.r  × 120\n    /a/r.go:5\n" in md


def test_family_line_names_the_other_members() -> None:
    report = big()
    first, second = report.clusters[0], report.clusters[1]
    assert first.family is not None
    assert first.family == second.family
    text = render_text(report)
    assert f"[family {first.family}]" in text
    assert re.search(rf"    family      {first.family}: clusters with near-identical stacks .*; also #2\n", text)
    # A filter that hides the other member leaves the explanation without it.
    alone = render_text(apply_filters(report, Filters(top=1)))
    assert "near-identical stacks" in alone
    assert "also #" not in alone


@pytest.mark.parametrize(
    ("part", "total", "want"),
    [(0, 10, "0%"), (1, 1000, "<1%"), (9, 1000, "<1%"), (10, 1000, "1%"), (500, 1000, "50%"), (990, 1000, "99%"),
     (999, 1000, ">99%"), (1000, 1000, "100%")],
)
def test_share_never_rounds_a_cluster_away(part: int, total: int, want: str) -> None:
    assert share_text(part, total) == want


@pytest.mark.parametrize(
    ("filters", "want"),
    [
        (Filters(), "280 goroutines, 25 clusters, traceback"),
        (Filters(top=2), "280 goroutines, 2 of 25 clusters shown, traceback"),
        (Filters(ranks=(3,)), "280 goroutines, 1 of 25 clusters shown, traceback"),
        (Filters(top=100), "280 goroutines, 25 clusters, traceback"),
    ],
)
def test_summary_says_how_many_of_how_many(filters: Filters, want: str) -> None:
    report = apply_filters(analyze(str(SAMPLES / "demo.txt")), filters)
    assert render_text(report).splitlines()[1] == want
    assert f"\n{want}\n" in render_markdown(report)


def test_markdown_details_hold_every_id() -> None:
    report = analyze(str(SAMPLES / "demo.txt"))
    top = report.clusters[0]
    assert len(top.goroutine_ids) > 20
    html = MarkdownIt("commonmark").render(render_markdown(report))
    details = html[html.index("<details>") : html.index("</details>")]
    assert f"all {len(top.goroutine_ids)} goroutine ids" in details
    assert [int(i) for i in re.findall(r"\d+", details.split("</summary>", 1)[1])] == list(top.goroutine_ids)
