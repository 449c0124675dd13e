"""Real dumps the way people paste them: in hclog, markdown, chats, one-line logs, twice, glued."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from gtcapture.emit import lines_of
from gtcapture.goquote import go_quote
from gtcapture.journald import journald_samples

MAX_WRAPPED = 300_000  # the pasted samples below stay small
HCLOG_ZONE = timezone(timedelta(hours=3))
PROVIDER = ".terraform/providers/registry.terraform.io/example/x/1.0.0/linux_amd64/terraform-provider-x"

# A capture as Emitter.load returns it: (manifest, text), by name ("leaky.debug2").
Loaded = dict[str, tuple[dict[str, Any], str]]
Emit = Callable[..., None]
# The captures the pasted samples are made of, all of the newest Go version.
PASTED = (
    "leaky.debug2", "crashzoo.goroutine-all", "crashzoo.deadlock-all", "crashzoo.repanic-new-all",
    "crashzoo.stackoverflow-all", "crashzoo.testtimeout-all", "crashzoo.multiline-all",
    "crashzoo.mapwrites-all", "leaky.sigquit-all",
)  # fmt: skip


def _hclog_line(ms: int, bracket: str, msg: str) -> str:
    """One line as hclog's logPlain writes it: time (TimeFormat), level bracket, space, name: message."""
    t = datetime(2021, 5, 27, 10, 46, 33, 870000, tzinfo=HCLOG_ZONE) + timedelta(milliseconds=ms)
    return (
        f"{t.strftime('%Y-%m-%dT%H:%M:%S')}.{t.microsecond // 1000:03d}{t.strftime('%z')} {bracket} {msg}\n"
    )


def _slog_time(i: int, nanos: bool = False) -> str:
    """slog's time: TextHandler keeps milliseconds, JSONHandler prints RFC 3339 with nanoseconds."""
    t = datetime(2026, 11, 25, 10, 0, 1, tzinfo=UTC) + timedelta(milliseconds=1117 * i)
    if not nanos:
        return f"{t.strftime('%Y-%m-%dT%H:%M:%S')}.{t.microsecond // 1000:03d}Z"
    frac = f"{t.microsecond:06d}{(i * 7919) % 1000:03d}".rstrip("0")  # RFC3339Nano drops trailing zeros
    return f"{t.strftime('%Y-%m-%dT%H:%M:%S')}{'.' + frac if frac else ''}Z"


def _quote_md(lines: list[str]) -> list[str]:
    """Markdown / email quoting: ``> `` before a line, ``>`` alone for a blank one, ``>`` before a quoted one."""
    return [">" + line if line.startswith(">") else "> " + line if line else ">" for line in lines]


def wrap_pastes(dumps: Path, newest: Path, load: Callable[..., tuple[dict[str, Any], str]],
                emit: Emit) -> None:  # fmt: skip
    """Real dumps the way people paste them: in hclog, markdown, chats, one-line logs, twice, glued."""
    d = {name: load(name) for name in PASTED}
    go119 = dumps / "go1.19"
    d["leaky.sigquit-crash"] = load("leaky.sigquit-crash", go119)
    _hclog(d, emit)
    _markdown_quotes(d, emit)
    _respaced(d, emit)
    _one_line_logs(d, emit)
    _glued_and_prose(d, emit)
    _concatenated(d, emit, newest)
    _after_register_dump(d, emit, go119)
    _hard_wrapped(d, emit)
    journald_samples(d, emit)


