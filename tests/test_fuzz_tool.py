"""tools/fuzz.py, the mutation fuzzer over the samples: that it keeps what it finds."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root: tools/

from tools import fuzz


def test_mutations_are_reproducible_by_seed() -> None:
    text = (Path(fuzz.SAMPLES) / "dumps/go1.27/leaky.debug2.txt").read_text()
    first = [fuzz.mutate(text, random.Random(7)) for _ in range(3)]
    again = [fuzz.mutate(text, random.Random(7)) for _ in range(3)]
    assert first == again
    assert any(m != text for m in (fuzz.mutate(text, random.Random(s)) for s in range(20)))


@pytest.mark.parametrize("fault", ["raises", "hangs"])
def test_a_crash_or_a_hang_is_a_finding_kept_with_its_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str) -> None:
    def planted(paths: list[Path], several: bool, rng: random.Random) -> None:
        if fault == "raises":
            raise ValueError("planted")
        time.sleep(3)

    monkeypatch.setattr(fuzz, "_one", planted)
    said: list[str] = []
    found = fuzz.run(1.5, 3, False, 1, tmp_path, said.append)
    assert found >= 1
    kept = sorted(tmp_path.iterdir())
    assert len(kept) == found
    finding = (kept[0] / "finding.txt").read_text()
    assert ("ValueError: planted" in finding) if fault == "raises" else ("took more than 1 s" in finding)
    assert [p.name for p in kept[0].iterdir() if p.name != "finding.txt"]  # the input it read
    assert said[-1].endswith(f"{found} findings")
