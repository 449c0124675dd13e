"""Taking dump text out of what carried it (carriers.py): plain text, CRLF, and the streams
JSON-lines logs carry (json_logs.py)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from gtriage.carriers import read_streams
from gtriage.parse import parse_text
from gtriage.pipeline import analyze_text
from gtriage.render.json import render_json
from gtriage.render.text import render_text
from manifests import SAMPLES


def streams(text: str) -> list[tuple[str, str, list[int]]]:
    """(name, text, input line of each stream line) of every stream of `text`."""
    out = []
    for s in read_streams(io.StringIO(text)):
        body = "".join(s.chunks)
        n = body.count("\n") + (0 if body.endswith("\n") or not body else 1)
        lm = s.line_map
        out.append((s.name, body, [lm(i) if lm is not None else i for i in range(1, n + 1)]))
    return out


def test_plain_text_is_one_stream_unchanged() -> None:
    text = "log line\ngoroutine 1 [running]:\nmain.main()\n\t/m.go:3 +0x1d\n"
    assert streams(text) == [("-", text, [1, 2, 3, 4])]


def test_crlf_across_chunk_boundaries() -> None:
    text = ("goroutine 1 [running]:\r\nmain.main()\r\n\t/m.go:3 +0x1d\r\n\r\n" * 40000)
    ((_, body, _),) = streams(text)
    assert body == text.replace("\r\n", "\n")


def test_go_test_json_packages_interleaved() -> None:
    def ev(pkg: str, out: str) -> str:
        return json.dumps({"Time": "2026-11-25T10:00:00Z", "Action": "output", "Package": pkg, "Output": out})

    lines = [
        ev("a", "panic: boom\n"),
        ev("b", "=== RUN   TestB\n"),
        ev("a", "\n"),
        ev("a", "goroutine 7 [running]:\n"),
        ev("b", "--- PASS: TestB (0.00s)\n"),
        ev("a", "main.f("),  # test2json splits a long line over two events
        ev("a", ")\n\t/m.go:3 +0x1d\n"),
    ]
    got = streams("".join(line + "\n" for line in lines))
    assert got[0] == ("-", "", [])
    assert got[1] == ("go test -json a", "panic: boom\n\ngoroutine 7 [running]:\nmain.f()\n\t/m.go:3 +0x1d\n", [1, 3, 4, 6, 7])
    assert got[2][0] == "go test -json b"
    assert got[2][2] == [2, 5]


def journal_entry(i: int, pid: int, ident: str, message: str | list[int], micros: int = 1796065043481181) -> str:
    """One line of `journalctl -o json` (systemd 252), its fields as it printed them for a
    line written through systemd-cat; the ids are neutral."""
    boot = "600094e52fff47ad81b76060f3727a7c"
    return json.dumps(
        {
            "__CURSOR": f"s=1d966241cfdc431abdebc4812318b4e5;i={160 + i:x};b={boot};m=bf8804774;t=66182fae9025d;x=cd98",
            "__REALTIME_TIMESTAMP": str(micros + i),
            "__MONOTONIC_TIMESTAMP": "51413796724",
            "_BOOT_ID": boot,
            "_TRANSPORT": "stdout",
            "PRIORITY": "6",
            "SYSLOG_IDENTIFIER": ident,
            "_PID": str(pid),
            "_UID": "0",
            "_GID": "0",
            "_MACHINE_ID": "3d1219c7c4c5404aaa1f6d2a48adfda4",
            "_HOSTNAME": "host",
            "_RUNTIME_SCOPE": "system",
            "_STREAM_ID": "6d2c7cf9e8f241cf80d4831193ef562b",
            "MESSAGE": message,
        },
        separators=(",", ":"),
    )


def test_journald_json_one_stream_per_process() -> None:
    # Two processes logging side by side, and the crashed one restarted (another PID). A
    # line that is no printable UTF-8 comes as an array of bytes; journald keeps no empty
    # line (samples/wrapped/journald-json.txt is a real export).
    entries = [
        journal_entry(0, 2098, "crashzoo", "panic: boom"),
        journal_entry(1, 2100, "otherapp", "serving"),
        journal_entry(2, 2100, "otherapp", "  indented"),
        journal_entry(3, 2098, "crashzoo", "goroutine 7 [running]:"),
        journal_entry(4, 2100, "otherapp", list(b"bad \xff byte")),
        journal_entry(5, 2098, "crashzoo", "main.f()"),
        journal_entry(6, 2098, "crashzoo", "\t/m.go:3 +0x1d"),
        journal_entry(7, 2131, "crashzoo", "started"),
    ]
    got = streams("".join(e + "\n" for e in entries))
    assert got == [
        ("-", "", []),
        ("journald host: crashzoo[2098]", "panic: boom\ngoroutine 7 [running]:\nmain.f()\n\t/m.go:3 +0x1d\n", [1, 4, 6, 7]),
        ("journald host: otherapp[2100]", "serving\n  indented\nbad \ufffd byte\n", [2, 3, 5]),
        ("journald host: crashzoo[2131]", "started\n", [8]),
    ]


def test_a_json_line_that_carries_nothing_is_left_out() -> None:
    got = streams('{"level":"info","msg":"up"}\nplain\n')
    assert got == [("-", "plain\n", [2])]


DOCKER_LOGS = {
    "plain": ["goroutine 1 [running]:\n", "main.main()\n", "\t/x/m.go:3 +0x1d\n"],
    "quotes and slashes": ['panic: say "hi" / <b> & co\n', "\n"],
    "an escaped backslash": ["a \\n is no line break\n", "x\n"],
    # dockerd's pieces of a longer line are 16 KiB (of UTF-8) each, the last with the break.
    "a line split at 16 KiB": ["x" * 16384, "y\n", "z\n"],
    "split in UTF-8": ["\u00e9" * 8192, "\u00e9" * 8192, "end\n"],
    "control characters": ["bell \x07 and \x1b[2J\n"],
}


@pytest.mark.parametrize("logs", DOCKER_LOGS.values(), ids=DOCKER_LOGS.keys())
def test_docker_logs_decode_as_json_does(logs: list[str]) -> None:
    # Whole chunks take the few-pass path, odd ones the line by line path: both must give
    # what json.loads gives, stdout and stderr in the order written. (Go's encoder escapes <, > and & as \u003c...; so does this.)
    text = "".join(
        json.dumps({"log": log, "stream": "stderr", "time": "2026-11-25T10:00:00.1Z"}, separators=(",", ":"))
        .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        + "\n"
        for log in logs
    )
    # As `docker logs` prints them: the input's own stream, each line numbered by the
    # docker line it starts in.
    starts, at_start = [], True
    for n, log in enumerate(logs, 1):
        starts += [n] * (at_start + log.count("\n") - log.endswith("\n"))
        at_start = log.endswith("\n")
    assert streams(text) == [("-", "".join(logs), starts)]


def test_journald_json_dumps_are_timed_by_the_journal() -> None:
    # A service that crashed, restarted and crashed again 90 s later: each dump's time is
    # its entries' own (__REALTIME_TIMESTAMP), which a series orders and rates by.
    crash = Path(__file__).resolve().parent.parent / "samples" / "dumps" / "go1.27" / "crashzoo.goroutine-all.txt"
    lines = [line for line in crash.read_text().split("\n") if line]  # journald keeps no empty line
    start = 1796065043481181
    entries = [journal_entry(i, 2098, "svc", line, start) for i, line in enumerate(lines)]
    entries += [journal_entry(i, 2140, "svc", line, start + 90_000_000) for i, line in enumerate(lines)]
    snaps = parse_text("".join(e + "\n" for e in entries)).snapshots
    assert [s.taken_at for s in snaps] == [start // 1_000_000, start // 1_000_000 + 90]


SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "src/gtriage/schema/report.schema.json").read_text())


def _restarted(ident: str) -> tuple[str, int]:
    """A service that crashed, restarted and crashed again 90 s later, as `journalctl -o json`
    exports it, and the goroutines each crash printed."""
    crash = Path(__file__).resolve().parent.parent / "samples" / "dumps" / "go1.27" / "crashzoo.goroutine-all.txt"
    lines = [line for line in crash.read_text().split("\n") if line]  # journald keeps no empty line
    entries = [journal_entry(i, 2098, ident, line) for i, line in enumerate(lines)]
    entries += [journal_entry(i, 2140, ident, line, 1796065043481181 + 90_000_000) for i, line in enumerate(lines)]
    return "".join(e + "\n" for e in entries), sum(line.startswith("goroutine ") for line in lines)


def test_journald_json_dumps_name_the_process_that_wrote_them() -> None:
    # Each crash is its own process's: the report says the dumps were written by two
    # processes (a service restarted between them), and no goroutine moves between them.
    # The first is a panic the runtime printed as its process died: that says it too.
    text, printed = _restarted("svc")
    snaps = parse_text(text).snapshots
    assert [(s.process, len(s.goroutines)) for s in snaps] == [("svc[2098]", printed), ("svc[2140]", printed)]
    report = analyze_text(text)
    assert (
        "2 dumps in the input, the last one reported, restarted before the last dump (the one before ended its "
        "process): compared with another process's, written by 2 processes (svc[2098], svc[2140])"
    ) in render_text(report)
    doc = json.loads(render_json(report))
    jsonschema.validate(doc, SCHEMA)
    assert [d["process"] for d in doc["snapshots"]] == ["svc[2098]", "svc[2140]"]
    # A plain dump names no process.
    assert [d["process"] for d in json.loads(render_json(analyze_text(SAMPLES.joinpath("demo.txt").read_text())))["snapshots"]] == [None]


def test_a_process_name_from_the_journal_is_inert() -> None:
    text, _ = _restarted("svc\x1b[2J")
    shown = render_text(analyze_text(text))
    assert "\x1b" not in shown
    assert "svc\\x1b[2J[2098]" in shown


def _docker(records: list[dict[str, str]]) -> str:
    return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)


def test_a_damaged_docker_line_is_read_as_the_text_it_is() -> None:
    # Found by mutating the real sample: a "log" that is no JSON string (an escape JSON has
    # not) crashed the reading. Such a line is the text it is: outside the dump it changes
    # nothing, inside it is one line the dump's reader could not place, counted.
    path = Path(__file__).resolve().parent.parent / "samples" / "wrapped" / "docker-jsonfile.txt"
    lines = path.read_text().split("\n")
    app = next(i for i, line in enumerate(lines) if "POST /cart" in line)
    lines[app] = lines[app].replace("POST", "PO\\qST")
    frame = next(i for i, line in enumerate(lines) if "main.go:99" in line)
    lines[frame] = lines[frame].replace("main.go:99", "main.go:9\\x9")
    whole = analyze_text(path.read_text())
    damaged = analyze_text("\n".join(lines))
    assert damaged.goroutines == whole.goroutines
    assert damaged.crash == whole.crash
    assert damaged.unparsed_lines == whole.unparsed_lines + 1
    assert damaged.unparsed_samples[0].line in (frame, frame + 1)  # the call over it, or itself (input lines)
    assert damaged.carriers == whole.carriers


def test_docker_records_without_line_breaks_are_lines() -> None:
    # Log shippers (fluent-bit, promtail, Vector) and CRI parsers keep docker's record but
    # drop each line's break; CRI's "logtag" says which records are pieces of one line.
    lines = ["goroutine 1 [running]:", "main.main()", "\t/x/m.go:3 +0x1d", ""]
    shipped = _docker([{"log": line, "stream": "stderr", "time": "2026-11-25T10:00:00.1Z"} for line in lines])
    assert streams(shipped) == [("-", "".join(line + "\n" for line in lines), [1, 2, 3, 4])]
    cri = _docker([
        {"time": "2026-11-25T10:00:00.1Z", "stream": "stderr", "logtag": "P", "log": "goroutine 1 "},
        {"time": "2026-11-25T10:00:00.1Z", "stream": "stderr", "logtag": "F", "log": "[running]:"},
        {"time": "2026-11-25T10:00:00.1Z", "stream": "stderr", "logtag": "F", "log": "main.main()"},
    ])  # fmt: skip
    assert streams(cri) == [("-", "goroutine 1 [running]:\nmain.main()\n", [1, 3])]


def test_a_shipped_docker_log_reads_as_docker_s_own() -> None:
    # The real docker json-file sample with every line's break dropped, as a shipper sends it.
    sample = SAMPLES / "wrapped" / "docker-json.txt"
    records = [json.loads(line) for line in sample.read_text().splitlines()]
    for r in records:
        r["log"] = r["log"].removesuffix("\n")
    shipped, own = parse_text(_docker(records)), parse_text(sample.read_text())
    assert [len(s.goroutines) for s in shipped.snapshots] == [len(s.goroutines) for s in own.snapshots]
    assert shipped.snapshots == own.snapshots


_SIGQUIT = SAMPLES / "dumps" / "go1.27" / "leaky.sigquit-all.txt"


def _ids(text: str) -> list[dict[int, object]]:
    return [{g.id: (g.state, g.stack, g.values) for g in s.goroutines} for s in parse_text(text).snapshots if s.goroutines]


@pytest.mark.parametrize(
    "colour",
    [
        # stern --color always: the pod and the container each in their colour (fatih/color).
        lambda line: f"\x1b[36mweb-7d4b9c8f5-xk2lp\x1b[0m \x1b[32mapp\x1b[0m {line}",
        # A colourizer's bold headers, and a `script` recording's erase-in-line.
        lambda line: f"\x1b[1m{line}\x1b[0m" if line.startswith("goroutine ") else f"{line}\x1b[K",
        # 256 colours and the colon form.
        lambda line: f"\x1b[38;5;245m{line}\x1b[39m" if line.startswith("\t") else f"\x1b[38:2:1:2:3m{line}\x1b[m",
    ],
    ids=["stern", "bold headers", "256 colours"],
)
def test_terminal_colours_are_taken_off(colour: object) -> None:
    assert callable(colour)
    plain = _SIGQUIT.read_text()
    coloured = "".join(colour(line) + "\n" for line in plain.splitlines())
    assert _ids(coloured) == _ids(plain)
    dump = parse_text(coloured)
    assert "terminal colours (removed)" in dump.carriers
    assert sum(s.unparsed_lines for s in dump.snapshots) == 0
    # Each goroutine at its own input line.
    lines = coloured.split("\n")
    assert all(f"goroutine {g.id} " in lines[g.line - 1] for s in dump.snapshots for g in s.goroutines)


def test_other_control_sequences_are_the_dump_s_text() -> None:
    # A title or a screen clear is no log's colour: it stays in the text (spelled out when shown).
    dump = parse_text("goroutine 1 [select]:\nmain.evil\x1b]0;pwned\x07()\n\t/a/\x1b[2Jm.go:3 +0x1\n")
    assert dump.carriers == ()
    (g,) = dump.snapshots[0].goroutines
    assert g.stack.frames[0].func == "main.evil\x1b]0;pwned\x07"
    assert g.stack.frames[0].file == "/a/\x1b[2Jm.go"