def _hclog(d: Loaded, emit: Emit) -> None:
    """hashicorp go-plugin: the dump as the lines a Terraform provider logged."""
    cr_m, cr = d["crashzoo.goroutine-all"]
    # hashicorp go-plugin (Terraform 0.13/0.14): each stderr line of the plugin, trailing space
    # trimmed, logged at DEBUG by the client's hclog logger named after the plugin.
    plugin = "plugin.terraform-provider-x:"
    before = [("[INFO] ", "plugin: configuring client automatic mTLS"),
              ("[DEBUG]", f"plugin: starting plugin: path={PROVIDER} args=[{PROVIDER}]"),
              ("[DEBUG]", f"plugin: plugin started: path={PROVIDER} pid=48213"),
              ("[DEBUG]", f"plugin: waiting for RPC address: path={PROVIDER}"),
              ("[INFO] ", f"{plugin} configuring server automatic mTLS: timestamp=2021-05-27T10:46:33.889+0300"),
              ("[DEBUG]", "plugin: using plugin: version=5"),
              ("[DEBUG]", f"{plugin} plugin address: address=/home/gopher/.cache/plugin2754125915 network=unix "
                          "timestamp=2021-05-27T10:46:33.890+0300")]  # fmt: skip
    after = [("[DEBUG]", f'plugin: plugin process exited: path={PROVIDER} pid=48213 error="exit status 2"'),
             ("[DEBUG]", "plugin: plugin exited")]  # fmt: skip
    text = "".join(_hclog_line(i * 7, b, m) for i, (b, m) in enumerate(before))
    base = 7 * len(before) + 212
    text += "".join(_hclog_line(base + i, "[DEBUG]", f"{plugin} {line.rstrip()}")
                    for i, line in enumerate(lines_of(cr.rstrip("\n"))))  # fmt: skip
    base += len(lines_of(cr)) + 3
    text += "".join(_hclog_line(base + 2 * i, b, m) for i, (b, m) in enumerate(after))
    emit("hclog", "crashzoo.goroutine-all", cr_m, text, plain="plugin address: address=/home/gopher/.cache/plugin2754125915 "
         "network=unix timestamp=2021-05-27T10:46:33.890+0300\n" + cr,
         how="hashicorp go-plugin log (Terraform 0.13/0.14 style, hclog TimeFormat 2006-01-02T15:04:05.000Z0700): "
         "seven client lines, then every line of the plugin's stderr (the dump, trailing space trimmed as go-plugin "
         "does) as '<ts> [DEBUG] plugin.terraform-provider-x: <line>' with a millisecond more each, a blank line "
         "as the prefix alone (ending in ': '), then two client lines; one client line of the plugin's own "
         "(plugin address, DEBUG) has the same prefix as the dump lines")  # fmt: skip


def _markdown_quotes(d: Loaded, emit: Emit) -> None:
    """Markdown and email quotes of the dump."""
    cr_m, cr = d["crashzoo.goroutine-all"]
    dl_m, dl = d["crashzoo.deadlock-all"]
    rp_m, rp = d["crashzoo.repanic-new-all"]
    # Markdown quotes: a GitHub comment quoting the dump, blank lines kept as '>'.
    text = (
        "\n".join(_quote_md(lines_of(dl.rstrip("\n"))))
        + "\n\nSame here on go1.27.3: the consumer never gets its job.\n"
    )
    emit("md-quote", "crashzoo.deadlock-all", dl_m, text, plain=dl,
         how="GitHub comment: '> ' before every line of the dump, '>' for its blank lines, then a blank line and "
         "one line of prose")  # fmt: skip
    lines = [line for line in lines_of(cr.rstrip("\n")) if line]
    text = "We see this every few hours:\n\n" + "\n".join(_quote_md(lines)) + "\n"
    emit("md-quote-compact", "crashzoo.goroutine-all", cr_m, text, plain=cr,
         how="markdown quote of the dump with its blank lines removed (between goroutines and after the panic "
         "line): a line of prose, a blank line, then '> ' before every remaining line")  # fmt: skip
    inner = _quote_md(lines_of(rp.rstrip("\n")))
    alex = ["Our worker crashed overnight with:", "", *inner, "", "Any idea?"]
    text = ("On Wed, Nov 25, 2026 at 10:12 AM Alex <alex@example.com> wrote:\n" + "\n".join(_quote_md(alex))
            + "\n\nThe deferred cleanup panics again while the first panic unwinds.\n")  # fmt: skip
    emit("md-quote-reply", "crashzoo.repanic-new-all", rp_m, text, plain=rp,
         how="an email reply quoting a message that quoted the dump: the dump's lines start with '>> ' (blank "
         "ones are '>>'), the quoted message's own lines with '> ', then the reply")  # fmt: skip


