"""The process each dump of a log was written by, where its lines' prefix names it as syslog
and `journalctl -u` print it ("Dec 01 04:32:13 host leakrate[28203]: "). A service that
restarted between two dumps wrote them from two processes: each count is a new process's,
not one process's growth. (journald's JSON names the process of every entry itself:
json_logs.py.)

Read only in logs whose lines carry a learned prefix, at goroutine headers (the lines a
dump's process is told by), and recorded where it changes.
"""

from __future__ import annotations

from bisect import bisect_left

from .lazy_re import lazy
from .record import dataclass, field

# "ident[pid]: goroutine N [": the identifier is the word before the bracket.
_HEADER = lazy(r"\[([0-9]{1,10})\]: goroutine [0-9]+ ")
# The same "[pid]:" in a learned prefix's shape (prefixes.prefix_shape), its number free.
_PID_SHAPE = r"\[[0-9]+\]:"


def names_processes(shapes: list[str]) -> bool:
    """Whether a learned prefix's shape holds a syslog `[pid]:`: only then are a log's
    chunks searched for processes (a kubectl log's 50 MB cost ~30 ms of search, for none)."""
    return any(_PID_SHAPE in shape for shape in shapes)


@dataclass(slots=True)
class ProcessLines:
    """Input line -> the process ("leakrate[28203]") whose goroutine header it is or follows."""

    lines: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def observe(self, text: str, first_line: int) -> None:
        """Record the processes of the goroutine headers in a chunk of the input (its lines
        as the input's, prefixes and all) whose first line is `first_line`."""
        line, at = first_line, 0
        for m in _HEADER.finditer(text):
            start = text.rfind("\n", 0, m.start()) + 1
            word = max(text.rfind(" ", start, m.start()) + 1, start)
            name = f"{text[word : m.start()]}[{m.group(1)}]"
            if self.names and self.names[-1] == name:
                continue
            line += text.count("\n", at, m.start())
            at = m.start()
            self.lines.append(line)
            self.names.append(name)

    def at(self, first: int, last: int) -> str:
        """The process of the dump on lines `first`..`last`: the one its headers changed to,
        else the one before it (unchanged since); "" when no header named one."""
        i = bisect_left(self.lines, first)
        if i < len(self.lines) and self.lines[i] <= last:
            return self.names[i]
        return self.names[i - 1] if i else ""
