"""Markdown ready for a ticket: summary table, then each top cluster with its stack."""

from __future__ import annotations

from gtriage.report import Cluster, Report

from .common import (
    GONE_SHOWN,
    change_text,
    cluster_title,
    cluster_trends_text,
    family_text,
    fleet_lines,
    fleet_trend_lines,
    gone_more,
    gone_shares_text,
    gone_text,
    gone_title,
    health_lines,
    location,
    minutes_text,
    num,
    repeat_text,
    sources_read,
    sources_text,
    sparkline,
    stack_rows,
    state_text,
    summary_line,
    trend_text,
    verdict_text,
    where_word,
)
from .crash_text import crash_lines, fleet_crash_lines, logged_line, race_accesses
from .locks import holders_line, objects_line
from .safe import md_code_span, md_fence, md_inline
from .when import series_line

DETAILED = 10  # clusters with a full section; the rest are in the table only
MAX_IDS = 20  # goroutine ids in a section's line; all of them are in a <details> below it


def render_markdown(report: Report, *, detailed: int = DETAILED) -> str:
    out: list[str] = [f"# Goroutine triage: {md_inline(report.source)}", "", md_inline(summary_line(report)), ""]
    series = series_line(report)
    if series is not None:
        out += [md_inline(series[0].upper() + series[1:]), ""]
    if report.fleet is not None:
        first, *failed = fleet_lines(report.fleet)
        out += [md_inline(first[0].upper() + first[1:]), ""]
        over = fleet_trend_lines(report.fleet)
        out += [f"- {md_inline(line)}" for line in over] + ([""] if over else [])
        out += [f"> **Warning:** {md_inline(line)}" for line in failed]
        out += [""] if failed else []
    for line in health_lines(report):
        out += [f"> **Warning:** {md_inline(line)}", ""]
    if report.crash is not None:
        logged = logged_line(report)
        out += ["## Crash" if logged is None else "## Panic", "", md_fence("\n".join(crash_lines(report.crash))), ""]
        out += [md_inline(logged), ""] if logged is not None else []
        where = fleet_crash_lines(report)
        out += [f"- {md_inline(line)}" for line in where] + ([""] if where else [])
    if report.races:
        out += ["## Data races", ""]
        for i, race in enumerate(report.races, 1):
            out.append(f"{i}. " + "; ".join(
                f"{md_inline(a.op)} by {who} at "
                + (md_code_span(f"{a.frames[0].func} {location(a.frames[0], report.goroot)}") if a.frames else "?")
                for a, who in race_accesses(race)
            ))
        out.append("")
    compared = report.gone is not None  # a change column only when there is a previous dump
    trended = report.series is not None  # a trend column over a series
    spread = report.fleet is not None  # a sources column in a fleet
    if report.clusters:
        out += [
            "## Clusters",
            "",
            "| # | count |" + (" since previous |" if compared else "") + (" trend |" if trended else "")
            + (" sources |" if spread else "") + " state | minutes | blocked at | created by |",
            "|--:|------:|" + ("----------------|" if compared else "") + ("-------|" if trended else "")
            + ("---------|" if spread else "") + "-------|---------|------------|------------|",
        ]
        for c in report.clusters:
            created = md_code_span(c.created_by.func, in_table=True) if c.created_by else ""
            change = f" {change_text(c) or ''} |" if compared else ""
            if trended:
                change += f" {sparkline(c.trend.counts) if c.trend else ''} {md_inline(verdict_text(c.trend)) if c.trend else ''} |"
            if spread:
                change += f" {num(len(c.sources or ()))} of {num(sources_read(report))} |"
            out.append(
                f"| {c.rank} | {num(c.count)} |{change} {md_inline(state_text(c))} | {minutes_text(c)} | "
                f"{md_code_span(c.blocked_at.func, in_table=True)} {md_code_span(location(c.blocked_at, report.goroot), in_table=True)} | {created} |"
            )
        out.append("")
        for c in report.clusters[:detailed]:
            out += _section(c, report)
    else:
        out += ["No clusters to show.", ""]
    if report.gone:
        title = gone_title(report.gone)
        out += [f"## {title[0].upper()}{title[1:]}", ""]
        out += [
            f"- {md_inline(gone_text(g, report.goroot))}"
            + (f" — {md_inline(trend_text(g.trend))}" if g.trend else "")
            + (f" — on {md_inline(gone_shares_text(g.sources, shown=10))}" if g.sources else "")
            for g in report.gone[:GONE_SHOWN]
        ]
        more = gone_more(report.gone)
        if more is not None:
            out.append(f"- {md_inline(more)}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _section(c: Cluster, report: Report) -> list[str]:
    goroot = report.goroot
    out = [f"### {cluster_title(c, md_inline)}", ""]
    out.append(f"- **{where_word(c).capitalize()} at:** {md_code_span(c.blocked_at.func)} {md_code_span(location(c.blocked_at, goroot))}")
    if c.source is not None:
        src = c.source
        shown = md_code_span(src.text.strip()) if src.text is not None else md_inline(f"not shown: {src.note}")
        out.append(f"- **Source:** {shown}" + (f" ({md_inline(f'{src.path}:{src.line}')})" if src.text is not None else ""))
    if c.created_by is not None:
        out.append(f"- **Created by:** {md_code_span(c.created_by.func)} {md_code_span(location(c.created_by, goroot))}")
    if c.trend is not None:
        out.append(f"- **Trend:** {md_inline(trend_text(c.trend))}")
    if c.sources is not None and report.fleet is not None:
        out.append(f"- **Sources:** {md_inline(sources_text(c.sources, sources_read(report), shown=10))}")
        over = cluster_trends_text(c)
        if over is not None:
            out.append(f"- **Trend:** {md_inline(over)}")
        if c.gone_from:
            out.append(f"- **Gone from:** {md_inline(gone_shares_text(c.gone_from, shown=10))}")
    out.append(f"- **Why:** {md_inline('; '.join(c.why))}")
    objects = objects_line(c.objects) if c.objects is not None else None
    if objects is not None:
        out.append(f"- **Objects:** {md_inline(objects)}")
    held = holders_line(c, goroot)
    if held is not None:
        out.append(f"- **May hold the lock:** {md_inline(held)}")
    change = change_text(c)
    if change is not None:
        was = f" (was {num(c.previous_count)})" if c.previous_count is not None else ""
        out.append(f"- **Since the previous dump:** {md_inline(change)}{was}")
    if c.leaked:
        out.append(f"- **Leaked (runtime leak detector):** {num(c.leaked)}")
    if c.locked_to_thread:
        out.append(f"- **Locked to thread:** {num(c.locked_to_thread)}")
    if c.family is not None:
        out.append(f"- **Family:** {md_inline(family_text(c, report.clusters))}")
    for lc in c.labels[:5]:
        text = ", ".join(f"{k}={v}" for k, v in lc.labels)
        out.append(f"- **Labels** {md_code_span(text)}: {num(lc.count)}")
    ids = [str(i) for i in c.goroutine_ids]
    # In a fleet every process numbers its goroutines from 1: an id names no one goroutine.
    label = "Goroutines (ids of every source; they repeat)" if report.fleet is not None else "Goroutines"
    if len(ids) > MAX_IDS:
        # The folded list holds every id, the first ones too: it is what people copy.
        out.append(f"- **{label}:** {', '.join(ids[:MAX_IDS])} … ({num(len(ids))} in all)")
        out += ["", f"<details><summary>all {num(len(ids))} goroutine ids</summary>", "", ", ".join(ids), "", "</details>"]
    elif ids:
        out.append(f"- **{label}:** {', '.join(ids)}")
    stack: list[str] = []
    for row in stack_rows(c.frames):
        f = row.frame
        if f is None:
            stack.append(f"    … {num(row.span)} runtime frame{'s' if row.span != 1 else ''}")
        else:
            mark = f"  <- {where_word(c)} here" if f == c.blocked_at else ""
            stack += [f.func + repeat_text(row) + mark, f"    {location(f, goroot)}"]
    if c.created_by is not None:
        stack += [f"created by {c.created_by.func}", f"    {location(c.created_by, goroot)}"]
    out += ["", md_fence("\n".join(stack), "text"), ""]
    if len(c.stacks) > 1:
        out.append(f"{num(len(c.stacks))} stack shapes in this cluster; the largest is shown.")
        out.append("")
    return out
