"""The wrapped samples (``samples/wrapped/``), derived from the newest Go version's captures:
in logs (kubectl, journald, docker, RFC 3339 lines), CRLF, truncated, two dumps, tabs as
spaces, then the pasted ones (:mod:`gtcapture.pastes`)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from gtcapture.emit import Emitter, lines_of
from gtcapture.pastes import MAX_WRAPPED, wrap_pastes
from gtcapture.toolchain import version_tuple

Manifest = dict[str, Any]
STAMP = "2026-11-25T10:00:{:02d}.{:09d}Z"


def _stamp(i: int) -> str:
    return STAMP.format(i // 1000 % 60, (123456789 + i * 1000) % 1000000000)


def _app_logs(n: int, start: int = 0) -> list[str]:
    msgs = ["level=info msg=\"listening\" addr=127.0.0.1:8080", "level=info msg=\"request\" method=GET path=/api/v1/items/42 status=200",
            "level=warn msg=\"slow request\" path=/api/v1/items dur=2.3s", "level=error msg=\"upstream timeout\" upstream=search"]  # fmt: skip
    return [msgs[(start + i) % len(msgs)] for i in range(n)]


def _logs(n: int, start: int) -> str:
    """Application logs with RFC 3339 timestamps, to put before, between and after dumps."""
    return "".join(f"time={_stamp(start + i)} {m}\n" for i, m in enumerate(_app_logs(n, start)))


def _complete(text: str, goid: int) -> bool:
    """Whether goroutine goid's record is wholly inside text (a blank line follows it)."""
    i = text.find(f"goroutine {goid} [")
    return i >= 0 and text.find("\n\n", i) >= 0


def wrap_all(dumps: Path, wrapped: Path) -> list[Path]:
    """Derive the wrapped samples from the newest Go version's captures."""
    versions = sorted((d for d in dumps.glob("go1.*") if d.is_dir()), key=lambda d: version_tuple(d.name))
    newest = versions[-1]
    e = Emitter(newest, wrapped)
    sig_m, sig = e.load("leaky.sigquit-all")
    d2_m, d2 = e.load("leaky.debug2")
    cr_m, cr = e.load("crashzoo.goroutine-all")
    np_m, np = e.load("crashzoo.nilptr")
    _in_logs(e, d2_m, d2, cr_m, cr, np_m, np)
    _edited(e, d2_m, d2, sig_m, sig, cr_m, cr)
    wrap_pastes(dumps, newest, e.load, functools.partial(e.emit, max_bytes=MAX_WRAPPED))
    return e.made


def _in_logs(e: Emitter, d2_m: Manifest, d2: str, cr_m: Manifest, cr: str, np_m: Manifest, np: str) -> None:
    """The dumps among log lines: kubectl --timestamps, journald, docker json-file, RFC 3339 logs."""
    # kubectl logs --timestamps: every line prefixed with an RFC 3339 nano timestamp.
    body = [*_app_logs(3), *lines_of(d2.rstrip("\n")), *_app_logs(2, 3)]
    e.emit("kubectl-timestamps", "leaky.debug2", d2_m,
           "".join(f"{_stamp(i)} {line}\n" for i, line in enumerate(body)))  # fmt: skip

    # journald (journalctl -u app): syslog-style prefixes; stderr lines as-is.
    body = [*_app_logs(2), *lines_of(cr.rstrip("\n")), "exit status 2"]
    e.emit("journald", "crashzoo.goroutine-all", cr_m,
           "".join(f"Nov 25 10:00:{i // 100 % 60:02d} host app[1234]: {line}\n" for i, line in enumerate(body)))  # fmt: skip

    # docker json-file log driver: one JSON object per line.
    body = [*_app_logs(2), *lines_of(np.rstrip("\n"))]
    e.emit("docker-json", "crashzoo.nilptr", np_m, "".join(
        json.dumps({"log": line + "\n", "stream": "stderr" if i >= 2 else "stdout", "time": _stamp(i)},
                   separators=(",", ":")) + "\n" for i, line in enumerate(body)))  # fmt: skip

    # Application logs with RFC 3339 timestamps before, between and after two dumps.
    both = dict(d2_m)
    both["format"] = "mixed"
    both["crash"] = cr_m["crash"]
    both["groups"] = d2_m["groups"] + cr_m["groups"]
    both["parts"] = [
        f"dumps/{e.newest.name}/leaky.debug2.txt",
        f"dumps/{e.newest.name}/crashzoo.goroutine-all.txt",
    ]
    e.emit("rfc3339-logs", "leaky.debug2", both, _logs(3, 0) + d2 + _logs(4, 10) + cr + _logs(2, 20))


def _edited(e: Emitter, d2_m: Manifest, d2: str, sig_m: Manifest, sig: str, cr_m: Manifest, cr: str) -> None:
    """The dumps edited: CRLF, truncated, two captures in one file, tabs become spaces."""
    # CRLF line endings.
    e.emit("crlf", "leaky.debug2", d2_m, d2.replace("\n", "\r\n"))

    # Truncated mid-goroutine, mid-line, the way debug=2's 64 MiB cap cuts.
    cut = int(len(d2) * 0.6)
    while d2[cut] in "\n\t":
        cut += 1
    # Inside a frame's file path, past its neutral /home/gopher/ (a cut there reads as
    # another machine's home).
    cut = d2.index("\t", d2.index("\n", cut)) + 16
    kept = d2[:cut]
    trunc = json.loads(json.dumps(d2_m))
    for g in trunc["groups"]:
        full = [i for i in g["ids"] if _complete(kept, i)]
        g["ids"], g["count"] = full, len(full)
    trunc["groups"] = [g for g in trunc["groups"] if g["ids"]]
    e.emit("truncated", "leaky.debug2", trunc, kept, truncated=True, truncated_at=cut)

    # Two captures in one file, with log lines between.
    two = dict(d2_m)
    two["format"] = "mixed"
    two["parts"] = [f"dumps/{e.newest.name}/leaky.debug2.txt", f"dumps/{e.newest.name}/leaky.sigquit-all.txt"]
    two["groups"] = json.loads(json.dumps(d2_m["groups"]))
    for g, h in zip(two["groups"], sig_m["groups"], strict=True):
        g["ids"] = sorted(set(g["ids"]) | set(h["ids"]))
        g["count"] = len(g["ids"])  # ids are equal in both runs when start-up was reproducible
    e.emit("two-dumps", "leaky.debug2", two, d2 + _logs(3, 30) + sig)

    # Pasted into a chat or ticket: tabs became spaces.
    e.emit("spaces", "crashzoo.goroutine-all", cr_m, cr.replace("\t", "        "))
    e.emit("spaces4", "leaky.debug2", d2_m, d2.replace("\t", "    "))
