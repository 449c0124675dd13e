"""What one line of a dump is, by its first characters: a header, a crash's first line, a
stack line, a location, a register. The line reader (line_reader.py) decides from these
where sections start and end."""

from __future__ import annotations

from .lazy_re import lazy

# ?debug=1 record start: "3 @ 0x47c70e 0x410f8b".
RECORD_START = lazy(r"[0-9]+ @( 0x[0-9a-fA-F]+)*$")
# Register dump line: "rax    0x1", "r8     0x0", "rflags 0x246", "lr      0x10045c".
REG_LINE = lazy(r"[a-z][a-z0-9]* +0x[0-9a-fA-F]+$")
SIGNAL_LINE = lazy(r"SIG[A-Z0-9]+: ")
_SPACES = lazy(r" {2,}|(?<=^#) ")
_SPACED_FRAME = lazy(r"# +(0x[0-9a-fA-F]+) +(\S+\+0x[0-9a-fA-F]+) +(\S.*)")
# A frame's location once its indentation is gone (tabs pasted as nothing or as spaces):
# "/x/m.go:12 +0x1d", "example.com/m/m.go:12" (-trimpath), with fp=/sp=/pc= at traceback
# level 2. A path has a "/" and its file an extension; log text ("addr=127.0.0.1:8080",
# 'at="x.go:3"') has "=" or quotes. The file's name is what follows the last slash: a
# name that may hold slashes too was tried at every slash and dot of a line, quadratic
# (3 s on a 64 KB line of paths), where one that holds none is found once.
LOCATION = lazy(
    r"[^\s\"=][^\n\"=]*[/\\][^\n\"=/\\]*\.[A-Za-z][A-Za-z0-9_]*:[0-9]+(?: \+0x[0-9a-fA-F]+)?"
    r"(?: fp=0x[0-9a-fA-F]+ sp=0x[0-9a-fA-F]+)?(?: pc=0x[0-9a-fA-F]+)?"
)

_PREAMBLE_STARTS = (
    "panic: ",
    "fatal error: ",
    "[signal ",
    "unexpected fault address ",
    "PC=0x",
    "*** Test killed",
    "runtime: ",
)
RACE_FENCE = "=================="
PROFILE_START = "goroutine profile: total "  # a ?debug=1 profile's title
RACE_WARNING = "WARNING: DATA RACE"  # a race report's first line, after its fence
# Longest line a goroutine's stack may hold (Go prints at most ~10 argument words a frame).
MAX_STACK_LINE = 1 << 16
_STACK_LINE_STARTS = ("created by ", "...", "[originating from goroutine ", "non-Go function")


def is_header(line: str) -> bool:
    return line.startswith("goroutine ") and "0" <= line[10:11] <= "9"


def header_id(line: str) -> int | None:
    """The id of a goroutine header line, when its digits are ASCII and few enough."""
    sp = line.find(" ", 10)
    digits = line[10:sp] if sp > 0 else line[10:]
    if not 0 < len(digits) <= 20 or not digits.isascii() or not digits.isdigit():
        return None
    return int(digits)


def starts_preamble(line: str) -> bool:
    return line.startswith(_PREAMBLE_STARTS) or (
        line.startswith("SIG") and SIGNAL_LINE.match(line) is not None
    )


def starts_dump(line: str) -> bool:
    """Lines that start a dump wherever they stand."""
    return (
        is_header(line)
        or (starts_preamble(line) and not line.startswith(("runtime: ", "PC=0x")))
        or line.startswith(PROFILE_START)
        or line in (RACE_WARNING, RACE_FENCE)
    )


def starts_section(line: str) -> bool:
    """Lines that end a goroutine's stack: the start of another section of the dump."""
    return (
        is_header(line)
        or starts_preamble(line)
        or line.startswith(PROFILE_START)
        or line in (RACE_WARNING, RACE_FENCE)
    )


def is_stack_line(line: str) -> bool:
    """Lines a goroutine's stack is made of, besides tab-indented locations."""
    return line.endswith(")") or line.startswith(_STACK_LINE_STARTS)


def is_location(line: str | None) -> bool:
    if line is None:
        return False
    if line[:1] == "\t":
        return True
    bare = line.lstrip(" ")
    return not bare.endswith(")") and LOCATION.fullmatch(bare) is not None


