"""Cloud log exports: one JSON document of log entries, as the clouds' command lines print it.

A dump printed by a pod on GKE or EKS ends up one log entry a line in the cloud's log
store; what an on-call engineer pastes is the store's export:

- Google Cloud Logging, `gcloud logging read ... --format=json`: a JSON array of LogEntry
  objects (gcloud prints it indented, keys sorted), newest first unless `--order=asc`. A
  container's line is an entry's "textPayload" (or the "message" of a "jsonPayload"); its
  "timestamp" is RFC 3339 in UTC; "resource.labels" name the pod and container (GKE), the
  service and revision (Cloud Run: with the instance in "labels.instanceId") or the VM.
- AWS CloudWatch Logs, `aws logs filter-log-events` / `get-log-events` (`--output json`):
  {"events": [{"logStreamName", "timestamp" (ms since the epoch), "message", ...}], ...},
  oldest first; each log stream is one container, task or instance. On EKS, Container
  Insights' Fluent Bit writes each container line as a JSON message ({"log", "kubernetes":
  {"pod_name", "container_name"}, ...}): its line and pod are read from it.

Each entry's line goes to the stream of its source, in time order, mapped to the input line
the entry's text is on; the log clock gets each entry's time. Several sources that dumped
are then a fleet (fleet_reports.sources_fleet), each named as kubectl names a pod ("pod/container").
An export cut short (a paste, a size limit) is read up to its last whole entry; the rest is
left to the input's own stream, where its lines count as text not understood.
"""

from __future__ import annotations

import json
from itertools import pairwise

from .json_logs import JsonLogs, k8s_source
from .lazy_re import lazy
from .log_clock import seconds
from .streams import CarrierStats

GCP = "Google Cloud Logging JSON"
AWS = "AWS CloudWatch Logs JSON"

# What the first kilobytes of an export show: gcloud's array of entries (its keys sorted:
# "insertId", "logName", ... in each), the AWS command line's object with its "events".
_GCP_HEAD = lazy(r'\A\s*\[\s*\{\s*"(?:httpRequest|insertId|jsonPayload|labels|logName|operation|protoPayload)"')
_AWS_HEAD = lazy(r'\A\s*\{\s*"events"\s*:\s*\[')
_HEAD_BYTES = 4096
_SPACE = lazy(r"[\s,]*")
_TIME = lazy(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)")


def export_kind(head: str) -> str | None:
    """The export an input's first chunk starts, or None."""
    start = head[:_HEAD_BYTES]
    if _GCP_HEAD.match(start):
        return GCP
    if _AWS_HEAD.match(start):
        return AWS
    return None


class _Entry:
    __slots__ = ("at", "line", "order", "source", "text")

    def __init__(self, at: float | None, source: str, text: str, line: int, order: int) -> None:
        self.at, self.source, self.text, self.line, self.order = at, source, text, line, order


def carry_export(text: str, kind: str, json_logs: JsonLogs, stats: CarrierStats) -> int:
    """Carry the export's entries to their sources' streams; the offset where the entries
    that could be read end (the text after it is no whole entry)."""
    if kind == GCP:
        start = text.index("[") + 1
        read = _gcp
    else:
        m = _AWS_HEAD.match(text)
        assert m is not None
        start = m.end()
        read = _aws
    entries: list[_Entry] = []
    decoder = json.JSONDecoder()
    at, line = start, 1 + text.count("\n", 0, start)
    end = start
    while True:
        at = _SPACE.match(text, at).end()  # type: ignore[union-attr]
        if at >= len(text) or text[at] == "]":
            end = at + 1
            break
        try:
            obj, after = decoder.raw_decode(text, at)
        except (ValueError, RecursionError):
            break  # cut short (or nested past the decoder's depth): what follows is no whole entry
        line += text.count("\n", end, at)
        if isinstance(obj, dict):
            got = read(obj)
            if got is not None:
                when, source, said = got
                # The entry's own line for its text: gcloud and aws print one key a line.
                key = text.find('"textPayload"' if kind == GCP else '"message"', at, after)
                here = line + (text.count("\n", at, key) if key >= 0 else 0)
                entries.append(_Entry(when, source, said, here, len(entries)))
        line += text.count("\n", at, after)
        end = at = after
    _carry(entries, kind, json_logs, stats)
    return end


