"""Series and fleets end to end, on real captures of samples/leakrate whose counts are known by
construction (the manifests): `gtriage t0 … t4` in any order, a directory, an archive, and
`--fleet` over three processes."""

from __future__ import annotations

import json
import os
import re
import shutil
import tarfile
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from gtriage.errors import NoDumpError
from gtriage.pipeline import analyze_inputs
from gtriage.render.json import render_json
from gtriage.render.markdown import render_markdown
from gtriage.render.text import render_text
from gtriage.report import Cluster, Report
from manifests import SAMPLES, copies_in_order

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "src/gtriage/schema/report.schema.json").read_text())
SERIES = [SAMPLES / f"series/leakrate.t{i}.txt" for i in range(5)]
FLEET = [SAMPLES / f"fleet/pod-{p}.txt" for p in "abc"]


def manifest(dump: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(dump.with_suffix(".json").read_text())
    return data


def captured(dump: Path) -> float:
    return datetime.fromisoformat(manifest(dump)["captured_at"].replace("Z", "+00:00")).timestamp()


def group(dump: Path, key: str) -> dict[str, Any]:
    (g,) = [g for g in manifest(dump)["groups"] if g["key"] == key]
    found: dict[str, Any] = g
    return found


def counts(key: str) -> list[int]:
    """A group's count in each dump of the series, from the manifests."""
    return [manifest(d)["counts"][key] for d in SERIES]


def at(report: Report, key: str, dump: Path = SERIES[-1]) -> Cluster:
    g = group(dump, key)
    (c,) = [c for c in report.clusters if c.blocked_at.func == g["blocked_at"]["func"] and c.blocked_at.line == g["blocked_at"]["line"]]
    return c


@pytest.fixture
def stamped(tmp_path: Path) -> list[Path]:
    """The series copied, each file's modification time the moment it was captured."""
    out = []
    for d in SERIES:
        copy = tmp_path / d.name
        shutil.copyfile(d, copy)
        os.utime(copy, (captured(d), captured(d)))
        out.append(copy)
    return out


def minutes() -> float:
    return (captured(SERIES[-1]) - captured(SERIES[0])) / 60


def check_series(r: Report) -> None:
    assert r.series is not None
    assert len(r.series) == 5
    assert [m.source.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for m in r.series] == [d.name for d in SERIES]
    leak = at(r, "leak")
    assert leak.trend is not None
    assert list(leak.trend.counts) == counts("leak")
    assert leak.trend.verdict == "grows steadily"
    assert leak.trend.growth_per_minute == pytest.approx((counts("leak")[-1] - counts("leak")[0]) / minutes(), rel=1e-6)
    assert leak.rank == 1
    assert any(w.startswith("grows steadily over 5 dumps") for w in leak.why)
    plateau = at(r, "plateau")
    assert plateau.trend is not None
    assert list(plateau.trend.counts) == counts("plateau")
    assert plateau.trend.verdict == "grows then plateaus"
    steady = at(r, "steady")
    assert steady.trend is not None
    assert steady.trend.verdict == "steady"
    # The burst group is in the middle dumps only: gone at the end, with its trend.
    burst = group(SERIES[2], "burst")
    assert r.gone is not None
    (gone,) = [g for g in r.gone if g.blocked_at.func == burst["blocked_at"]["func"]]
    assert gone.trend is not None
    assert list(gone.trend.counts) == counts("burst")
    assert gone.trend.verdict == "transient"
    assert gone.count == max(counts("burst"))


def test_a_series_in_any_order_is_put_in_time_order(stamped: list[Path]) -> None:
    shuffled = [stamped[i] for i in (3, 0, 4, 2, 1)]
    r = analyze_inputs([str(p) for p in shuffled])
    check_series(r)
    assert r.ordered_by == "file modification time"


def test_a_directory_is_a_series(stamped: list[Path]) -> None:
    r = analyze_inputs([str(stamped[0].parent)])
    check_series(r)


@pytest.mark.parametrize("kind", ["tar.gz", "zip"])
def test_an_archive_is_a_series_in_its_recorded_times(stamped: list[Path], tmp_path: Path, kind: str) -> None:
    archive = tmp_path / f"dumps.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(archive, "w") as z:
            for p in reversed(stamped):
                z.write(p, f"pods/{p.name}")  # zip records local time to 2 s: still 15 s apart
    else:
        with tarfile.open(archive, "w:gz") as t:
            for p in reversed(stamped):
                t.add(p, f"pods/{p.name}")
    for p in stamped:
        os.utime(p, (0, 0))  # the archive alone tells the times now
    r = analyze_inputs([str(archive)])
    assert r.series is not None
    assert r.series[0].source == f"{archive}:pods/leakrate.t0.txt"
    leak = at(r, "leak")
    assert leak.trend is not None
    assert list(leak.trend.counts) == counts("leak")
    assert leak.trend.verdict == "grows steadily"
    assert leak.trend.growth_per_minute == pytest.approx(counts("leak")[-1] / minutes(), rel=0.1)


def test_copied_files_are_read_in_the_order_given(tmp_path: Path) -> None:
    copies = []
    for d in SERIES:
        shutil.copyfile(d, tmp_path / d.name)
        os.utime(tmp_path / d.name, (1e9, 1e9))
        copies.append(str(tmp_path / d.name))
    r = analyze_inputs(copies)
    assert r.ordered_by is not None
    assert r.ordered_by.startswith("order given")
    leak = at(r, "leak")
    assert leak.trend is not None
    assert list(leak.trend.counts) == counts("leak")
    assert leak.trend.growth_per_minute is None  # no time, no rate: never guessed


def test_every_output_shows_the_series(stamped: list[Path]) -> None:
    r = analyze_inputs([str(p) for p in stamped])
    doc = json.loads(render_json(r))
    jsonschema.validate(doc, SCHEMA)
    assert doc["series"]["ordered_by"] == "file modification time"
    assert [d["goroutines"] for d in doc["series"]["dumps"]] == [
        sum(1 for line in d.read_text().splitlines() if line.startswith("goroutine ")) for d in SERIES
    ]
    top = doc["clusters"][0]
    assert top["trend"]["counts"] == counts("leak")
    assert top["trend"]["verdict"] == "grows steadily"
    assert doc["gone"][0]["trend"]["verdict"] == "transient"
    chain = " → ".join(str(n) for n in counts("leak"))
    text = render_text(r, stacks=False)
    assert f"trend       {chain}  ▁" in text
    assert "grows steadily, +" in text
    assert "series of 5 dumps" in text
    assert "ordered by file modification time" in text
    md = render_markdown(r)
    assert f"- **Trend:** {chain}" in md
    assert "| trend |" in md


def test_two_dumps_are_a_comparison_not_a_series(stamped: list[Path]) -> None:
    r = analyze_inputs([str(stamped[1]), str(stamped[3])])
    assert r.series is None
    assert all(c.trend is None for c in r.clusters)
    assert at(r, "leak").status == "grew"


def fleet_count(pod: Path, key: str) -> int:
    count: int = manifest(pod)["counts"][key]
    return count


def test_a_fleet_merges_its_sources_with_each_share() -> None:
    r = analyze_inputs([str(p) for p in FLEET], fleet=True)
    assert r.fleet is not None
    assert [s.name for s in r.fleet] == ["pod-a", "pod-b", "pod-c"]
    leak = at(r, "leak", FLEET[0])
    expected = sorted(((p.stem, fleet_count(p, "leak")) for p in FLEET if fleet_count(p, "leak")), key=lambda x: -x[1])
    assert leak.sources is not None
    assert [(s.source, s.count) for s in leak.sources] == expected
    assert leak.count == sum(fleet_count(p, "leak") for p in FLEET)
    assert r.goroutines == sum(s.goroutines or 0 for s in r.fleet)
    # Goroutine ids repeat across processes: a fan-out names one source's parent.
    parent = group(FLEET[0], "leak")["created_in_goroutine"]
    assert any(f"(goroutine {parent} on pod-a, in main.(*Server).handle)" in w for w in leak.why)
    plateau = at(r, "plateau", FLEET[0])
    assert plateau.sources is not None
    assert len(plateau.sources) == 3
    assert f"on {len(leak.sources)} of 3 sources" in "; ".join(leak.why)
    jsonschema.validate(json.loads(render_json(r)), SCHEMA)


def test_a_fleet_of_dumps_with_pprof_labels_sums_each_label(tmp_path: Path) -> None:
    # Found by mutating samples: summing a cluster's label counts reused the name of the
    # sources' count, so any fleet whose goroutines carry pprof labels crashed.
    dump = SAMPLES / "dumps/go1.26/leaky.labels.txt"  # GODEBUG=tracebacklabels=1: labels in headers
    made = json.loads(dump.with_suffix(".json").read_text())
    pods = copies_in_order(tmp_path, dump, dump)
    r = analyze_inputs(pods, fleet=True)
    assert r.fleet is not None
    alone = analyze_inputs([str(dump)]).goroutines  # the dump read as one source
    assert [s.goroutines for s in r.fleet] == [alone, alone]
    assert r.goroutines == 2 * alone
    for g in (g for g in made["groups"] if g.get("labels")):
        held = [c for c in r.clusters for lc in c.labels if dict(lc.labels) == g["labels"]]
        assert held, g["key"]
        assert sum(lc.count for c in held for lc in c.labels if dict(lc.labels) == g["labels"]) == 2 * g["count"]
    jsonschema.validate(json.loads(render_json(r)), SCHEMA)


def test_a_fleet_source_that_fails_is_reported_and_the_rest_analysed(tmp_path: Path) -> None:
    listing = tmp_path / "pods.txt"
    listing.write_text("# pods\n" + "\n".join(str(p) for p in FLEET) + f"\n{tmp_path / 'pod-d.txt'}\n")
    r = analyze_inputs([f"@{listing}"], fleet=True)
    assert r.fleet is not None
    assert [s.name for s in r.fleet if s.goroutines is None] == ["pod-d"]
    assert r.fleet[-1].error is not None
    assert "No such file" in r.fleet[-1].error
    assert "pod-d not read:" in render_text(r)
    assert at(r, "leak", FLEET[0]).count == sum(fleet_count(p, "leak") for p in FLEET)


def test_a_fleet_with_no_source_read_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NoDumpError, match="no source of the fleet could be read"):
        analyze_inputs([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], fleet=True)


