"""A stack as text with a frame cursor: own frames bold, stdlib dim, file:line under each.

Stacks are short (tens of frames), so the whole Text is rebuilt when the cursor moves.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.geometry import Region
from textual.reactive import reactive
from textual.widget import Widget

from gtriage.frame_info import Origin

from .messages import OpenFrame
from .styled import ORIGIN_STYLE, PathStyle, StackLine, plain


class StackView(Widget):
    DEFAULT_CSS = """
    StackView { height: auto; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"stack-view--cursor", "stack-view--note"}

    cursor: reactive[int] = reactive(-1)

    def __init__(self, paths: PathStyle, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paths = paths
        self.header: list[str] = []
        self.lines: list[StackLine] = []

    def show(self, header: list[str], lines: list[StackLine], *, keep_cursor: bool = False) -> None:
        old = self.lines[self.cursor] if keep_cursor and 0 <= self.cursor < len(self.lines) else None
        self.header = header
        self.lines = lines
        frames = self.frame_indexes()
        if old is not None and old in lines:
            self.set_reactive(StackView.cursor, lines.index(old))
        else:
            # Start on the line gtriage blames, else the first frame.
            noted = [i for i in frames if lines[i].note]
            self.set_reactive(StackView.cursor, noted[0] if noted else frames[0] if frames else -1)
        self.refresh(layout=True)

    def frame_indexes(self) -> list[int]:
        return [i for i, s in enumerate(self.lines) if s.file]

    @property
    def current(self) -> StackLine | None:
        return self.lines[self.cursor] if 0 <= self.cursor < len(self.lines) else None

    def move(self, step: int) -> None:
        frames = self.frame_indexes()
        if not frames:
            return
        pos = frames.index(self.cursor) if self.cursor in frames else 0
        self.cursor = frames[max(0, min(len(frames) - 1, pos + step))]

    def open_current(self) -> None:
        cur = self.current
        if cur is not None and cur.file:
            self.post_message(OpenFrame(cur.local or cur.file, cur.line))

    def watch_cursor(self, cursor: int) -> None:
        self.refresh()
        # Keep the cursor's two lines in view in the scrolling parent.
        y = len(self.header) + sum(2 if s.file else 1 for s in self.lines[: max(cursor, 0)])
        parent = self.parent
        if isinstance(parent, Widget) and cursor >= 0:
            parent.scroll_to_region(
                Region(0, self.virtual_region.y + y, max(self.size.width, 1), 2), animate=False
            )

    def render(self) -> Text:
        cursor_style = self.get_component_rich_style("stack-view--cursor")
        note_style = self.get_component_rich_style("stack-view--note")
        out: list[Text] = [plain(h, "bold") for h in self.header]
        for i, s in enumerate(self.lines):
            mark = "▶ " if i == self.cursor else "  "
            style = ORIGIN_STYLE.get(s.origin, "") if s.origin is not None else "dim" if s.folded or not s.file else ""
            call = Text.assemble(mark, plain(s.call, style), end="")
            if s.note:
                call.append(f"  ← {s.note}", style=note_style)
            if i == self.cursor:
                call.stylize(cursor_style)
            out.append(call)
            if s.file:
                where = self.paths.location(s.file, s.line)
                out.append(plain(f"      {where}", "dim" if s.origin in (Origin.STDLIB, Origin.RUNTIME) else ""))
        return Text("\n", end="").join(out)


def toggle_paths(screen: Widget, paths: PathStyle) -> None:
    """`p` on either screen: full paths, or as the text report spells them; say which."""
    paths.full = not paths.full
    for view in screen.query(StackView):
        view.refresh()
    screen.notify("Full paths." if paths.full else "Short paths ($GOROOT/…), as in the text report.", timeout=2)
