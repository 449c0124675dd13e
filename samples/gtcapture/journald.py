"""A crash dump as ``journalctl -o json`` prints it, made by the real systemd-journald: the dump
written into the journal by ``systemd-cat`` while another process logs at the same time; the
dump's entries as ``journalctl -r`` prints them, newest first in its default short format; and
both processes' entries, interleaved, as ``journalctl`` prints them oldest first in that format."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from tools.processes import no_core, stop

JOURNALD = "/lib/systemd/systemd-journald"
STDOUT_SOCKET = Path("/run/systemd/journal/stdout")
# The committed sample carries no identity of the capturing machine: these stand for its
# machine id, boot id and the journal's sequence number id (a cursor's s=).
NEUTRAL_HOSTNAME = "host"
NEUTRAL_MACHINE_ID = "0123456789abcdef0123456789abcdef"
NEUTRAL_BOOT_ID = "fedcba9876543210fedcba9876543210"
NEUTRAL_SEQNUM_ID = "00112233445566778899aabbccddeeff"
DUMP_ID, OTHER_ID = "crashzoo", "otherapp"
DUMP_EVERY, OTHER_EVERY, OTHER_DELAY = 0.004, 0.007, 0.03  # seconds between lines; the dump starts later
WHITESPACE = " \t\n\r"  # systemd's WHITESPACE
OTHER_LINES = [
    'level=info msg="request served" method=GET path=/api/v1/items/{n} status=200 dur={ms}ms',
    'level=info msg="cache refreshed" entries={e} dur={ms}ms',
    'level=warn msg="slow request" method=POST path=/api/v1/orders status=201 dur={s}.{ms}s',
    'level=info msg="health check" status=ok',
]
# journalctl's short format prints an entry's time in the local zone, the month by name: the
# short samples are read in UTC and the C locale, whatever the machine's.
SHORT_ENV = {"TZ": "UTC", "LC_TIME": "C"}
# One entry in the short format: time, hostname, identifier[pid], message.
SHORT_LINE = re.compile(r"([A-Z][a-z]{2} [0-3]\d \d\d:\d\d:\d\d) (\S+) ([^\s\[]+)\[(\d+)\]: (.*)")

Loaded = dict[str, tuple[dict[str, Any], str]]


def _run(argv: list[str], timeout: float = 30, env: dict[str, str] | None = None) -> str:
    if env is not None:
        env = {k: v for k, v in os.environ.items() if k != "LC_ALL"} | env
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=timeout, env=env).stdout


def _listening(path: Path) -> bool:
    """Whether a journald accepts stream connections on path (a stale socket refuses them)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(path))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def _journald(tmp: Path) -> Iterator[None]:
    """A running journald: the one there is, or one started here (as root) and stopped after."""
    if _listening(STDOUT_SOCKET):
        yield
        return
    if os.geteuid() != 0 or not Path(JOURNALD).is_file():
        raise RuntimeError(f"journald-json: no systemd-journald listens on {STDOUT_SOCKET}, and {JOURNALD} "
                           "cannot be started here (it needs root and the binary)")  # fmt: skip
    STDOUT_SOCKET.parent.mkdir(parents=True, exist_ok=True)
    with open(tmp / "journald.err", "w+") as err:
        proc = subprocess.Popen(
            [JOURNALD], stdin=subprocess.DEVNULL, stdout=err, stderr=err, preexec_fn=no_core
        )
        try:
            deadline = time.monotonic() + 10
            while not _listening(STDOUT_SOCKET):
                if proc.poll() is not None or time.monotonic() > deadline:
                    err.seek(0)
                    raise RuntimeError(f"journald-json: {JOURNALD} did not start (exit {proc.poll()}): "
                                       + err.read().strip()[-500:])  # fmt: skip
                time.sleep(0.05)
            yield
        finally:
            if proc.poll() is None:
                proc.terminate()  # SIGTERM: journald syncs its files and exits
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
            stop(proc, 10)