LOG = SAMPLES / "series-log/leakrate.kubectl.txt"


def test_one_log_of_several_dumps_is_a_series_in_its_timestamps() -> None:
    """kubectl logs --timestamps of a pod that wrote its goroutines five times: the log's own
    times order the dumps (to the second) and give the growth a minute."""
    log = json.loads(LOG.with_suffix(".json").read_text())
    r = analyze_inputs([str(LOG)])
    assert r.ordered_by == "log timestamps"
    assert r.series is not None
    taken = [datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp() for t in log["captured_at"]]
    assert [m.taken_at for m in r.series] == [float(int(t)) for t in taken]  # to the second
    leak = at(r, "leak")
    assert leak.trend is not None
    assert list(leak.trend.counts) == [c["leak"] for c in log["counts"]]
    assert leak.trend.verdict == "grows steadily"
    span = (int(taken[-1]) - int(taken[0])) / 60
    assert leak.trend.growth_per_minute == pytest.approx(log["counts"][-1]["leak"] / span)


def _pod_log(tmp_path: Path, logged: Callable[[Path], str]) -> Path:
    """The series as one process's log: each dump written to stderr right after the program's
    own log line about it (`logged` of the dump)."""
    lines: list[str] = []
    for dump in SERIES:
        lines.append(logged(dump))
        lines.extend(dump.read_text().rstrip("\n").split("\n"))
    log = tmp_path / "pod.log"
    log.write_text("\n".join(lines) + "\n")
    return log