def _respaced(d: Loaded, emit: Emit) -> None:
    """Tabs as spaces or none, a markdown code block, a chat tool's reflow."""
    cr_m, cr = d["crashzoo.goroutine-all"]
    dl_m, dl = d["crashzoo.deadlock-all"]
    so_m, so = d["crashzoo.stackoverflow-all"]
    tt_m, tt = d["crashzoo.testtimeout-all"]
    # Tabs expanded to 2 or 3 spaces, or removed.
    emit("spaces2", "crashzoo.deadlock-all", dl_m, dl.replace("\t", "  "), plain=dl,
         how="every tab replaced by 2 spaces")  # fmt: skip
    emit("spaces3", "crashzoo.goroutine-all", cr_m, cr.replace("\t", "   "), plain=cr,
         how="every tab replaced by 3 spaces")  # fmt: skip
    emit("notabs", "crashzoo.stackoverflow-all", so_m, so.replace("\t", ""), plain=so,
         how="every tab removed: location lines start at column 0 with their absolute path")  # fmt: skip

    # Indented: a markdown code block, and a chat tool's reflow.
    block = "".join("    " + line + "\n" if line else "\n" for line in lines_of(tt.rstrip("\n")))
    text = "`go test ./...` hangs, then times out:\n\n" + block + "\nIt happens with -count=1 only.\n"
    emit("md-indented", "crashzoo.testtimeout-all", tt_m, text, plain=tt,
         how="markdown indented code block: a line of prose, a blank line, every non-blank line of the dump "
         "indented by 4 spaces (blank lines stay empty), a blank line, a line of prose")  # fmt: skip
    out, inside = [], False
    for line in lines_of(cr.rstrip("\n")):
        inside = (inside or line.startswith("goroutine ")) and line != ""
        out.append(line if not inside or line.startswith("goroutine ") else
                   " " * 12 + line[1:] if line.startswith("\t") else "  " + line)  # fmt: skip
    emit("chat-reflow", "crashzoo.goroutine-all", cr_m, "\n".join(out) + "\n", plain=cr,
         how="reflowed as some chat tools show it: goroutine headers, blank lines and the panic line at column "
         "0, call and 'created by' lines indented by 2 spaces, location lines by 12 spaces instead of a tab")  # fmt: skip


def _one_line_logs(d: Loaded, emit: Emit) -> None:
    """The whole dump in one slog line, as TextHandler and JSONHandler write it."""
    cr_m, cr = d["crashzoo.goroutine-all"]
    ml_m, ml = d["crashzoo.multiline-all"]
    # The whole dump in one log line: slog's TextHandler quotes it with strconv.Quote (%q),
    # its JSONHandler escapes it as a JSON string.
    def slog_text(i: int, level: str, msg: str, attrs: str) -> str:
        return f"time={_slog_time(i)} level={level} msg={go_quote(msg)} {attrs}\n"

    text = (slog_text(0, "INFO", "worker started", "pid=4242") +
            slog_text(1, "INFO", "config reloaded", "path=/etc/app/config.yaml") +
            slog_text(2, "ERROR", "worker crashed", f"pid=4242 exit=2 stack={go_quote(ml)}") +
            slog_text(3, "INFO", "restarting worker", "attempt=1"))  # fmt: skip
    emit("oneline-goquote", "crashzoo.multiline-all", ml_m, text, plain=ml,
         how="slog TextHandler log: four lines; the third carries the whole dump (final newline included) as "
         "its last attribute stack=, quoted as Go's strconv.Quote / %q does (\\n, \\t, \\\\, \\\", \\xNN)")  # fmt: skip

    def slog_json(i: int, level: str, msg: str, **attrs: Any) -> str:
        obj = {"time": _slog_time(i, nanos=True), "level": level, "msg": msg, **attrs}
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"

    text = (slog_json(0, "INFO", "worker started", pid=4242) +
            slog_json(1, "ERROR", "worker crashed", pid=4242, exit=2, stack=cr) +
            slog_json(2, "INFO", "restarting worker", attempt=1))  # fmt: skip
    emit("oneline-json", "crashzoo.goroutine-all", cr_m, text, plain=cr,
         how="slog JSONHandler log: three lines; the second carries the whole dump (final newline included) "
         "as the JSON string member \"stack\" (json.dumps escaping)")  # fmt: skip


