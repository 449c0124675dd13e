"""The report is the boundary: what renders (render/, tui/) sees the report and the model,
never the stages that build them. Checked on the source, every import, also the ones
inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "gtriage"
# What a renderer may import from gtriage: the report and what it is made of, the filters
# over it, the errors and the progress it is told, and the renderers themselves.
RENDER_MAY_IMPORT = {
    "gtriage.report",
    "gtriage.timeline",  # the report's part over time (report.py imports it too)
    "gtriage.model",
    "gtriage.frame_info",
    "gtriage.filters",
    "gtriage.errors",
    "gtriage.progress",
    "gtriage.record",  # the dataclass decorator and replace(), no stage
    "gtriage.lazy_re",  # regexes compiled at first use, no stage
    "gtriage.regex_cache",  # regexes from their kept programs, no stage
}
RENDERERS = sorted([*PACKAGE.glob("render/*.py"), *PACKAGE.glob("tui/*.py")])


def gtriage_imports(source: str, package: str) -> set[str]:
    """The gtriage modules a module of `package` ("gtriage.tui") imports."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("gtriage"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if name.startswith("gtriage"):
                out.add(name)
    return out


def allowed(module: str) -> bool:
    return module in RENDER_MAY_IMPORT or module.startswith(("gtriage.render", "gtriage.tui"))


@pytest.mark.parametrize("path", RENDERERS, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_renderers_import_the_report_only(path: Path) -> None:
    package = ".".join(["gtriage", *path.relative_to(PACKAGE).parts[:-1]])
    bad = sorted(m for m in gtriage_imports(path.read_text(encoding="utf-8"), package) if not allowed(m))
    assert bad == [], f"{path.name} imports {bad}: renderers get a Report (see tests/test_layers.py)"


def test_the_rule_sees_relative_and_nested_imports() -> None:
    # The check itself: a relative import one level up, one inside a function, a sibling.
    text = (
        "from . import text\n"
        "def f() -> None:\n    from ..pipeline import analyze\n    from gtriage.parse import parse_text\n"
    )
    found = gtriage_imports(text, "gtriage.tui")
    assert found == {"gtriage.tui", "gtriage.pipeline", "gtriage.parse"}
    assert [m for m in sorted(found) if not allowed(m)] == ["gtriage.parse", "gtriage.pipeline"]


def test_renderers_are_found() -> None:
    names = {p.name for p in RENDERERS}
    assert {"text.py", "markdown.py", "json.py", "app.py", "clusters_table.py"} <= names


def test_the_readme_names_every_module() -> None:
    # "How it works" is where a newcomer learns the layout: a module it does not name is a
    # module nobody was told about.
    readme = (PACKAGE.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How it works", 1)[1].split("\n## ", 1)[0]
    missing = [p.name for p in sorted(PACKAGE.glob("*.py")) if p.name != "__init__.py" and f"`{p.name}`" not in section]
    assert missing == []