def test_zap_s_epoch_times_order_a_pod_log_s_dumps(tmp_path: Path) -> None:
    """A pod's log read without --timestamps: the program logs with zap's production JSON
    encoder ("ts" in seconds since the epoch, a float) and writes its goroutines to stderr
    after one such line; the lines' times order the dumps and give the growth a minute."""

    def zap(dump: Path) -> str:
        return json.dumps({"level": "info", "ts": captured(dump), "caller": "leakrate/main.go:240",
                           "msg": "dumping goroutines", "signal": "SIGUSR1", "tick": manifest(dump)["tick"]},
                          separators=(",", ":"))  # zap writes no blanks  # fmt: skip

    r = analyze_inputs([str(_pod_log(tmp_path, zap))])
    assert r.ordered_by == "log timestamps"
    assert r.series is not None
    assert [m.taken_at for m in r.series] == [float(int(captured(d))) for d in SERIES]
    leak = at(r, "leak")
    assert leak.trend is not None
    assert list(leak.trend.counts) == [manifest(d)["counts"]["leak"] for d in SERIES]
    span = (int(captured(SERIES[-1])) - int(captured(SERIES[0]))) / 60
    assert leak.trend.growth_per_minute == pytest.approx(manifest(SERIES[-1])["counts"]["leak"] / span)


def test_go_s_log_package_times_order_a_pod_log_s_dumps(tmp_path: Path) -> None:
    """The program logs with Go's log package (LstdFlags: "2026/11/30 07:17:13 ", its local
    time, no zone) and writes its goroutines to stderr after such a line: the lines' times
    order the dumps and give the growth a minute, as times without a zone."""

    def go_log(dump: Path) -> str:
        when = datetime.fromtimestamp(captured(dump), UTC).strftime("%Y/%m/%d %H:%M:%S")
        return f"{when} dumping goroutines (SIGUSR1, tick {manifest(dump)['tick']})"

    r = analyze_inputs([str(_pod_log(tmp_path, go_log))])
    assert r.ordered_by == "log timestamps (no zone)"
    assert r.series is not None
    taken = [int(captured(d)) for d in SERIES]
    got = [m.taken_at for m in r.series if m.taken_at is not None]
    assert [t - got[0] for t in got] == [float(t - taken[0]) for t in taken]
    leak = at(r, "leak")
    assert leak.trend is not None
    assert leak.trend.growth_per_minute == pytest.approx(manifest(SERIES[-1])["counts"]["leak"] * 60 / (taken[-1] - taken[0]))


