"""The smallest full dump as its carriers write it (issue 11): kubectl, docker json-file, twice,
and journalctl's short format."""

from __future__ import annotations

import json

from gtbench.config import MIB, log
from gtbench.dumps import DumpFile

# Carriers of the smallest full dump: (kind, how each line is written).
WRAPPED = ("kubectl", "docker", "twice", "journald")


def _stamp(i: int) -> str:
    return f"2026-11-25T10:{i // 600_000 % 60:02d}:{i // 10_000 % 60:02d}.{(123456789 + i * 1000) % 10**9:09d}Z"


def _journal(i: int) -> str:
    """journalctl's short format's prefix of line i: the month and day, no year, the host
    and the process (the times as _stamp's)."""
    return f"Nov 25 10:{i // 600_000 % 60:02d}:{i // 10_000 % 60:02d} host app[4242]: "


def wrap_dumps(full: DumpFile, fresh: bool) -> list[DumpFile]:
    """The full dump as `kubectl logs --timestamps` prints it, in docker's json-file log
    (one object a line, as dockerd writes them), twice in one file, and as `journalctl -u`
    prints a service's log (no empty line kept, each tab printed as 8 blanks)."""
    out = []
    for kind in WRAPPED:
        d = DumpFile(full.path.with_name(f"debug{full.size}.{kind}.txt"), full.size, kind)
        out.append(d)
        if d.path.exists() and not fresh:
            continue
        tmp = d.path.with_name(d.path.name + ".part")
        with open(full.path, encoding="utf-8", errors="replace") as src, open(tmp, "w", encoding="utf-8") as dst:
            if kind == "twice":
                text = src.read()
                dst.write(text + text)
            for i, line in enumerate(src if kind != "twice" else ()):
                if kind == "kubectl":
                    dst.write(f"{_stamp(i)} {line}")
                elif kind == "journald":
                    if line.strip("\n"):
                        dst.write(_journal(i) + line.replace("\t", " " * 8))
                else:
                    dst.write(json.dumps({"log": line, "stream": "stderr", "time": _stamp(i)}, separators=(",", ":")) + "\n")
        tmp.replace(d.path)
        log(f"{d.label}: {d.path.stat().st_size / MIB:.1f} MiB written")
    return out