def _carry(entries: list[_Entry], kind: str, json_logs: JsonLogs, stats: CarrierStats) -> None:
    if not entries:
        return
    stats.carriers.add(kind)
    last = -1
    for e in entries:  # in input order: the clock's lines ascend
        if e.at is not None and int(e.at) != last:
            last = int(e.at)
            stats.clock.stamp(e.line, last)
    # Each source's lines oldest first; gcloud lists the newest first, equal times too.
    times = [e.at if e.at is not None else 0.0 for e in entries]
    if any(b < a for a, b in pairwise(times)):
        if all(b <= a for a, b in pairwise(times)):
            entries.reverse()  # newest first throughout: equal times turn over with the rest
        else:
            newest_first = _newest_first(entries)
            entries.sort(key=lambda e: (e.at if e.at is not None else 0.0, -e.order if newest_first else e.order))
    carry = json_logs.carry
    for e in entries:
        carry(("export", e.source), f"{kind} {e.source}", e.text, e.line, e.source)


def _newest_first(entries: list[_Entry]) -> bool:
    times = [e.at for e in entries if e.at is not None]
    return len(times) > 1 and times[0] > times[-1]


def _line(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _gcp(obj: dict[str, object]) -> tuple[float | None, str, str] | None:
    """A LogEntry's (time, source, line); None for an entry that holds no text."""
    text = obj.get("textPayload")
    if not isinstance(text, str):
        payload = obj.get("jsonPayload")
        text = payload.get("message") if isinstance(payload, dict) else None
        if not isinstance(text, str):
            return None
    stamp = obj.get("timestamp")
    return (_seconds(stamp) if isinstance(stamp, str) else None), _gcp_source(obj), _line(text)


def _gcp_source(obj: dict[str, object]) -> str:
    """Who wrote the entry, as one process: a pod's container ("pod/container", kubectl's
    words), a Cloud Run instance, a VM; else the log and its resource's labels."""
    resource = obj.get("resource")
    labels = resource.get("labels") if isinstance(resource, dict) else None
    if not isinstance(labels, dict):
        labels = {}
    pod = labels.get("pod_name")
    if isinstance(pod, str) and pod:  # GKE: the common case first
        container = labels.get("container_name")
        return f"{pod}/{container}" if isinstance(container, str) and container else pod

    def named(*keys: str) -> list[str]:
        got = [labels.get(k) for k in keys]
        return [str(v) for v in got if isinstance(v, str) and v]

    run = named("service_name", "revision_name")
    if run:
        entry_labels = obj.get("labels")
        instance = entry_labels.get("instanceId") if isinstance(entry_labels, dict) else None
        return "/".join([*run, *([instance] if isinstance(instance, str) and instance else [])])
    vm = named("instance_id")
    if vm:
        return vm[0]
    log = obj.get("logName")
    parts = [str(log)] if isinstance(log, str) else []
    return " ".join(parts + sorted(f"{k}={v}" for k, v in labels.items()))


def _aws(obj: dict[str, object]) -> tuple[float | None, str, str] | None:
    """A CloudWatch event's (time, source, line); None for one that holds no text. Container
    Insights' Fluent Bit ships each container line as a JSON message: {"log": the line,
    "kubernetes": {"pod_name", "container_name", ...}, ...}."""
    text = obj.get("message")
    if not isinstance(text, str):
        return None
    ms = obj.get("timestamp")
    when = ms / 1000 if isinstance(ms, (int, float)) and not isinstance(ms, bool) else None
    stream = obj.get("logStreamName")
    source = stream if isinstance(stream, str) else ""
    if text.startswith('{"') and '"log"' in text:
        shipped = _shipped(text)
        if shipped is not None:
            line, pod = shipped
            return when, pod or source, line
    return when, source, _line(text)


def _shipped(message: str) -> tuple[str, str] | None:
    """A shipper's JSON record's line and its pod ("pod/container", "" when it names none);
    None when the message is no such record."""
    try:
        record = json.loads(message)
    except (ValueError, RecursionError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("log"), str):
        return None
    return _line(record["log"]), k8s_source(record) or ""


_SECONDS: dict[str, float | None] = {}  # a second's text (and zone) -> its seconds: entries share them


def _seconds(stamp: str) -> float | None:
    """RFC 3339 to seconds since the epoch, with its fraction (a float rounds nanoseconds,
    never turning two times over: equal ones keep the export's order)."""
    m = _TIME.fullmatch(stamp)
    if m is None:
        return None
    key = m[1] + m[3]
    whole = _SECONDS.get(key, -1.0)
    if whole == -1.0:
        whole = seconds(m[1][:10], m[1][11:], m[3])
        if len(_SECONDS) < 100_000:
            _SECONDS[key] = whole
    if whole is None:
        return None
    return whole + (int(m[2]) / 10 ** len(m[2]) if m[2] else 0.0)