def test_a_log_longer_than_a_chunk_times_every_dump_by_its_own_line(tmp_path: Path) -> None:
    """Go's log package stamps the program's lines, not the goroutines it writes to stderr: a
    log of 1.3 MB is read in chunks of 1 MiB, and the second starts inside a dump. The lines
    after it still time the dumps after them (each dump here one minute after the last)."""
    dump = (SAMPLES / "dumps/go1.27/leaky.debug2.txt").read_text()
    start = datetime(2026, 11, 30, 7, 17, 13, tzinfo=UTC).timestamp()
    n = 16  # 16 dumps of 81 KB: one chunk boundary, inside the 13th dump
    log = tmp_path / "app.log"
    log.write_text(
        "".join(
            datetime.fromtimestamp(start + 60 * i, UTC).strftime("%Y/%m/%d %H:%M:%S") + f" dump {i}\n" + dump
            for i in range(n)
        )
    )
    assert log.stat().st_size > 1 << 20
    r = analyze_inputs([str(log)])
    assert r.ordered_by == "log timestamps (no zone)"
    assert r.series is not None
    got = [m.taken_at for m in r.series]
    assert len(got) == n
    assert [None if t is None else t - start for t in got] == [60.0 * i for i in range(n)]


def _zoneless(text: str) -> str:
    """The kubectl log's lines as Python logging's default asctime stamps them: the local date
    and time, a comma and milliseconds, no zone ("2026-11-30 07:17:13,152 line")."""
    return re.sub(r"(?m)^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)\.(\d{3})\d*Z ", r"\1 \2,\3 ", text)


def test_a_log_without_zones_is_timed_and_never_called_utc(tmp_path: Path) -> None:
    log = json.loads(LOG.with_suffix(".json").read_text())
    zoneless = tmp_path / "app.log"
    zoneless.write_text(_zoneless(LOG.read_text()))
    r = analyze_inputs([str(zoneless)])
    assert r.ordered_by == "log timestamps (no zone)"
    assert r.series is not None
    taken = [int(datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()) for t in log["captured_at"]]
    assert [m.taken_at for m in r.series] == [float(t) for t in taken]  # read as if UTC: differences hold
    leak = at(r, "leak")
    assert leak.trend is not None
    assert leak.trend.growth_per_minute == pytest.approx(log["counts"][-1]["leak"] * 60 / (taken[-1] - taken[0]))
    first = log["captured_at"][0][:19].replace("T", " ")
    doc = json.loads(render_json(r))
    jsonschema.validate(doc, SCHEMA)
    assert doc["series"]["dumps"][0]["log_time"] == first
    assert doc["series"]["dumps"][0]["taken_at"] is None
    line = next(x for x in render_text(r).splitlines() if x.startswith("series of 5 dumps"))
    assert line.startswith(f"series of 5 dumps, {first} to ")
    assert "UTC" not in line


def test_zoneless_logs_compare_with_each_other_but_not_with_other_clocks(tmp_path: Path) -> None:
    lines = _zoneless(LOG.read_text()).splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if "tick=3" in line)
    a, b = tmp_path / "app.log.1", tmp_path / "app.log"
    a.write_text("".join(lines[:cut]))
    b.write_text("".join(lines[cut:]))
    r = analyze_inputs([str(b), str(a)])  # given newest first: their times put them in order
    assert r.ordered_by == "log timestamps (no zone)"
    assert r.series is not None
    assert [m.goroutines for m in r.series] == sorted(m.goroutines for m in r.series)
    plain = tmp_path / "later.txt"
    shutil.copy(SERIES[-1], plain)
    mixed = analyze_inputs([str(a), str(plain)])
    assert mixed.ordered_by == "order given (log timestamps without a zone beside other clocks)"


JOURNAL = SAMPLES / "series-log/leakrate.journal.txt"


