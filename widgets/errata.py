"""Errata and listings in the lesson pane: an article's claim, set apart, and what is true."""
from __future__ import annotations

from typing import Any

from rich.text import Text


def teaching_text(step: Any, lang: str) -> Text:
    """The step's errata (a red-labelled box) and its listing, as Rich text ('' if none)."""
    t = Text()
    for e in getattr(step, "errata", None) or ():
        t.append(f" {e.title(lang)} \n", "bold white on dark_red")
        t.append(f"{e.body(lang)}\n\n", "italic")
    name = getattr(step, "listing", None)
    if name:
        from scenarios.exhibits import listing
        caption, text = listing(name, lang)
        t.append(f"{caption}\n", "bold underline")
        for line in text.splitlines():
            t.append(f"  {line}\n", "bold red" if "✗" in line else "cyan")
        t.append("\n")
    return t
