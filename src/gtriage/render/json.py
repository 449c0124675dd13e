"""The JSON report: the public contract `gtriage/1` (schema/report.schema.json)."""

from __future__ import annotations

from gtriage.frame_info import FrameInfo
from gtriage.record import replace
from gtriage.report import (
    SCHEMA,
    UNZONED_CLOCKS,
    AccessInfo,
    Cluster,
    Moment,
    Objects,
    Report,
    SourceCount,
    SubGroup,
    Trend,
)

from .safe import scalar

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from typing import Any

    from gtriage.model import Crash


def frame_obj(f: FrameInfo) -> dict[str, Any]:
    return {
        "func": f.func,
        "file": f.file,
        "line": f.line,
        "origin": f.origin.value,
        "module": f.module,
        "version": f.version,
    }


class _FrameObjs:
    """frame_obj, made once per frame of a report: clusters share most of their frames
    (10,000 frame lists on a 10,000-goroutine dump, 1,300 distinct frames). Keyed by
    identity: every FrameInfo belongs to the report, alive while it is rendered."""

    def __init__(self) -> None:
        self._made: dict[int, dict[str, Any]] = {}

    def __call__(self, f: FrameInfo) -> dict[str, Any]:
        obj = self._made.get(id(f))
        if obj is None:
            obj = self._made[id(f)] = frame_obj(f)
        return obj


def _access(a: AccessInfo) -> dict[str, Any]:
    return {
        "op": a.op,
        "address": a.address,
        "goroutine": a.goroutine,
        "main_goroutine": a.main_goroutine,
        "frames": [frame_obj(f) for f in a.frames],
        "created_at": [frame_obj(f) for f in a.created_at] if a.created_at is not None else None,
    }


def _cluster_head(c: Cluster, frame_obj: _FrameObjs) -> dict[str, Any]:
    """A cluster's fields before "frames" (_cluster gives their order)."""
    return {
        "rank": c.rank,
        "count": c.count,
        "state": c.state,
        "leaked": c.leaked,
        "minutes": {"min": c.minutes_min, "max": c.minutes_max},
        "locked_to_thread": c.locked_to_thread,
        "blocked_at": frame_obj(c.blocked_at),
        "created_by": frame_obj(c.created_by) if c.created_by is not None else None,
        "goroutine_ids": list(c.goroutine_ids),
        "labels": [{"labels": dict(lc.labels), "count": lc.count} for lc in c.labels],
    }


def _stack_head(s: SubGroup) -> dict[str, Any]:
    """A stack's fields before its "frames" and "created_by"."""
    return {
        "count": s.count,
        "exact_groups": s.exact_groups,
        "largest_exact": s.largest_exact,
        "goroutine_ids": list(s.goroutine_ids),
    }


def _cluster_tail(c: Cluster, frame_obj: _FrameObjs) -> dict[str, Any]:
    """A cluster's fields after "stacks"."""
    return {
        "family": c.family,
        "healthy": c.healthy,
        "score": round(c.score, 3),
        "previous_count": c.previous_count,
        "delta": c.delta,
        "status": c.status,
        "matched_approximately": c.matched_approximately,
        "trend": _trend(c.trend),
        "sources": [
            {"source": x.source, "count": x.count, "goroutine_ids": list(x.goroutine_ids), "trend": _trend(x.trend)}
            for x in c.sources
        ] if c.sources is not None else None,
        "source": {
            "path": c.source.path,
            "line": c.source.line,
            "text": c.source.text,
            "context": [{"line": n, "text": t} for n, t in c.source.around],
            "note": c.source.note,
        } if c.source is not None else None,
        "objects": _objects(c.objects),
        "holders": [
            {"goroutine": h.goroutine, "cluster": h.cluster, "state": h.state, "frame": frame_obj(h.frame), "link": h.link}
            for h in c.holders
        ],
        "gone_from": _gone_shares(c.gone_from),
        "logged_panics": [
            {"goroutine": p.goroutine, "line": p.line, "logged_by": p.logged_by, "message": p.message, "source": p.source}
            for p in c.logged_panics
        ],
    }


def _cluster(c: Cluster, frame_obj: _FrameObjs) -> dict[str, Any]:
    return {
        **_cluster_head(c, frame_obj),
        "frames": [frame_obj(f) for f in c.frames],
        "why": list(c.why),
        # Additions to the contract (fields may be added, never changed):
        "stacks": [
            {
                **_stack_head(s),
                "frames": [frame_obj(f) for f in s.frames],
                "created_by": frame_obj(s.created_by) if s.created_by is not None else None,
            }
            for s in c.stacks
        ],
        **_cluster_tail(c, frame_obj),
    }


