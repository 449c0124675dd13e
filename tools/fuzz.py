"""Mutation fuzzing of gtriage over the committed samples: real dumps and real carriers,
damaged the ways pastes and logs damage them, read and rendered in one process.

    python -m tools.fuzz --seconds 300 --seed 1            # one input at a time
    python -m tools.fuzz --seconds 300 --seed 2 --several  # series and fleets of 2-4 inputs

Any exception but "no dump" (and a source that cannot be read), and any input that takes
more than --timeout seconds, is a finding: the input is kept under --out with the
traceback, and the run goes on. The exit code is the number of findings (0: none). Not a
test: nothing here runs in CI; each finding fixed gets a regression test of its own. This
found, in session 16, a hang (a tab-indented log: 2^n backtracking), a quadratic regex, two
crashes on damaged input and one on every fleet with pprof labels.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gtriage.report import Report

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
MAX_BYTES = 600_000  # bigger samples make each run slow and add nothing a small one lacks

# What pastes, logs and mangled copies put where they do not belong.
_JUNK = (
    "\\", '"', "\\u001b[31m", "\\n", "\\t", "{", "}", "[", "]", ",", ":", "\x1b[1m", "\r", "\x00", "goroutine 1 [",
    "panic: x\n", "\t", "  ", "0x", "}\n{", '"log":"', '"Output":"', '"MESSAGE":"', "[bold]x[/]", "created by",
    "\t/x.go:1 +0x", "fatal error: x", "SIGQUIT: quit", "goroutine", "(", ")",
)  # fmt: skip
_PREFIXES = ("> ", "2026-12-01T10:00:00.123Z ", "[pod/x/app] ", "\t", "    ", "Dec 01 10:00:00 host svc[12]: ", "# ")


class _Timeout(Exception):
    pass


def _samples() -> list[Path]:
    found = [*SAMPLES.glob("**/*.txt"), *SAMPLES.glob("**/*.log")]
    return sorted(p for p in found if p.stat().st_size <= MAX_BYTES)


def mutate(text: str, rng: random.Random) -> str:
    """One damage: cut, lines lost, repeated, shuffled, prefixed, junk put in, bytes lost,
    line ends and tabs changed."""
    lines = text.split("\n")
    kind = rng.randrange(11)
    if kind == 0 or not text:
        return text[: rng.randrange(len(text) + 1)]
    if kind == 1:
        return "\n".join(line for line in lines if rng.random() > 0.05)
    if kind == 2:
        a = rng.randrange(len(lines))
        b = min(len(lines), a + rng.randrange(50))
        return "\n".join(lines[:b] + lines[a:b] + lines[b:])
    if kind == 3:
        prefix = rng.choice(_PREFIXES)
        share = rng.choice((0.7, 1.0))
        return "\n".join(prefix + line if rng.random() < share else line for line in lines)
    if kind == 4:
        for _ in range(5):
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines)
    if kind == 5:
        for _ in range(rng.randrange(1, 30)):
            i = rng.randrange(len(text) + 1)
            text = text[:i] + rng.choice(_JUNK) + text[i:]
        return text
    if kind == 6:
        for _ in range(rng.randrange(1, 30)):
            if not text:
                break
            i = rng.randrange(len(text))
            text = text[:i] + text[i + rng.randrange(1, 40) :]
        return text
    if kind == 7:
        return text.replace("\n", "\r\n")
    if kind == 8:
        return text.replace("\t", "        ")
    if kind == 9:
        return text * rng.randrange(2, 5)
    a, b = sorted((rng.randrange(len(text)), rng.randrange(len(text))))
    return text[:a] + text[b:] + text[a:b]


def _one(paths: list[Path], several: bool, rng: random.Random) -> None:
    from gtriage.filters import Filters, apply_filters, filter_regex
    from gtriage.pipeline import analyze_inputs
    from gtriage.render.json import render_json
    from gtriage.render.markdown import render_markdown
    from gtriage.render.text import render_text

    report = analyze_inputs([str(p) for p in paths], fleet=several and rng.random() < 0.4)
    if rng.random() < 0.3:  # narrowed as --top, --match, --exclude, --min-count, --no-healthy, --cluster do
        word = rng.choice(("chan", "main", "Lock", "sync", "x", "goroutine", ".go:", "select"))
        report = apply_filters(report, Filters(
            top=rng.choice((None, 1, 3)), match=filter_regex(word) if rng.random() < 0.5 else None,
            exclude=filter_regex(word) if rng.random() < 0.2 else None, min_count=rng.choice((1, 2, 10)),
            healthy=rng.random() < 0.5, ranks=tuple(rng.sample(range(1, 6), rng.randrange(3))),
        ))  # fmt: skip
    from gtriage.render.goroutines import render_goroutines_markdown, render_goroutines_text

    texts = (render_text(report), render_markdown(report), render_goroutines_text(report), render_goroutines_markdown(report))
    render_json(report)
    if any("\x1b" in t for t in texts):
        raise AssertionError("an escape sequence in a text or Markdown report")
    _tui_parts(report)


def _tui_parts(report: Report) -> None:
    """What the TUI draws, built as it builds it (no app run: ~1 ms, not ~0.3 s), at 80
    columns; no text of it may hold an escape sequence."""
    from gtriage.tui.clusters_screen import subtitle
    from gtriage.tui.clusters_table import cluster_row, column_widths
    from gtriage.tui.crash_banner import CrashBanner
    from gtriage.tui.detail_pane import fleet_lines, series_lines, source_lines, summary
    from gtriage.tui.gone_screen import gone_lines
    from gtriage.tui.styled import PathStyle

    paths = PathStyle(report.goroot)
    texts = [CrashBanner.build(report).plain, subtitle(report)]
    widths = column_widths(report.clusters, 80)
    for c in report.clusters[:20]:
        texts += [t.plain for t in cluster_row(c, widths)]
        texts += [summary(c, paths, report).plain]
        texts += [t.plain for t in (*series_lines(c, report), *fleet_lines(c, report), *source_lines(c))]
    if report.gone:
        texts.append(gone_lines(report.gone, report.goroot).plain)
    if any("\x1b" in t for t in texts):
        raise AssertionError("an escape sequence in what the TUI draws")


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    raise _Timeout


def run(seconds: float, seed: int, several: bool, timeout: int, out: Path, say: Callable[[str], None]) -> int:
    """Fuzz for `seconds`; the number of findings (each kept under `out`)."""
    from gtriage.errors import NoDumpError, SourceError

    rng = random.Random(seed)
    samples = _samples()
    signal.signal(signal.SIGALRM, _on_alarm)
    found = runs = 0
    end = time.monotonic() + seconds
    with tempfile.TemporaryDirectory(prefix="gtriage-fuzz-") as tmp:
        while time.monotonic() < end:
            runs += 1
            paths = []
            for i in range(rng.randrange(2, 5) if several else 1):
                text = mutate(rng.choice(samples).read_text(errors="replace"), rng)
                if rng.random() < 0.3:
                    text = mutate(text, rng)
                path = Path(tmp) / f"{runs}-{i}.txt"
                path.write_text(text)
                paths.append(path)
            signal.alarm(timeout)
            try:
                _one(paths, several, rng)
                what = None
            except (NoDumpError, SourceError):
                what = None
            except _Timeout:
                what = f"took more than {timeout} s"
            except Exception:
                what = traceback.format_exc()
            finally:
                signal.alarm(0)
            if what is not None:
                found += 1
                kept = out / f"seed{seed}-{runs}"
                kept.mkdir(parents=True, exist_ok=True)
                for p in paths:
                    (kept / p.name).write_text(p.read_text())
                (kept / "finding.txt").write_text(what)
                say(f"finding {found}: {kept}: {what.strip().splitlines()[-1]}")
            for p in paths:
                p.unlink()
    say(f"{runs} runs, {found} findings")
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--several", action="store_true", help="2-4 inputs a run: a series, or a fleet")
    ap.add_argument("--timeout", type=int, default=15, help="seconds one run may take")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "gtriage-fuzz")
    opts = ap.parse_args(argv)
    return min(run(opts.seconds, opts.seed, opts.several, opts.timeout, opts.out, print), 125)


if __name__ == "__main__":
    sys.exit(main())
