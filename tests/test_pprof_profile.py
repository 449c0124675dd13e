"""pprof's binary goroutine profile (debug=0): the real captures of the locks program read
into the same clusters as debug=1 of the same moment, damaged and hostile profiles end in
one line, and the input is told from text by its bytes."""

from __future__ import annotations

import gzip
import http.server
import io
import json
import random
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gtriage import pprof_profile
from gtriage.errors import INPUT_ERRORS, SourceError
from gtriage.http_fetch import profile_url, text_profile_url
from gtriage.pipeline import analyze, analyze_inputs, analyze_text
from gtriage.pprof_profile import MAX_STACK, read_profile
from gtriage.profile_sniff import PROBE, looks_like_profile
from gtriage.render.json import report_obj
from gtriage.report import Report
from manifests import SAMPLES

PROFILES = sorted(SAMPLES.glob("dumps/go1.*/locks.debug0.pb.gz"))
NEWEST = PROFILES[-1]
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "src/gtriage/schema/report.schema.json").read_text())


def _ids(paths: list[Path]) -> list[str]:
    return [p.parent.name for p in paths]


def _clusters(report: Report) -> Counter[tuple[str, str, int, int]]:
    return Counter((c.blocked_at.func, c.blocked_at.file, c.blocked_at.line, c.count) for c in report.clusters)


def _connection(key: tuple[str, str, int, int]) -> bool:
    """A cluster the HTTP connection that fetched the profiles may have moved between the
    two requests (samples/README.md, "Locks"): one goroutine outside the program's groups,
    in the standard library or the runtime, or with no frames at all (Go 1.19 records a
    goroutine it caught running without its stack)."""
    _func, file, _line, count = key
    return count == 1 and (file == "" or file.startswith("/usr/local/go/src/"))


# Sample rows: under dumps/go1.27/ they are in the quick loop, the other releases are `slow`
# (tests/conftest.py marks them by the path).
@pytest.mark.parametrize("path", PROFILES, ids=_ids(PROFILES))
def test_same_clusters_as_debug1_of_the_same_moment(path: Path) -> None:
    profile = analyze(str(path))
    text = analyze(str(path.parent / "locks.debug1.txt"))
    assert profile.format == "pprof"
    assert profile.goroutines == sum(c.count for c in profile.clusters) == text.goroutines
    assert all(c.state == "" for c in profile.clusters)  # pprof records no states
    ours, theirs = _clusters(profile), _clusters(text)
    differ = (ours - theirs) + (theirs - ours)
    assert all(_connection(k) for k in differ), differ
    assert sum((ours - theirs).values()) == sum((theirs - ours).values()) <= 1


@pytest.mark.parametrize("path", PROFILES, ids=_ids(PROFILES))
def test_every_group_of_the_manifest_is_one_cluster(path: Path) -> None:
    manifest = json.loads(path.with_name("locks.debug0.json").read_text())
    report = analyze(str(path))
    assert manifest["groups"]
    for g in manifest["groups"]:
        want = g["blocked_at"]
        found = [
            c for c in report.clusters
            if c.blocked_at.func == want["func"] and c.blocked_at.line == want["line"]
            and c.blocked_at.file == f"/home/gopher/samples/locks/{want['file']}"
        ]
        assert [c.count for c in found] == [g["count"]], g["key"]


def test_json_report_validates_and_says_pprof() -> None:
    obj = report_obj(analyze(str(NEWEST)))
    jsonschema.validate(obj, SCHEMA)
    assert obj["format"] == "pprof"
    assert [s["format"] for s in obj["snapshots"]] == ["pprof"]


def test_frames_innermost_first_with_inlined_calls_expanded() -> None:
    report = analyze(str(NEWEST))
    top = report.clusters[0]
    funcs = [f.func for f in top.frames]
    # sync.(*Mutex).Lock and internal/sync.(*Mutex).Lock are inlined into main.(*Store).Get:
    # one location of three lines, innermost first, as debug=1 prints them.
    i = funcs.index("internal/sync.(*Mutex).Lock")
    assert funcs[i : i + 3] == ["internal/sync.(*Mutex).Lock", "sync.(*Mutex).Lock", "main.(*Store).Get"]
    assert funcs[0] == "runtime.gopark"  # the profile keeps the runtime frames debug=1 leaves out


# --- made profiles ----------------------------------------------------------------------


