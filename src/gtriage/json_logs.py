"""Dump text carried by JSON-lines logs: `go test -json`, docker `json-file`, journald
(`journalctl -o json`), `log/slog` JSON and other structured logs. Each carrier's text is
reassembled into a stream of its own.
"""

from __future__ import annotations

from .lazy_re import lazy
from .line_kinds import RACE_WARNING
from .log_clock import WHOLE_TIME
from .record import dataclass, field
from .regex_cache import escape
from .streams import CHUNK, CarrierStats, LineMap, Stream

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

# A string value that holds a dump (slog attributes, a pod's termination message).
_DUMP_MARKS = ("goroutine ", "panic: ", "fatal error: ", RACE_WARNING)


def _json_object(line: str) -> dict[str, Any] | None:
    if not line.startswith("{") or not line.rstrip().endswith("}"):
        return None
    import json  # here: most inputs hold no JSON line, and json costs every run ~3 ms

    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


def _dump_strings(obj: Any, depth: int = 0) -> Iterator[str]:
    """String values anywhere in a JSON value that hold a line break and a dump's mark."""
    if isinstance(obj, str):
        if "\n" in obj and any(m in obj for m in _DUMP_MARKS):
            yield obj
    elif depth < 8 and isinstance(obj, dict):
        for v in obj.values():
            yield from _dump_strings(v, depth + 1)
    elif depth < 8 and isinstance(obj, list):
        for v in obj:
            yield from _dump_strings(v, depth + 1)


@dataclass(slots=True)
class _Buffered:
    """A reassembled carrier stream: text pieces and where their lines came from."""

    name: str
    pieces: list[str] = field(default_factory=list)
    line_map: LineMap = field(default_factory=LineMap)
    at_line_start: bool = True

    def add(self, text: str, origin: int) -> None:
        if not text:
            return
        if self.at_line_start and text.find("\n") == len(text) - 1:
            self.line_map.same(origin, 1)  # one whole line: the common case
            self.pieces.append(text)
            return
        # Lines that start inside this piece map to its input line; a piece without a final
        # newline (docker splits lines over 16 KiB, test2json long lines) continues the line.
        starts = self.at_line_start + text.count("\n") - text.endswith("\n")
        self.line_map.add(origin, starts)
        self.pieces.append(text)
        self.at_line_start = text.endswith("\n")

    def stream(self) -> Stream:
        return Stream(self.name, iter(_joined(self.pieces)), self.line_map)


def _joined(pieces: list[str]) -> Iterator[str]:
    """The pieces in CHUNK-sized texts (sections.py reads them as one stream)."""
    buf: list[str] = []
    size = 0
    for p in pieces:
        buf.append(p)
        size += len(p)
        if size >= CHUNK:
            yield "".join(buf)
            buf, size = [], 0
    if buf:
        yield "".join(buf)


