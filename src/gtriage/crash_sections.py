"""The sections around a crash: the preamble (panic:, fatal error:, signal lines), the
runtime's own stack printed after a fatal error, and register dumps."""

from __future__ import annotations

from .lalr import ParseError
from .model import Crash, Panic
from .section import Section
from .snapshot_builder import SnapshotBuilder
from .transform import PreKind, grammar_parse

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from typing import Any


def read_preamble(sec: Section, snap: SnapshotBuilder) -> None:
    items = parse_each_line(sec, snap, "preamble", "crash preamble line not understood")
    if snap.crash is not None:
        return  # later preambles (SIGQUIT of each thread) add nothing new
    panics: list[list[str]] = []
    fatal = signal = fault = None
    cont_target: list[str] | None = None
    for it in items:
        if it.kind is PreKind.PANIC:
            cont_target = [it.text]
            panics.append(cont_target)
        elif it.kind is PreKind.CONT and cont_target is not None:
            cont_target.append(it.text[1:] if it.text.startswith("\t") else it.text)
        elif it.kind is PreKind.FATAL:
            fatal = it.text
            cont_target = None
        elif it.kind in (PreKind.SIGNAL, PreKind.SIGQUIT):
            signal = signal or it.text
            cont_target = None
        elif it.kind is PreKind.FAULT:
            fault = it.text
        elif it.kind is PreKind.BLANK and cont_target is not None:
            cont_target.append("")
    if not (panics or fatal or signal or fault):
        return
    snap.crash = Crash(
        panics=tuple(_panic("\n".join(msg).rstrip("\n")) for msg in panics),
        fatal_error=fatal,
        signal=signal,
        fault_address=fault,
        line=snap.at(sec.line),
    )
    snap.crash_goroutine_pending = True


def read_runtime_stack(sec: Section, snap: SnapshotBuilder) -> None:
    try:
        grammar_parse("\n".join(sec.lines) + "\n", "runtime_stack")
    except ParseError:
        for i, line in enumerate(sec.lines[1:], 1):
            snap.issue(sec.line + i, line, "runtime stack line not understood")


def read_regs(sec: Section, snap: SnapshotBuilder) -> None:
    parse_each_line(sec, snap, "regs", "register line not understood")


def parse_each_line(sec: Section, snap: SnapshotBuilder, start: str, reason: str) -> list[Any]:
    """The section's items from one grammar call, or, when the grammar rejects it, a line
    at a time with each rejected line counted."""
    try:
        items: list[Any] = grammar_parse("\n".join(sec.lines) + "\n", start)
        return items
    except ParseError:
        pass
    out: list[Any] = []
    for i, line in enumerate(sec.lines):
        try:
            out.extend(grammar_parse(line + "\n", start))
        except ParseError:
            snap.issue(sec.line + i, line, reason)
    return out


def _panic(text: str) -> Panic:
    for suffix, rec, rep in ((" [recovered, repanicked]", True, True), (" [recovered]", True, False)):
        first, sep, rest = text.partition("\n")
        if first.endswith(suffix):
            return Panic(first[: -len(suffix)] + sep + rest, rec, rep)
        if text.endswith(suffix):
            return Panic(text[: -len(suffix)], rec, rep)
    return Panic(text)