def make_profile(
    samples: list[tuple[list[int], list[int], list[tuple[str, str | int]]]],
    *,
    types: tuple[tuple[str, str], ...] = (("goroutine", "count"),),
    locations: dict[int, list[tuple[int, int]]] | None = None,
    functions: dict[int, tuple[str, str]] | None = None,
) -> bytes:
    """A Profile's bytes, encoded by the same message class the reader decodes with: samples
    as (location ids, values, labels), locations as id -> [(function id, line)], functions
    as id -> (name, file)."""
    strings = [""]

    def s(text: str) -> int:
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    msg: Any = pprof_profile._profile_class()()
    for kind, unit in types:
        msg.sample_type.add(type=s(kind), unit=s(unit))
    for ids, values, labels in samples:
        sample = msg.sample.add(location_id=ids, value=values)
        for key, value in labels:
            if isinstance(value, str):
                sample.label.add(key=s(key), str=s(value))
            else:
                sample.label.add(key=s(key), num=value, num_unit=s("bytes"))
    for loc_id, lines in (locations or {1: [(1, 10)]}).items():
        loc = msg.location.add(id=loc_id)
        for fn, line in lines:
            loc.line.add(function_id=fn, line=line)
    for fn_id, (name, file) in (functions or {1: ("main.f", "/src/app/f.go")}).items():
        msg.function.add(id=fn_id, name=s(name), system_name=s(name), filename=s(file))
    msg.string_table.extend(x.encode() for x in strings)
    data: bytes = msg.SerializeToString()
    return data


@pytest.mark.parametrize(("nanos", "taken"), [
    (1_796_025_481_018_313_196, 1_796_025_481.018313196),
    (0, None),  # a profile that says no time
    (-5, None),
])
def test_a_profile_s_own_time_is_its_snapshot_s(nanos: int, taken: float | None) -> None:
    msg: Any = pprof_profile._profile_class()()
    msg.ParseFromString(make_profile([([1], [1], [])]))
    msg.time_nanos = nanos
    assert read_profile(msg.SerializeToString(), "p").snapshots[0].taken_at == taken


def test_labels_read_as_debug1_prints_them_sorted() -> None:
    data = make_profile([([1], [3], [("tenant", "acme"), ("job", "export"), ("size", 42)])])
    (rec,) = read_profile(data, "p").snapshots[0].records
    assert rec.count == 3
    assert rec.labels == (("job", "export"), ("size", "42 bytes"), ("tenant", "acme"))
    assert [(f.func, f.file, f.line) for f in rec.frames] == [("main.f", "/src/app/f.go", 10)]


def test_the_count_is_the_value_of_the_goroutine_type() -> None:
    data = make_profile([([1], [7, 2], [])], types=(("other", "bytes"), ("goroutine", "count")))
    assert read_profile(data, "p").snapshots[0].profile_total == 2


def test_a_deep_stack_is_cut_and_said() -> None:
    deep = {1: [(1, n) for n in range(1, 101)]}
    data = make_profile([([1] * 50, [1], [])], locations=deep)
    snap = read_profile(data, "p").snapshots[0]
    assert len(snap.records[0].frames) == MAX_STACK
    assert snap.unparsed_lines == 1
    assert "5,000 frames, cut at" in snap.issues[0].reason


def test_records_of_one_stack_share_it() -> None:
    data = make_profile([([1], [1], [("id", str(i))]) for i in range(100)])
    records = read_profile(data, "p").snapshots[0].records
    assert len({id(r.frames) for r in records}) == 1


@pytest.mark.parametrize(
    ("data", "words"),
    [
        pytest.param(make_profile([([1], [1], [])], types=(("alloc_space", "bytes"),)),
                     "alloc_space/bytes, not of goroutines", id="heap-profile"),
        pytest.param(make_profile([([1], [1], [])], types=()), "no sample type", id="no-sample-type"),
        pytest.param(make_profile([([9], [1], [])]), "location 9, which the profile does not hold", id="no-location"),
        pytest.param(make_profile([([1], [1], [])], locations={1: [(5, 1)]}), "function 5", id="no-function"),
        pytest.param(make_profile([([1], [-1], [])]), "counts -1 goroutines", id="negative-count"),
        pytest.param(make_profile([([1], [1, 1], [])]), "2 values for 1 sample types", id="values-off"),
        pytest.param(make_profile([([1], [1], [])]).replace(b"main.f", b"main\xff\xfe"), None, id="not-utf8-is-no-error"),
    ],
)
def test_profiles_that_do_not_hold_together(data: bytes, words: str | None) -> None:
    if words is None:
        assert read_profile(data, "p").snapshots[0].records[0].frames[0].func == "main\ufffd\ufffd"
        return
    with pytest.raises(SourceError, match="not a valid pprof profile") as e:
        read_profile(data, "p")
    assert words in str(e.value)
    assert "\n" not in str(e.value)


def test_the_frames_of_all_stacks_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pprof_profile, "MAX_FRAMES", 1000)
    data = make_profile([([1] * (n + 1), [1], []) for n in range(100)])
    with pytest.raises(SourceError, match="more than 1,000 frames"):
        read_profile(data, "p")


def test_too_big_a_profile_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pprof_profile, "MAX_PROFILE_BYTES", 100)
    with pytest.raises(SourceError, match="more than 0 MiB"):
        read_profile(make_profile([([1], [1], [])] * 20), "p")


# --- telling it from text, and damage -----------------------------------------------------

RAW = gzip.decompress(NEWEST.read_bytes())


