"""``--stages FILE`` (run in a fresh process): the time of each stage, as JSON on stdout."""

from __future__ import annotations

import contextlib
import importlib
import json
import resource
import time
from collections.abc import Iterator
from typing import Any

RENDERS = {
    "render_json": ("gtriage.render.json", "render_json"),
    "render_text": ("gtriage.render.text", "render_text"),
    "render_markdown": ("gtriage.render.markdown", "render_markdown"),
}


def _open_text(path: str) -> Any:
    """The lines as the CLI reads them (gtriage.source.open_lines), else plain open()."""
    try:
        from gtriage.source import open_lines
    except ImportError:
        return _plain_lines(path)
    return _source_lines(open_lines, path)


@contextlib.contextmanager
def _plain_lines(path: str) -> Iterator[Any]:
    with open(path, encoding="utf-8", errors="replace") as f:
        yield f


@contextlib.contextmanager
def _source_lines(open_lines: Any, path: str) -> Iterator[Any]:
    with open_lines(path) as (_info, lines):
        yield lines


def stages_main(path: str) -> None:
    """--stages FILE (run in a fresh process): the time of each stage, as JSON on stdout.

    Three passes over the file: read alone, read+sections, read+sections+parse; each stage is
    the difference, so "sections" and "parse" exclude reading. "read" reads the text the way
    split_sections does, in 1 MiB pieces (not line by line: that is the line floor).
    """
    from gtriage.dump_report import report_from_dump
    from gtriage.parse import parse_lines
    from gtriage.sections import split_sections

    out: dict[str, Any] = {}
    t = time.perf_counter()
    with _open_text(path) as lines:
        if hasattr(lines, "read"):
            while lines.read(1 << 20):
                pass
        else:
            for _ in lines:
                pass
    read = time.perf_counter() - t
    t = time.perf_counter()
    with _open_text(path) as lines:
        for _ in split_sections(lines):
            pass
    read_sections = time.perf_counter() - t
    t = time.perf_counter()
    with _open_text(path) as lines:
        dump = parse_lines(lines, path)
    read_parse = time.perf_counter() - t
    t = time.perf_counter()
    report = report_from_dump(dump)
    report_s = time.perf_counter() - t
    out.update(
        read=read,
        sections=read_sections - read,
        parse=read_parse - read_sections,
        report=report_s,
        goroutines=report.goroutines,
        clusters=len(report.clusters),
    )
    _time_renders(report, out)
    out["total"] = read_parse + report_s + out.get("render_json", 0.0)
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def _time_renders(report: Any, out: dict[str, Any]) -> None:
    """Time each renderer gtriage has on report, into out[render_...]."""
    for key, (mod, name) in RENDERS.items():
        try:
            fn = getattr(importlib.import_module(mod), name)
        except (ImportError, AttributeError):
            continue
        t = time.perf_counter()
        fn(report)
        out[key] = time.perf_counter() - t
