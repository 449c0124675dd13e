"""Compact ranked text for a terminal or a pipe."""

from __future__ import annotations

from gtriage.frame_info import FrameInfo
from gtriage.report import Cluster, Report

from .common import (
    GONE_SHOWN,
    change_text,
    cluster_title,
    cluster_trends_text,
    family_text,
    fleet_lines,
    fleet_trend_lines,
    frame_text,
    gone_more,
    gone_shares_text,
    gone_text,
    gone_title,
    health_lines,
    location,
    num,
    repeat_text,
    source_line_text,
    sources_read,
    sources_text,
    stack_rows,
    summary_line,
    trend_text,
    where_word,
)
from .crash_text import crash_lines, fleet_crash_lines, logged_line, race_accesses
from .locks import holders_line, objects_line
from .safe import inert, inert_line
from .when import series_line

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
DIM = "\x1b[2m"
RED = "\x1b[31m"
YELLOW = "\x1b[33m"
CYAN = "\x1b[36m"
GREEN = "\x1b[32m"

MAX_FRAMES = 12  # rows of the representative stack; the rest is counted


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, *codes: str) -> str:
        if not self.color or not codes:
            return text
        return "".join(codes) + text + RESET


def render_text(report: Report, *, color: bool = False, stacks: bool = True) -> str:
    st = _Style(color)
    out: list[str] = [st(f"gtriage: {inert_line(report.source)}", BOLD), inert_line(summary_line(report))]
    series = series_line(report)
    if series is not None:
        out.append(inert_line(series))
    if report.fleet is not None:
        first, *failed = fleet_lines(report.fleet)
        out.append(inert_line(first))
        out.extend(f"  {inert_line(line)}" for line in fleet_trend_lines(report.fleet))
        out.extend(st(f"warning: {inert_line(line)}", YELLOW) for line in failed)
    for line in health_lines(report):
        out.append(st(f"warning: {inert_line(line)}", YELLOW))
    if report.crash is not None:
        out.append("")
        for line in crash_lines(report.crash):
            first, *rest = inert(line).split("\n")
            out.append(st(first, RED, BOLD))
            out.extend(st(f"    {r}", RED) for r in rest)
        logged = logged_line(report)
        if logged is not None:
            out.append(inert_line(logged))
        out.extend(st(inert_line(line), RED) for line in fleet_crash_lines(report))
    for race in report.races:
        out.append("")
        a, p = race.access, race.previous
        out.append(st(f"DATA RACE at {inert_line(a.address)}", RED, BOLD))
        for (acc, who), label in zip(race_accesses(race), (a.op, f"previous {p.op}"), strict=True):
            top = frame_text(acc.frames[0], report.goroot) if acc.frames else "?"
            out.append(f"  {label} by {who} at {inert_line(top)}")
    for c in report.clusters:
        out.append("")
        out.extend(_cluster(c, st, stacks, report))
    if not report.clusters:
        out.append("")
        out.append("no clusters to show")
    if report.gone:
        out.append("")
        out.append(st(gone_title(report.gone), BOLD))
        for g in report.gone[:GONE_SHOWN]:
            out.append(f"    {inert_line(gone_text(g, report.goroot))}")
            if g.trend is not None:
                out.append(st(f"        trend  {trend_text(g.trend)}", DIM))
            if g.sources:
                out.append(st(f"        on     {inert_line(gone_shares_text(g.sources))}", DIM))
        more = gone_more(report.gone)
        if more is not None:
            out.append(st(f"    {more}", DIM))
    return "\n".join(out) + "\n"


def _cluster(c: Cluster, st: _Style, stacks: bool, report: Report) -> list[str]:
    goroot = report.goroot
    flags = []
    change = change_text(c)
    if change is not None:
        flags.append(change)
    if c.leaked:
        flags.append(f"{num(c.leaked)} leaked")
    if c.locked_to_thread:
        flags.append(f"{num(c.locked_to_thread)} locked to thread")
    if c.family is not None:
        flags.append(f"family {c.family}")
    head = cluster_title(c, inert_line)
    if flags:
        head += f"  [{', '.join(flags)}]"
    color = (RED,) if c.crashed else (DIM,) if c.healthy else (BOLD,)
    lines = [st(head, *color)]
    lines.append(f"    {where_word(c) + ' at':<11} {inert_line(frame_text(c.blocked_at, goroot))}")
    if c.source is not None:
        lines.append(f"    source      {inert_line(source_line_text(c.source))}")
    if c.created_by is not None:
        lines.append(f"    created by  {inert_line(frame_text(c.created_by, goroot))}")
    if c.labels:
        shown = "; ".join(
            ", ".join(f"{k}={v}" for k, v in lc.labels) + f" ({num(lc.count)})" for lc in c.labels[:4]
        )
        more = f" … {len(c.labels) - 4} more" if len(c.labels) > 4 else ""
        lines.append(f"    labels      {inert_line(shown)}{more}")
    if c.trend is not None:
        lines.append(f"    trend       {trend_text(c.trend)}")
    if c.sources is not None and report.fleet is not None:
        lines.append(f"    sources     {inert_line(sources_text(c.sources, sources_read(report)))}")
        over = cluster_trends_text(c)
        if over is not None:
            lines.append(f"    trend       {inert_line(over)}")
        if c.gone_from:
            lines.append(f"    gone from   {inert_line(gone_shares_text(c.gone_from))}")
    lines.append(st(f"    why         {inert_line('; '.join(c.why))}", CYAN))
    objects = objects_line(c.objects) if c.objects is not None else None
    if objects is not None:
        lines.append(f"    objects     {inert_line(objects)}")
    held = holders_line(c, goroot)
    if held is not None:
        lines.append(f"    may hold    {inert_line(held)}")
    if c.family is not None:
        # The header's "[family N]" means nothing to a newcomer: say it where it is shown.
        lines.append(f"    family      {family_text(c, report.clusters)}")
    if len(c.stacks) > 1:
        lines.append(f"    stacks      {num(len(c.stacks))} shapes; largest {num(c.stacks[0].count)}")
    if stacks:
        lines.extend(_stack(c.frames, c.blocked_at, st, goroot))
    return lines


def _stack(frames: tuple[FrameInfo, ...], blocked: FrameInfo, st: _Style, goroot: str | None) -> list[str]:
    out: list[str] = []
    covered = 0  # frames the rows so far stand for
    for shown, row in enumerate(stack_rows(frames)):
        f = row.frame
        if shown >= MAX_FRAMES:
            out.append(st(f"      … {num(len(frames) - covered)} more frames", DIM))
            break
        covered += row.span
        if f is None:
            out.append(st(f"      ⋯ {num(row.span)} runtime frame{'s' if row.span != 1 else ''}", DIM))
            continue
        mark = "▸" if f == blocked else " "
        text = f"    {mark} {inert_line(f.func)}  {inert_line(location(f, goroot))}{repeat_text(row)}"
        if f.is_program_code:
            out.append(st(text, GREEN, BOLD) if f == blocked else st(text, GREEN))
        else:
            out.append(st(text, DIM))
    return out
