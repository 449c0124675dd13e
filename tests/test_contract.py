"""The JSON contract ships in the repository and stays in step with the schema and the
renderer: docs/report-contract.md names every property of the schema, and the schema
every field a report holds."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gtriage.pipeline import analyze, analyze_inputs
from gtriage.render.json import report_obj
from manifests import SAMPLES

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "src/gtriage/schema/report.schema.json").read_text())
CONTRACT = (ROOT / "docs/report-contract.md").read_text()


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str):
        target: dict[str, Any] = SCHEMA["$defs"][ref.removeprefix("#/$defs/")]
        return target
    return node


def _schema_properties(node: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, schema) of every property the schema defines, through $refs and anyOf."""
    node = _resolve(node)
    for name, sub in node.get("properties", {}).items():
        yield f"{path}.{name}", sub
        yield from _schema_properties(sub, f"{path}.{name}")
    if isinstance(node.get("items"), dict):
        yield from _schema_properties(node["items"], f"{path}[]")
    for alt in node.get("anyOf", []):
        yield from _schema_properties(alt, path)


def _schema_paths() -> set[str]:
    return {p for p, _ in _schema_properties(SCHEMA, "")}


@pytest.mark.parametrize("path", sorted(_schema_paths()))
def test_the_contract_mentions_every_schema_property(path: str) -> None:
    name = path.rsplit(".", 1)[1]
    # As a JSON key: "count", not the word count.
    assert re.search(rf'"{re.escape(name)}"\s*:', CONTRACT), f"{path} is not in docs/report-contract.md"


def _report_paths(value: Any, path: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            # A label set is a map of the program's own keys, not fields.
            if path.endswith(".labels[].labels"):
                continue
            yield f"{path}.{k}"
            yield from _report_paths(v, f"{path}.{k}")
    elif isinstance(value, list):
        for v in value:
            yield from _report_paths(v, f"{path}[]")


def test_the_schema_has_every_field_a_report_holds() -> None:
    # Between them: a crash, a race, labels, unparsed lines, two dumps compared, sub-groups.
    reports = [
        analyze_inputs([str(SAMPLES / "demo.txt"), str(SAMPLES / "demo.txt")]),
        # two different programs: every cluster new, every earlier one gone
        analyze_inputs([str(SAMPLES / "dumps/go1.27/leaky.debug2.txt"), str(SAMPLES / "dumps/go1.27/crashzoo.goroutine-all.txt")]),
        analyze(str(SAMPLES / "dumps/go1.27/crashzoo.nilptr-all.txt")),
        analyze(str(SAMPLES / "dumps/go1.27/race.race.txt")),
        analyze(str(SAMPLES / "dumps/go1.27/leaky.labels.txt")),
        analyze(str(SAMPLES / "wrapped/chat-reflow.txt")),
        # objects grouped exactly and by argument, holders, a debug=1 "does not tell"
        analyze(str(SAMPLES / "dumps/go1.27/locks.debug2.txt")),
        analyze(str(SAMPLES / "dumps/go1.27/locks.debug1.txt")),
    ]
    held = {p for r in reports for p in _report_paths(report_obj(r))}
    missing = held - _schema_paths()
    assert not missing, f"fields in reports but not in the schema: {sorted(missing)}"
    assert {".crash.panics[].message", ".races[].access.op", ".clusters[].labels[].count", ".clusters[].stacks[].count", ".gone[].blocked_at.func", ".clusters[].status",
            ".clusters[].objects.groups[].basis", ".clusters[].holders[].frame.line"} <= held


def test_readme_links_the_contract_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "](docs/report-contract.md)" in readme
    assert "../shared/" not in readme
