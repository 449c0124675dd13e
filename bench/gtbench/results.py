"""The results as Markdown tables, and which of issues 7 and 11's targets they meet."""

from __future__ import annotations

from typing import Any


def _fmt(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:,.{digits}f}"


def render_markdown(res: dict[str, Any]) -> str:
    lines = _intro(res)
    lines += _gtriage_table(res["rows"])
    lines += _floors_table(res["floors"])
    if res["stages"]:
        lines += _stages_table(res["stages"])
    if res.get("wrapped"):
        lines += _wrapped_table(res["wrapped"])
    lines += ["", f"TUI: {res['tui']}", "", "Targets (issues 7 and 11):", ""]
    lines += [f"- {t}" for t in res["targets"]]
    return "\n".join(lines) + "\n"


def _intro(res: dict[str, Any]) -> list[str]:
    m = res["machine"]
    lines = [
        f"Measured {res['date']} on {m['nproc']} × {m['cpu']}, {m['memory']}, Python {m['python']}, "
        f"Linux {m['kernel']}, {res['go']}, gtriage {res['gtriage_version']}: {res['measured']}.",
        f"Command: `{res['command']}`. Load average (1 min) {res['load_avg']['start']} at the start of the "
        f"timings, {res['load_avg']['end']} at the end; floors and gtriage runs are interleaved.",
    ]
    if res["fallback"]:
        lines.append(
            "The CLI had no `--format` yet: gtriage was timed as "
            "`python -c 'from gtriage.pipeline import analyze; analyze(FILE)'` (no rendering)."
        )
    return lines


def _gtriage_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "| dump | MB | goroutines | format | wall s | MB/s | goroutines/s | peak RSS MiB | × regex floor | × line floor |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        g = row["gtriage"]
        wall = g["wall_s"] if g["ok"] else None
        note = "" if g["ok"] else (" (timeout)" if g["timed_out"] else f" (exit {g['rc'][-1]})")
        mb = row["bytes"] / 1e6
        lines.append(
            f"| {row['dump']} | {mb:,.1f} | {row['goroutines']:,} | {row['format']}{note} | {_fmt(wall)} | "
            f"{_fmt(mb / wall if wall else None, 1)} | {_fmt(row['goroutines'] / wall if wall else None, 0)} | "
            f"{_fmt(g['peak_rss_mib'], 0)} | {_fmt(row['x_regex'])} | {_fmt(row['x_line'])} |"
        )
    return lines


def _floors_table(floors: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "Floors (fresh `python -c` each, same files):",
        "",
        "| dump | line floor s | regex floor s | regex floor MB/s |",
        "| --- | ---: | ---: | ---: |",
    ]
    for f in floors:
        mb = f["bytes"] / 1e6
        lines.append(
            f"| {f['dump']} | {_fmt(f['line']['wall_s'])} | {_fmt(f['regex']['wall_s'])} | "
            f"{_fmt(mb / f['regex']['wall_s'] if f['regex']['wall_s'] else None, 1)} |"
        )
    return lines