def _kept(line: str) -> str | None:
    """What journald 252 stores of one line of a stdout stream: trailing whitespace cut (unless
    the line is all whitespace), an empty line not stored at all."""
    return None if line == "" else line if line.strip(WHITESPACE) == "" else line.rstrip(WHITESPACE)


def _write_lines(proc: subprocess.Popen[str], lines: list[str], every: float, delay: float = 0.0) -> None:
    """Write lines into proc's stdin one at a time, ``every`` seconds apart, then close it."""
    assert proc.stdin is not None
    time.sleep(delay)
    for line in lines:
        proc.stdin.write(line + "\n")
        proc.stdin.flush()
        time.sleep(every)
    proc.stdin.close()


def _journal_both(dump: list[str], other: list[str]) -> tuple[str, str, str]:
    """Both writers at once, each its own ``systemd-cat -t``; the entries of their two
    identifiers since just before they started, as ``journalctl -o json`` prints them; then
    (the same entries, read once all are stored) the dump's as ``journalctl -r`` prints them,
    and both identifiers' as ``journalctl`` prints them (short format, oldest first).

    ``--since`` takes microseconds: journald stamps an entry with the time it received it, and no
    entry of an earlier run is that new. (``--after-cursor`` of the newest entry before would
    do, but journalctl 252 with ``-t`` then drops the first matching entry when the cursor's own
    entry does not match: it skips one entry after seeking, taking it for the cursor's.)"""
    us = time.time_ns() // 1000
    procs = [subprocess.Popen(["systemd-cat", "-t", ident], stdin=subprocess.PIPE, text=True)
             for ident in (DUMP_ID, OTHER_ID)]  # fmt: skip
    try:
        writers = [threading.Thread(target=_write_lines, args=(procs[0], dump, DUMP_EVERY, OTHER_DELAY)),
                   threading.Thread(target=_write_lines, args=(procs[1], other, OTHER_EVERY))]  # fmt: skip
        for w in writers:
            w.start()
        for w in writers:
            w.join(timeout=60)
        for p in procs:
            if p.wait(timeout=30) != 0:
                raise RuntimeError(f"journald-json: systemd-cat exited with {p.returncode}")
    finally:
        for p in procs:
            stop(p, 10)
    since = f"--since=@{us // 1_000_000}.{us % 1_000_000:06d}"
    argv = ["journalctl", "-o", "json", "--no-pager", "-t", DUMP_ID, "-t", OTHER_ID, since]
    want = {DUMP_ID: sum(_kept(ln) is not None for ln in dump), OTHER_ID: len(other)}
    for _ in range(100):  # journald stores what a stream sent a moment after the writer exits
        out = _run(argv)
        entries = [json.loads(ln) for ln in out.split("\n") if ln]
        got = {i: sum(e.get("SYSLOG_IDENTIFIER") == i for e in entries) for i in want}
        if got == want:
            pids = {e["_PID"] for e in entries}
            if pids != {str(p.pid) for p in procs}:
                raise RuntimeError(
                    f"journald-json: entries of other processes {pids} in the journal's output"
                )
            # One service's log, as `journalctl -r -u svc` shows it.
            reverse = _run(["journalctl", "-r", "--no-pager", "-t", DUMP_ID, since], env=SHORT_ENV)
            _same_entries("journald-reverse", [e for e in entries if e.get("SYSLOG_IDENTIFIER") == DUMP_ID],
                          reverse, newest_first=True)  # fmt: skip
            # Two services' log, as `journalctl -u svc -u other` shows it.
            two = _run(["journalctl", "--no-pager", "-t", DUMP_ID, "-t", OTHER_ID, since], env=SHORT_ENV)
            _same_entries("journald-two-units", entries, two, newest_first=False)
            return out, reverse, two
        time.sleep(0.1)
    raise RuntimeError(f"journald-json: the journal holds {got} entries, not {want}")


