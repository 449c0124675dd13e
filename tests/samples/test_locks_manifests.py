"""The locks samples against their manifests: the lock and channel topology the program built
(which goroutines wait on one object, which on one each, who holds the lock), and where each
Go release prints the awaited object's address. Plain string operations, no gtriage import.

The address facts below are what samples/README.md ("Locks") documents and the analysis
relies on; each row was observed in every capture of the releases it names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from manifests import load_capture

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
LOCKS = sorted(SAMPLES.glob("dumps/go1.*/locks.*.json"))
KINDS = ("debug1", "debug0", "debug2", "sigquit-system")
WITH_IDS = [p for p in LOCKS if json.loads(p.read_text())["format"] in ("debug2", "traceback")]
PROFILES = [p for p in LOCKS if json.loads(p.read_text())["format"] == "debug0"]
ALL = 99  # "until the newest release"


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(SAMPLES)) for p in paths]


def _minor(manifest: dict[str, Any]) -> int:
    return int(str(manifest["go"]).removeprefix("go").split(".")[1])


@dataclass(frozen=True)
class Arg:
    """What a frame's first argument shows for a group's goroutines, in releases first..last."""

    group: str
    func: str  # the frame's function, as the dump prints it
    first: int
    last: int
    system: bool = False  # only with GOTRACEBACK=system (runtime frames)
    offset: int | None = None  # the object's address plus this, exactly (no "?")
    held: bool = False  # the address of the lock the group's goroutine holds, not awaits
    shows: str = ""  # otherwise: "?" (printed, marked inaccurate) or "..." (inlined: no args)


MUTEX = ("store-waiters", "session-mutex")
CHANS = ("store-holder", "own-chan", "shared-chan", "catalog-writer")
FACTS: list[Arg] = [
    # sync.Mutex: lockSlow's receiver is the mutex; Lock is inlined; the semaphore is m+4.
    *(Arg(g, "sync.(*Mutex).lockSlow", 19, 23, offset=0) for g in MUTEX),
    *(Arg(g, "internal/sync.(*Mutex).lockSlow", 24, ALL, offset=0) for g in MUTEX),
    *(Arg(g, "sync.(*Mutex).Lock", 19, ALL, shows="...") for g in MUTEX),
    *(Arg(g, "internal/sync.(*Mutex).Lock", 24, ALL, shows="...") for g in MUTEX),
    *(Arg(g, "sync.runtime_SemacquireMutex", 19, 23, shows="?") for g in MUTEX),
    *(Arg(g, "internal/sync.runtime_SemacquireMutex", 24, ALL, shows="?") for g in MUTEX),
    *(Arg(g, "runtime.semacquire1", 19, ALL, system=True, offset=4) for g in MUTEX),
    # Store's mutex is its first field: Get's receiver is the mutex's address, in the
    # waiters' frames and in the holder's.
    Arg("store-waiters", "main.(*Store).Get", 19, ALL, offset=0),
    Arg("store-holder", "main.(*Store).Get", 19, ALL, offset=0, held=True),
    # sync.RWMutex readers: RLock is inlined and its semaphore call's argument is marked;
    # only the runtime's semacquire1 (readerSem, rw+0xc) and the program's own frame tell.
    Arg("catalog-readers", "sync.(*RWMutex).RLock", 19, ALL, shows="..."),
    Arg("catalog-readers", "sync.runtime_SemacquireMutex", 19, 19, shows="?"),
    Arg("catalog-readers", "sync.runtime_SemacquireRWMutexR", 21, ALL, shows="?"),
    Arg("catalog-readers", "runtime.semacquire1", 19, ALL, system=True, offset=0xC),
    Arg("catalog-readers", "main.(*Catalog).Lookup", 19, ALL, offset=0),
    Arg("catalog-writer", "main.(*Catalog).Reload", 19, ALL, offset=0, held=True),
    # sync.WaitGroup: Wait's receiver is exact from Go 1.25, marked before; sema is wg+8.
    Arg("batch-wait", "sync.(*WaitGroup).Wait", 19, 24, shows="?"),
    Arg("batch-wait", "sync.(*WaitGroup).Wait", 25, ALL, offset=0),
    Arg("batch-wait", "sync.runtime_Semacquire", 19, 23, shows="?"),
    Arg("batch-wait", "sync.runtime_SemacquireWaitGroup", 24, ALL, shows="?"),
    Arg("batch-wait", "runtime.semacquire1", 19, ALL, system=True, offset=8),
    Arg("batch-wait", "main.waitBatch", 19, 21, shows="?"),
    Arg("batch-wait", "main.waitBatch", 22, ALL, offset=0),
    # sync.Cond: Wait's receiver is always marked; notifyListWait gets &c.notify = c+0x10.
    Arg("queue-cond", "sync.(*Cond).Wait", 19, ALL, shows="?"),
    Arg("queue-cond", "sync.runtime_notifyListWait", 19, ALL, offset=0x10),
    # Channels: chanrecv (GOTRACEBACK=system) is exact, chanrecv1 above it is marked; the
    # program's own frames print the channel argument exactly from Go 1.22.
    *(Arg(g, "runtime.chanrecv", 19, ALL, system=True, offset=0) for g in CHANS),
    *(Arg(g, "runtime.chanrecv1", 19, ALL, system=True, shows="?") for g in CHANS),
    *(
        Arg(g, f, 19, 21, shows="?")
        for g, f in (("own-chan", "main.awaitReply"), ("shared-chan", "main.subscribe"))
    ),
    *(
        Arg(g, f, 22, ALL, offset=0)
        for g, f in (("own-chan", "main.awaitReply"), ("shared-chan", "main.subscribe"))
    ),
]


def goroutine_texts(text: str) -> dict[int, str]:
    """Each goroutine's text (header to blank line) by id."""
    out: dict[int, str] = {}
    for block in text.split("\n\n"):
        block = block.strip("\n")
        if block.startswith("goroutine ") and block.split(" ", 2)[1].isdigit():
            out[int(block.split(" ", 2)[1])] = block
    return out