def _stages_table(stages: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "Stages in one process (seconds; sections and parse exclude reading):",
        "",
        "| dump | read | sections | parse | normalize+cluster+rank | render json | render text | render md | "
        "total (json) | s per 10k goroutines | peak RSS MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in stages:
        v = s.get("result") or {}
        if not v:
            lines.append(f"| {s['dump']} | {s.get('error', 'failed')} |" + " |" * 9)
            continue
        per = v["total"] / v["goroutines"] * 1e4 if v.get("goroutines") else None
        lines.append(
            f"| {s['dump']} | {_fmt(v['read'])} | {_fmt(v['sections'])} | {_fmt(v['parse'])} | "
            f"{_fmt(v['report'])} | {_fmt(v.get('render_json'))} | {_fmt(v.get('render_text'))} | "
            f"{_fmt(v.get('render_markdown'))} | {_fmt(v['total'])} | {_fmt(per, 3)} | "
            f"{_fmt(v['peak_rss_mib'], 0)} |"
        )
    return lines


def _wrapped_table(wrapped: list[dict[str, Any]]) -> list[str]:
    lines = [
        "",
        "Wrapped inputs, each paired with the plain dump in one interleaved run (json):",
        "",
        "| dump | MB | wrapped s | plain s | × plain | peak RSS MiB (wrapped / plain) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for w in wrapped:
        lines.append(
            f"| {w['dump']} | {w['bytes'] / 1e6:.1f} | {w['wrapped']['wall_s']} | {w['plain']['wall_s']} | "
            f"{_fmt(w['x_plain'])} | {w['wrapped']['peak_rss_mib']} / {w['plain']['peak_rss_mib']} |"
        )
    return lines


def check_targets(res: dict[str, Any], sizes: list[int]) -> list[str]:
    rows = {(r["dump"], r["format"]): r for r in res["rows"]}
    small = min(sizes)
    out = _ratio_targets(rows, sizes, small)
    out += _memory_targets(rows)
    out += _wrapped_targets(res.get("wrapped") or [], small)
    out += _tui_targets((res.get("tui_raw") or {}).get("result") or {})
    return out or ["no target could be checked with these sizes"]


def _ratio_targets(rows: dict[tuple[str, str], dict[str, Any]], sizes: list[int], small: int) -> list[str]:
    """Times the regex floor of the smallest debug=2 and SIGQUIT dumps, and linear time over sizes."""
    out: list[str] = []

    def row(name: str) -> dict[str, Any] | None:
        return rows.get((name, "json"))

    r = row(f"debug{small}.d2.txt")
    if r and r["x_regex"] is not None:
        ok = "met" if r["x_regex"] <= 2.0 else "NOT met"
        out.append(f"{small:,} debug=2, json: {r['x_regex']:.2f}× the regex floor (target ≤ 2×): {ok}.")
    base = row(f"debug{small}.full.txt")
    for size in sizes:
        r = row(f"debug{size}.full.txt")
        if size == small or not (r and base and r["gtriage"]["ok"] and base["gtriage"]["ok"]):
            continue
        per = r["gtriage"]["wall_s"] / max(r["goroutines"], 1)
        per0 = base["gtriage"]["wall_s"] / max(base["goroutines"], 1)
        ok = "met" if per <= 1.2 * per0 else "NOT met"
        ratio = "met" if r["x_regex"] is not None and r["x_regex"] <= 2.0 else "NOT met"
        out.append(
            f"{size:,} full vs {small:,} full: per-goroutine time {per / per0:.2f}× (target ≤ 1.2×): {ok}; "
            f"{r['x_regex']:.2f}× the regex floor (target ≤ 2×): {ratio}."
        )
    r = row(f"sigquit{small}.txt")
    if r and r["x_regex"] is not None:
        ok = "met" if r["x_regex"] <= 2.0 else "NOT met"
        out.append(f"{small:,} SIGQUIT, json: {r['x_regex']:.2f}× the regex floor (target ≤ 2×): {ok}.")
    return out


def _memory_targets(rows: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for size, limit in ((100_000, 500), (300_000, 1024)):
        r = rows.get((f"debug{size}.full.txt", "json"))
        if r and r["gtriage"]["peak_rss_mib"]:
            rss = r["gtriage"]["peak_rss_mib"]
            ok = "met" if rss < limit and r["gtriage"]["ok"] else "NOT met"
            out.append(f"{size:,} full: peak RSS {rss:,.0f} MiB (target < {limit} MiB): {ok}.")
    return out


def _wrapped_targets(wrapped: list[dict[str, Any]], small: int) -> list[str]:
    out: list[str] = []
    limits: dict[str, tuple[float | None, str]] = {
        "kubectl": (1.5, "kubectl --timestamps"), "docker": (2.0, "docker json-file"), "twice": (2.1, "twice the input"),
        "journald": (None, "journalctl's short format"),
    }  # fmt: skip
    for w in wrapped:
        limit, name = limits[w["kind"]]
        x = w["x_plain"]
        if x is None:
            continue
        if limit is None:  # no issue set one: the figure, for what it is
            out.append(f"{small:,} full as {name}: {x:.2f}× the plain dump.")
        else:
            out.append(f"{small:,} full as {name}: {x:.2f}× the plain dump (target ≤ {limit}×): {'met' if x <= limit else 'NOT met'}.")
    return out


def _tui_targets(tui: dict[str, Any]) -> list[str]:
    out: list[str] = []
    if "first_screen_s" in tui:
        first = tui["first_screen_s"]
        out.append(f"TUI first screen {first:.2f} s after parsing (target ≤ 1 s): {'met' if first <= 1.0 else 'NOT met'}.")
        # The work a key causes is its CPU time; the pilot's wall time adds its own waits.
        keys = {"move": "cpu_down_s", "sort": "cpu_sort_s", "search (typing)": "cpu_type_s"}
        got = {name: tui[k] for name, k in keys.items() if k in tui}
        if got:
            ok = "met" if max(got.values()) <= 0.1 else "NOT met"
            shown = ", ".join(f"{name} {v * 1000:.0f} ms" for name, v in got.items())
            out.append(f"TUI keys, CPU per key: {shown} (target ≤ 100 ms): {ok}.")
    return out