def test_a_journal_of_several_dumps_is_a_series_in_its_year_less_times() -> None:
    """The series written into the real journal five seconds apart, read back as
    `journalctl -u svc` prints it (the month and day, no year): its times order the dumps and
    give the growth a minute; the report shows them as the log does and names no date."""
    log = json.loads(JOURNAL.with_suffix(".json").read_text())
    r = analyze_inputs([str(JOURNAL)])
    assert r.ordered_by == "log timestamps (no year)"
    assert r.series is not None
    taken = [us // 1_000_000 for us in log["journal_at"]]  # to the second, as the short format
    got = [m.taken_at for m in r.series if m.taken_at is not None]
    assert len(got) == len(taken)
    assert [t - got[0] for t in got] == [float(t - taken[0]) for t in taken]
    for key in ("leak", "plateau", "steady"):
        c = at(r, key)
        assert c.trend is not None
        assert list(c.trend.counts) == [counts[key] for counts in log["counts"]]
    leak = at(r, "leak").trend
    assert leak is not None
    assert leak.growth_per_minute == pytest.approx(
        (log["counts"][-1]["leak"] - log["counts"][0]["leak"]) * 60 / (taken[-1] - taken[0])
    )
    shown = log["shown"]
    doc = json.loads(render_json(r))
    jsonschema.validate(doc, SCHEMA)
    assert [d["log_time"] for d in doc["series"]["dumps"]] == shown
    assert [d["taken_at"] for d in doc["series"]["dumps"]] == [None] * len(shown)  # no date to give
    text = render_text(r)
    span = taken[-1] - taken[0]
    assert f"series of 5 dumps, {shown[0]} to {shown[-1][7:]} ({span} s), ordered by log timestamps (no year)" in text
    assert "2000" not in text  # the year the times count from is nobody's
    assert shown[0] in render_markdown(r)


def _short_full(text: str, year: int, zone: str) -> str:
    """The journal's lines as `journalctl -o short-full` prints them: the weekday, the date
    with its year, the time and the zone's abbreviation ("Tue 2026-12-01 04:32:13 UTC")."""

    def full(m: re.Match[str]) -> str:
        when = datetime.strptime(f"{year} {m.group(1)}", "%Y %b %d %H:%M:%S")
        return when.strftime("%a %Y-%m-%d %H:%M:%S ") + zone + " "

    return re.sub(r"(?m)^([A-Z][a-z][a-z] [ 0-3]\d \d\d:\d\d:\d\d) ", full, text)


@pytest.mark.parametrize(("zone", "ordered_by"), [("UTC", "log timestamps"), ("CET", "log timestamps (no zone)")])
def test_a_journal_in_short_full_is_timed_with_its_year(tmp_path: Path, zone: str, ordered_by: str) -> None:
    """journalctl -o short-full prints the year and the zone's abbreviation: the dumps get
    their dates (UTC names its offset; another abbreviation is a time without a zone)."""
    log = json.loads(JOURNAL.with_suffix(".json").read_text())
    taken = [us // 1_000_000 for us in log["journal_at"]]
    year = datetime.fromtimestamp(taken[0], UTC).year  # the journal printed UTC (its short format's times)
    full = tmp_path / "journal.txt"
    full.write_text(_short_full(JOURNAL.read_text(), year, zone))
    assert full.read_text().startswith(datetime.fromtimestamp(taken[0], UTC).strftime("%a %Y-%m-%d %H:%M:%S"))
    r = analyze_inputs([str(full)])
    assert r.ordered_by == ordered_by
    assert r.series is not None
    assert [m.taken_at for m in r.series] == [float(t) for t in taken]
    leak = at(r, "leak").trend
    assert leak is not None
    assert list(leak.counts) == [counts["leak"] for counts in log["counts"]]
    assert leak.growth_per_minute == pytest.approx(
        (log["counts"][-1]["leak"] - log["counts"][0]["leak"]) * 60 / (taken[-1] - taken[0])
    )


def restarted_journal(tmp_path: Path) -> tuple[Path, str]:
    """The journal sample with its service restarted before the fourth dump (its lines from
    there by a new PID, leakrate[31337]), and the process that wrote it as captured."""
    (one,) = {m.group(0) for m in re.finditer(r"leakrate\[[0-9]+\]", JOURNAL.read_text())}
    lines = JOURNAL.read_text().splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if "tick=3" in line)
    restarted = tmp_path / "journal.txt"
    restarted.write_text("".join(lines[:cut]) + "".join(line.replace(one, "leakrate[31337]") for line in lines[cut:]))
    return restarted, one


def test_a_journal_names_the_processes_that_wrote_its_dumps(tmp_path: Path) -> None:
    """journalctl prints each line's process ("leakrate[28203]: "): the same journal with the
    service restarted before its fourth dump says that its dumps were written by two
    processes; the journal as captured names one."""
    restarted, one = restarted_journal(tmp_path)
    r = analyze_inputs([str(JOURNAL)])
    assert [s.process for s in r.snapshots] == [one] * 5
    assert "written by" not in render_text(r)
    r = analyze_inputs([str(restarted)])
    assert [s.process for s in r.snapshots] == [one] * 3 + ["leakrate[31337]"] * 2
    assert f"written by 2 processes ({one}, leakrate[31337])" in render_text(r)
    assert [d["process"] for d in json.loads(render_json(r))["snapshots"]] == [one] * 3 + ["leakrate[31337]"] * 2


def test_year_less_times_of_two_inputs_do_not_compare(tmp_path: Path) -> None:
    """Two journal logs: each one's times count from a year of its own, so the dumps are in
    the order given, and no growth a minute is made up from them."""
    lines = JOURNAL.read_text().splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if "tick=3" in line)
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    first.write_text("".join(lines[:cut]))
    second.write_text("".join(lines[cut:]))
    r = analyze_inputs([str(first), str(second)])
    assert r.ordered_by == "order given (log timestamps without a year in several inputs)"
    assert r.series is not None
    assert [m.taken_at for m in r.series] == [None] * 5
    leak = at(r, "leak").trend
    assert leak is not None
    assert leak.growth_per_minute is None


