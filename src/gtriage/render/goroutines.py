"""Every goroutine of the shown clusters as the dump printed it (`--goroutines`): text to
grep, or to paste into a ticket.

The text is rebuilt from the model rather than kept from the input: a 10 GB dump must not
be held in memory to print one cluster of it. What the model keeps comes back as the
runtime prints it (header, calls with this goroutine's own argument values, locations,
elisions, `created by ... in goroutine N`, ancestors); what it does not keep is left out:
pc offsets (` +0x1d`), `fp=`/`sp=`/`pc=` and the `gp=`/`mp=` addresses of a header, the
address of a `non-Go function`. So the text reads back into the same goroutines
(`gtriage dump.txt --goroutines | gtriage` gives the same clusters).
"""

from __future__ import annotations

from gtriage.model import Frame, Goroutine
from gtriage.regex_cache import compiled
from gtriage.report import Cluster, Report

from .common import cluster_title, plural
from .safe import inert, md_fence, md_inline

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterable

# What Go 1.27 prints unquoted in a header's labels (runtime tracebackStringNeedsQuoting);
# anything else is quoted.
_BARE_LABEL = compiled(r"[A-Za-z0-9./_]*")
_GO_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _label_word(text: str) -> str:
    if _BARE_LABEL.fullmatch(text):
        return text
    out = []
    for ch in text:
        esc = _GO_ESCAPES.get(ch)
        if esc is None and (ord(ch) < 0x20 or ord(ch) == 0x7F):
            esc = f"\\x{ord(ch):02x}"
        out.append(esc or ch)
    return '"' + "".join(out) + '"'


def header_text(g: Goroutine) -> str:
    """`goroutine 7 [chan receive (leaked), 12 minutes, locked to thread] {job: x}:` with
    the parts in the order the runtime prints them (runtime/traceback.go goroutineheader)."""
    state = g.state
    durable = state.endswith(" (durable)")
    if durable:
        state = state.removesuffix(" (durable)")
    parts = [state]
    if g.leaked:
        parts.append(" (leaked)")
    if g.scan:
        parts.append(" (scan)")
    if durable:
        parts.append(" (durable)")
    if g.minutes:
        parts.append(f", {g.minutes} minutes")
    if g.locked:
        parts.append(", locked to thread")
    if g.bubble is not None:
        parts.append(f", synctest bubble {g.bubble}")
    # Go 1.27's form, after the brackets (Go 1.26 printed them inside, always quoted).
    labels = ""
    if g.labels:
        labels = " {" + ", ".join(f"{_label_word(k)}: {_label_word(v)}" for k, v in g.labels) + "}"
    return f"goroutine {g.id} [{''.join(parts)}]{labels}:"


def _call(g: Goroutine, f: Frame) -> list[str]:
    return [f"{f.func}({g.frame_args(f)})", f"\t{f.file}:{f.line}"]


def _elided(n: int) -> str:
    # Go 1.21+ counts what it left out of the middle; older releases cut the end.
    return f"...{n} frames elided..." if n > 0 else "...additional frames elided..."


def goroutine_text(g: Goroutine) -> str:
    """One goroutine, header and stack, as the runtime prints it (without the parts the
    model does not keep; see the module docstring). Not yet made inert."""
    st = g.stack
    lines = [header_text(g)]
    if st.cgo:
        lines.append("non-Go function")
    for i, f in enumerate(st.frames):
        if st.elided and i == st.elided_at:
            lines.append(_elided(st.elided))
        lines += _call(g, f)
    if st.elided and st.elided_at >= len(st.frames):
        lines.append(_elided(st.elided))
    if st.other_thread:
        lines.append("\tgoroutine running on other thread; stack unavailable")
    if st.created_by is not None:
        parent = f" in goroutine {g.parent_id}" if g.parent_id is not None else ""
        lines += [f"created by {st.created_by.func}{parent}", f"\t{st.created_by.file}:{st.created_by.line}"]
    for k, anc in enumerate(st.ancestors):
        gid = g.ancestor_ids[k] if k < len(g.ancestor_ids) else 0
        lines.append(f"[originating from goroutine {gid}]:")
        for f in anc.frames:
            lines += _call(g, f)
        if anc.elided:
            lines.append("...additional frames elided...")
        if anc.created_by is not None:
            lines += [f"created by {anc.created_by.func}", f"\t{anc.created_by.file}:{anc.created_by.line}"]
    return "\n".join(lines)


def _in_dump_order(goroutines: Iterable[Goroutine]) -> list[Goroutine]:
    return sorted(goroutines, key=lambda g: (g.line, g.id))


def _by_source(c: Cluster) -> list[tuple[str | None, list[Goroutine]]]:
    """A cluster's goroutines in the order of the dump; in a fleet, a run for each source
    (most first), since a goroutine id names a goroutine only with its process."""
    if c.sources is None:
        return [(None, _in_dump_order(c.goroutines))]
    return [(s.source, _in_dump_order(s.goroutines)) for s in c.sources if s.goroutines]


def source_line(source: str) -> str:
    """What goes above a fleet source's goroutines: the line head(1) and tail(1) print
    above each file of several."""
    return f"==> {source} <=="


def render_goroutines_text(report: Report) -> str:
    """The goroutines of every cluster in the report, by rank, each cluster's in the order
    of the dump, separated by blank lines as the runtime separates them. Nothing else is
    printed, so grep sees only dump text and gtriage can read it back; but in a fleet,
    where a source_line comes before each source's goroutines."""
    blocks: list[str] = []
    for c in report.clusters:
        for source, goroutines in _by_source(c):
            if source is not None:
                blocks.append(inert(source_line(source)))
            blocks += (inert(goroutine_text(g)) for g in goroutines)
    return "".join(b + "\n\n" for b in blocks)


def render_goroutines_markdown(report: Report) -> str:
    """A section per cluster with its goroutines in one code block (in a fleet, one for
    each source), for a ticket."""
    out = [f"# Goroutines: {md_inline(report.source)}", ""]
    for c in report.clusters:
        out += [f"## {cluster_title(c, md_inline)}", ""]
        for source, goroutines in _by_source(c):
            text = "\n\n".join(goroutine_text(g) for g in goroutines)
            if source is not None:
                out += [f"### {md_inline(source)}: {plural(len(goroutines), 'goroutine')}", ""]
            out += [md_fence(text, "text"), ""]
    if not report.clusters:
        out += ["No clusters to show.", ""]
    return "\n".join(out).rstrip("\n") + "\n"
