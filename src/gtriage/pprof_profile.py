"""pprof's binary goroutine profile: what `/debug/pprof/goroutine` serves without `?debug=`
(debug=0) and what `go tool pprof -proto` writes, a gzipped protobuf `Profile`, read into the
model as debug=1's records: one Record a sample (its count, its stack innermost first, its
labels). Like debug=1 it holds no goroutine ids and no states.

The protobuf runtime is Google's `protobuf` (upb, in C): the message class is built at the
first profile from the schema below, no generated code. It is imported only then, so text
dumps never pay for it.

The input is hostile: the bytes were read within a size limit (source.py), decoding is
linear in them, every id and string index is checked, and the work of expanding stacks
(a sample names locations, a location names inlined lines) is bounded whatever the
profile claims. Whatever is wrong is one SourceError line.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Protocol, cast

from .errors import input_error
from .model import Dump, DumpFormat, Frame, Labels, ParseIssue, Record, Snapshot
from .profile_sniff import MAX_PROFILE_BYTES
from .snapshot_builder import MAX_KEPT_ISSUES

if TYPE_CHECKING:
    from google.protobuf.message import Message

MAX_SAMPLES = 2_000_000
# Frames of one sample once inlined lines are expanded; the runtime records at most 1024
# PCs (GODEBUG=profstackdepth), so a deeper stack is cut and said.
MAX_STACK = 4096
# Frames of all distinct stacks together: a few bytes of location ids may name locations
# of many lines each, so the frames made are bounded by this, not by the input's size.
# Clustering costs about a microsecond a frame; 100,000 distinct stacks of 40 frames fit.
MAX_FRAMES = 4_000_000
# --- the schema ------------------------------------------------------------------------

# The subset of profile.proto that gtriage reads, written from the format's documentation:
# message -> (field, number, type, repeated, message type). Mapping and the other fields
# are left out (the decoder skips them). Strings are read as bytes: proto3 `string` must
# be UTF-8 or the whole profile fails to decode, and a function name may not be.
_MSG, _BYTES, _INT64, _UINT64 = "message", "bytes", "int64", "uint64"
_SCHEMA: dict[str, tuple[tuple[str, int, str, bool, str], ...]] = {
    "Profile": (
        ("sample_type", 1, _MSG, True, "ValueType"),
        ("sample", 2, _MSG, True, "Sample"),
        ("location", 4, _MSG, True, "Location"),
        ("function", 5, _MSG, True, "Function"),
        ("string_table", 6, _BYTES, True, ""),
        ("time_nanos", 9, _INT64, False, ""),  # when it was taken, ns since the epoch; 0: not said
    ),
    "ValueType": (("type", 1, _INT64, False, ""), ("unit", 2, _INT64, False, "")),
    "Sample": (
        ("location_id", 1, _UINT64, True, ""),  # innermost first
        ("value", 2, _INT64, True, ""),  # one for each sample_type
        ("label", 3, _MSG, True, "Label"),
    ),
    "Label": (
        ("key", 1, _INT64, False, ""),
        ("str", 2, _INT64, False, ""),
        ("num", 3, _INT64, False, ""),
        ("num_unit", 4, _INT64, False, ""),
    ),
    "Location": (
        ("id", 1, _UINT64, False, ""),
        ("line", 4, _MSG, True, "Line"),  # inlined calls: innermost first, the caller last
    ),
    "Line": (("function_id", 1, _UINT64, False, ""), ("line", 2, _INT64, False, "")),
    "Function": (
        ("id", 1, _UINT64, False, ""),
        ("name", 2, _INT64, False, ""),
        ("system_name", 3, _INT64, False, ""),
        ("filename", 4, _INT64, False, ""),
    ),
}
_PACKAGE = "perftools.profiles"


@cache
def _profile_class() -> type[Message]:
    """The Profile message class, from _SCHEMA, in a pool of its own (another library may
    register its own perftools.profiles in the default pool)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    fdp = descriptor_pb2.FileDescriptorProto(name="gtriage_profile.proto", package=_PACKAGE, syntax="proto3")
    kinds = descriptor_pb2.FieldDescriptorProto
    types = {_MSG: kinds.TYPE_MESSAGE, _BYTES: kinds.TYPE_BYTES, _INT64: kinds.TYPE_INT64, _UINT64: kinds.TYPE_UINT64}
    for name, fields in _SCHEMA.items():
        msg = fdp.message_type.add(name=name)
        for fname, number, ftype, repeated, of in fields:
            f = msg.field.add(
                name=fname, number=number, type=types[ftype],
                label=kinds.LABEL_REPEATED if repeated else kinds.LABEL_OPTIONAL,
            )
            if of:
                f.type_name = f".{_PACKAGE}.{of}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.Profile"))