def _same_entries(name: str, entries: list[dict[str, Any]], short: str, newest_first: bool) -> None:
    """The short lines (of the sample ``name``) are the JSON entries, in their order or newest
    first: each one's time (UTC, to the second), identifier, pid and message, its tabs as the 8
    blanks journalctl prints for them."""
    lines = short.removesuffix("\n").split("\n") if short else []
    if len(lines) != len(entries):
        raise RuntimeError(f"{name}: {len(lines)} lines for {len(entries)} entries")
    for line, e in zip(lines, reversed(entries) if newest_first else entries, strict=True):
        m = SHORT_LINE.fullmatch(line)
        if not m:
            raise RuntimeError(f"{name}: not an entry in the short format: {line!r}")
        usec = int(e.get("_SOURCE_REALTIME_TIMESTAMP", e["__REALTIME_TIMESTAMP"]))
        when = time.strftime("%b %d %H:%M:%S", time.gmtime(usec // 1_000_000))
        msg = e["MESSAGE"]
        if not isinstance(msg, str):
            raise RuntimeError(f"{name}: a MESSAGE that is no printable text: {msg!r}")
        want = (when, e["_HOSTNAME"], e["SYSLOG_IDENTIFIER"], e["_PID"], msg.replace("\t", " " * 8))
        if m.groups() != want:
            raise RuntimeError(f"{name}: {line!r} is not the entry {want!r}")


def _neutral_short(name: str, out: str, entries: list[dict[str, Any]]) -> str:
    """journalctl's short lines with the hostname replaced by the neutral one; nothing else of
    the machine is in them (no machine id, boot id or cursor: checked)."""
    lines = []
    for line in out.removesuffix("\n").split("\n"):
        m = SHORT_LINE.fullmatch(line)
        assert m, line  # _same_entries matched every line
        lines.append(f"{line[: m.start(2)]}{NEUTRAL_HOSTNAME}{line[m.end(2) :]}\n")
    text = "".join(lines)
    for e in entries:
        for field in ("_MACHINE_ID", "_BOOT_ID", "__CURSOR"):
            if e[field] in out:
                raise RuntimeError(f"{name}: the output names {field} {e[field]}")
    return text


def _neutral(out: str) -> str:
    """journalctl's lines with the machine's hostname, machine id, boot id and the journal's
    sequence number id (in each ``__CURSOR``) replaced by neutral values, nothing else touched."""
    entries = [json.loads(ln) for ln in out.split("\n") if ln]
    cursors = [dict(part.split("=", 1) for part in e["__CURSOR"].split(";")) for e in entries]
    ids: dict[str, str] = {}
    for field, values, neutral in (
        ("_MACHINE_ID", {e["_MACHINE_ID"] for e in entries}, NEUTRAL_MACHINE_ID),
        ("_BOOT_ID", {e["_BOOT_ID"] for e in entries} | {c["b"] for c in cursors}, NEUTRAL_BOOT_ID),
        ("s=", {c["s"] for c in cursors}, NEUTRAL_SEQNUM_ID),
    ):
        if len(values) != 1 or not re.fullmatch("[0-9a-f]{32}", next(iter(values))):
            raise RuntimeError(f"journald-json: not one 128-bit id in {field}: {sorted(values)}")
        ids[values.pop()] = neutral
    hosts = {e["_HOSTNAME"] for e in entries}
    lines = []
    for line in out.split("\n")[:-1]:
        for real, neutral in ids.items():
            line = line.replace(real, neutral)
        for host in hosts:
            line = line.replace(f'"_HOSTNAME":{json.dumps(host)}', f'"_HOSTNAME":"{NEUTRAL_HOSTNAME}"')
        lines.append(line + "\n")
    text = "".join(lines)
    # Only those values changed: every field of every entry is what journalctl printed, or its
    # neutral stand-in, and the fields are in journalctl's order.
    for old, new in zip(entries, (json.loads(ln) for ln in lines), strict=True):
        if list(old) != list(new):
            raise RuntimeError("journald-json: a field moved")
        for k, v in old.items():
            if k == "__CURSOR":
                v = ";".join(f"{p[:2]}{ids.get(p[2:], p[2:])}" for p in v.split(";"))
            expect = NEUTRAL_HOSTNAME if k == "_HOSTNAME" else ids.get(v, v) if isinstance(v, str) else v
            if new[k] != expect:
                raise RuntimeError(f"journald-json: {k} is {new[k]!r}, not {expect!r}")
    return text


def journald_samples(d: Loaded, emit: Callable[..., None]) -> None:
    """crashzoo's panic written into the real journal by ``systemd-cat -t crashzoo`` while
    ``systemd-cat -t otherapp`` logs, as ``journalctl -o json`` prints both (journald-json);
    crashzoo's own entries, as ``journalctl -r`` prints them newest first (journald-reverse); and
    both, as ``journalctl`` prints them oldest first in its short format (journald-two-units)."""
    cr_m, cr = d["crashzoo.goroutine-all"]
    dump = cr.removesuffix("\n").split("\n")
    other = [OTHER_LINES[i % len(OTHER_LINES)].format(n=40 + 3 * i, ms=2 + (7 * i) % 23, e=1000 + 17 * i, s=i % 3)
             for i in range(36)]  # fmt: skip
    for _ in range(3):  # the two writers' lines interleave unless the scheduler kept them apart
        with tempfile.TemporaryDirectory(prefix="gtriage-journald-") as tmp, _journald(Path(tmp)):
            out, reverse, two = _journal_both(dump, other)
        idents = [json.loads(ln)["SYSLOG_IDENTIFIER"] for ln in out.split("\n") if ln]
        first, last = idents.index(DUMP_ID), len(idents) - 1 - idents[::-1].index(DUMP_ID)
        if OTHER_ID in idents[first:last]:
            break
    else:
        raise RuntimeError("journald-json: the two writers' lines did not interleave in three runs")
    version = _run(["journalctl", "--version"]).split("\n")[0]
    entries = [json.loads(ln) for ln in out.split("\n") if ln]
    emit("journald-json", "crashzoo.goroutine-all", cr_m, _neutral(out), plain=cr,
         how=f"the real journal of {version} (systemd-journald, started by hand when no journald ran; "
         "its own config): crashzoo.goroutine-all.txt written line by line (4 ms apart) into 'systemd-cat -t "
         "crashzoo' while 'systemd-cat -t otherapp' got 36 ordinary log lines (7 ms apart, starting 30 ms "
         "earlier), so the two streams' entries interleave as journald received them; then 'journalctl -o json "
         "--no-pager -t crashzoo -t otherapp --since=@<seconds.microseconds just before the writers started>', "
         "one JSON object a line, "
         "fields in journalctl's order. journald keeps no empty line of a stream (the dump's blank lines before "
         "each goroutine header and after the panic line are not in the journal) and cuts trailing whitespace "
         "(the dump has none). _HOSTNAME is rewritten to 'host', _MACHINE_ID to "
         f"{NEUTRAL_MACHINE_ID}, _BOOT_ID and a __CURSOR's b= to {NEUTRAL_BOOT_ID}, a __CURSOR's s= (the "
         f"journal's sequence number id) to {NEUTRAL_SEQNUM_ID}; everything else (_PID, _STREAM_ID, timestamps, "
         "the cursors' i=, m=, t= and x= hash) is as journalctl printed it")  # fmt: skip
    emit("journald-reverse", "crashzoo.goroutine-all", cr_m, _neutral_short("journald-reverse", reverse, entries),
         plain=cr, how=_short_how(version, "reads a service's log newest first: 'journalctl -r --no-pager -t crashzoo "
         "--since=@<the same seconds.microseconds>' (the service alone, as 'journalctl -r -u svc' shows it)", "",
         "The dump's lines are last to first.", ""))  # fmt: skip
    emit("journald-two-units", "crashzoo.goroutine-all", cr_m, _neutral_short("journald-two-units", two, entries),
         plain=cr, how=_short_how(version, "reads the log of two services together: 'journalctl --no-pager -t "
         "crashzoo -t otherapp --since=@<the same seconds.microseconds>' (as 'journalctl -u svc -u other' shows "
         "it)", "oldest first ", "The dump's lines (crashzoo) are interleaved with otherapp's 36 ordinary log lines "
         "as journald received them.", ", in the same order"))  # fmt: skip


def _short_how(version: str, reads: str, oldest: str, lines: str, order: str) -> str:
    """The manifest's "how" of a sample in journalctl's short format: what was run (`reads`),
    in which order it lists (`oldest`), what became of the dump's lines, and in which
    `order` each line was checked."""
    return (
        f"the same journal entries as journald-json.txt (the same run of {version}), as an on-call engineer "
        f"{reads} with TZ=UTC and LC_TIME=C, {oldest}in journalctl's default short format ('Mon DD HH:MM:SS host "
        f"ident[pid]: message', the time in seconds). {lines} Without -a journalctl prints each tab of a message "
        "as 8 blanks, so a location line starts with 8 blanks, not a tab. journald keeps no empty line of a "
        "stream (the dump's blank lines before each goroutine header and after the panic line are not in the "
        "journal). The hostname is rewritten to 'host'; the short format names no machine id, boot id or cursor "
        f"(checked); every line was checked against its JSON entry{order} (time, identifier, pid, message)"
    )


def journal_series(dumps: list[list[str]], ident: str, spacing: float) -> tuple[str, list[str], list[int]]:
    """Dumps one process wrote to its log `spacing` seconds apart, each all at once, through one
    ``systemd-cat -t ident`` into the real journal (started by hand when none runs): its log as
    ``journalctl -u svc`` prints it (short format, UTC, C locale, the hostname neutral), each
    dump's first entry's time as that line prints it, and in microseconds since the epoch.
    Every line is checked against its ``journalctl -o json`` entry."""
    us = time.time_ns() // 1000
    with tempfile.TemporaryDirectory(prefix="gtriage-journald-") as tmp, _journald(Path(tmp)):
        proc = subprocess.Popen(["systemd-cat", "-t", ident], stdin=subprocess.PIPE, text=True)
        try:
            assert proc.stdin is not None
            for i, lines in enumerate(dumps):
                if i:
                    time.sleep(spacing)
                proc.stdin.write("".join(line + "\n" for line in lines))
                proc.stdin.flush()
            proc.stdin.close()
            if proc.wait(timeout=30) != 0:
                raise RuntimeError(f"journald-series: systemd-cat exited with {proc.returncode}")
        finally:
            stop(proc, 10)
        since = f"--since=@{us // 1_000_000}.{us % 1_000_000:06d}"
        kept = [[ln for ln in lines if _kept(ln) is not None] for lines in dumps]
        want = sum(map(len, kept))
        for _ in range(100):  # journald stores what a stream sent a moment after the writer exits
            out = _run(["journalctl", "-o", "json", "--no-pager", "-t", ident, since])
            entries = [json.loads(ln) for ln in out.split("\n") if ln]
            if len(entries) == want:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"journald-series: the journal holds {len(entries)} entries, not {want}")
        if {e["_PID"] for e in entries} != {str(proc.pid)}:
            raise RuntimeError("journald-series: entries of other processes in the journal's output")
        short = _run(["journalctl", "--no-pager", "-t", ident, since], env=SHORT_ENV)
    _same_entries("journald-series", entries, short, newest_first=False)
    firsts, at = [], 0
    for lines in kept:
        firsts.append(int(entries[at].get("_SOURCE_REALTIME_TIMESTAMP", entries[at]["__REALTIME_TIMESTAMP"])))
        at += len(lines)
    shown = [time.strftime("%b %d %H:%M:%S", time.gmtime(u // 1_000_000)) for u in firsts]
    return _neutral_short("journald-series", short, entries), shown, firsts