class _FrameTexts:
    """Frames and frame lists as JSON text, each encoded once per batch: the stacks of a
    report repeat the same frames (9,000 frame objects on the 1k bench dump, 1,300
    distinct), and the json module encodes a dict again each time it meets it (half of
    the JSON output's time). Keyed by identity, like _FrameObjs."""

    def __init__(self) -> None:
        self._objs = _FrameObjs()
        self._one: dict[int, str] = {}
        self._lists: dict[int, str] = {}

    def one(self, f: FrameInfo | None) -> str:
        if f is None:
            return "null"
        text = self._one.get(id(f))
        if text is None:
            text = self._one[id(f)] = encode(self._objs(f))
        return text

    def many(self, frames: tuple[FrameInfo, ...]) -> str:
        text = self._lists.get(id(frames))
        if text is None:
            text = self._lists[id(frames)] = "[" + ",".join(map(self.one, frames)) + "]"
        return text


def _cluster_text(c: Cluster, texts: _FrameTexts) -> str:
    """encode(_cluster(c, ...)), written in pieces: the same keys in the same order, the
    frames from `texts`. Each piece is a whole JSON value, so encode's surrogate check
    applies to each as it would to the whole."""
    objs = texts._objs
    stacks = ",".join(
        encode(_stack_head(s))[:-1] + ',"frames":' + texts.many(s.frames) + ',"created_by":' + texts.one(s.created_by) + "}"
        for s in c.stacks
    )
    return (
        encode(_cluster_head(c, objs))[:-1]
        + ',"frames":' + texts.many(c.frames)
        + ',"why":' + encode(list(c.why))
        + ',"stacks":[' + stacks + "],"
        + encode(_cluster_tail(c, objs))[1:]
    )


def _gone_shares(shares: tuple[SourceCount, ...] | None) -> list[dict[str, Any]] | None:
    """The sources a cluster left, each with its count when last seen there and its trend."""
    if shares is None:
        return None
    return [{"source": x.source, "count": x.count, "trend": _trend(x.trend)} for x in shares]


def _objects(o: Objects | None) -> dict[str, Any] | None:
    if o is None:
        return None
    return {
        "kind": o.kind,
        "groups": [
            {
                "basis": g.basis,
                "address": g.address,
                "kind": g.kind,
                "via": g.via,
                "count": g.count,
                "goroutine_ids": list(g.goroutine_ids),
                "source": g.source,
            }
            for g in o.groups
        ],
        "distinct": o.distinct,
        "told": o.told,
        "untold": o.untold,
        "reason": o.reason,
        "sources": o.sources,
    }


def _trend(t: Trend | None) -> dict[str, Any] | None:
    if t is None:
        return None
    rate = t.growth_per_minute
    return {
        "counts": list(t.counts),
        "verdict": t.verdict,
        "growth_per_minute": round(rate, 3) if rate is not None else None,
        "since": t.since,
    }


def _log_time(m: Moment) -> str | None:
    """As the text report shows the time of a log that prints no year or no zone."""
    # Imported here: other JSON reports need none of it.
    from .when import moment_time

    return moment_time(m)


def _iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    from datetime import UTC, datetime  # only a series or a log has times: ~1 ms off other reports

    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _crash(crash: Crash | None, logged: str | None) -> dict[str, Any] | None:
    if crash is None:
        return None
    return {
        "panics": [{"message": p.message, "recovered": p.recovered, "repanicked": p.repanicked} for p in crash.panics],
        "fatal_error": crash.fatal_error,
        "signal": crash.signal,
        "goroutine": crash.goroutine,
        "logged": logged is not None,
    }