def _outcome(data: bytes) -> str:
    """"ok", or the one-line error, for `data` given on stdin."""
    try:
        report = analyze_inputs(["-"], stdin=io.BytesIO(data))
    except INPUT_ERRORS as e:
        message = str(e)
        assert "\n" not in message
        return message
    assert report.format == "pprof"
    return "ok"


def test_the_real_profile_is_told_from_text() -> None:
    assert looks_like_profile(RAW[: PROBE])
    for text in (
        (SAMPLES / "demo.txt").read_bytes(),
        (NEWEST.parent / "locks.debug1.txt").read_bytes(),
        b"\n\n\n\n\n\n\n\n\n\n\n\ngoroutine 1 [running]:\n",  # "\n" is field 1's tag
        b"2024-05-01T10:00:00Z goroutine 1 [running]:\n",  # "2" is field 6's
        b"",
    ):
        assert not looks_like_profile(text[: PROBE])


def test_a_cut_profile_is_one_line_never_a_traceback() -> None:
    # Cut anywhere in the gunzipped bytes: decoded or refused, one line. A cut among the
    # last strings (no sample uses them) is undetectable and reads.
    outcomes = Counter(_outcome(RAW[:n]) for n in range(1, len(RAW), 7))
    assert outcomes["ok"] <= 3
    assert any("does not decode: damaged or cut off" in k for k in outcomes)
    # Cut inside the gzip stream: gzip says so.
    gz = NEWEST.read_bytes()
    assert "gzip data ends early" in _outcome(gz[: len(gz) // 2])


def test_damaged_and_random_bytes_are_one_line() -> None:
    rng = random.Random(16)
    seen: Counter[str] = Counter()
    for i in range(300):
        data = bytearray(RAW)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        seen[_outcome(bytes(data))[:40]] += 1
        noise = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        seen[_outcome(RAW[: i % 40] + noise)[:40]] += 1
    assert sum(seen.values()) == 600


def test_a_binary_that_is_no_profile_keeps_its_hint() -> None:
    message = _outcome(bytes(range(256)) * 8)
    assert "the input is binary" in message
    assert "debug=2" in message


def test_text_still_reads_as_text() -> None:
    assert analyze_text((NEWEST.parent / "locks.debug1.txt").read_text()).format == "debug1"


# --- URLs and the command line ------------------------------------------------------------


def test_profile_url() -> None:
    base = "http://h:6060/debug/pprof/goroutine"
    assert text_profile_url(base) == base + "?debug=2"
    assert profile_url(base, 0) == base + "?debug=0"
    assert profile_url(base + "?debug=2", 0) == base + "?debug=2"  # the URL's own word wins
    assert profile_url(base + "?seconds=1", 0) == base + "?seconds=1&debug=0"
    assert profile_url("http://h:6060/debug/pprof/heap", 0) == "http://h:6060/debug/pprof/heap"


class _Pprof(http.server.BaseHTTPRequestHandler):
    """Like net/http/pprof: the gzipped profile for no debug= or debug=0, text otherwise."""

    def do_GET(self) -> None:
        if "debug=" not in self.path or "debug=0" in self.path:
            body = NEWEST.read_bytes()
        else:
            body = (NEWEST.parent / "locks.debug1.txt").read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def pprof_server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pprof)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/debug/pprof/goroutine"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gtriage", *args], input=stdin.decode("latin-1"), capture_output=True,
        text=True, encoding="latin-1", timeout=60, check=False,
    )


def test_cli_urls_files_and_stdin(pprof_server: str, tmp_path: Path) -> None:
    for args, fmt in (
        ([pprof_server], "debug1"),  # ?debug=2 stays the default (this server answers debug=1)
        (["--debug0", pprof_server], "pprof"),
        ([pprof_server + "?debug=0"], "pprof"),
        ([str(NEWEST)], "pprof"),
    ):
        r = _run("-f", "json", *args)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["format"] == fmt, args
    plain = tmp_path / "goroutine.pb"
    plain.write_bytes(RAW)
    r = _run("-f", "text", "--no-stacks", str(plain))
    assert r.returncode == 0, r.stderr
    assert "pprof profile (debug=0)" in r.stdout
    assert "(no state in the profile)" in r.stdout
    r = _run("-f", "json", "-", stdin=NEWEST.read_bytes())
    assert json.loads(r.stdout)["goroutines"] == 83


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    cut = tmp_path / "cut.pb"
    cut.write_bytes(RAW[: len(RAW) // 2])
    for args, words in (
        ([str(cut)], "does not decode"),
        (["--goroutines", str(NEWEST)], "binary pprof profile holds no goroutines"),
        (["--max-size", "1K", str(NEWEST)], "over the size limit"),
    ):
        r = _run(*args)
        assert r.returncode == 1, args
        assert r.stderr.count("\n") == 1, r.stderr
        assert words in r.stderr
        assert "Traceback" not in r.stderr
