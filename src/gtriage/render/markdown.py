"""Markdown ready for a ticket: summary table, then each top cluster with its stack."""

from __future__ import annotations

from gtriage.report import Cluster, Report

from .common import crash_lines, folded, health_lines, location, minutes_text, state_text, summary_line
from .safe import inert, md_code_span, md_fence, md_inline

DETAILED = 10  # clusters with a full section; the rest are in the table only
MAX_IDS = 20


def render_markdown(report: Report, *, detailed: int = DETAILED) -> str:
    out: list[str] = [f"# Goroutine triage: {md_inline(report.source)}", "", md_inline(summary_line(report)), ""]
    for line in health_lines(report):
        out += [f"> **Warning:** {md_inline(line)}", ""]
    if report.crash is not None:
        out += ["## Crash", "", md_fence("\n".join(crash_lines(report.crash))), ""]
    if report.races:
        out += ["## Data races", ""]
        for i, race in enumerate(report.races, 1):
            out.append(f"{i}. " + "; ".join(
                f"{md_inline(a.op)} by {'main goroutine' if a.main_goroutine else f'goroutine {a.goroutine}'} at "
                + (md_code_span(f"{a.frames[0].func} {location(a.frames[0], report.goroot)}") if a.frames else "?")
                for a in (race.access, race.previous)
            ))
        out.append("")
    if report.clusters:
        out += [
            "## Clusters",
            "",
            "| # | count | state | minutes | blocked at | created by |",
            "|--:|------:|-------|---------|------------|------------|",
        ]
        for c in report.clusters:
            created = md_code_span(c.created_by.func, in_table=True) if c.created_by else ""
            out.append(
                f"| {c.rank} | {c.count} | {md_inline(state_text(c))} | {minutes_text(c)} | "
                f"{md_code_span(c.blocked_at.func, in_table=True)} {md_code_span(location(c.blocked_at, report.goroot), in_table=True)} | {created} |"
            )
        out.append("")
        for c in report.clusters[:detailed]:
            out += _section(c, report.goroot)
    else:
        out += ["No clusters to show.", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _section(c: Cluster, goroot: str | None) -> list[str]:
    mins = minutes_text(c)
    title = f"### #{c.rank}: {c.count} × {md_inline(state_text(c))}" + (f", {mins}" if mins else "")
    out = [title, ""]
    out.append(f"- **Blocked at:** {md_code_span(c.blocked_at.func)} {md_code_span(location(c.blocked_at, goroot))}")
    if c.created_by is not None:
        out.append(f"- **Created by:** {md_code_span(c.created_by.func)} {md_code_span(location(c.created_by, goroot))}")
    out.append(f"- **Why:** {md_inline('; '.join(c.why))}")
    if c.leaked:
        out.append(f"- **Leaked (runtime leak detector):** {c.leaked}")
    if c.locked_to_thread:
        out.append(f"- **Locked to thread:** {c.locked_to_thread}")
    for lc in c.labels[:5]:
        text = ", ".join(f"{k}={v}" for k, v in lc.labels)
        out.append(f"- **Labels** {md_code_span(text)}: {lc.count}")
    ids = ", ".join(str(i) for i in c.goroutine_ids[:MAX_IDS])
    if c.goroutine_ids:
        if len(c.goroutine_ids) > MAX_IDS:
            rest = ", ".join(str(i) for i in c.goroutine_ids[MAX_IDS:])
            out.append(f"- **Goroutines:** {ids} …")
            out += ["", "<details><summary>all goroutine ids</summary>", "", inert(rest), "", "</details>"]
        else:
            out.append(f"- **Goroutines:** {ids}")
    stack: list[str] = []
    for f, n in folded(c.frames):
        if f is None:
            stack.append(f"    … {n} runtime frame{'s' if n != 1 else ''}")
        else:
            stack += [f.func + ("  <- blocked here" if f == c.blocked_at else ""), f"    {location(f, goroot)}"]
    if c.created_by is not None:
        stack += [f"created by {c.created_by.func}", f"    {location(c.created_by, goroot)}"]
    out += ["", md_fence("\n".join(stack), "text"), ""]
    if len(c.stacks) > 1:
        out.append(f"{len(c.stacks)} stack shapes in this cluster; the largest is shown.")
        out.append("")
    return out
