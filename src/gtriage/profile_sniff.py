"""Whether an input is pprof's binary goroutine profile (debug=0) rather than text, told
from its first bytes; and the size past which such a profile is refused. Apart from
pprof_profile.py so that a text dump, which every input is asked this of, never imports the
decoder."""

from __future__ import annotations

# A goroutine profile holds one sample per distinct stack and label set, so it is small: a
# million goroutines with a label each that differs make ~50 MiB. Past this it is refused
# (after gunzip), whatever --max-size allows: decoding holds it all in memory.
MAX_PROFILE_BYTES = 256 << 20
PROBE = 256  # bytes of the input that looks_like_profile is given

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5
# Profile's top-level fields (profile.proto, perftools.profiles) and the wire types each
# may come in: messages and strings length-delimited, integers varints; `comment`
# (repeated int64) packed or not.
_PROFILE_WIRE: dict[int, tuple[int, ...]] = {
    1: (_LEN,), 2: (_LEN,), 3: (_LEN,), 4: (_LEN,), 5: (_LEN,), 6: (_LEN,),  # sample_type .. string_table
    7: (_VARINT,), 8: (_VARINT,), 9: (_VARINT,), 10: (_VARINT,),  # drop_frames .. duration_nanos
    11: (_LEN,), 12: (_VARINT,), 13: (_VARINT, _LEN), 14: (_VARINT,), 15: (_VARINT,),  # period_type .. doc_url
}
_SNIFF_FIELDS = 8  # fields walked at most
# Bytes a text dump never starts with in its first lines but every protobuf holds (tags of
# nested fields 1-3, lengths under 32): C0 controls other than tab, newline, CR.
_CONTROLS = frozenset(range(0x20)) - {0x09, 0x0A, 0x0D}


def looks_like_profile(head: bytes) -> bool:
    """Whether the first bytes of an input (gunzipped) read as the start of a protobuf
    `Profile`: every field walked a known one in its wire type, the first whole or running
    past the head, and some control byte that no text dump holds. Text that starts with a
    blank line ("\\n" is field 1's tag) or a digit ("2" is field 6's) fails the last test;
    the decoder decides the rest."""
    if not any(b in _CONTROLS for b in head):
        return False
    pos = fields = 0
    while pos < len(head) and fields < _SNIFF_FIELDS:
        tag, pos = _varint(head, pos)
        if tag is None:
            return fields > 0
        field, wire = tag >> 3, tag & 7
        if field in _PROFILE_WIRE:
            if wire not in _PROFILE_WIRE[field]:
                return False
        elif field < 16 or wire not in (_VARINT, _I64, _LEN, _I32):  # a later field, of any plain type
            return False
        if wire == _VARINT:
            value, pos = _varint(head, pos)
            if value is None:
                return fields > 0
        elif wire == _LEN:
            size, pos = _varint(head, pos)
            if size is None:
                return fields > 0
            pos += size  # past the head: a field longer than the head, sound as far as it goes
        else:
            pos += 8 if wire == _I64 else 4
        fields += 1
    return fields > 0


def _varint(data: bytes, pos: int) -> tuple[int | None, int]:
    """A base-128 varint at `pos`, and the position after it; None when it does not end
    within the data or within 10 bytes."""
    value = shift = 0
    for i in range(pos, min(len(data), pos + 10)):
        b = data[i]
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i + 1
        shift += 7
    return None, len(data) + 1
