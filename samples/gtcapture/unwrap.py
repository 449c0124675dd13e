"""The plain dump inside a wrapped sample: the inverse of each wrapper (logs, pastes, JSON)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from gtcapture.goquote import go_unquote


def checkable_text(manifest: dict[str, Any], text: str) -> str:
    """The plain dump inside a wrapped sample, recovered with plain string operations.

    Each wrapper of ``wrap_all`` has its inverse here (docker json-file logs are
    decoded, quote markers and indentation taken off, tabs put back, ...); a text
    without a known wrapper is checked as it is. Hard-wrapped pastes need their
    manifest too: which rows were cut from one line is not in the text.
    """
    wrapper = str(manifest.get("wrapper", ""))
    if wrapper in UNWRAP_ROWS:
        return UNWRAP_ROWS[wrapper](manifest, text)
    unwrap = UNWRAP.get(wrapper)
    return unwrap(text) if unwrap else text


def _joined(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _is_header(line: str) -> bool:
    return line.startswith("goroutine ") and line.endswith("]:")


HCLOG_PLUGIN = " [DEBUG] plugin.terraform-provider-x: "


def _unwrap_hclog(text: str) -> str:
    """go-plugin logs each stderr line of the plugin at DEBUG under the plugin's name."""
    return _joined(
        [ln[ln.index(HCLOG_PLUGIN) + len(HCLOG_PLUGIN) :] for ln in text.split("\n") if HCLOG_PLUGIN in ln]
    )


def _unquote_md(text: str, depth: int) -> str:
    """The lines quoted exactly ``depth`` deep (``>`` or ``>>``, then one space), unquoted."""
    out = []
    for line in text.split("\n"):
        n = len(line) - len(line.lstrip(">"))
        if n == depth:
            out.append(line[depth + 1 :] if line[depth : depth + 1] == " " else line[depth:])
    return _joined(out)


def _blank_before_headers(text: str) -> str:
    """Put back the blank line before each goroutine header (pastes that dropped blank lines)."""
    out: list[str] = []
    for line in text.split("\n"):
        if _is_header(line) and out and out[-1] != "":
            out.append("")
        out.append(line)
    return "\n".join(out)


