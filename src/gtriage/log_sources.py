"""Lines of other log sources between a dump's lines: a log of several processes or units
(`journalctl` of two units, any log whose prefix carries a time and a name), where
only the dumping one's prefix was learned (prefixes.py). Its neighbours' lines carry a
prefix of the same shape but other names ("host otherapp[8982]: " beside "host
crashzoo[8981]: "), and left in the stream they cut its goroutines apart. They are carried
to a stream of their own per source instead, as JSON log lines are (json_logs.py).

A prefix is taken as a source's when it carries a time (two runs of digits at least) and
a name: a bare word before a colon ("app: ") would match a runtime line ("panic: "); or
when it is kubectl's `--prefix` ("[pod/NAME/CONTAINER] ", maybe followed by the time of
`--timestamps`) or docker compose's ("web-1  | "): there the source is the pod and
container, or the container, named whatever their letters and digits (the pods of one
deployment differ only in a hash).

Only the first source met at a goroutine header is the stream's own. Another source's
headers are not learned as a prefix of this stream (prefixes.py asks `other` first): with
`kubectl logs -f -l app=web --prefix` every pod that dumps writes its lines between the
others' (kubectl interleaves whole lines), and learned as one stream its goroutines would
be cut apart by each other's lines. Each is read in its own stream instead.
"""

from __future__ import annotations

from .lazy_re import lazy
from .regex_cache import escape, uncached

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    import re

# The parts of a prefix: names (a letter first, no digit), fractions, numbers, the blank at
# its end; as prefixes.prefix_shape reads them, but for the names.
_PARTS = lazy(r"[A-Za-z_][A-Za-z_.-]*|[.,][0-9]+|[0-9]+|\s+$")
_NAME = r"([A-Za-z_][A-Za-z_.-]*)"
_TIME_WORDS = frozenset({
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "UTC", "GMT", "AM", "PM",
})  # fmt: skip
# Prefixes that name their source whole, time or not, as (the form, its regex with the
# source captured). kubectl logs --prefix: "[pod/%s/%s] " (kubectl's addPrefixIfNeeded),
# pod and container as one key (it holds a "/": no part of it is taken for a time's
# letter). docker compose logs: the container's name padded to the longest one's, then
# " | " (compose's "%-*s | "); the padding grows when a longer name comes. docker service
# logs writes a task the same way: "web.1.tgdj2gx8xvz3@node-1" (service, slot, task, node),
# padded, then "    | " (the CLI's taskFormatter), after its time with --timestamps. stern: the pod
# and the container, as Kubernetes spells their names (lowercase letters, digits, "-" and
# in a pod's "."), a blank after each (stern's default template, uncoloured when piped;
# its --timestamps time follows). A pod's name holds a "-" (a workload's pods are named
# "web-7d4b9c8f5-xk2lp", "web-0"): runtime lines once stripped of their prefix start with
# two plain words too ("goroutine 5 [", "created by "), never with such a name. Pod and
# container are one key, named "pod/container" as kubectl's prefix and the log stores
# name them (Sources.key): one pod's logs read with either tool are one source.
_K8S_POD = r"[a-z0-9][-a-z0-9.]*-[-a-z0-9.]*[a-z0-9]"
_K8S_CONTAINER = r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?"
_KUBECTL_NAME = r"[^/\]\s]+/[^\]\s]*"
_COMPOSE_NAME = r"[A-Za-z0-9][A-Za-z0-9_.@-]*"
# Each form as (its regex, the same with the source's name captured).
_FORM_TEXTS = (
    (rf"\[pod/{_KUBECTL_NAME}\] ", rf"\[pod/({_KUBECTL_NAME})\] "),
    (rf"{_COMPOSE_NAME} +\| ", rf"({_COMPOSE_NAME}) +\| "),
    (f"{_K8S_POD} {_K8S_CONTAINER} ", f"({_K8S_POD} {_K8S_CONTAINER}) "),
)
_NAMED_FORMS = tuple((lazy(form), shape) for form, shape in _FORM_TEXTS)
# Any of them, as a regex (log_clock.py reads times behind them).
NAMED_PREFIXES = "(?:" + "|".join(form for form, _ in _FORM_TEXTS) + ")"


# A time before the source's name: `docker service logs --timestamps` writes the RFC 3339
# time first, then the task.
_TIME_FIRST = lazy(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d) ")


