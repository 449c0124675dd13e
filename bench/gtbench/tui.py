"""``--tui FILE`` (run in a fresh process): the TUI's first screen and a few keys, timed."""

from __future__ import annotations

import importlib
import json
import time
from typing import Any

# (label, keys): move, sort, open search, type in it, close it.
SCRIPT = [
    ("down", ["down"]), ("down", ["down"]), ("down", ["down"]), ("end", ["end"]), ("home", ["home"]),
    ("sort", ["s"]), ("search", ["slash"]), ("type", ["w"]), ("type", ["a"]), ("type", ["i"]),
    ("type", ["t"]), ("enter", ["enter"]), ("escape", ["escape"]),
]


def _tui_app_class() -> tuple[type[Any], str] | None:
    try:
        from textual.app import App
    except ImportError:
        return None
    for name in ("gtriage.tui.app", "gtriage.tui"):
        try:
            mod = importlib.import_module(name)
        except Exception:  # not written yet, or mid-edit
            continue
        for obj in vars(mod).values():
            if isinstance(obj, type) and issubclass(obj, App) and obj is not App and obj.__module__.startswith("gtriage"):
                return obj, name
    return None


def tui_main(path: str) -> None:
    """--tui FILE (run in a fresh process): parse, then time the first screen and a key.
    Versions without cli.preload_tui import the TUI after the parse."""
    import asyncio
    import inspect

    from gtriage import cli
    from gtriage.job_count import usable_cores
    from gtriage.pipeline import analyze_inputs

    # In the command line's order: the TUI's import starts, the dump is read meanwhile
    # (with every usable core, its --jobs default), then the app is made.
    preload = getattr(cli, "preload_tui", None)
    imported = preload() if preload is not None else None
    t = time.perf_counter()
    report = analyze_inputs([path], jobs=usable_cores())
    parse_s = time.perf_counter() - t
    if imported is not None:
        imported()
    found = _tui_app_class()
    if found is None:
        print(json.dumps({"skipped": "gtriage.tui has no Textual App yet"}))
        return
    cls, modname = found
    params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
    names = [p.name for p in params]

    def load(*_a: Any, **_k: Any) -> Any:
        return report  # parsing is done: the app's loader hands the report over at once

    kwargs: dict[str, Any] = {}
    if "title" in names[1:]:
        kwargs["title"] = path
    try:
        app = cls(report if names and "report" in names[0] else load, **kwargs)
    except TypeError as e:
        print(json.dumps({"skipped": f"{modname}.{cls.__name__}({', '.join(names)}) failed: {e}"}))
        return
    res = asyncio.run(_drive(app))
    print(json.dumps({"app": f"{modname}.{cls.__name__}", "parse_s": parse_s, **res}))


async def _drive(app: Any) -> dict[str, float]:
    """Run app headless: the time to its first screen, then each key of SCRIPT (wall and CPU)."""
    t0 = time.perf_counter()
    async with app.run_test(size=(160, 48)) as pilot:
        deadline = time.perf_counter() + 120
        # The first screen is up when the app pushed the report's screen over its loading view.
        while len(app.screen_stack) < 2 and time.perf_counter() < deadline:
            await pilot.pause(0.005)
        await pilot.pause()
        first_screen = time.perf_counter() - t0
        first_screen_at = time.time()  # for the caller, who knows when this process started
        if len(app.screen_stack) < 2:
            raise RuntimeError("the app pushed no screen over its loading view within 120 s")
        # Wall time includes the pilot's own waits (for the screen to settle, a frame
        # interval); CPU time of this process is the work the key caused, pilot included.
        keys: dict[str, float] = {}
        cpu: dict[str, float] = {}
        for label, press in SCRIPT:
            t1, c1 = time.perf_counter(), time.process_time()
            await pilot.press(*press)
            await pilot.pause()
            keys[label] = max(keys.get(label, 0.0), time.perf_counter() - t1)
            cpu[label] = max(cpu.get(label, 0.0), time.process_time() - c1)
    return {
        "first_screen_s": first_screen,
        "first_screen_at": first_screen_at,
        **{f"key_{k}_s": v for k, v in keys.items()},
        **{f"cpu_{k}_s": v for k, v in cpu.items()},
    }
