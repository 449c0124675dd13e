"""The crash (panic, fatal error, signal) and data races of the dump, above the clusters."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from gtriage.render.crash_text import crash_lines, fleet_crash_lines, logged_line, race_line
from gtriage.report import Report

from .styled import block, plain

MAX_RACES = 3


class CrashBanner(Static):
    def __init__(self, report: Report) -> None:
        super().__init__(self.build(report))
        self.display = report.crash is not None or bool(report.races)

    def show_report(self, report: Report) -> None:
        """A newer report's crash and races (`--watch`: the process may have crashed since)."""
        self.update(self.build(report))
        self.display = report.crash is not None or bool(report.races)

    @staticmethod
    def build(report: Report) -> Text:
        lines: list[Text] = []
        if report.crash is not None:
            lines += [block(line, "bold") for line in crash_lines(report.crash)]
            logged = logged_line(report)
            lines += [plain(logged)] if logged is not None else []
            lines += [plain(line) for line in fleet_crash_lines(report)]
        races = report.races
        if races:
            lines.append(plain(f"{len(races)} data race{'s' if len(races) != 1 else ''}:", "bold"))
            lines += [plain(f"  {race_line(r)}") for r in races[:MAX_RACES]]
            if len(races) > MAX_RACES:
                lines.append(plain(f"  … {len(races) - MAX_RACES} more"))
        return Text("\n", end="").join(lines)
