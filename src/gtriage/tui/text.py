"""Dump text for the screen: Rich `Text` built from inert plain strings, and a goroutine's
text rebuilt from the model (pure; no Textual here).

Nothing from a dump ever goes through Rich markup or ANSI decoding: every string is passed
through `render.safe` and becomes the plain content of a `Text`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text

from gtriage.model import Frame, Goroutine
from gtriage.normalize import FrameInfo, Origin
from gtriage.render.common import folded
from gtriage.render.safe import inert, inert_line
from gtriage.report import Cluster

# Own code stands out, the standard library recedes, the runtime recedes further.
ORIGIN_STYLE: dict[Origin, str] = {
    Origin.MAIN: "bold",
    Origin.MODULE: "bold",
    Origin.STDLIB: "dim",
    Origin.RUNTIME: "dim italic",
}


def plain(text: str, style: str = "") -> Text:
    """One line of dump text as inert Rich text (`style` is a style, never markup)."""
    return Text(inert_line(text), style=style, end="")


def block(text: str, style: str = "") -> Text:
    """Dump text that may span lines (a panic message), inert."""
    return Text(inert(text), style=style, end="")


@dataclass(frozen=True, slots=True)
class StackLine:
    """One entry of a stack as shown: the call, and where it is (for the editor)."""

    call: str  # "main.f(0xc000012345, 0x1)", "created by main.g in goroutine 1", a marker
    file: str = ""
    line: int = 0
    origin: Origin | None = None  # None: not a frame (markers), or not known
    note: str = ""  # "blocked here"
    folded: int = 0  # > 0: stands for this many runtime frames folded away

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.file else ""


def cluster_stack(c: Cluster, *, fold_runtime: bool) -> list[StackLine]:
    """The representative stack of a cluster, runtime frames folded or not."""
    out: list[StackLine] = []
    items = folded(c.frames) if fold_runtime else [(f, 0) for f in c.frames]
    for f, n in items:
        if f is None:
            out.append(StackLine(f"… {n} runtime frame{'s' if n != 1 else ''} (r shows them)", folded=n))
        else:
            out.append(_info_line(f, note="blocked here" if f == c.blocked_at else ""))
    if c.created_by is not None:
        cb = c.created_by
        out.append(StackLine(f"created by {cb.func}", cb.file, cb.line, cb.origin))
    return out


def _info_line(f: FrameInfo, note: str = "") -> StackLine:
    return StackLine(f.func, f.file, f.line, f.origin, note)


def origins_of(c: Cluster) -> dict[tuple[str, str], Origin]:
    """(func, file) -> origin for every frame of every stack shape of the cluster, so a
    goroutine's own frames can be styled like the cluster's."""
    out: dict[tuple[str, str], Origin] = {}
    for sg in c.stacks:
        for f in sg.frames:
            out[(f.func, f.file)] = f.origin
        if sg.created_by is not None:
            out[(sg.created_by.func, sg.created_by.file)] = sg.created_by.origin
    for f in c.frames:
        out[(f.func, f.file)] = f.origin
    return out


def goroutine_header(g: Goroutine) -> str:
    """The header line as the runtime prints it (Go 1.27 layout for labels)."""
    state = g.state + (" (leaked)" if g.leaked else "")
    parts = [state]
    if g.minutes:
        parts.append(f"{g.minutes} minutes")
    if g.locked:
        parts.append("locked to thread")
    if g.bubble is not None:
        parts.append(f"synctest bubble {g.bubble}")
    head = f"goroutine {g.id} [{', '.join(parts)}]"
    if g.labels:
        head += " {" + ", ".join(f"{k}: {v}" for k, v in g.labels) + "}"
    return head + ":"


def _call(g: Goroutine, f: Frame) -> str:
    return f"{f.func}({g.frame_args(f)})"


def goroutine_stack(
    g: Goroutine, origins: Mapping[tuple[str, str], Origin] | None = None, blocked_at: FrameInfo | None = None
) -> list[StackLine]:
    """Every line below the header, rebuilt from the model: frames with this goroutine's
    argument values, elision markers, creator and ancestors. The first frame at
    `blocked_at` gets the note "blocked here"."""
    origins = origins or {}
    st = g.stack
    out: list[StackLine] = []
    if st.other_thread:
        out.append(StackLine("goroutine running on other thread; stack unavailable"))
    for i, f in enumerate(st.frames):
        if st.elided and i == st.elided_at:
            out.append(StackLine(_elided(st.elided)))
        note = ""
        if blocked_at is not None and (f.func, f.file, f.line) == (blocked_at.func, blocked_at.file, blocked_at.line):
            note, blocked_at = "blocked here", None
        out.append(StackLine(_call(g, f), f.file, f.line, origins.get((f.func, f.file)), note))
    if st.elided and st.elided_at >= len(st.frames):
        out.append(StackLine(_elided(st.elided)))
    if st.created_by is not None:
        cb = st.created_by
        parent = f" in goroutine {g.parent_id}" if g.parent_id is not None else ""
        out.append(StackLine(f"created by {cb.func}{parent}", cb.file, cb.line, origins.get((cb.func, cb.file))))
    for n, anc in enumerate(st.ancestors):
        gid = g.ancestor_ids[n] if n < len(g.ancestor_ids) else "?"
        out.append(StackLine(f"[originating from goroutine {gid}]:"))
        for f in anc.frames:
            out.append(StackLine(f"{f.func}(...)", f.file, f.line, origins.get((f.func, f.file))))
        if anc.elided:
            out.append(StackLine(_elided(-1)))
        if anc.created_by is not None:
            cb = anc.created_by
            out.append(StackLine(f"created by {cb.func}", cb.file, cb.line, origins.get((cb.func, cb.file))))
    return out


def _elided(n: int) -> str:
    return f"...{n} frames elided..." if n > 0 else "...additional frames elided..."


def goroutine_text(g: Goroutine) -> str:
    """The goroutine as plain text, the way the runtime printed it (without pc offsets)."""
    lines = [goroutine_header(g)]
    for s in goroutine_stack(g):
        lines.append(s.call)
        if s.file:
            lines.append(f"\t{s.location}")
    return "\n".join(lines) + "\n"


def top_frame(g: Goroutine, c: Cluster) -> Frame | None:
    """The goroutine's frame at the cluster's blocked_at function (else its first frame)."""
    frames = g.stack.frames
    for f in frames:
        if f.func == c.blocked_at.func:
            return f
    return frames[0] if frames else None