@pytest.mark.slow
def test_a_live_fleet_on_loopback(tmp_path: Path) -> None:
    """Three leakrate processes with different leak rates, served on 127.0.0.1 and read as a
    fleet of URLs (with one dead address): each cluster's share per pod is what the program
    reports after its ticks."""
    import contextlib
    import sys

    from manifests import find_go

    go = find_go()
    if go is None:
        pytest.skip("no Go toolchain (set GTRIAGE_GO)")
    sys.path.insert(0, str(SAMPLES))
    import leakrate_capture as lc

    binary = lc.build(go, lc.go_env(tmp_path), tmp_path)
    with contextlib.ExitStack() as stack:
        urls: list[str] = []
        expected: dict[str, int] = {}
        for leak in lc.FLEET.values():
            addr, raw = stack.enter_context(lc.started(binary, ["-leak", str(leak), *lc.SERIES_ARGS[2:]]))
            for _ in range(lc.FLEET_TICKS):
                raw = lc.tick(addr)
            (g,) = [g for g in raw["groups"] if g["key"] == "leak"]
            expected[addr] = g["count"]
            urls.append(f"http://{addr}/debug/pprof/goroutine?debug=2")
        dead = "http://127.0.0.1:9/debug/pprof/goroutine?debug=2"  # discard port: refused
        r = analyze_inputs([*urls, dead], fleet=True, timeout=10)
    assert r.fleet is not None
    assert [s.goroutines is None for s in r.fleet] == [False, False, False, True]
    top = next(c for c in r.clusters if c.blocked_at.func == "main.(*Server).awaitReply")
    assert top.sources is not None
    assert {s.source: s.count for s in top.sources} == {a: n for a, n in expected.items() if n}
    assert top.count == sum(expected.values())


def test_a_fleet_says_its_goroutine_ids_repeat() -> None:
    r = analyze_inputs([str(p) for p in FLEET], fleet=True)
    assert "- **Goroutines (ids of every source; they repeat):**" in render_markdown(r)
    assert "- **Goroutines (ids" not in render_markdown(analyze_inputs([str(FLEET[0])]))


def test_a_fleet_gives_each_source_its_own_goroutine_ids() -> None:
    """Ids repeat from process to process: each source's share carries the ids the program
    reported for that pod, and the JSON says them (schema-valid)."""
    r = analyze_inputs([str(p) for p in FLEET], fleet=True)
    leak = at(r, "leak", FLEET[0])
    assert leak.sources is not None
    expected = {p.stem: sorted(group(p, "leak")["ids"]) for p in FLEET if fleet_count(p, "leak")}
    assert {s.source: list(s.goroutine_ids) for s in leak.sources} == expected
    assert all(len(s.goroutines) == s.count for s in leak.sources)
    assert all({g.id for g in s.goroutines} == set(s.goroutine_ids) for s in leak.sources)
    data = json.loads(render_json(r))
    jsonschema.validate(data, SCHEMA)
    (row,) = [c for c in data["clusters"] if c["rank"] == leak.rank]
    assert {s["source"]: s["goroutine_ids"] for s in row["sources"]} == expected


PPROF_SERIES = sorted(SAMPLES.glob("series-pprof/leakrate.t*.pb.gz"))


