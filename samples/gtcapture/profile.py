"""pprof's binary goroutine profile (``/debug/pprof/goroutine`` without ``?debug=``): its
string table read and rewritten, so that a committed profile names no path of this machine.

A profile is a gzipped ``perftools.profiles.Profile`` protobuf message. Its field 6,
``string_table``, holds every string the profile uses (function names, file names, the
mapping's file name, the build id); every other field refers to a string by its index.
Rewriting the table's entries in place (same count, same order) therefore changes no
reference: only each entry's length prefix changes, and the top-level message, having no
length of its own, needs nothing else. Every other top-level field is copied byte for byte.
This walks the wire format's top level only; it does not decode the nested messages.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable

GZIP_MAGIC = b"\x1f\x8b"
STRING_TABLE = 6  # Profile.string_table, repeated string

_WIRE_VARINT, _WIRE_I64, _WIRE_LEN, _WIRE_I32 = 0, 1, 2, 5


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and the position after it."""
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError(f"truncated or overlong varint at byte {pos}")
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        if value:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _fields(data: bytes) -> list[tuple[int, int, int, int, int]]:
    """Top-level fields as (number, wire type, start, payload start, end)."""
    fields = []
    pos = 0
    while pos < len(data):
        start = pos
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == _WIRE_VARINT:
            _, end = _varint(data, pos)
            payload = pos
        elif wire == _WIRE_I64:
            payload, end = pos, pos + 8
        elif wire == _WIRE_I32:
            payload, end = pos, pos + 4
        elif wire == _WIRE_LEN:
            size, payload = _varint(data, pos)
            end = payload + size
        else:
            raise ValueError(f"wire type {wire} (field {number}) at byte {start}")
        if end > len(data):
            raise ValueError(f"field {number} at byte {start} runs past the end")
        fields.append((number, wire, start, payload, end))
        pos = end
    return fields


def string_table(raw: bytes) -> list[str]:
    """The string table of an uncompressed Profile message."""
    return [
        raw[payload:end].decode("utf-8")
        for number, wire, _, payload, end in _fields(raw)
        if number == STRING_TABLE and wire == _WIRE_LEN
    ]


def rewrite_strings(raw: bytes, rewrite: Callable[[str], str]) -> bytes:
    """The Profile message with every string-table entry passed through ``rewrite``."""
    out = bytearray()
    for number, wire, start, payload, end in _fields(raw):
        if number == STRING_TABLE and wire == _WIRE_LEN:
            new = rewrite(raw[payload:end].decode("utf-8")).encode("utf-8")
            key_end = _varint(raw, start)[1]
            out += raw[start:key_end] + _encode_varint(len(new)) + new
        else:
            out += raw[start:end]
    return bytes(out)


def gunzip(data: bytes) -> bytes:
    """The Profile message inside a gzipped profile (ValueError when it is not gzip)."""
    if not data.startswith(GZIP_MAGIC):
        raise ValueError("not gzip: the profile does not start with 1f 8b")
    return gzip.decompress(data)


def regzip(raw: bytes) -> bytes:
    """Gzip with a zero mtime and no file name, so the same message gives the same bytes."""
    return gzip.compress(raw, compresslevel=9, mtime=0)