def _glued_and_prose(d: Loaded, emit: Emit) -> None:
    """A header glued to another writer's text; prose between goroutines; a GitHub issue."""
    d2_m, d2 = d["leaky.debug2"]
    mw_m, mw = d["crashzoo.mapwrites-all"]
    sq_m, sq = d["leaky.sigquit-all"]
    # Glued: another writer's partial line lands between the SIGQUIT dump's preamble and its first header.
    first = sq.index("\ngoroutine ") + 1
    text = ("time=2026-11-25T10:00:04.512Z level=INFO msg=\"request served\" path=/api/v1/items status=200\n"
            + sq[:first] + "SIGQUIT received, dumping all stacks" + sq[first:])  # fmt: skip
    emit("glued-header", "leaky.sigquit-all", sq_m, text,
         how="a log line, then the SIGQUIT dump with 'SIGQUIT received, dumping all stacks' (no newline, as a "
         "second writer on the same stderr printed it) between its 'PC=' preamble's blank line and its first "
         "goroutine header, which is glued to that text: '...dumping all stacksgoroutine 0 gp=...'")  # fmt: skip

    # Prose between goroutines of a debug=2 dump, and a GitHub issue.
    heads = [m.start() + 1 for m in re.finditer(r"\ngoroutine \d+ \[", d2)]
    one, two = heads[len(heads) // 3], heads[2 * len(heads) // 3]
    text = (d2[:one] + "## the stuck ones\n\nThese never return; the channel they wait on is never closed.\n\n"
            + d2[one:two] + "## more of them\n\nThe same again from here on,\nas far as I can tell.\n\n"
            + d2[two:])  # fmt: skip
    emit("md-prose", "leaky.debug2", d2_m, text, plain=d2,
         how="markdown between goroutines of a debug=2 dump: before the goroutine header a third of the way "
         "in, '## the stuck ones', a blank line, a one-line paragraph, a blank line; before the header two thirds "
         "in, '## more of them', a blank line, a two-line paragraph, a blank line")  # fmt: skip
    text = ("### What version of Go are you using (`go version`)?\n\ngo1.27.3 linux/amd64\n\n"
            "### What did you see happen?\n\nThe service crashed under load:\n\n```\n" + mw + "```\n\n"
            "It happens about once a day; two writers share the cache map without a lock.\n")  # fmt: skip
    emit("github-issue", "crashzoo.mapwrites-all", mw_m, text, plain=mw,
         how="GitHub issue body: headings and prose, a ``` fence line, the dump, a closing ``` line, more prose")  # fmt: skip


def _concatenated(d: Loaded, emit: Emit, newest: Path) -> None:
    """A dump twice, two programs' dumps in one file, a dump without its final newline."""
    d2_m, d2 = d["leaky.debug2"]
    cr_m, cr = d["crashzoo.goroutine-all"]
    dl_m, dl = d["crashzoo.deadlock-all"]
    # The same dump pasted twice in a row.
    src = f"dumps/{newest.name}/leaky.debug2.txt"
    emit("pasted-twice", "leaky.debug2", d2_m, d2 + d2, plain=d2 + d2, parts=[src, src],
         how="leaky.debug2.txt twice in a row, the second copy right after the first one's final newline (no "
         "blank line); every goroutine id appears twice, groups are those of one copy")  # fmt: skip

    # Two programs: a leaky debug=2 dump and a crashzoo traceback, one blank line between.
    both = json.loads(json.dumps(d2_m))
    both.update(format="mixed", crash=cr_m["crash"], groups=d2_m["groups"] + cr_m["groups"])
    emit("two-programs", "leaky.debug2", both, d2 + "\n" + cr, plain=d2 + "\n" + cr,
         parts=[src, f"dumps/{newest.name}/crashzoo.goroutine-all.txt"],
         how="leaky.debug2.txt, a blank line, crashzoo.goroutine-all.txt (another program: its goroutine ids "
         "overlap leaky's), no log lines between")  # fmt: skip

    # A complete dump whose file lacks the final newline.
    emit("no-final-newline", "crashzoo.deadlock-all", dl_m, dl.rstrip("\n"), plain=dl, truncated=False,
         how="crashzoo.deadlock-all.txt without its final newline; the dump is complete")  # fmt: skip


def _after_register_dump(d: Loaded, emit: Emit, go119: Path) -> None:
    """Log lines of the restarted process right after a Go 1.19 register dump."""
    sc_m, sc = d["leaky.sigquit-crash"]
    # Log lines right after a GOTRACEBACK=crash register dump.
    def logfmt(i: int, msg: str) -> str:
        return f"time={_slog_time(i)} level=INFO msg={go_quote(msg)}\n" if " " in msg else \
            f"time={_slog_time(i)} level=INFO msg={msg}\n"  # fmt: skip

    text = (logfmt(0, "starting") + logfmt(1, "ready to serve") + sc
            + logfmt(40, "starting") + logfmt(41, "loaded config") + logfmt(42, "ready to serve"))  # fmt: skip
    emit("sigquit-crash-logs", "leaky.sigquit-crash", sc_m, text, version=go119, plain=sc,
         how="two slog TextHandler lines, then the Go 1.19 SIGQUIT dump with GOTRACEBACK=crash (threads, "
         "register dumps; the process aborts), then, right after its last register line with no blank line, "
         "three lines of the restarted process")  # fmt: skip


def _tool_version(argv: list[str]) -> str:
    """The first line a tool prints about its version (``tmux -V``, ``fold --version``)."""
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=10).stdout.split("\n")[0]


