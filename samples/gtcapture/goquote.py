"""Go's ``strconv.Quote`` (``%q``) and its inverse, for dumps carried in one slog text line."""

from __future__ import annotations

GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
              "\\": "\\\\", '"': '\\"'}  # fmt: skip


def go_quote(s: str) -> str:
    """Go's ``strconv.Quote`` (``%q``): exact for ASCII; beyond it Python's isprintable stands in for unicode.IsPrint."""
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch in GO_ESCAPES:
            out.append(GO_ESCAPES[ch])
        elif 0x20 <= c < 0x7F or (c > 0x7F and ch.isprintable()):
            out.append(ch)
        elif c < 0x80:
            out.append(f"\\x{c:02x}")
        elif c < 0x10000:
            out.append(f"\\u{c:04x}")
        else:
            out.append(f"\\U{c:08x}")
    out.append('"')
    return "".join(out)


def go_unquote(q: str) -> str:
    """The inverse of :func:`go_quote` (a double-quoted Go string literal)."""
    assert q[0] == q[-1] == '"', q[:20]
    simple = {v[1]: k for k, v in GO_ESCAPES.items()}
    out, i, body = [], 0, q[1:-1]
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
        elif body[i + 1] in simple:
            out.append(simple[body[i + 1]])
            i += 2
        else:
            n = {"x": 2, "u": 4, "U": 8}[body[i + 1]]
            out.append(chr(int(body[i + 2 : i + 2 + n], 16)))
            i += 2 + n
    return "".join(out)
