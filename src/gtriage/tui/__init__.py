"""The on-call TUI (Textual). Renders a finished Report; never parses.

Textual is imported only under this package, so the headless paths (text, Markdown, JSON)
never pay for it.
"""