class JsonLogs:
    """Routes JSON log lines to the stream they carry.

    - `go test -json` (test2json): every "Output" of one package is that test binary's
      output in order; packages run side by side interleave their events.
    - docker `json-file`: its "log" texts are the input's own stream, stdout and stderr
      merged in the order they were written, as `docker logs` prints them: nothing is kept
      back, so memory stays bounded (docker_log decodes them).
    - journald (`journalctl -o json`): each entry one line a process wrote; each process
      (host, boot, PID) a stream of its own, as processes log side by side.
    - Loki (`logcli query --output=jsonl`): {"labels":{...},"line":"...","timestamp":"..."},
      each entry a line of the stream its labels name, streams merged by time (newest
      first by default: newest_first.py turns each stream over). The labels' pod and
      container name the stream's log source: several pods that dumped are a fleet.
    - stern (`stern -o json`): {"message","nodeName","namespace","podName","containerName"},
      each pod's container a stream and a log source; with --timestamps the message starts
      with its time, which goes to the log clock.
    - anything else (log/slog JSON, structured logs): each string value holding a dump is a
      document of its own.
    """

    def __init__(self) -> None:
        self.streams: dict[tuple[str, ...], _Buffered] = {}

    def _stream(self, key: tuple[str, ...], name: str) -> _Buffered:
        s = self.streams.get(key)
        if s is None:
            s = self.streams[key] = _Buffered(name)
        return s

    def take(self, line: str, n: int, stats: CarrierStats) -> str | None:
        """None when the line is no JSON object. Else the text it holds for the input's own
        stream (a docker line's "log"), or "" (what it carries, if anything, is kept in a
        stream of its own)."""
        obj = _json_object(line)
        if obj is None:
            return None
        if "Action" in obj and isinstance(obj.get("Output"), str):
            pkg = obj.get("Package")
            name = f"go test -json {pkg}" if isinstance(pkg, str) and pkg else "go test -json"
            stats.carriers.add("go test -json")
            self._stream(("gotest", str(pkg)), name).add(obj["Output"], n)
        elif "kubernetes" in obj and (source := k8s_source(obj)) is not None and (text := _shipped_text(obj)) is not None:
            stats.carriers.add(SHIPPED)
            s = self._stream(("shipped", _k8s_namespace(obj), source), f"{SHIPPED} {source}")
            s.line_map.source = source
            _shipped_time(obj, n, stats)
            s.add(text if text.endswith("\n") else text + "\n", n)
        elif isinstance(obj.get("log"), str) and "Action" not in obj:
            stats.carriers.add("docker json-file")
            return docker_text(obj["log"], obj["logtag"] == "P" if "logtag" in obj else None)
        elif isinstance(obj.get("line"), str) and "timestamp" in obj and obj.keys() <= _LOKI_KEYS:
            stats.carriers.add("Loki JSON lines")
            key, name, source = _loki_stream(obj.get("labels"))
            s = self._stream(key, name)
            s.line_map.source = source
            text = obj["line"]
            s.add(text if text.endswith("\n") else text + "\n", n)
        elif isinstance(obj.get("message"), str) and isinstance(obj.get("podName"), str) and "containerName" in obj:
            stats.carriers.add("stern JSON")
            pod, container = obj["podName"], str(obj["containerName"])
            s = self._stream(("stern", str(obj.get("namespace")), pod, container), f"stern {pod} {container}")
            s.line_map.source = f"{pod}/{container}" if container else pod
            text = obj["message"]
            stamp = _STERN_TIME.match(text)
            if stamp is not None:  # --timestamps: the kubelet's time before the line
                stats.clock.note(stamp[1], n)
                text = text[stamp.end() :]
            s.add(text if text.endswith("\n") else text + "\n", n)
        elif "__CURSOR" in obj and "MESSAGE" in obj:
            written = _journal_message(obj["MESSAGE"])
            if written is not None:
                stats.carriers.add("journald JSON")
                key, name, process = _journal_source(obj)
                s = self._stream(key, name)
                s.line_map.process = process
                s.add(written, n)
                micros = obj.get("__REALTIME_TIMESTAMP")
                if isinstance(micros, str) and micros.isascii() and micros.isdigit():
                    stats.clock.stamp(n, int(micros) // 1_000_000)
        else:
            for text in _dump_strings(obj):
                stats.carriers.add("JSON log")
                self.document(text, n, f"JSON line {n}")
        return ""

    def carry(self, key: tuple[str, ...], name: str, text: str, n: int, source: str = "") -> None:
        """Input line n's `text`, a line of the stream `key` (another log source's, named
        `source`)."""
        s = self._stream(key, name)
        s.line_map.source = source
        s.add(text, n)

    def document(self, text: str, n: int, name: str) -> None:
        """A whole text held by input line n: a stream of its own."""
        self._stream(("doc", str(len(self.streams))), name).add(text, n)


# `journalctl -o json`: one entry a line, each line a process wrote to the journal one entry
# (systemd-cat, a unit's stdout and stderr). Its MESSAGE is a string, or an array of bytes
# when the line is no printable UTF-8.


# A log shipper's record of a container line, with the pod it came from in "kubernetes":
# Fluent Bit's kubernetes filter ({"log", "kubernetes": {"pod_name", "namespace_name",
# "container_name", ...}}, the time in "@timestamp", "time" or "date"), Vector's
# kubernetes_logs ({"message", "kubernetes": {"pod_name", "pod_namespace", "container_name",
# ...}, "timestamp"}), Filebeat's ({"message", "kubernetes": {"pod": {"name"}, "namespace",
# "container": {"name"}, ...}, "@timestamp"}), as they land in files, buckets and exports.
SHIPPED = "Kubernetes log records (JSON)"
_TIME_KEYS = ("@timestamp", "timestamp", "time", "date")


def k8s_source(record: dict[str, Any]) -> str | None:
    """The pod and container a shipper's record names ("pod/container", as kubectl names
    them); None when it names no pod."""
    k8s = record.get("kubernetes")
    if not isinstance(k8s, dict):
        return None
    pod, container = k8s.get("pod_name"), k8s.get("container_name")
    if pod is None:  # Filebeat's objects
        p, c = k8s.get("pod"), k8s.get("container")
        pod = p.get("name") if isinstance(p, dict) else None
        container = c.get("name") if isinstance(c, dict) else None
    if not isinstance(pod, str) or not pod:
        return None
    return f"{pod}/{container}" if isinstance(container, str) and container else pod


def _shipped_text(record: dict[str, Any]) -> str | None:
    """The container's line in a shipper's record: Fluent Bit's "log", else "message" (in
    Filebeat's documents "log" is an object)."""
    for key in ("log", "message"):
        v = record.get(key)
        if isinstance(v, str):
            return v
    return None


def _k8s_namespace(record: dict[str, Any]) -> str:
    k8s = record["kubernetes"]
    for key in ("namespace_name", "pod_namespace", "namespace"):
        v = k8s.get(key)
        if isinstance(v, str):
            return v
    return ""


def _shipped_time(record: dict[str, Any], n: int, stats: CarrierStats) -> None:
    """A shipper's time of the line to the log clock: RFC 3339 text, or seconds since the
    epoch (Fluent Bit's "date")."""
    for key in _TIME_KEYS:
        v = record.get(key)
        if isinstance(v, str):
            stats.clock.note(v, n)
            return
        if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < 1e11:
            stats.clock.stamp(n, int(v))
            return


_LOKI_KEYS = frozenset(("labels", "line", "timestamp"))
# stern -o json --timestamps: its TimestampFormatDefault ("2006-01-02T15:04:05.000000000Z07:00")
# and a blank, at the message's start.
_STERN_TIME = lazy(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(?:Z|[+-]\d\d:\d\d)) ")


def _loki_stream(labels: object) -> tuple[tuple[str, ...], str, str]:
    """The stream of a Loki entry: its labels (none with --no-labels), named as logcli
    prints them; its source, the pod and container where the labels name them."""
    parts = sorted(f"{k}={v}" for k, v in labels.items()) if isinstance(labels, dict) else []
    name = "Loki {" + ", ".join(parts) + "}"
    pod = labels.get("pod") if isinstance(labels, dict) else None
    if isinstance(pod, str) and pod:
        container = labels.get("container") if isinstance(labels, dict) else None
        source = f"{pod}/{container}" if isinstance(container, str) and container else pod
    else:
        source = ", ".join(parts)
    return ("loki", *parts), name, source


def _journal_message(message: Any) -> str | None:
    """The line a journal entry holds, with its line break; None when it holds none."""
    if isinstance(message, list) and all(type(b) is int and 0 <= b < 256 for b in message):
        message = bytes(message).decode("utf-8", errors="replace")
    if not isinstance(message, str):
        return None
    return message if message.endswith("\n") else message + "\n"


def _journal_source(obj: dict[str, Any]) -> tuple[tuple[str, ...], str, str]:
    """The stream of a journal entry: the process that wrote it (a host, a boot, a PID), named
    as journalctl names it ("host: crashzoo[2098]"), and the process as "crashzoo[2098]".
    Processes write side by side, and a service that crashed and restarted is another
    process."""
    host, boot, pid = (str(obj.get(k, "")) for k in ("_HOSTNAME", "_BOOT_ID", "_PID"))
    ident = str(obj.get("SYSLOG_IDENTIFIER") or obj.get("_COMM") or "?")
    process = f"{ident}[{pid}]" if pid else ident
    return ("journald", host, boot, pid), f"journald {host}: {process}", process


# docker json-file, as dockerd writes every line (Go's encoding, keys in this order):
# '{"log":"...","stream":"stderr","time":"..."}'. Read with string operations, without
# building a dict (a regex over the escaped text cost 7 us a line); a quote inside "log" is
# escaped, so the last '","stream":"' ends it.
DOCKER_HEAD = '{"log":"'
_DOCKER_STREAM = '","stream":"'
_DOCKER_TIME = '","time":"'


# Where one docker line ends and the next begins: the escaped line break that ends a log,
# the line's other fields, and the next line's head. The line's "time" is captured, whole
# (dockerd writes RFC 3339 with nanoseconds): the log clock reads the times the split found
# (LogClock.observe_times) instead of walking every line again.
_TIME_FIELD = escape(_DOCKER_TIME) + "(" + WHOLE_TIME + ")"
_DOCKER_SEPARATOR = lazy(
    escape('\\n' + _DOCKER_STREAM) + "[a-z]+" + _TIME_FIELD + r'"\}\n' + escape(DOCKER_HEAD)
)
_DOCKER_LAST = lazy(escape('\\n' + _DOCKER_STREAM) + "[a-z]+" + _TIME_FIELD + r'"\}\n\Z')


# dockerd's log copier cuts a line longer than its 16 KiB buffer into pieces of 16 KiB,
# written without a line break: the next record goes on with the line. Log shippers
# (fluent-bit, promtail, Vector) and CRI parsers write every line without its line break,
# the CRI ones with a "logtag" of "P" for such a piece and "F" for a line's end.
DOCKER_PIECE = 16 * 1024


def docker_text(log: str, partial: bool | None = None) -> str:
    """A docker-shaped record's "log" as the text it stands for: with its line break, but
    for a piece of a longer line (`partial`, when the record says)."""
    if log.endswith("\n") or partial:
        return log
    if partial is None and len(log) * 4 >= DOCKER_PIECE and len(log.encode("utf-8", "surrogatepass")) >= DOCKER_PIECE:
        return log
    return log + "\n"


def docker_log(log: str) -> str | None:
    """A docker json-file line's "log", unescaped; None when it is no JSON string (a damaged
    line: an escape JSON has not, a bare quote or control character)."""
    if "\\" not in log:
        return log
    import json  # as in _json_object

    try:
        if "\\u" in log or "\\\\" in log:
            return str(json.loads('"' + log + '"'))
        log = log.replace("\\n", "\n")
        if "\\" in log:
            log = log.replace("\\t", "\t").replace('\\"', '"').replace("\\r", "\r").replace("\\/", "/")
            if "\\" in log:
                return str(json.loads('"' + log.replace("\n", "\\n").replace("\t", "\\t") + '"'))
    except ValueError:
        return None
    return log


def docker_chunk(text: str, lines: int) -> tuple[str, list[str]] | None:
    """The text of a chunk of docker json-file lines, each one whole line of output with
    only the common escapes, decoded with a few passes over the whole chunk (the line by
    line path costs ~1 us a line), and each line's "time" as written; None when it is not
    so simple.

    One split at every line's end and the next line's head; its count proves every line is
    such a line. (An escape other than these few, \\u003c say, is left in the text and sends
    the chunk down the line by line path; an escaped backslash would make "\\\\n" ambiguous.)"""
    if "\\\\" in text or not text.startswith(DOCKER_HEAD):
        return None
    parts = _DOCKER_SEPARATOR.split(text)
    tail = parts[-1]
    last = _DOCKER_LAST.search(tail, max(0, len(tail) - 200))
    if len(parts) != 2 * lines - 1 or last is None:
        return None
    times = parts[1::2]
    times.append(last.group(1))
    logs = parts[0::2]
    logs[-1] = tail[: last.start()]  # before the head comes off: the first log may be the last
    logs[0] = logs[0][len(DOCKER_HEAD) :]
    body = "\n".join(logs) + "\n"
    if "\\n" in body:
        return None  # a log holding a line break of its own: not one line each
    for escaped, plain in (("\\t", "\t"), ('\\"', '"'), ("\\/", "/")):
        if escaped in body:
            body = body.replace(escaped, plain)
    if "\\" in body:
        return None
    return body, times


def docker_line(line: str) -> tuple[str, str] | None:
    """The escaped "log" and the "stream" of a docker json-file line, or None."""
    if not line.startswith(DOCKER_HEAD) or not line.endswith('"}'):
        return None
    j = line.rfind(_DOCKER_STREAM)
    if j < 8:
        return None
    k = line.find(_DOCKER_TIME, j)
    if k < 0 or '"' in line[k + 10 : -2]:
        return None
    where = line[j + 12 : k]
    if not where.isalpha():
        return None
    return line[8:j], where
