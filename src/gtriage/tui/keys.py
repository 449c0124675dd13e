"""Every key of the TUI, in one table: the help screen shows it, and it is plain data (no
Textual import) so a headless caller such as `--help` can list the keys too."""

from __future__ import annotations

import textwrap

Section = tuple[str, tuple[tuple[str, str], ...]]

CLIPBOARD_NOTE = (
    "c, C and y send text to the terminal clipboard with OSC 52; no terminal confirms it, "
    "some ignore it, and tmux passes it on only with `set -g set-clipboard on`. "
    "w saves to a file: the sure way."
)

KEYS: tuple[Section, ...] = (
    ("Everywhere", (
        ("q  ctrl+c", "quit (also while loading)"),
        ("?  F1", "this help (j k g G scroll it, escape closes it)"),
        ("ctrl+p", "command palette (themes, keys, screenshots)"),
    )),
    ("Clusters", (
        ("j k ↓ ↑  g G", "move, first, last"),
        ("enter  l", "the goroutines of the cluster"),
        ("/", "fuzzy search over functions, files, states, labels (enter keeps it, escape drops it)"),
        ("escape", "clear the search and filters"),
        ("s  1 2 3 4", "cycle the sort; sort by rank, count, minutes, state"),
        ("H", "hide / show healthy runtime and stdlib clusters"),
        ("t", "show one state at a time (cycles through the states)"),
        ("[ ]", "previous / next frame of the stack"),
        ("r", "show / fold runtime frames"),
        ("p", "paths in full, or short as in the text report ($GOROOT/…)"),
        ("e", "open the frame in $EDITOR (when the file is on this machine)"),
        ("c", "send the cluster as Markdown to the terminal clipboard (OSC 52)"),
        ("C", "send the shown clusters as Markdown to the terminal clipboard"),
        ("w", "save the shown clusters as Markdown (gtriage-<time>.md)"),
        ("i", "go to a goroutine by id"),
        ("o", "go to the goroutine that may hold the lock the cluster waits on (inferred)"),
        ("x", "the clusters that went away since the previous dump (or during the series)"),
    )),
    ("Goroutines", (
        ("j k ↓ ↑  space b  g G", "step through the goroutines"),
        ("← →", "scroll long argument lists"),
        ("escape  h", "back to the clusters"),
        ("i", "go to a goroutine by id"),
        ("[ ]  e", "pick a frame, open it in $EDITOR"),
        ("p", "paths in full, or short"),
        ("y", "send the goroutine's text to the terminal clipboard (OSC 52)"),
        ("c", "send the cluster as Markdown to the terminal clipboard"),
        ("w", "save the cluster as Markdown (gtriage-<time>.md)"),
    )),
    # Not keys, but what the optional columns of the clusters table mean: the help is
    # where one looks when a column is new.
    ("Columns", (
        ("Δ", "against the previous dump: new, +N grew, −N shrank, = steady (≈ matched approximately)"),
        ("trend", "over a series of dumps (or --watch): the last counts, oldest to newest, as bars "
                  "(▁ none … █ the most), then the verdict: grows (rose at least twice, never fell), "
                  "plateau (grew, then held), new (only in the last dump), grew (in the last interval "
                  "only), steady, shrinks, transient (rose, then fell back), fluctuates; the detail "
                  "pane has each dump's time and count and the growth a minute"),
        ("sources", "in a fleet: the sources holding the cluster, of those read (2/3); the detail pane "
                    "lists each with its count"),
        ("#", "in yellow: a cluster new since the previous dump (or poll)"),
    )),
)


def keys_text(width: int = 80) -> str:
    """The keys as plain text in `width` columns: key, then its meaning, wrapped under itself."""
    wrap = textwrap.TextWrapper(width, break_on_hyphens=False, break_long_words=False)
    key_width = max(len(k) for _, keys in KEYS for k, _ in keys) + 2
    indent = 2
    if width - indent - key_width < 30:  # too narrow for two columns: the meaning goes below
        key_width = 0
    out: list[str] = []
    for title, keys in KEYS:
        out.append(f"{title}:")
        for key, what in keys:
            lead = " " * indent + key.ljust(key_width)
            hang = " " * (indent + (key_width or 4))
            if not key_width:
                out.append(lead.rstrip())
                lead = hang
            wrap.initial_indent, wrap.subsequent_indent = lead, hang
            out.extend(wrap.wrap(what))
        out.append("")
    wrap.initial_indent = wrap.subsequent_indent = ""
    out.extend(wrap.wrap(CLIPBOARD_NOTE))
    return "\n".join(out)
