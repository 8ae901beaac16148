"""Errata and listings in the lesson pane: an article's claim, set apart, and what is true."""
from __future__ import annotations

from typing import Any

from rich.text import Text


def teaching_text(step: Any, lang: str) -> Text:
    """The step's errata (a red-labelled box) and its listing, as Rich text ('' if none);
    ``step`` is a scenarios.model.Step or None (widgets do not import scenarios)."""
    t = Text()
    for e in step.errata if step is not None else ():
        t.append(f" {e.title(lang)} \n", "bold white on dark_red")
        t.append(f"{e.body(lang)}\n\n", "italic")
    shown = step.listing_in(lang) if step is not None else None
    if shown:
        caption, text = shown
        t.append(f"{caption}\n", "bold underline")
        for line in text.expandtabs(8).splitlines():      # /proc/N/status has tabs
            t.append(f"  {line}\n", "bold red" if "✗" in line else "cyan")
        t.append("\n")
    return t


def lesson_summary(lesson: Any, lang: str) -> str:
    """The summary shown before step 1: the kernel banner, the lessons to do first, the
    summary, and the "try it yourself" commands for after the lesson."""
    parts = []
    kernel = lesson.kernel
    if kernel:
        parts.append(("内核：" if lang == "zh" else "Kernel: ") + (kernel.get(lang) or kernel.get("en", "")))
    if lesson.requires:
        parts.append(("建议先学：" if lang == "zh" else "Do first: ") + ", ".join(lesson.requires))
    parts.append(lesson.summary_in(lang))
    tries = lesson.tries
    if tries:
        parts.append(("学完后动手试试：\n" if lang == "zh" else "Afterwards, try:\n")
                     + "\n".join("  " + t.line(lang) for t in tries))
    return "\n\n".join(parts)
