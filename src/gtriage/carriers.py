"""Take dump text out of whatever carried it: JSON-lines logs, escaped one-line dumps, and
line prefixes learned from the runtime's own lines.

Dumps reach an on-call engineer inside `go test -json` events, docker `json-file` logs,
`log/slog` JSON lines, a pod's status JSON, kubectl / journald / hclog prefixes, markdown
quotes, chat pastes. This module turns the input into one or more *streams* of plain text
(streams.py) in which the dump reads as the runtime printed it, each with a map from its
lines back to the input's lines. sections.py then reads every stream the same way; it knows
nothing of carriers. The carriers themselves: json_logs.py, escaped.py, prefixes.py.

Plain text costs a few substring searches per 1 MiB chunk: a chunk is only rewritten when
it holds a carrier. Everything here is linear in the input.
"""

from __future__ import annotations

from .escaped import one_line_dump
from .hard_wrap import Rejoiner, detect
from .json_logs import DOCKER_HEAD, JsonLogs, docker_chunk, docker_line, docker_log, docker_text
from .lazy_re import lazy
from .log_processes import names_processes
from .newest_first import in_order
from .prefixes import MAX_SHAPES, Prefixes, learn_prefixes
from .streams import CHUNK, CarrierStats, LineMap, Stream

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Iterator

    from .streams import Readable


OTHER_SOURCES = "lines of other log sources (set apart)"


ANSI = "terminal colours (removed)"
# What colourized logs carry (stern --color always, `script` recordings, a colourizer, a
# test runner's output): SGR colour and weight, and erase-in-line. Other control sequences
# (a title, a screen clear) are no log's colours: they stay, and are spelled out when shown.
_CONTROL = lazy(r"\x1b\[[0-9;:]*[mK]")


def _uncoloured(text: str, stats: CarrierStats) -> str:
    out = _CONTROL.sub("", text)
    if len(out) != len(text):
        stats.carriers.add(ANSI)
    return out


def _count_lines(text: str) -> int:
    return text.count("\n") + (0 if not text or text.endswith("\n") else 1)


