"""One line for a cluster's objects and one for who may hold its lock, as text and Markdown
print them (JSON has every group and holder)."""

from __future__ import annotations

from gtriage.report import OBJECT_PLURALS, Cluster, Holder, Objects

from .common import location, num

SHOWN = 3  # object groups and holders named on the line; the rest are counted


def objects_line(o: Objects) -> str | None:
    """"1 mutex: 0xa40968 (37)", "12 channels, one each: 0x…, 0x…, 0x… … 9 more (inferred
    from main.awaitReply's first argument)", or "the dump does not tell: why"; None for
    one goroutine on one object, which says nothing (and, inferred from an argument, may
    be a receiver rather than the object)."""
    if o.told == 1 and not o.untold:
        return None
    if not o.distinct:
        return f"the dump does not tell which {o.kind}: {o.reason}"
    k = o.distinct
    noun = o.kind if k == 1 else OBJECT_PLURALS[o.kind]
    each = k > 1 and k == o.told
    shown = ", ".join(g.where if each else f"{g.where} ({num(g.count)})" for g in o.groups[:SHOWN])
    more = f" … {num(k - SHOWN)} more" if k > SHOWN else ""
    one = ", one each" if each else ", one a source" if o.one_per_source else ""
    text = f"{num(k)} {noun}{one}: {shown}{more}"
    via = next((g.via for g in o.groups if g.basis == "argument"), None)
    if via is not None:
        text += f" (inferred from {via}'s {'receiver' if ').' in via else 'first argument'})"
    if o.untold:
        text += f"; the dump does not tell for {num(o.untold)}: {o.reason}"
    return text


def holder_text(h: Holder, goroot: str | None) -> str:
    """"goroutine 7 (#8, chan receive) in main.(*Store).Get store.go:30"."""
    state = f", {h.state}" if h.state else ""
    return f"goroutine {h.goroutine} (#{h.cluster}{state}) in {h.frame.func} {location(h.frame, goroot)}"


def holders_line(c: Cluster, goroot: str | None) -> str | None:
    """Who may hold the lock, inferred: the first few, and how many more."""
    if not c.holders:
        return None
    shown = "; ".join(holder_text(h, goroot) for h in c.holders[:SHOWN])
    more = f"; … {num(len(c.holders) - SHOWN)} more" if len(c.holders) > SHOWN else ""
    return f"{shown}{more} (inferred from the stacks)"
