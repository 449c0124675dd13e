"""What can go wrong with an input, and the exit codes the command line and the TUI both
return. One line for the user in every message: each may quote text from the input."""

from __future__ import annotations

from .render.safe import inert_line

EXIT_OK = 0
EXIT_INPUT = 1  # the input could not be read or holds no dump; also a report that cannot be written
EXIT_USAGE = 2  # as argparse: a bad option
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


class SourceError(Exception):
    """The input could not be read; the message is one line for the user."""


class NoDumpError(Exception):
    """The input holds no goroutine dump."""


INPUT_ERRORS = (SourceError, NoDumpError)  # what ends a run with EXIT_INPUT and one line


_QUOTE_MAX = 60  # characters of server text quoted in a message


def input_error(spec: str, reason: str) -> SourceError:
    # The input's name and the reason may both hold text the user did not write (a URL
    # from a script, a server's status line): one inert line, whoever prints it.
    return SourceError(inert_line(f"{spec}: {reason}"))


def size_text(n: int) -> str:
    """Bytes as people write them: 4 GiB, 500 MiB, 1.5 KiB, 100 bytes."""
    for unit, name in ((1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if n >= unit:
            value = n / unit
            return f"{value:.0f} {name}" if value == int(value) else f"{value:.1f} {name}"
    return f"{n} bytes"


def quote(text: str) -> str:
    text = text.rstrip("\r\n")
    if len(text) > _QUOTE_MAX:
        text = text[:_QUOTE_MAX] + "…"
    return f'"{inert_line(text)}"'


def os_reason(e: BaseException) -> str:
    if isinstance(e, OSError) and e.strerror:
        return e.strerror
    return str(e) or type(e).__name__