def location_follows(nxt: str | None, nxt2: str | None) -> bool:
    """Whether a line that fits nowhere is damage inside a stack: a location follows it."""
    return is_location(nxt) or (nxt is not None and nxt.strip() != "" and is_location(nxt2))


def call_over_location(text: str, nxt: str | None) -> bool:
    """Inside a stack, a call over its location is a call, whatever it starts with ("panic:
    x(y)"): the runtime starts no section with such a pair. A header stays a header (one
    glued to its first call must not become a frame of the goroutine above)."""
    return nxt is not None and nxt[:1] == "\t" and text[-1:] == ")" and text[:1] != " " and not is_header(text)


def retab_leading(text: str) -> str:
    """A nested panic pasted with spaces for its tab. Other lines keep their spaces: a
    panic value's own indentation is part of the value (Go before 1.23 adds none)."""
    if text[:1] == " " and text.lstrip(" ").startswith("panic: "):
        return "\t" + text.lstrip(" ")
    return text


def retab_record_line(text: str) -> str:
    """debug=1 frame lines are tab-separated; a paste may have turned tabs into spaces: one
    space where a tab stop came right after a word (a log's prefix before the line moves
    the stops), so a frame is read by its three words (its pc, its function and offset,
    its location)."""
    if "\t" in text or text.startswith("# labels:"):
        return text
    m = _SPACED_FRAME.fullmatch(text)
    if m is not None:
        return f"#\t{m[1]}\t{m[2]}\t{m[3]}"
    return _SPACES.sub("\t", text)


# What a program writes on the line right before a stack it took while handling a panic it
# recovered: net/http's "http: panic serving 10.0.0.7:51234: <value>" (conn.serve), echo's
# "[PANIC RECOVER] <value>", negroni's "[negroni] PANIC: <value>", or a log call's
# "panic: <value>" behind the log's own prefix (log.Printf("panic: %v\n%s", v,
# debug.Stack())), or "PANIC: <value>" anywhere. At a line's start, "panic: " is the
# runtime's own (a crash preamble); the runtime never writes "PANIC: ".
LOGGED_BY_HTTP = "net/http"
LOGGED_BY_ECHO = "echo"
LOGGED_BY_NEGRONI = "negroni"
LOGGED_BY_LOG = "log"
_HTTP_PANIC = "http: panic serving "
# labstack/echo's Recover middleware: Printf("[%s] %s %s", "PANIC RECOVER", err, stack),
# the stack glued to the value (its header starts a line of its own: carriers.py).
_ECHO_PANIC = "[PANIC RECOVER] "
# urfave/negroni's Recovery middleware with its defaults: its own logger's "[negroni] "
# prefix (no date), then Printf("PANIC: %s\n%s", err, stack), the stack of the panicking
# goroutine alone (runtime.Stack into 8 KiB: a deep one is cut off).
_NEGRONI_PANIC = "[negroni] PANIC: "
_LOUD_PANIC = "PANIC: "


def logged_panic(line: str) -> tuple[str, str] | None:
    """(who logged it, the panic value as logged) when `line` says a panic was logged (a
    logged text of several lines: the value goes on over them, logged_text.py)."""
    at = line.find(_HTTP_PANIC)
    if at >= 0:
        rest = line[at + len(_HTTP_PANIC) :]
        colon = rest.find(": ")
        return (LOGGED_BY_HTTP, rest[colon + 2 :]) if colon >= 0 else None
    at = line.find(_ECHO_PANIC)
    if at >= 0:
        return LOGGED_BY_ECHO, line[at + len(_ECHO_PANIC) :].rstrip()
    at = line.find(_NEGRONI_PANIC)
    if at >= 0:
        return LOGGED_BY_NEGRONI, line[at + len(_NEGRONI_PANIC) :]
    at = line.find(" panic: ")
    if at >= 0:
        return LOGGED_BY_LOG, line[at + 8 :]
    if line.startswith(_LOUD_PANIC):
        return LOGGED_BY_LOG, line[len(_LOUD_PANIC) :]
    at = line.find(" " + _LOUD_PANIC)
    if at >= 0:
        return LOGGED_BY_LOG, line[at + 1 + len(_LOUD_PANIC) :]
    return None
