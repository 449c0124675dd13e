"""One input read and parsed: an archive's member, a big plain file by several processes
(parallel.py), anything else by this one; and several inputs read a few at a time."""

from __future__ import annotations

import os

from .errors import INPUT_ERRORS
from .inputs import Input, open_member
from .job_count import big_enough
from .model import Dump
from .parse import parse_lines
from .progress import Progress
from .record import dataclass, replace
from .report import FILE_CLOCK
from .source import BinaryProfile, SourceInfo, open_input, stdin_stopped

TYPE_CHECKING = False  # typing's own costs every run ~4 ms to import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import BinaryIO


@dataclass(frozen=True, slots=True)
class ReadOptions:
    timeout: float
    max_bytes: int | None
    stdin: BinaryIO | None
    jobs: int = 1


def read_dump(
    item: Input, opts: ReadOptions, progress: Progress | None = None, while_reading: Callable[[], object] | None = None
) -> tuple[SourceInfo, Dump]:
    """Read and parse one input; `while_reading` is called once meanwhile (analyze_inputs)."""
    t, most = opts.timeout, opts.max_bytes
    called: list[bool] = []

    def meanwhile() -> None:
        if while_reading is not None and not called:
            called.append(True)
            while_reading()

    if item.member is not None:
        meanwhile()
        with (
            open_member(item.spec, item.member) as (f, mtime),
            open_input("-", stdin=f, member=(item.name, mtime), timeout=t, max_bytes=most, progress=progress) as (info, stream),
        ):
            return info, _parse(stream, item.name)
    dump = _parse_in_parallel(item.spec, opts.jobs, most, progress, meanwhile)
    if dump is not None:
        return _file_info(item.spec), dump
    meanwhile()  # not read in parallel (or not after all): before the ordinary read
    with open_input(item.spec, stdin=opts.stdin, timeout=t, max_bytes=most, progress=progress) as (info, stream):
        dump = _parse(stream, info.name)
    if item.spec == "-" and stdin_stopped():
        dump = replace(dump, cut=f"stdin was still open: reading stopped at Ctrl-C, after {dump.lines:,} lines; what came is reported")
    return info, dump


def _parse(content: Iterable[str] | BinaryProfile, name: str) -> Dump:
    if isinstance(content, BinaryProfile):
        from .pprof_profile import read_profile  # the protobuf runtime only for a profile

        return read_profile(content.data, name)
    from .collector import paused

    # As parallel.py reads a file: the goroutines read so far make no cycles, and each
    # full collection went over all of them (~5% of a 100k dump's parse from stdin).
    with paused():
        return parse_lines(content, name)


def _file_info(path: str) -> SourceInfo:
    """What open_lines would say of a plain file that parallel.py read."""
    try:
        st = os.stat(path)
    except OSError:
        return SourceInfo(path, None)
    return SourceInfo(path, st.st_size, st.st_mtime, FILE_CLOCK)


def _parse_in_parallel(
    spec: str, jobs: int, max_bytes: int | None, progress: Progress | None, while_reading: Callable[[], None]
) -> Dump | None:
    if jobs < 2 or not big_enough(spec):
        return None  # decided before importing parallel.py: most inputs are small
    from .parallel import parse_file

    return parse_file(spec, jobs=jobs, max_bytes=max_bytes, progress=progress, meanwhile=while_reading)


def read_all(items: Sequence[Input], opts: ReadOptions, concurrency: int) -> list[tuple[SourceInfo, Dump] | str]:
    """Read every input, `concurrency` at a time: its info and dump, or why it failed (one
    line). Each fetch has the whole `timeout` to itself."""
    def one(item: Input) -> tuple[SourceInfo, Dump] | str:
        try:
            return read_dump(item, opts)
        except INPUT_ERRORS as e:
            return str(e)

    if concurrency <= 1 or len(items) <= 1:
        return [one(i) for i in items]
    from concurrent.futures import ThreadPoolExecutor  # a fleet only: it imports logging and more

    pool = ThreadPoolExecutor(max_workers=min(concurrency, len(items)), thread_name_prefix="gtriage-fetch")
    try:
        return list(pool.map(one, items))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C: leave the fetches behind