def named_span(prefix: str) -> tuple[int, int]:
    """Where in the prefix a name of its source stands whole (_NAMED_FORMS), at its start or
    after a time; (0, 0) for none."""
    t = _TIME_FIRST.match(prefix)
    for start in (0, t.end()) if t is not None else (0,):
        for form, _ in _NAMED_FORMS:
            k = form.match(prefix, start)
            if k is not None:
                return start, k.end()
    return 0, 0


def source_shape(prefix: str) -> str | None:
    """A regex for a line of any source whose prefix is like this one but for its names
    (each captured: the source's key); None for a prefix that names no source and a time."""
    start, end = named_span(prefix)
    if end:
        shape = next(shape for form, shape in _NAMED_FORMS if form.match(prefix, start) is not None)
        before = _shape(prefix[:start], capture=False)[0] if start else ""
        return before + shape + _shape(prefix[end:], capture=False)[0]
    shape, numbers, names = _shape(prefix, capture=True)
    return shape if numbers >= 2 and names else None


def _shape(prefix: str, *, capture: bool) -> tuple[str, int, int]:
    """The regex of `prefix` with its numbers (and, with `capture`, its names) free; how
    many numbers and names of two letters or more it holds."""
    out: list[str] = []
    last = 0
    numbers = names = 0
    for m in _PARTS.finditer(prefix):
        out.append(escape(prefix[last : m.start()]))
        t = m.group()
        if t[0] in ".,":
            out.append(r"(?:[.,][0-9]+)?")
        elif t[0].isspace():
            out.append("(?:" + escape(t) + "|(?=\n)|$)")
        elif t[0].isdigit():
            out.append("[0-9]+")
            numbers += 1
        else:
            out.append(_NAME if capture else escape(t))
            names += len(t) > 1
        last = m.end()
    out.append(escape(prefix[last:]))
    return "".join(out), numbers, names


class Sources:
    """The source shapes of the prefixes learned in one stream, and the lines they match."""

    def __init__(self) -> None:
        self.shapes: list[str] = []
        self.match: re.Pattern[str] | None = None  # a line of any of them, at its start
        self._after_nl: re.Pattern[str] | None = None  # the same after a line break
        self.own: set[tuple[str, ...]] = set()  # the keys of the prefixes learned: no other source
        self.first: tuple[str, ...] = ()  # the key of the first: the stream's own source
        # The first prefix names its source outright (kubectl's pod and container, compose's
        # service): the stream's source is known even when no other source shows up.
        self.named = False

    def learn(self, prefix: str) -> None:
        shape = source_shape(prefix)
        if shape is None:
            return
        m = uncached(shape).match(prefix)
        if m is not None:
            self.own.add(self.key(m))
            if not self.first:
                self.first = self.key(m)
                self.named = named_span(prefix)[1] > 0
        if shape in self.shapes:
            return
        self.shapes.append(shape)
        alts = "|".join(f"(?:{s})" for s in self.shapes)
        self.match = uncached(alts)
        # Searched for from each "\n": "^" with MULTILINE was tried at every character
        # (2.5 ms a MiB of a journal, every chunk of a log whose prefixes name sources).
        self._after_nl = uncached(f"\n(?:{alts})")

    def in_text(self, text: str) -> bool:
        """Whether a line of `text` starts with a source's prefix (its own or another's)."""
        if self.match is None or self._after_nl is None:  # both learned together
            return False
        return self.match.match(text) is not None or self._after_nl.search(text) is not None

    def other(self, line: str) -> tuple[re.Match[str], tuple[str, ...]] | None:
        """The prefix of another source's line and that source's key; None for a line of
        none, or of a source whose own prefix was learned (a line glued after its prefix)."""
        m = self.match.match(line) if self.match is not None else None
        if m is None:
            return None
        key = self.key(m)
        return None if key in self.own else (m, key)

    def own_name(self) -> str:
        """The stream's own source as its key names it."""
        return " ".join(self.first)

    def key(self, m: re.Match[str]) -> tuple[str, ...]:
        """A source by the names its prefix gives, but a time's: one-letter ones ("T", "Z"),
        months and days (journalctl's "Nov 30 23:59:59" is followed by "Dec 01 00:00:00")."""
        return tuple(g.replace(" ", "/") for g in m.groups() if g is not None and len(g) > 1 and g not in _TIME_WORDS)