def report_obj(r: Report) -> dict[str, Any]:
    frames = _FrameObjs()
    crash = _crash(r.crash, r.crash_logged)
    return {
        "schema": SCHEMA,
        "source": r.source,
        "goroutines": r.goroutines,
        "unparsed": {
            "lines": r.unparsed_lines,
            "samples": [{"line": i.line, "text": i.text, "reason": i.reason} for i in r.unparsed_samples],
        },
        "crash": crash,
        "races": [{"access": _access(x.access), "previous": _access(x.previous)} for x in r.races],
        "clusters": [_cluster(c, frames) for c in r.clusters],
        # Additions:
        "format": r.format,
        "truncated": r.truncated,
        "families": r.families,
        "snapshots": [
            {
                "index": s.index,
                "format": s.format,
                "first_line": s.first_line,
                "last_line": s.last_line,
                "goroutines": s.goroutines,
                "truncated": s.truncated,
                "log_source": s.log_source or None,
                "process": s.process or None,
                "ends_process": s.ends_process,
            }
            for s in r.snapshots
        ],
        # Bounds on work this input reached (families among the largest clusters only, ...).
        "limits": [{"name": lim.name, "limit": lim.limit, "message": lim.message} for lim in r.limits],
        # Clusters of the previous dump that nothing in this one matched; null without one.
        "gone": [
            {
                "count": g.count, "state": g.state, "blocked_at": frame_obj(g.blocked_at), "trend": _trend(g.trend),
                "sources": _gone_shares(g.sources),
            }
            for g in r.gone
        ] if r.gone is not None else None,
        # A series of three or more dumps, oldest first; null otherwise.
        "series": {
            "ordered_by": r.ordered_by,
            "dumps": [
                {
                    "source": m.source,
                    "taken_at": None if m.clock in UNZONED_CLOCKS else _iso(m.taken_at),
                    "clock": m.clock,
                    "goroutines": m.goroutines,
                    "log_time": _log_time(m) if m.clock in UNZONED_CLOCKS else None,
                }
                for m in r.series
            ],
        } if r.series is not None else None,
        # --fleet: every source, read or not; null otherwise.
        "fleet": [
            {
                "name": f.name, "input": f.input, "goroutines": f.goroutines, "error": f.error, "crash": _crash(f.crash, f.crash_logged),
                "dumps": f.dumps, "trend": _trend(f.trend),
            }
            for f in r.fleet
        ] if r.fleet is not None else None,
        # What the dumps came inside, when not plain text ("docker json-file", ...).
        "carriers": list(r.carriers),
        # Why the input was read short of its end (Ctrl-C on a stdin still open); else null.
        "input_cut": r.input_cut,
    }


def _scalar(obj: Any) -> Any:
    """The object with surrogates in every string (keys too) spelled out (safe.scalar)."""
    if isinstance(obj, str):
        return scalar(obj)
    if isinstance(obj, dict):
        return {scalar(k): _scalar(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_scalar(v) for v in obj]
    return obj


def encode(obj: Any) -> str:
    # ensure_ascii: control and bidi characters from the dump leave as \\u escapes.
    # Compact on purpose: with `indent` the json module falls back to its pure-Python
    # encoder (5x slower on a 10,000-goroutine report). Pipe through `jq` to read it.
    out = _dumps(obj)
    if "\\ud" in out:
        # A surrogate in some string would leave as a "\ud800" escape that is no text (jq
        # rejects it): spelled out, and the object written again. Characters beyond the
        # BMP come here too (ensure_ascii writes them as surrogate pairs) and stay as they are.
        out = _dumps(_scalar(obj))
    return out


def _dumps(obj: Any) -> str:
    """json.dumps(obj, ensure_ascii=True, separators=(",", ":")), by the json module's own
    C encoder: `import json` costs a run ~31M instructions (its decoder's and encoder's
    regexes, compiled by re, which imports enum), 4% of the 1k bench dump's whole run, and
    nothing of it is needed to write. Where the interpreter has no such encoder, or makes
    it otherwise, json.dumps itself (a test checks both give the same text)."""
    try:
        from _json import encode_basestring_ascii, make_encoder

        # The arguments json.JSONEncoder.iterencode gives it: the markers of check_circular,
        # default, the string encoder, indent, the separators, sort_keys, skipkeys, allow_nan.
        encoder = make_encoder({}, _unencodable, encode_basestring_ascii, None, ":", ",", False, False, True)
    except (ImportError, TypeError):
        import json

        return json.dumps(obj, ensure_ascii=True, separators=(",", ":"))
    return "".join(encoder(obj, 0))


def _unencodable(o: object) -> Any:
    raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")


# Clusters made into dicts and written at a time: the dicts of a whole report never exist
# at once (a million clusters: 2.7 GB of them beside 0.7 GB of JSON).
CLUSTER_BATCH = 1000


def render_json(r: Report) -> str:
    """report_obj(r) as JSON, written a batch of clusters at a time."""
    head = encode(report_obj(replace(r, clusters=())))
    # The first "clusters":[] is the report's own key: inside a JSON string every quote is
    # escaped, and no object before it has such a key.
    at = head.index('"clusters":[]') + len('"clusters":[')
    parts = [head[:at]]
    for i in range(0, len(r.clusters), CLUSTER_BATCH):
        texts = _FrameTexts()  # per batch, so that it stays small too
        parts.append(("," if i else "") + ",".join(_cluster_text(c, texts) for c in r.clusters[i : i + CLUSTER_BATCH]))
    parts.append(head[at:])
    parts.append("\n")
    return "".join(parts)