def pprof_manifest(profile: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(profile.with_name(profile.name.removesuffix(".pb.gz") + ".json").read_text())
    return data


def test_binary_profiles_are_put_in_order_by_their_own_time(tmp_path: Path) -> None:
    """Five binary profiles of one process (ticks 0..4), copied under shuffled names with
    one file time, as downloads from a profiler are: only each profile's own time_nanos
    can order them, and the trends are the counts the program reported at each tick."""
    assert len(PPROF_SERIES) == 5
    order = [3, 0, 4, 1, 2]
    copies = []
    for i, n in enumerate(order):
        dest = tmp_path / f"profile-{i}.pb.gz"
        dest.write_bytes(PPROF_SERIES[n].read_bytes())
        os.utime(dest, (1_800_000_000, 1_800_000_000))
        copies.append(str(dest))
    r = analyze_inputs(copies)
    assert r.ordered_by == "profile time"
    assert r.series is not None
    taken = [datetime.fromisoformat(pprof_manifest(p)["captured_at"].replace("Z", "+00:00")).timestamp() for p in PPROF_SERIES]
    assert [Path(m.source).name for m in r.series] == [f"profile-{order.index(n)}.pb.gz" for n in range(5)]
    for m, t in zip(r.series, taken, strict=True):
        assert m.taken_at is not None
        assert abs(m.taken_at - t) < 1.0  # time_nanos is set as the profile is written
    last = pprof_manifest(PPROF_SERIES[-1])
    for key in ("leak", "plateau", "steady"):
        (g,) = [g for g in last["groups"] if g["key"] == key]
        (c,) = [c for c in r.clusters if (c.blocked_at.func, c.blocked_at.line) == (g["blocked_at"]["func"], g["blocked_at"]["line"])]
        assert c.trend is not None
        assert list(c.trend.counts) == [pprof_manifest(p)["counts"][key] for p in PPROF_SERIES]
        if key == "leak":
            assert c.trend.verdict == "grows steadily"


CRASHES = [SAMPLES / "dumps" / "go1.27" / f"crashzoo.{s}-all.txt" for s in ("nilptr", "nilmap")]


def test_a_fleet_keeps_each_source_s_crash() -> None:
    # Two processes that crashed (a nil pointer, a nil map): each source's crash is kept, the
    # report's is the first's, and each cluster holding a source's crashing goroutine ranks
    # first, as in that source's own report.
    r = analyze_inputs([str(p) for p in CRASHES], fleet=True)
    alone = [analyze_inputs([str(p)]) for p in CRASHES]
    assert r.fleet is not None
    assert [s.crash for s in r.fleet] == [a.crash for a in alone]
    assert all(a.crash is not None for a in alone)
    assert r.crash == alone[0].crash
    crashed = [c for c in r.clusters if c.crashed]
    assert r.clusters[: len(crashed)] == tuple(crashed)
    assert sorted(c.blocked_at.func for c in crashed) == sorted(
        next(c for c in a.clusters if c.crashed).blocked_at.func for a in alone
    )
    second = alone[1].crash
    assert second is not None
    text = render_text(r)
    assert f"on {r.fleet[0].name} (2 of 2 sources crashed)" in text
    assert f"also on {r.fleet[1].name}: panic: {second.panics[0].message}" in text
    got = json.loads(render_json(r))
    jsonschema.validate(got, SCHEMA)
    assert [s["crash"] for s in got["fleet"]] == [json.loads(render_json(a))["crash"] for a in alone]


def _journal_run_again(tmp_path: Path, ticks: int, later: int) -> Path:
    """The journal sample, then its first `ticks` dumps again as a restarted service writes
    them: a new PID (leakrate[31337]), its lines `later` seconds after the originals. The
    program leaks from its start, so the counts start again: the real dumps of its first
    ticks are what the new process printed."""
    (one,) = {m.group(0) for m in re.finditer(r"leakrate\[[0-9]+\]", JOURNAL.read_text())}
    lines = JOURNAL.read_text().splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if f"tick={ticks}" in line)

    def moved(line: str) -> str:
        when = datetime.strptime(f"2000 {line[:15]}", "%Y %b %d %H:%M:%S")  # the short format: no year
        return (when + timedelta(seconds=later)).strftime("%b %d %H:%M:%S") + line[15:].replace(one, "leakrate[31337]")

    path = tmp_path / "journal.txt"
    path.write_text("".join(lines) + "".join(moved(line) for line in lines[:cut]))
    return path


