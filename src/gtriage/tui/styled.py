"""Dump text for the screen: Rich `Text` built from inert plain strings, and a goroutine's
text rebuilt from the model (pure; no Textual here).

Nothing from a dump ever goes through Rich markup or ANSI decoding: every string is passed
through `render.safe` and becomes the plain content of a `Text`.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.cells import cell_len
from rich.text import Text

from gtriage.frame_info import FrameInfo, Origin
from gtriage.model import Frame, Goroutine
from gtriage.record import dataclass
from gtriage.render.common import StackRow, repeat_text, short_path, stack_rows, where_word
from gtriage.render.goroutines import header_text
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


ELLIPSIS = "…"


def _tail(text: str, width: int) -> str:
    """The longest end of `text` that fits in `width` cells."""
    used, i = 0, len(text)
    while i > 0 and used + cell_len(text[i - 1]) <= width:
        i -= 1
        used += cell_len(text[i])
    return text[i:]


def clip_left(text: str, width: int, breaks: str = "/.") -> str:
    """`text` in at most `width` cells, cut from the left with `…`. The end of a Go name
    (the method, the closure) and of a location (the line) is what tells clusters apart.
    The cut moves on to the next of `breaks` (an import path's `/`, then a name's `.`)
    when that keeps at least half the room, so what is left starts with a whole name."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    tail = _tail(text, width - 1)
    for mark in breaks:
        # A break that starts a name: `.Wait`, `.(*T)`, not the dots of `[...]`.
        at = next((i for i, ch in enumerate(tail[:-1]) if ch == mark and _starts_name(tail[i + 1])), -1)
        if at >= 0 and cell_len(tail[at + 1 :]) * 2 >= width:
            return ELLIPSIS + tail[at + 1 :]
    return ELLIPSIS + tail


def _starts_name(ch: str) -> bool:
    return ch.isalpha() or ch in "_("


def clip_right(text: str, width: int) -> str:
    """`text` in at most `width` cells, cut at the right with `…` (states, label lists)."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS


@dataclass(slots=True)
class PathStyle:
    """How the panes spell file paths: `$GOROOT/…` and `$GOMODCACHE/…` as the text report
    does (render.common.short_path), or in full (`p` toggles, for copying a path)."""

    goroot: str | None
    full: bool = False

    def path(self, file: str) -> str:
        return file if self.full else short_path(file, self.goroot)

    def location(self, file: str, line: int) -> str:
        return f"{self.path(file)}:{line}" if file else ""

    def frame(self, f: FrameInfo) -> str:
        """`func file:line`, like render.common.frame_text."""
        return f"{f.func} {self.location(f.file, f.line)}" if f.file else f.func


@dataclass(frozen=True, slots=True)
class StackLine:
    """One entry of a stack as shown: the call, and where it is (for the editor)."""

    call: str  # "main.f(0xc000012345, 0x1)", "created by main.g in goroutine 1", a marker
    file: str = ""
    line: int = 0
    origin: Origin | None = None  # None: not a frame (markers), or not known
    note: str = ""  # "blocked here", "panicked here"
    folded: int = 0  # > 0: stands for this many runtime frames folded away
    local: str = ""  # the file of the source tree given (--source) to open instead of `file`

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.file else ""


def cluster_stack(c: Cluster, *, fold_runtime: bool) -> list[StackLine]:
    """The representative stack of a cluster, runtime frames folded or not."""
    out: list[StackLine] = []
    # Folded as the text report shows it: runtime frames folded, a recursion of one frame as
    # one row (with its count). Unfolded (`r`): every frame, as the dump has it.
    rows = stack_rows(c.frames) if fold_runtime else [StackRow(f, 1) for f in c.frames]
    for row in rows:
        f, n = row
        if f is None:
            out.append(StackLine(f"… {n} runtime frame{'s' if n != 1 else ''} (r shows them)", folded=n))
        else:
            note = f"{where_word(c)} here" if f == c.blocked_at else ""
            local = c.source.path or "" if c.source is not None and f == c.blocked_at else ""
            out.append(StackLine(f.func + repeat_text(row), f.file, f.line, f.origin, note, local=local))
    if c.created_by is not None:
        cb = c.created_by
        out.append(StackLine(f"created by {cb.func}", cb.file, cb.line, cb.origin))
    return out


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


def _call(g: Goroutine, f: Frame) -> str:
    return f"{f.func}({g.frame_args(f)})"


def goroutine_stack(
    g: Goroutine,
    origins: Mapping[tuple[str, str], Origin] | None = None,
    blocked_at: FrameInfo | None = None,
    word: str = "blocked",
) -> list[StackLine]:
    """Every line below the header, rebuilt from the model: frames with this goroutine's
    argument values, elision markers, creator and ancestors. The first frame at
    `blocked_at` gets the note "<word> here" (render.common.where_word)."""
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
            note, blocked_at = f"{word} here", None
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
    lines = [header_text(g)]
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