# What the dynamic class holds, for the type checker: its fields as the schema declares them.


class _ValueType(Protocol):
    type: int
    unit: int


class _Label(Protocol):
    key: int
    str: int
    num: int
    num_unit: int


class _Sample(Protocol):
    location_id: Sequence[int]
    value: Sequence[int]
    label: Sequence[_Label]


class _Line(Protocol):
    function_id: int
    line: int


class _Location(Protocol):
    id: int
    line: Sequence[_Line]


class _Function(Protocol):
    id: int
    name: int
    system_name: int
    filename: int


class _Profile(Protocol):
    sample_type: Sequence[_ValueType]
    sample: Sequence[_Sample]
    location: Sequence[_Location]
    function: Sequence[_Function]
    string_table: Sequence[bytes]
    time_nanos: int


# --- the records -----------------------------------------------------------------------

GOROUTINE_TYPES = ("goroutine", "goroutines")  # sample_type.type of a goroutine profile
COUNT_UNIT = "count"


class _Invalid(Exception):
    """The profile decoded but does not hold together; the message says how."""


def read_profile(data: bytes, source: str) -> Dump:
    """The dump a profile holds: one snapshot of format PPROF, one record a sample. Raises
    SourceError (one line) for anything that is not a goroutine profile that holds
    together."""
    if len(data) > MAX_PROFILE_BYTES:
        raise input_error(source, f"a pprof profile of more than {MAX_PROFILE_BYTES >> 20} MiB: "
                                  "goroutine profiles are far smaller")
    profile = _decode(data, source)
    try:
        return Dump(source, (_snapshot(profile),))
    except _Invalid as e:
        raise input_error(source, f"not a valid pprof profile: {e}") from None


def _decode(data: bytes, source: str) -> _Profile:
    from google.protobuf.message import DecodeError

    msg = _profile_class()()
    try:
        msg.ParseFromString(data)
    except DecodeError:
        raise input_error(
            source, "looks like a pprof protobuf profile but does not decode: damaged or cut off"
        ) from None
    # The class is built from _SCHEMA at run time; _Profile states the same fields.
    return cast("_Profile", msg)


class _Strings:
    def __init__(self, table: Sequence[bytes]) -> None:
        # Decoded once each: most are function names and files that many frames share.
        self.table = [s.decode("utf-8", "replace") for s in table]

    def __call__(self, index: int) -> str:
        if not 0 <= index < len(self.table):
            raise _Invalid(f"a string index ({index}) past the string table ({len(self.table)} strings)")
        return self.table[index]


def _count_index(profile: _Profile, string: _Strings) -> int:
    """Which of each sample's values is its goroutine count."""
    types = [(string(t.type), string(t.unit)) for t in profile.sample_type]
    for i, (kind, unit) in enumerate(types):
        if kind in GOROUTINE_TYPES and unit == COUNT_UNIT:
            return i
    if not types:
        raise _Invalid("it names no sample type")
    named = ", ".join(f"{k[:40]}/{u[:40]}" for k, u in types[:4])
    raise _Invalid(f"a pprof profile of {named}, not of goroutines (fetch /debug/pprof/goroutine)")


