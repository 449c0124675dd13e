"""The floors gtriage is compared with, each run as ``python -c CODE FILE`` in a fresh
interpreter like gtriage, and the goroutine count of a dump."""

from __future__ import annotations

import re

from gtbench.dumps import DumpFile
from gtbench.timing import Measure

LINE_FLOOR = """\
import sys
n = 0
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for _line in f:
        n += 1
print(n)
"""
REGEX_FLOOR = """\
import re, sys
rx = re.compile(r"goroutine (\\d+) (?:gp=[^\\[]*)?\\[")
n = 0
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        if rx.match(line):
            n += 1
print(n)
"""
_PROFILE_TOTAL = re.compile(rb"goroutine profile: total (\d+)")


def count_goroutines(d: DumpFile, regex_floor: Measure) -> int:
    """Goroutines in the file: the regex floor's match count, or debug=1's total."""
    if d.kind == "d1":
        with open(d.path, "rb") as f:
            m = _PROFILE_TOTAL.search(f.read(4096))
        return int(m.group(1)) if m else 0
    for r in regex_floor.runs:
        if r.rc == 0 and r.stdout.strip().isdigit():
            return int(r.stdout.strip())
    return 0