def _tmux_rows(text: str, width: int) -> list[str]:
    """The rows of a detached ``width``-column tmux pane after ``cat`` printed text in it,
    scrollback included, as ``capture-pane`` without -J gives them (no trailing empty rows)."""
    with tempfile.TemporaryDirectory(prefix="gtriage-tmux-") as tmp:
        dump, conf = Path(tmp) / "dump.txt", Path(tmp) / "tmux.conf"
        dump.write_text(text)
        # The scrollback must hold the whole dump; a pane keeps the limit it started with.
        conf.write_text("set-option -g history-limit 100000\n")
        # Our own server and config: the user's tmux and ~/.tmux.conf stay out of it, and the
        # socket goes with the temporary directory (kill-server leaves it behind).
        tmux = ["tmux", "-S", str(Path(tmp) / "sock"), "-f", str(conf)]
        try:
            # The pane's shell says when cat is done: its tmux finds this server through $TMUX.
            cmd = f"sleep 0.3; cat {shlex.quote(str(dump))}; tmux wait-for -S cat-done; sleep 60"
            subprocess.run([*tmux, "new-session", "-d", "-s", "paste", "-x", str(width), "-y", "24", cmd],
                           check=True, timeout=10)  # fmt: skip
            subprocess.run([*tmux, "wait-for", "cat-done"], check=True, timeout=30)
            capture = [*tmux, "capture-pane", "-p", "-S", "-", "-E", "-", "-t", "paste"]
            last = None
            for _ in range(50):  # cat is done; wait until the pane took in all of its output too
                out = subprocess.run(capture, check=True, capture_output=True, text=True, timeout=10).stdout
                if out == last:
                    return out.rstrip("\n").split("\n")
                last = out
                time.sleep(0.2)
            raise RuntimeError("tmux: the pane kept changing")
        finally:
            subprocess.run([*tmux, "kill-server"], capture_output=True, timeout=10)