def _retab(text: str, width: int) -> str:
    """Leading runs of ``width`` spaces back to tabs."""
    out = []
    for line in text.split("\n"):
        n = len(line) - len(line.lstrip(" "))
        out.append("\t" * (n // width) + line[n - n % width :])
    return "\n".join(out)


def _tab_paths(text: str) -> str:
    """Tabs removed: a location line is the one starting with an absolute path."""
    return "\n".join("\t" + line if line.startswith("/") else line for line in text.split("\n"))


def _unindent_block(text: str) -> str:
    """The markdown code block: from the first to the last line indented by 4 spaces."""
    lines = text.split("\n")
    inside = [i for i, line in enumerate(lines) if line.startswith("    ")]
    return _joined([line[4:] for line in lines[inside[0] : inside[-1] + 1]]) if inside else ""


def _unreflow(text: str) -> str:
    """Location lines indented by 12 spaces get their tab back; call lines lose their 2 spaces."""
    out = []
    for line in text.split("\n"):
        if line.startswith(" " * 12):
            out.append("\t" + line[12:])
        elif line.startswith("  "):
            out.append(line[2:])
        else:
            out.append(line)
    return "\n".join(out)


def _unwrap_slog_text(text: str) -> str:
    """slog TextHandler lines: the ``stack=`` value, Go-quoted, is the last attribute."""
    key = ' stack="'
    return "".join(go_unquote(ln[ln.index(key) + len(key) - 1 :]) for ln in text.split("\n") if key in ln)


def _unwrap_slog_json(text: str) -> str:
    """slog JSONHandler lines: the ``stack`` member."""
    objs = [json.loads(line) for line in text.split("\n") if line.startswith("{")]
    return "".join(o["stack"] for o in objs if "stack" in o)


def _unglue(text: str) -> str:
    """A goroutine header glued to the end of the line before it starts its own line again."""
    return re.sub(r"(?<=[^\n])(?=goroutine \d+ (?:gp=|\[))", "\n", text)


def _drop_prose(text: str) -> str:
    """Markdown between goroutines: a ``## `` heading, a blank line, a paragraph, a blank line."""
    out, state = [], ""
    for line in text.split("\n"):
        if line.startswith("## "):
            state = "heading"
        elif state == "heading" and line == "":
            state = "paragraph"
        elif state == "paragraph":
            state = "paragraph" if line else ""  # its lines, then the blank line after it
        else:
            state = ""
            out.append(line)
    return "\n".join(out)


def _fenced(text: str) -> str:
    """The text between the first fence line (three backticks) and the next."""
    lines = text.split("\n")
    fences = [i for i, line in enumerate(lines) if line.startswith("```")]
    return _joined(lines[fences[0] + 1 : fences[1]])


UNWRAP: dict[str, Callable[[str], str]] = {
    "docker-json": lambda t: "".join(json.loads(line)["log"] for line in t.splitlines() if line.strip()),
    "hclog": _unwrap_hclog,
    "md-quote": lambda t: _unquote_md(t, 1),
    "md-quote-compact": lambda t: _blank_before_headers(_unquote_md(t, 1)),
    "md-quote-reply": lambda t: _unquote_md(t, 2),
    "spaces2": lambda t: _retab(t, 2),
    "spaces3": lambda t: _retab(t, 3),
    "notabs": _tab_paths,
    "md-indented": _unindent_block,
    "chat-reflow": _unreflow,
    "oneline-goquote": _unwrap_slog_text,
    "oneline-json": _unwrap_slog_json,
    "glued-header": _unglue,
    "md-prose": _drop_prose,
    "github-issue": _fenced,
    "no-final-newline": lambda t: t if t.endswith("\n") else t + "\n",
    "sigquit-crash-logs": lambda t: _joined(
        [ln for ln in t.removesuffix("\n").split("\n") if not ln.startswith("time=")]
    ),
}


def _unwrap_gotest_json(text: str) -> str:
    """go test -json events: each package's ``Output`` strings joined, package after package."""
    out: dict[str, list[str]] = {}
    for e in (json.loads(line) for line in text.splitlines() if line.strip()):
        out.setdefault(e.get("Package", ""), []).append(e.get("Output", ""))
    return "".join("".join(parts) for parts in out.values())


def _unwrap_pod_status(text: str) -> str:
    """kubectl get pod -o json: the container's termination messages (state, then lastState)."""
    cs = json.loads(text)["status"]["containerStatuses"][0]
    return "\n".join(cs[k]["terminated"]["message"] for k in ("state", "lastState") if "terminated" in cs[k])


def _unwrap_journald_json(text: str) -> str:
    """journalctl -o json: the MESSAGE of each entry crashzoo's systemd-cat wrote, in order.

    journald stores no empty line of a stream, so the blank line before each goroutine header
    (and after the panic line) is put back; a MESSAGE that is not printable UTF-8 comes as an
    array of its bytes.
    """
    objs = [json.loads(line) for line in text.split("\n") if line.startswith("{")]
    msgs = [o["MESSAGE"] for o in objs if o.get("SYSLOG_IDENTIFIER") == "crashzoo"]
    return _blank_before_headers(_joined([m if isinstance(m, str) else bytes(m).decode() for m in msgs]))


JOURNALD_SHORT = re.compile(r"[A-Z][a-z]{2} [0-3]\d \d\d:\d\d:\d\d host crashzoo\[\d+\]: ")


def _unwrap_journald_reverse(text: str) -> str:
    """journalctl -r (short format): crashzoo's lines, prefix taken off, put back oldest first.

    journalctl prints a message's tab as 8 blanks, so a location line's leading tab is put back
    (``_tab_back``); journald stores no empty line of a stream, so the blank lines are put back
    as for journald-json.
    """
    msgs = [m.string[m.end() :] for m in map(JOURNALD_SHORT.match, text.split("\n")) if m]
    return _blank_before_headers(_joined([_tab_back(line) for line in reversed(msgs)]))


def _unwrap_journald_two_units(text: str) -> str:
    """journalctl of two identifiers (short format, oldest first): crashzoo's lines, prefix
    taken off, otherapp's left out; tabs and blank lines put back as for journald-reverse."""
    msgs = [m.string[m.end() :] for m in map(JOURNALD_SHORT.match, text.split("\n")) if m]
    return _blank_before_headers(_joined([_tab_back(line) for line in msgs]))


# Made by the real systemd-journald (samples/gtcapture/journald.py).
UNWRAP["journald-json"] = _unwrap_journald_json
UNWRAP["journald-reverse"] = _unwrap_journald_reverse
UNWRAP["journald-two-units"] = _unwrap_journald_two_units


# JSON carriers captured by samples/carriers.py: the dump is decoded out of the JSON strings.
UNWRAP |= {
    "gotest-json": _unwrap_gotest_json,
    "docker-jsonfile": UNWRAP["docker-json"],
    "slog-json": _unwrap_slog_json,
    "k8s-pod-status": _unwrap_pod_status,
}


def _rejoined(manifest: dict[str, Any], text: str) -> list[str]:
    """The lines of a hard-wrapped paste: rows joined back as the manifest lists them.

    The text alone cannot tell a cut row from a short line, so the emitter recorded the
    1-based ``continued_rows`` (the line goes on in the next row) and ``trimmed_rows`` (a
    terminal dropped the blank the row ended with, e.g. after ", ").
    """
    continued = set(manifest.get("continued_rows", []))
    trimmed = set(manifest.get("trimmed_rows", []))
    lines, line = [], ""
    for n, row in enumerate(text.removesuffix("\n").split("\n"), 1):
        line += row + (" " if n in trimmed else "")
        if n not in continued:
            lines.append(line)
            line = ""
    return lines


def _tab_back(line: str) -> str:
    """The terminal drew a location line's leading tab as 8 blanks; no other line starts with one."""
    return "\t" + line[8:] if line.startswith(" " * 8) else line


# Hard-wrapped pastes (samples/gtcapture/pastes.py): the inverse reads the manifest's rows.
UNWRAP_ROWS: dict[str, Callable[[dict[str, Any], str], str]] = {
    "terminal-60": lambda m, t: _joined([_tab_back(line) for line in _rejoined(m, t)]),
    "email-72": lambda m, t: _joined(_rejoined(m, t)),
}
