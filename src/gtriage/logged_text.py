"""The log text a program wrote over a stack it took as it recovered a panic: its log line
(line_kinds.logged_panic) and, for a panic value of several lines, the lines the value goes
on over. net/http logs "http: panic serving <addr>: %v" then the stack, so an error of two
lines (errors.Join's, a wrapped one) puts its last line, not the log line, right over the
stack's header."""

from __future__ import annotations

from .line_kinds import is_header, logged_panic

# Lines a logged value may go on over, at most: past them the log line is not the stack's.
MAX_VALUE_LINES = 20
# Of each line, what is kept at most: no more of the text is (goroutine_section's
# MAX_LOGGED_LINE), and twenty lines of a hostile input's megabytes joined would be a copy
# of them all.
MAX_LINE_CHARS = 2000


class LoggedText:
    """Fed the lines outside a dump's sections in order, with the line after each: the
    logged text that ends right over a goroutine header, asked for at that header."""

    def __init__(self) -> None:
        self.lines: list[str] = []  # a log line saying a panic was logged, and what followed it
        self.last = -1  # input line of lines[-1]
        self.found: tuple[int, str] | None = None  # (last line, text) of the last one found

    def note(self, text: str, n: int, nxt: str | None) -> None:
        """Line n, followed by `nxt`. A logged text ends at it when `nxt` is a header: its
        lines joined with "\n". Lines that do not follow one another (a blank line, a stack
        in between) end a value."""
        if _panic_word(text) and logged_panic(text) is not None:
            self.lines = [text[:MAX_LINE_CHARS]]
        elif self.lines and n == self.last + 1 and len(self.lines) < MAX_VALUE_LINES:
            self.lines.append(text[:MAX_LINE_CHARS])
        else:
            self.lines = []
            return
        self.last = n
        if nxt is not None and is_header(nxt):
            self.found = (n, "\n".join(self.lines))
            self.lines = []

    def over(self, header: int) -> str | None:
        """The logged text that ends right over the header at line `header`, if any."""
        found = self.found
        return found[1] if found is not None and found[0] == header - 1 else None


def _panic_word(text: str) -> bool:
    """Whether the line may say a panic was logged (a cheap look before logged_panic's)."""
    return "anic" in text or "ANIC" in text