def _snapshot(profile: _Profile) -> Snapshot:
    string = _Strings(profile.string_table)
    at = _count_index(profile, string)
    if len(profile.sample) > MAX_SAMPLES:
        raise _Invalid(f"more than {MAX_SAMPLES:,} samples: more than a goroutine profile holds")
    stacks = _Stacks(profile, string)
    records: list[Record] = []
    width = len(profile.sample_type)
    for n, s in enumerate(profile.sample, 1):
        values = s.value
        if len(values) != width:
            raise _Invalid(f"sample {n} has {len(values)} values for {width} sample types")
        count = values[at]
        if count < 0:
            raise _Invalid(f"sample {n} counts {count} goroutines")
        frames = stacks.frames(tuple(s.location_id), n)
        # Go prints debug=1's labels sorted by key; the profile keeps them in map order.
        found = s.label
        labels: Labels = tuple(sorted(_label(lb, string) for lb in found)) if found else ()
        records.append(Record(count, frames, labels, n))
    return Snapshot(
        format=DumpFormat.PPROF,
        records=tuple(records),
        profile_total=sum(r.count for r in records),
        issues=tuple(stacks.cut[:MAX_KEPT_ISSUES]),
        unparsed_lines=len(stacks.cut),
        taken_at=_taken_at(profile.time_nanos),
    )


def _taken_at(nanos: int) -> float | None:
    """The profile's own time (runtime/pprof sets it when it starts writing the profile), in
    seconds since the epoch; None when it says none (0, or a negative one). An int64 of
    nanoseconds ends in 2262: every positive one is a date."""
    return nanos / 1e9 if nanos > 0 else None


def _label(lb: _Label, string: _Strings) -> tuple[str, str]:
    # Goroutine labels are strings; other profiles' numeric labels read as "42" or "42 bytes".
    if lb.str:
        return string(lb.key), string(lb.str)
    unit = string(lb.num_unit)
    return string(lb.key), f"{lb.num} {unit}" if unit else str(lb.num)


class _Stacks:
    """Samples' stacks as frames, innermost first: each location's frames made once, each
    distinct stack once, and the frames made in all bounded by MAX_FRAMES."""

    def __init__(self, profile: _Profile, string: _Strings) -> None:
        self.string = string
        self.functions = {f.id: f for f in profile.function}
        self.locations = {loc.id: loc for loc in profile.location}
        self.of_location: dict[int, tuple[Frame, ...]] = {}
        self.of_stack: dict[tuple[int, ...], tuple[Frame, ...]] = {}
        self.frames_made = 0
        self.interned: dict[tuple[str, str, int], Frame] = {}
        self.cut: list[ParseIssue] = []  # stacks cut at MAX_STACK, by the first sample of each

    def frames(self, ids: tuple[int, ...], sample: int) -> tuple[Frame, ...]:
        """The frames of a stack (at most MAX_STACK), one tuple for every sample of it."""
        known = self.of_stack.get(ids)
        if known is not None:
            return known
        out: list[Frame] = []
        depth = 0
        for loc_id in ids:
            frames = self._location(loc_id)
            depth += len(frames)
            if len(out) < MAX_STACK:
                out.extend(frames[: MAX_STACK - len(out)])
        self.frames_made += len(out)
        if self.frames_made > MAX_FRAMES:
            raise _Invalid(f"its stacks hold more than {MAX_FRAMES:,} frames")
        if depth > len(out):
            self.cut.append(ParseIssue(sample, f"sample {sample}", f"a stack of {depth:,} frames, cut at {MAX_STACK:,}"))
        stack = self.of_stack[ids] = tuple(out)
        return stack

    def _location(self, loc_id: int) -> tuple[Frame, ...]:
        frames = self.of_location.get(loc_id)
        if frames is not None:
            return frames
        loc = self.locations.get(loc_id)
        if loc is None:
            raise _Invalid(f"a sample names location {loc_id}, which the profile does not hold")
        made: list[Frame] = []
        for ln in loc.line:
            fn = self.functions.get(ln.function_id)
            if fn is None:
                if ln.function_id == 0:
                    continue  # a line with no function: nothing to show (debug=1 prints a bare PC)
                raise _Invalid(f"location {loc_id} names function {ln.function_id}, which the profile does not hold")
            name = self.string(fn.name) or self.string(fn.system_name)
            key = (name, self.string(fn.filename), max(ln.line, 0))
            frame = self.interned.get(key)
            if frame is None:
                frame = self.interned[key] = Frame(key[0], "", key[1], key[2])
            made.append(frame)
        # An unsymbolized location (no lines) is left out, as debug=1 leaves out a bare PC.
        frames = self.of_location[loc_id] = tuple(made)
        return frames