def first_arg(block: str, func: str) -> str | None:
    """The first argument printed for ``func`` in a goroutine's text, or None without that frame."""
    for line in block.splitlines():
        if line.startswith(func + "(") and line.endswith(")"):
            args = line[len(func) + 1 : -1]
            return args.split(", ")[0].lstrip("{")
    return None


def load(path: Path) -> tuple[dict[str, Any], str]:
    manifest = json.loads(path.read_text())
    return manifest, (path.parent / manifest["dump"]).read_bytes().decode("utf-8")


def test_every_release_has_every_kind() -> None:
    releases = sorted({p.parent.name for p in LOCKS})
    assert len(releases) >= 8, releases
    for rel in releases:
        have = {json.loads(p.read_text())["kind"] for p in LOCKS if p.parent.name == rel}
        assert have == set(KINDS), rel


@pytest.mark.parametrize("path", LOCKS, ids=_ids(LOCKS))
def test_topology_by_construction(path: Path) -> None:
    """The groups the program built: 1 holder and 37 waiters on one mutex, 12 channels of
    their own, 9 on one channel, and so on; shared objects have one address, the others one
    each; every holder holds the object its waiters wait on."""
    manifest = json.loads(path.read_text())
    groups = {g["key"]: g for g in manifest["groups"]}
    counts = {k: g["count"] for k, g in groups.items()}
    assert counts == {
        "store-holder": 1, "store-waiters": 37, "own-chan": 12, "shared-chan": 9, "catalog-writer": 1,
        "catalog-readers": 5, "batch-wait": 4, "queue-cond": 5, "session-mutex": 6,
    }  # fmt: skip
    with_ids = manifest["format"] in ("debug2", "traceback")
    for g in groups.values():
        if not with_ids:
            assert g["ids"] == []
            assert g["addrs"] == {}
            continue
        assert sorted(int(k) for k in g["addrs"]) == g["ids"]
        distinct = len(set(g["addrs"].values()))
        assert distinct == (1 if g["object"]["shared"] else g["count"]), g["key"]
        for held in g["holds"]:
            waiting = [w for w in groups.values() if w["object"]["name"] == held["name"]]
            assert waiting
            assert all(held["addr"] in w["addrs"].values() for w in waiting)
    for key, holder in (("store-waiters", "store-holder"), ("catalog-readers", "catalog-writer")):
        h, w = groups[holder], groups[key]
        assert w["holder"]["key"] == holder
        assert w["holder"]["id"] == (h["ids"][0] if with_ids else None)
        assert (w["holder"]["file"], w["holder"]["line"]) == (
            h["blocked_at"]["file"],
            h["blocked_at"]["line"],
        )
        assert w["holder"]["state"] == h["state"] == "chan receive"
        assert [x["name"] for x in h["holds"]] == [w["object"]["name"]]
    # The holder waits in the same method as the 37, at another line.
    store_h, store_w = groups["store-holder"]["blocked_at"], groups["store-waiters"]["blocked_at"]
    assert store_h["func"] == store_w["func"] == "main.(*Store).Get"
    assert store_h["line"] != store_w["line"]
    assert not any(g["holder"] for k, g in groups.items() if k not in ("store-waiters", "catalog-readers"))


