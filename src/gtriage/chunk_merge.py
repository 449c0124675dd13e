"""The merge of a file read in chunks by several processes (parallel.py): the chunks'
goroutines taken in whatever order they arrive, and the one Dump they make in file order,
equal to a one-pass read (each distinct stack one object, ids never seen in two chunks)."""

from __future__ import annotations

from .chunk_reader import Chunk, FirstChunk, Later, PlainFrame, decode, stack_of
from .goroutine_index import Indexer, indexed
from .model import Dump, Frame, ParseIssue, Stack
from .record import replace
from .snapshot_builder import MAX_KEPT_ISSUES


class Merge:
    """The chunks' goroutines, taken in any order, and the dump they make in file order."""

    def __init__(self, first: FirstChunk, chunks: int) -> None:
        self.first = first
        self.later: list[Later | None] = [None] * chunks  # [0] stays None: the first chunk
        self.missing = chunks - 1
        self.ids = set(first.ids)
        # Each distinct stack once: the object every equal stack of the dump becomes.
        self.shared: dict[Stack, Stack] = dict(first.stacks)
        # The object each stack this process read became, by the stack's id (its parser
        # keeps each alive): a stack met again in a later chunk is not hashed again.
        self.own: dict[int, Stack] = {id(s): s for s in self.shared}
        self.worker_stacks: dict[int, list[Stack]] = {}  # each worker's stacks, in the order sent
        self.frames: dict[PlainFrame, Frame] = {}  # the workers' frames, each once
        # The report's passes over each chunk's goroutines, made as it comes in.
        self.indexer = Indexer(first.open_dump.goroutines, chunks)
        self.joined = 1  # chunks 0..joined-1 are in the open dump
        self.offset = first.lines  # lines of those chunks

    def add_own(self, k: int, c: Later) -> bool:
        """A chunk this process read; False when its ids were seen in another chunk."""
        shared, own = self.shared, self.own
        moved: dict[int, Stack] = {}
        for s in c.stacks:
            kept = own.get(id(s))
            if kept is None:
                kept = own[id(s)] = shared.setdefault(s, s)
            if kept is not s:
                moved[id(s)] = kept
        if moved:
            for g in c.goroutines:
                to = moved.get(id(g.stack))
                if to is not None:
                    g.stack = to  # still parsing: nothing has seen this goroutine yet
        return self._keep(k, c)

    def add_rows(self, w: int, k: int, c: Chunk) -> bool:
        """A chunk worker `w` read; False when its ids were seen in another chunk."""
        shared = self.shared
        stacks = self.worker_stacks.setdefault(w, [])
        frames = self.frames
        stacks.extend(shared.setdefault(s, s) for s in (stack_of(p, frames) for p in c[2]))
        return self._keep(k, decode(c, stacks))

    def _keep(self, k: int, c: Later) -> bool:
        if not self.ids.isdisjoint(c.ids):
            return False  # one pass would have read a repeated id (maybe a new dump)
        self.ids |= c.ids
        self.later[k] = c
        self.indexer.add(k, c.goroutines)
        self.missing -= 1
        self._join()
        return True

    def _join(self) -> None:
        """Each chunk whose chunks before it have all come in joins the open dump, its lines
        counted from the file's start: done as they come, while the other processes still
        parse, rather than for the whole file once the last chunk is read (~15 ms of the
        300k bench dump's serial end)."""
        later = self.later
        snap = self.first.open_dump
        offset = self.offset
        while self.joined < len(later) and (c := later[self.joined]) is not None:
            if offset:
                for g in c.goroutines:
                    g.line += offset  # lines counted from the chunk's start until now
            snap.goroutines.extend(c.goroutines)
            room = max(MAX_KEPT_ISSUES - len(snap.issues), 0)
            snap.issues.extend(ParseIssue(i.line + offset, i.text, i.reason) for i in c.issues[:room])
            snap.unparsed_lines += c.unparsed_lines
            snap.headers_seen += c.headers_seen
            snap.unparsed_headers += c.unparsed_headers
            snap.repeated_headers += c.repeated_headers
            snap.truncated = snap.truncated or c.truncated
            snap.last_line = c.last_line + offset
            offset += c.lines
            self.joined += 1
        self.offset = offset

    def dump(self, spec: str) -> Dump:
        """The first chunk's open dump with every later chunk's goroutines, in file order,
        as one pass would have read them (every chunk must have come in)."""
        first = self.first
        snap = first.open_dump
        assert self.joined == len(self.later)
        snap.last_section = None  # the last line is the last chunk's
        built = snap.build()
        built = replace(built, goroutines=indexed(built.goroutines, self.indexer.index()))
        return Dump(
            source=spec,
            snapshots=(*first.done, built),
            lines=self.offset,
            binary_lines=first.binary_lines,
            carriers=(),
        )