def test_a_trend_after_a_restart_is_of_the_new_process(tmp_path: Path) -> None:
    """Five dumps of one process, then three of the service restarted: the leak's counts
    start again, and its verdict and growth are of the new process's dumps (the whole series
    would read "fluctuates")."""
    log = json.loads(JOURNAL.with_suffix(".json").read_text())
    taken = [us // 1_000_000 for us in log["journal_at"]]
    later = taken[-1] - taken[0] + (taken[1] - taken[0])  # the first dump again, one interval after the last
    r = analyze_inputs([str(_journal_run_again(tmp_path, 3, later))])
    assert r.series is not None
    assert len(r.series) == 8
    leak = at(r, "leak").trend
    assert leak is not None
    first_run = [counts["leak"] for counts in log["counts"]]
    assert list(leak.counts) == first_run + first_run[:3]
    assert leak.since == 5
    assert first_run[:3] == sorted(set(first_run[:3]))  # the program leaks from its start: counts rise
    assert leak.verdict == "grows steadily"
    assert leak.growth_per_minute == pytest.approx((first_run[2] - first_run[0]) * 60 / (taken[2] - taken[0]))
    steady = at(r, "steady").trend
    assert steady is not None
    assert steady.verdict == "steady"
    assert steady.since == 5
    text = render_text(r)
    assert f"{first_run[-1]} \u2016 {first_run[0]}" in text
    assert "grows steadily since the restart" in text
    assert "grows steadily since the restart" in render_markdown(r)
    assert "grows steadily over the 3 dumps since the restart: " in text  # why it ranks where it does
    assert "series of 8 dumps (restarted before dump 6: trends count from it), " in text
    doc = json.loads(render_json(r))
    jsonschema.validate(doc, SCHEMA)
    trends = [c["trend"] for c in doc["clusters"] if c["trend"] is not None]
    assert trends
    assert {t["since"] for t in trends} == {5}


def test_a_restart_before_the_last_dump_leaves_no_verdict(tmp_path: Path) -> None:
    """The service restarted before the fourth of five dumps: two dumps since are no series,
    and nothing is said of the three before (another process's goroutines)."""
    restarted, _one = restarted_journal(tmp_path)
    r = analyze_inputs([str(restarted)])
    leak = at(r, "leak").trend
    assert leak is not None
    assert leak.since == 3
    assert leak.verdict is None
    assert leak.word() == "grew"  # of the two dumps since
    r = analyze_inputs([str(JOURNAL)])
    leak = at(r, "leak").trend
    assert leak is not None
    assert (leak.since, leak.verdict) == (0, "grows steadily")


def test_a_comparison_across_a_restart_says_so(tmp_path: Path) -> None:
    """Two dumps of the real journal, the service restarted between them (the second under
    a new PID): they are compared as any two dumps (before a fix and after it are two
    processes), and the header says the counts are another process's; the same two dumps
    of one process say nothing of it."""
    (one,) = {m.group(0) for m in re.finditer(r"leakrate\[[0-9]+\]", JOURNAL.read_text())}
    lines = JOURNAL.read_text().splitlines(keepends=True)
    third = next(i for i, line in enumerate(lines) if "tick=3" in line)
    fourth = next(i for i, line in enumerate(lines) if "tick=4" in line)
    alike = tmp_path / "one.txt"
    alike.write_text("".join(lines[third:]))
    restarted = tmp_path / "two.txt"
    restarted.write_text("".join(lines[third:fourth]) + "".join(line.replace(one, "leakrate[31337]") for line in lines[fourth:]))
    log = json.loads(JOURNAL.with_suffix(".json").read_text())
    grew = log["counts"][4]["leak"] - log["counts"][3]["leak"]
    r = analyze_inputs([str(alike)])
    assert (at(r, "leak").status, at(r, "leak").delta) == ("grew", grew)
    assert "restarted" not in render_text(r)
    r = analyze_inputs([str(restarted)])
    assert [s.process for s in r.snapshots] == [one, "leakrate[31337]"]
    assert (at(r, "leak").status, at(r, "leak").delta) == ("grew", grew)
    text = render_text(r)
    assert f"restarted before the last dump: compared with another process's, written by 2 processes ({one}, " in text
    jsonschema.validate(json.loads(render_json(r)), SCHEMA)


SIGQUIT = SAMPLES / "dumps/go1.27/leaky.sigquit-all.txt"  # kill -QUIT: the runtime prints all, and the process dies
PPROF_DUMP = SAMPLES / "dumps/go1.27/leaky.debug2.txt"  # /debug/pprof/goroutine?debug=2: the process goes on


def test_a_dump_after_one_that_ended_its_process_is_another_process_s(tmp_path: Path) -> None:
    """SIGQUIT's dump is its process's last: a dump after it is another process's (the
    service restarted), which the header says of the comparison; the other way round, the
    SIGQUIT dump follows the dump its process served before it died: nothing to say."""
    r = analyze_inputs(copies_in_order(tmp_path, SIGQUIT, PPROF_DUMP))
    assert [s.ends_process for s in r.snapshots] == [True, False]
    assert r.gone is not None  # compared all the same
    assert "restarted before the last dump (the one before ended its process): compared with another process's" in render_text(r)
    doc = json.loads(render_json(r))
    jsonschema.validate(doc, SCHEMA)
    assert [s["ends_process"] for s in doc["snapshots"]] == [True, False]
    r = analyze_inputs(copies_in_order(tmp_path / "back", PPROF_DUMP, SIGQUIT))
    assert [s.ends_process for s in r.snapshots] == [False, True]
    assert r.gone is not None
    assert "restarted" not in render_text(r)


def test_a_series_after_a_dump_that_ended_its_process_counts_from_after_it(tmp_path: Path) -> None:
    """The leakrate series with a SIGQUIT dump (of another program; what counts is that its
    process died) in the middle: the verdict is of the two dumps after it, too few for one."""
    r = analyze_inputs(copies_in_order(tmp_path, SERIES[0], SERIES[1], SIGQUIT, SERIES[3], SERIES[4]))
    assert r.series is not None
    leak = at(r, "leak").trend
    assert leak is not None
    assert leak.since == 3
    assert leak.verdict is None
    assert list(leak.counts[3:]) == counts("leak")[3:]
    assert "series of 5 dumps (restarted before dump 4: trends count from it), " in render_text(r)
    r = analyze_inputs(copies_in_order(tmp_path / "whole", *SERIES))
    whole = at(r, "leak").trend
    assert whole is not None
    assert (whole.since, whole.verdict) == (0, "grows steadily")