@pytest.mark.parametrize("path", WITH_IDS, ids=_ids(WITH_IDS))
def test_holder_is_in_the_dump_where_the_manifest_says(path: Path) -> None:
    manifest, text = load(path)
    stacks = goroutine_texts(text)
    for g in manifest["groups"]:
        h = g["holder"]
        if h is None:
            continue
        assert h["id"] not in g["ids"]
        block = stacks[h["id"]]
        assert f"[{h['state']}" in block.splitlines()[0]
        assert f"\n{h['func']}(" in block
        assert f"/{h['file']}:{h['line']} " in block


@pytest.mark.parametrize("path", WITH_IDS, ids=_ids(WITH_IDS))
def test_where_each_release_prints_the_awaited_object(path: Path) -> None:
    manifest, text = load(path)
    minor, system = _minor(manifest), manifest["env"].get("GOTRACEBACK") == "system"
    stacks = goroutine_texts(text)
    groups = {g["key"]: g for g in manifest["groups"]}
    checked = 0
    for fact in FACTS:
        if not fact.first <= minor <= fact.last or (fact.system and not system):
            continue
        g = groups[fact.group]
        for gid in g["ids"]:
            got = first_arg(stacks[gid], fact.func)
            where = f"{fact.group}: goroutine {gid} {fact.func}"
            assert got is not None, f"{where}: no such frame"
            if fact.offset is None:
                assert got == "..." if fact.shows == "..." else got.endswith("?"), f"{where}({got}"
                continue
            addr = g["holds"][0]["addr"] if fact.held else g["addrs"][str(gid)]
            want = hex(int(addr, 16) + fact.offset)
            assert got == want, f"{where}: first argument {got}, expected {want} (object {addr})"
            checked += 1
    assert checked >= 80


@pytest.mark.parametrize("path", WITH_IDS, ids=_ids(WITH_IDS))
def test_runtime_frames_only_with_gotraceback_system(path: Path) -> None:
    manifest, text = load(path)
    system = manifest["env"].get("GOTRACEBACK") == "system"
    for func in ("runtime.chanrecv1(", "runtime.semacquire1(", "runtime.gopark("):
        assert (("\n" + func) in text) == system, func


def test_debug1_debug0_debug2_are_one_moment() -> None:
    """debug=1, debug=0 and debug=2 came from one process: same groups, counts and objects."""
    for rel in sorted({p.parent.name for p in LOCKS}):
        ms = {k: json.loads((SAMPLES / "dumps" / rel / f"locks.{k}.json").read_text()) for k in KINDS[:3]}
        names = ["locks.debug1.txt", "locks.debug0.pb.gz", "locks.debug2.txt"]
        shape = []
        for m in ms.values():
            assert m["same_moment"] == names
            shape.append([(g["key"], g["count"], g["blocked_at"], g["object"]) for g in m["groups"]])
        assert shape[0] == shape[1] == shape[2], rel


@pytest.mark.parametrize("path", PROFILES, ids=_ids(PROFILES))
def test_debug0_profile(path: Path) -> None:
    """gzip, decompresses; its string table (a protobuf field read at the top level only) names
    every group's function and file, every function the same moment's debug=1 prints, and no
    path outside /home/gopher and /usr/local/go."""
    manifest = json.loads(path.read_text())
    assert manifest["format"] == "debug0"
    assert all(g["ids"] == [] for g in manifest["groups"])
    data = (path.parent / manifest["dump"]).read_bytes()
    assert data[:2] == b"\x1f\x8b"
    assert len(data) < 64 * 1024
    capture = load_capture()
    strings = set(capture.string_table(capture.gunzip(data)))
    for g in manifest["groups"]:
        assert g["blocked_at"]["func"] in strings
        assert f"/home/gopher/samples/locks/{g['blocked_at']['file']}" in strings
    # The program's records of the same moment's debug=1 (the HTTP connection's own
    # goroutines may have moved between the two requests: a reader in syscall.Read, say).
    locs = [f"{g['blocked_at']['file']}:{g['blocked_at']['line']}" for g in manifest["groups"]]
    records = [
        r
        for r in (path.parent / "locks.debug1.txt").read_text().split("\n\n")
        if any(loc in r for loc in locs)
    ]
    assert len(records) == len(manifest["groups"])
    printed = {
        line.split("\t")[2].rsplit("+", 1)[0]
        for r in records
        for line in r.splitlines()
        if line.startswith("#\t0x")
    }
    assert printed
    assert printed <= strings, sorted(printed - strings)
    paths = [s for s in strings if s.startswith("/")]
    assert paths
    assert all(s.startswith(("/home/gopher/", "/usr/local/go/")) for s in paths), paths
    assert f"{capture.NEUTRAL_BIN}/locks" in strings