class TextStream:
    """The input as text: JSON-lines go to their own streams, escaped one-line dumps are
    unfolded, glued headers unglued, learned prefixes stripped; the rest passes as it is.

    A chunk that holds none of these is passed on whole (the common case); one that does is
    rewritten line by line, and the stream's line map records where its lines came from.
    """

    def __init__(self, source: Readable, stats: CarrierStats) -> None:
        self.source = source
        self.stats = stats
        self.json = JsonLogs()
        self.prefixes = Prefixes()
        self.line_map = LineMap()
        self.mapping = False  # whether a chunk was rewritten: from then on every chunk is mapped
        self.at_line_start = True  # the stream's text so far ends a line (a docker line split at 16 KiB does not)
        self.rows: Rejoiner | None = None  # the input's lines were cut into rows (hard_wrap.py)
        self.input_line = 1  # input line of the next chunk's first line

    def chunks(self) -> Iterator[str]:
        carry = ""
        held: list[str] = []  # chunks without a line break: one long line, joined once
        nxt = self.source.read(CHUNK)  # one chunk read ahead: the last one is known as such
        if nxt and nxt[:64].lstrip()[:1] in ("[", "{"):
            nxt = self._export(nxt)
        while nxt:
            chunk, nxt = nxt, self.source.read(CHUNK)
            if nxt and "\n" not in chunk:
                held.append(chunk)
                continue
            if held:
                chunk = "".join(held) + chunk
                held = []
            text = carry + chunk if carry else chunk
            carry = ""
            if "\r" in text:
                # CRLF; a "\r" at the end may belong with the next chunk's "\n".
                if nxt and text.endswith("\r"):
                    text, carry = text[:-1], "\r"
                text = text.replace("\r\n", "\n")
            if not nxt:
                yield self._rewrite(text)  # the whole rest: every line has its neighbours
                return
            # Keep the last complete line with the rest, so that every line handled has
            # its next line at hand (a prefix is confirmed by a neighbour).
            end = text.rfind("\n")
            end = text.rfind("\n", 0, end) if end > 0 else -1
            if end < 0:
                carry = text + carry
                continue
            carry = text[end + 1 :] + carry
            yield self._rewrite(text[: end + 1], text[end + 1 : text.rfind("\n") + 1])
        if carry or held:
            yield self._rewrite(carry + "".join(held))

    def _export(self, head: str) -> str:
        """A cloud log export (log_exports.py) read whole: its entries go to their sources'
        streams; returns what is left for this stream to read as text (its entries cut
        short), or `head` as it is for any other input."""
        from .log_exports import export_kind  # only for inputs that start as JSON

        kind = export_kind(head)
        if kind is None:
            return head
        from .log_exports import carry_export

        parts = [head]
        while part := self.source.read(CHUNK):
            parts.append(part)
        text = "".join(parts).replace("\r\n", "\n")
        end = carry_export(text, kind, self.json, self.stats)
        rest = text[end:]
        if rest.strip():
            # An entry cut short: its lines are this stream's text, at their input lines
            # (_rewrite counts them on).
            self.input_line += text.count("\n", 0, end)
            self.mapping = True
            return rest
        self.stats.lines = _count_lines(text)
        return ""

    def _rewrite(self, text: str, ahead: str = "") -> str:
        """The chunk `text` as sections.py reads it; `ahead` is the line after it (carried
        to the next chunk), the neighbour a prefix on the chunk's last line is confirmed by."""
        first = self.input_line
        lines_in = _count_lines(text)
        self.input_line += lines_in
        self.stats.lines = self.input_line - 1
        if "\x1b" in text:
            # Terminal colours: the runtime prints none; the lines stay the lines.
            text, ahead = _uncoloured(text, self.stats), _uncoloured(ahead, self.stats)
        pieces: list[str] | None = None
        whole = docker_chunk(text, lines_in) if self.at_line_start and text.startswith(DOCKER_HEAD) else None
        if whole is None:
            self.stats.clock.observe(text, first)
        if whole is not None:
            self.stats.clock.observe_times(text, whole[1], first)
            text = whole[0]  # one line of output a line of the log: the lines stay the input's
            self.stats.carriers.add("docker json-file")
        # JSON log lines start with '{"'; an escaped dump holds an escaped frame location.
        # A character first: a one-character search is a memchr, a longer one ~2
        # instructions a character, and plain dumps hold no quote and no backslash.
        elif (
            (not self.at_line_start and self.rows is None)
            or text.startswith("{")
            or ('"' in text and '\n{"' in text)
            or ("\\" in text and "\\n\\t" in text)
        ):
            carried = self._carried(text)
            if carried is not None:
                pieces = carried
                text = "".join(pieces)
        if first == 1 and whole is None and pieces is None:
            self.rows = detect(text)
            if self.rows is not None:
                self.stats.carriers.add(self.rows.name)
        if self.rows is not None and whole is None and pieces is None:
            pieces = self.rows.pieces(text, ahead)
            text = "".join(pieces)
        # Prefixes learned before come off first: the runtime's lines then stand at their
        # lines' starts, and looking for new prefixes and glued headers costs next to nothing.
        prefixes = self.prefixes
        glued: list[int] = []
        as_read = text if pieces is None and whole is None else None  # its lines the input's
        # Until nothing new is learned: a prefix learned on text already stripped (a second
        # level, "> " inside a log) must come off this chunk too, not only the next ones.
        for _ in range(MAX_SHAPES + 1):
            if prefixes.strip is not None:
                text = prefixes.stripped(text)
                pieces = [prefixes.stripped(p) if p else p for p in pieces] if pieces is not None else None
                ahead = prefixes.stripped(ahead) if ahead else ahead
            known = len(prefixes.shapes)
            glued = []
            learn_prefixes(text + ahead if ahead else text, prefixes, glued, len(text), prefixes.strip is not None)
            if len(prefixes.shapes) == known:
                break
        if as_read is not None and prefixes.strip is not None and names_processes(prefixes.shapes):
            self.stats.processes.observe(as_read, first)
        if not self.line_map.source and prefixes.sources.named:
            # A log of one pod (`kubectl logs --prefix`) names it as a log of several does:
            # its dumps and another file's of the same pod are one pod's.
            self.line_map.source = prefixes.sources.own_name()
        if glued:
            if pieces is None:
                pieces = [line + "\n" for line in text.split("\n")]
                if text.endswith("\n"):
                    pieces.pop()
                else:
                    pieces[-1] = pieces[-1][:-1]
            pieces = _unglue(pieces, glued)
            text = "".join(pieces)
        if prefixes.sources.in_text(text):
            pieces = self._apart(text, pieces, first)
            text = "".join(pieces)
        self._map_lines(first, lines_in, pieces)
        return text

    def _apart(self, text: str, pieces: list[str] | None, first: int) -> list[str]:
        """The chunk's pieces, one per input line, with the lines of other log sources
        carried to streams of their own (log_sources.py): empty pieces here."""
        sources = self.prefixes.sources
        if pieces is None:
            pieces = [line + "\n" for line in text.split("\n")]
            pieces[-1] = pieces[-1][:-1]  # the text's end: "" after a final line break
        for i, piece in enumerate(pieces):
            found = sources.other(piece) if piece.find("\n") in (-1, len(piece) - 1) else None
            if found is not None:
                m, key = found
                source = " ".join(key)
                self.json.carry(("source", *key), "log lines of " + source, piece[m.end() :], first + i, source)
                # The input holds several sources: this stream's dumps are its own source's.
                self.line_map.source = self.line_map.source or sources.own_name()
                self.stats.carriers.add(OTHER_SOURCES)
                pieces[i] = ""
        return pieces

    def _map_lines(self, first: int, lines_in: int, pieces: list[str] | None) -> None:
        """Where the stream lines of a chunk came from: `pieces` (one per input line from
        `first`) when the carrier changed the lines, else the chunk's `lines_in` as they are."""
        if pieces is not None:
            if not self.mapping:
                self.mapping = True
                self.line_map.same(1, first - 1)
            add = self.line_map.add
            at_start = self.at_line_start
            for i, piece in enumerate(pieces):
                if piece:
                    # The stream lines that start in this piece come from its input line; a
                    # docker line split at 16 KiB continues the line before.
                    add(first + i, at_start + piece.count("\n") - piece.endswith("\n"))
                    at_start = piece.endswith("\n")
            self.at_line_start = at_start
        elif self.mapping:
            self.line_map.same(first, lines_in)

    def _carried(self, text: str) -> list[str] | None:
        """The chunk's lines, one piece per input line: docker lines decoded, other JSON
        lines taken out (empty pieces: what they carry has a stream of its own), one-line
        dumps too. None when no line was changed."""
        lines = text.split("\n")
        if text.endswith("\n"):
            lines.pop()
        first = self.input_line - len(lines)
        out: list[str] = []
        changed = not self.at_line_start
        stats = self.stats
        for i, line in enumerate(lines):
            if line[:1] == "{":
                d = docker_line(line)
                log = docker_log(d[0]) if d is not None else None
                # A line that only looks like docker's (its "log" no JSON string) is read
                # as JSON, or else as the text it is.
                inline = docker_text(log) if log is not None else self.json.take(line, first + i, stats)
                if log is not None:
                    stats.carriers.add("docker json-file")
                if inline is not None:
                    out.append(inline)
                    changed = True
                    continue
            elif "\\n" in line:
                dump = one_line_dump(line)
                if dump is not None:
                    # A document of its own (a pod's message holds the end of a dump, cut
                    # anywhere): read apart from the lines around it.
                    stats.carriers.add("one-line dump")
                    n = first + i
                    self.json.document(dump.replace("\r\n", "\n"), n, f"one-line dump on line {n}")
                    out.append("")
                    changed = True
                    continue
            out.append(line + "\n")
        if not changed:
            return None
        if not text.endswith("\n") and out and out[-1].endswith("\n"):
            out[-1] = out[-1][:-1]
        return out


def _unglue(pieces: list[str], glued: list[int]) -> list[str]:
    """The pieces with a line break before each offset in `glued` (offsets into their join)."""
    out = []
    at = 0
    g = 0
    for piece in pieces:
        end = at + len(piece)
        if g < len(glued) and glued[g] < end:
            parts = []
            last = 0
            while g < len(glued) and glued[g] < end:
                parts.append(piece[last : glued[g] - at])
                last = glued[g] - at
                g += 1
            parts.append(piece[last:])
            piece = "\n".join(parts)
        out.append(piece)
        at = end
    return out


def read_streams(source: Readable, stats: CarrierStats | None = None) -> Iterator[Stream]:
    """The streams of plain dump text in `source`: the input itself (less what carriers
    held), then each stream a carrier held, in the order they first appeared."""
    st = stats if stats is not None else CarrierStats()
    text = TextStream(source, st)
    yield in_order(Stream("-", text.chunks(), text.line_map), st)
    for buf in text.json.streams.values():
        yield in_order(buf.stream(), st)
