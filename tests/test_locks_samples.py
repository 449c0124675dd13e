"""Object groups and holders on the locks samples, by construction: the program printed the
address of the object each goroutine waits on and which goroutine holds each lock
(samples/README.md, "Locks"), on every captured Go release, at debug=2, debug=1 and
GOTRACEBACK=system. Where the dump prints the object exactly the report groups by it;
where it does not, the report says so and groups nothing."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import pytest

from gtriage.pipeline import analyze, analyze_inputs
from gtriage.render.locks import objects_line
from gtriage.report import OBJECT_PLURALS, Cluster, Report
from manifests import SAMPLE_LIST, SAMPLES, Sample, clusters_of_group

LOCKS = [s for s in SAMPLE_LIST if s.manifest.get("program") == "locks"]
WITH_IDS = [s for s in LOCKS if s.format != "debug1"]
DEBUG1 = [s for s in LOCKS if s.format == "debug1"]
ALL = 99

KINDS = {"sync.Mutex": "mutex", "sync.RWMutex": "RWMutex", "sync.WaitGroup": "WaitGroup", "sync.Cond": "Cond"}


@dataclass(frozen=True)
class Tells:
    """What the report must find for a group's goroutines in releases first..last: the
    basis it groups them on, or None where the dump does not tell (`reason` in the words)."""

    group: str
    basis: str | None
    first: int = 19
    last: int = ALL
    system: bool | None = None  # True: GOTRACEBACK=system only; False: debug=2 only
    reason: str = ""


# From the README's table of what each release prints: lockSlow for a mutex everywhere,
# notifyListWait for a Cond; semacquire1 and chanrecv with GOTRACEBACK=system; otherwise
# the program's own frame's first argument, exact from Go 1.22 for a channel or WaitGroup
# passed in ("0x0?" before), always for a receiver.
TELLS = [
    Tells("store-waiters", "exact"),
    Tells("session-mutex", "exact"),
    Tells("queue-cond", "exact"),
    Tells("catalog-readers", "exact", system=True),
    Tells("catalog-readers", "argument", system=False),
    Tells("batch-wait", "exact", system=True),
    Tells("batch-wait", "exact", 25, system=False),
    Tells("batch-wait", "argument", 22, 24, system=False),
    Tells("batch-wait", None, 19, 21, system=False, reason="`?`"),
    *(Tells(g, "exact", system=True) for g in ("own-chan", "shared-chan", "store-holder", "catalog-writer")),
    *(Tells(g, "argument", 22, system=False) for g in ("own-chan", "shared-chan")),
    *(Tells(g, None, 19, 21, system=False, reason="`?`") for g in ("own-chan", "shared-chan")),
    # The holders wait on a channel in a method whose receiver is the lock they hold.
    *(Tells(g, "argument", system=False) for g in ("store-holder", "catalog-writer")),
]


def _tells(sample: Sample, key: str) -> Tells:
    system = sample.manifest["env"].get("GOTRACEBACK") == "system"
    rows = [
        t for t in TELLS
        if t.group == key and t.first <= sample.go_minor <= t.last and t.system in (None, system)
    ]  # fmt: skip
    assert len(rows) == 1, (key, rows)
    return rows[0]


@functools.cache
def _report(sample: Sample) -> Report:
    return analyze(str(sample.dump))


def _cluster(report: Report, group: dict[str, Any]) -> Cluster:
    found = clusters_of_group(report, group)
    assert len(found) == 1
    return found[0]


def _kind(group: dict[str, Any]) -> str:
    return KINDS.get(group["object"]["type"], "channel")


CASES = [(s, g) for s in WITH_IDS for g in s.groups]


@pytest.mark.parametrize(("sample", "group"), CASES, ids=lambda x: x.id if isinstance(x, Sample) else x["key"])
def test_goroutines_are_grouped_by_the_object_the_program_printed(sample: Sample, group: dict[str, Any]) -> None:
    c = _cluster(_report(sample), group)
    tells = _tells(sample, group["key"])
    o = c.objects
    assert o is not None
    if tells.basis is None:
        assert o.groups == ()
        assert o.untold == group["count"]
        assert o.reason is not None
        assert tells.reason in o.reason
        assert any(w.startswith("the dump does not tell which") for w in c.why)
        return
    assert o.untold == 0
    assert o.kind == ("channel" if group["key"] in ("store-holder", "catalog-writer") else _kind(group))
    where = {gid: og for og in o.groups for gid in og.goroutine_ids}
    assert sorted(where) == group["ids"]
    for gid in group["ids"]:
        og = where[gid]
        assert og.basis == tells.basis
        # The method's receiver is the lock the holder holds, not the channel it awaits.
        held = tells.basis == "argument" and group["holds"]
        want = group["holds"][0]["addr"] if held else group["addrs"][str(gid)]
        assert og.address == want, gid
    # One group per distinct address the program printed: shared or one each.
    assert len(o.groups) == len(set(group["addrs"].values()))


@pytest.mark.parametrize(("sample", "group"), CASES, ids=lambda x: x.id if isinstance(x, Sample) else x["key"])
def test_why_says_one_object_or_one_each(sample: Sample, group: dict[str, Any]) -> None:
    c = _cluster(_report(sample), group)
    if _tells(sample, group["key"]).basis is None or group["count"] == 1:
        assert not any(" wait on one " in w or " different " in w for w in c.why)
        return
    n, kind = group["count"], _kind(group)
    if group["object"]["shared"]:
        assert any(w.startswith(f"all {n} wait on one {kind} (") for w in c.why), c.why
    else:
        assert f"{n} goroutines wait on {n} different {OBJECT_PLURALS[kind]} (one each" in "; ".join(c.why)


@pytest.mark.parametrize("sample", WITH_IDS, ids=lambda s: s.id)
def test_the_holder_is_the_goroutine_the_program_made_hold_the_lock(sample: Sample) -> None:
    report = _report(sample)
    expected = {g["key"]: g["holder"] for g in sample.groups}
    with_holders = {c.rank for c in report.clusters if c.holders}
    for group in sample.groups:
        c = _cluster(report, group)
        h = expected[group["key"]]
        if h is None:
            # Among them the sessions' mutexes, locked by a function that returned.
            assert c.holders == (), group["key"]
            continue
        with_holders.discard(c.rank)
        assert [x.goroutine for x in c.holders] == [h["id"]]
        got = c.holders[0]
        assert (got.frame.func, got.frame.line, got.state) == (h["func"], h["line"], h["state"])
        assert got.frame.file.endswith("/" + h["file"])
        assert h["id"] in report.clusters[got.cluster - 1].goroutine_ids
        # The holder comes first in `why`, said to be inferred.
        assert c.why[0].startswith(f"goroutine {h['id']} may hold this {_kind(group)}: it is in {h['func']} at {h['file']}:{h['line']}")
        assert "inferred from the stacks" in c.why[0]
        # Its own cluster says whom it may keep waiting.
        assert any(w.startswith(f"may hold the {_kind(group)} ") and f"cluster #{c.rank} " in w for w in report.clusters[got.cluster - 1].why)
    assert with_holders == set(), "holders named where the program made none"


@pytest.mark.parametrize("sample", DEBUG1, ids=lambda s: s.id)
def test_debug1_never_tells(sample: Sample) -> None:
    report = _report(sample)
    for group in sample.groups:
        c = _cluster(report, group)
        assert c.holders == ()
        if group["object"]["type"] not in KINDS:
            # A channel wait shows no runtime frame at debug=1 and no state: nothing to say.
            assert c.objects is None
            continue
        assert c.objects is not None
        assert (c.objects.kind, c.objects.groups, c.objects.untold) == (_kind(group), (), group["count"])
        assert c.objects.reason == "?debug=1 prints no arguments"


def test_one_stuck_object_ranks_a_little_above_one_object_each() -> None:
    # The documented choice (README, "One object or many"): 9 goroutines on one channel
    # rank above 12 on a channel each, at 1.25 times the weight, not more.
    sample = next(s for s in WITH_IDS if s.id == "dumps/go1.27/locks.debug2.txt")
    report = _report(sample)
    groups = {g["key"]: g for g in sample.groups}
    shared, each = _cluster(report, groups["shared-chan"]), _cluster(report, groups["own-chan"])
    assert shared.rank < each.rank
    assert shared.score < each.score * 1.25


FLEET_PODS = ("dumps/go1.26/locks.debug2.txt", "dumps/go1.27/locks.debug2.txt")


def _group(sample: Sample, key: str) -> dict[str, Any]:
    (g,) = [g for g in sample.groups if g["key"] == key]
    return g


def test_a_fleet_reads_each_process_s_objects_on_its_own() -> None:
    """Two processes of the locks program (the Go 1.26 and 1.27 captures) as a fleet: every
    object group is one process's, as that dump alone reports it, and for the mutexes (which
    lockSlow prints exactly in every release) the address each goroutine's program printed.
    A shared object is one in each process; one a goroutine stays one each. A holder and its
    waiters must be in one process: a fleet names none."""
    import json

    import jsonschema

    from gtriage.render.json import render_json

    pods = [next(s for s in LOCKS if s.id == p) for p in FLEET_PODS]
    fleet = analyze_inputs([str(s.dump) for s in pods], fleet=True)
    assert fleet.fleet is not None
    names = [f.name for f in fleet.fleet]
    alone = [analyze(str(s.dump)) for s in pods]
    for key in ("store-waiters", "session-mutex", "shared-chan", "own-chan"):
        (c,) = clusters_of_group(fleet, _group(pods[0], key))
        o = c.objects
        assert o is not None
        got = sorted((g.source, g.address, g.basis, i) for g in o.groups for i in g.goroutine_ids)
        each: list[tuple[str | None, str, str, int]] = []
        for name, report, pod in zip(names, alone, pods, strict=True):
            (one,) = clusters_of_group(report, _group(pod, key))
            assert one.objects is not None
            each += [(name, g.address, g.basis, i) for g in one.objects.groups for i in g.goroutine_ids]
        assert got == sorted(each), key
        if key.endswith("mutex") or key == "store-waiters":
            printed = sorted((n, a, int(i)) for n, p in zip(names, pods, strict=True) for i, a in _group(p, key)["addrs"].items())
            assert sorted((s, a, i) for s, a, _b, i in got) == printed
        assert o.sources == 2
        shared = _group(pods[0], key)["object"]["shared"]
        assert o.one_per_source is shared
        why = "; ".join(c.why)
        if shared:
            assert f"all {c.count} wait on one {o.kind} in each of their 2 sources" in why
            line = objects_line(o)
            assert line is not None
            assert line.startswith(f"2 {OBJECT_PLURALS[o.kind]}, one a source: {o.groups[0].address} in {o.groups[0].source} (")
        else:
            assert f"{c.count} goroutines wait on {c.count} different {OBJECT_PLURALS[o.kind]} in 2 sources" in why
        assert c.holders == ()
    doc = json.loads(render_json(fleet))
    schema = json.loads((SAMPLES.parent / "src/gtriage/schema/report.schema.json").read_text())
    jsonschema.validate(doc, schema)
    sources = {g["source"] for c in doc["clusters"] if c["objects"] for g in c["objects"]["groups"]}
    assert sources == set(names)