def _cut_rows(lines: list[str], rows: list[str], width: int | None) -> tuple[list[int], list[int]]:
    """Which rows (1-based) a tool cut from a longer line, and which of those lost one trailing
    blank, found by walking its rows along the original lines; raises when they do not join back.

    With ``width`` (a terminal), a cut row shorter than that lost the blank it ended with."""
    continued: list[int] = []
    trimmed: list[int] = []
    n = 0
    for line in lines:
        pos = 0
        while True:
            if n == len(rows) or not line.startswith(rows[n], pos):
                raise RuntimeError(f"row {n + 1} is not the next part of {line!r}")
            pos += len(rows[n])
            n += 1
            if pos == len(line):
                break
            continued.append(n)
            if width is not None and len(rows[n - 1]) < width:
                if len(rows[n - 1]) != width - 1 or line[pos] != " ":
                    raise RuntimeError(f"row {n} lost more than one blank")
                trimmed.append(n)
                pos += 1
    if n != len(rows):
        raise RuntimeError(f"{len(rows) - n} rows more than the dump's lines")
    return continued, trimmed


def _hard_wrapped(d: Loaded, emit: Emit) -> None:
    """Hard-wrapped pastes: copied from a 60-column terminal, word-wrapped by a mail client."""
    d2_m, d2 = d["leaky.debug2"]
    so_m, so = d["crashzoo.stackoverflow-all"]
    # Terminal: the inverse turns 8 leading blanks back into the tab, so only location lines
    # may start with a tab (one), and no line with a blank or have a tab elsewhere.
    lines = d2.removesuffix("\n").split("\n")
    if any(ln.startswith(" ") or "\t" in ln.removeprefix("\t") for ln in lines):
        raise RuntimeError("terminal-60: leaky.debug2 has a tab or blank the inverse would not put back")
    rows = _tmux_rows(d2, 60)
    continued, trimmed = _cut_rows([ln.expandtabs(8) for ln in lines], rows, 60)
    emit("terminal-60", "leaky.debug2", d2_m, "\n".join(rows) + "\n", plain=d2,
         continued_rows=continued, trimmed_rows=trimmed,
         how=f"copied from a 60-column terminal that does not keep soft wraps: 'cat leaky.debug2.txt' in a "
         f"detached 60x24 pane of {_tool_version(['tmux', '-V'])} (own server, config only 'set-option -g "
         "history-limit 100000'), then 'tmux capture-pane -p -S - -E -' without -J (scrollback and screen, "
         "one line per row), trailing empty rows dropped. Lines wider than 60 columns are cut into rows of "
         "60; the location lines' tab became 8 blanks; tmux trims each row's trailing blanks, so a row cut "
         "right after ', ' lost that blank. continued_rows: the 1-based rows whose line goes on in the next "
         "row; trimmed_rows: those of them that lost one trailing blank")  # fmt: skip

    # Mail client: fold -s breaks after the last blank within 72 columns (keeping that blank at
    # the row's end) or, with none, at 72; a tab counts up to the next multiple of 8 and stays a tab.
    folded = subprocess.run(["fold", "-s", "-w", "72"], input=so, check=True, capture_output=True, text=True,
                            env={**os.environ, "LC_ALL": "C"}, timeout=30).stdout  # fmt: skip
    rows = folded.removesuffix("\n").split("\n")
    continued, _ = _cut_rows(so.removesuffix("\n").split("\n"), rows, None)
    emit("email-72", "crashzoo.stackoverflow-all", so_m, folded, plain=so, continued_rows=continued,
         how=f"word-wrapped as a plain-text mail client does: {_tool_version(['fold', '--version'])} "
         "'fold -s -w 72' (LC_ALL=C) on crashzoo.stackoverflow-all.txt: a line wider than 72 columns (a tab "
         "counts up to the next multiple of 8 and stays a tab) is cut after its last blank within 72 "
         "columns, that blank kept at the row's end, or at 72 columns when it has none; continued_rows: "
         "the 1-based rows whose line goes on in the next row")  # fmt: skip
