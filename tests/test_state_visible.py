"""Autoplay and the exploration branch are on screen at every size, in both languages.

They were appended after the header's title ("mmviz · machine — lesson · ▶ playing"), so
below ~200 columns the row ended before them, and at 80x24 (no header) nothing showed them;
while exploring the footer had no ``b`` and the lesson pane's "step 3/3" hid that the lesson
has 14 steps.  Now the state comes first on the line above the panes (the header, or the
tab bar at 80x24), the footer shows ``b`` first while exploring, and the lesson pane says
which lesson step the branch started from.
"""
from __future__ import annotations

import pytest

from app.app import MmvizApp
from widgets.i18n import tr

SIZES = [(80, 24), (120, 40), (160, 48), (200, 60)]


def rows(app) -> list[str]:
    """The screen's rows as drawn (one character per cell)."""
    return ["".join(seg.text for seg in strip._segments)
            for strip in app.screen._compositor.render_strips()]


def above_panes(app) -> str:
    """The rows above the first pane's top border (header, tab bar)."""
    out = []
    for row in rows(app):
        if "╭" in row:
            break
        out.append(row)
    return "\n".join(out)


async def _type(pilot, text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", SIZES)
async def test_autoplay_is_shown_above_the_panes(size, lang):
    app = MmvizApp(lesson="buddy", lang=lang)
    app.ask_questions = False
    async with app.run_test(size=size) as pilot:
        await pilot.press("right")
        await pilot.pause()
        assert "▶" not in above_panes(app)
        await pilot.press("space")
        await pilot.pause()
        seconds = app._step_seconds()
        top = above_panes(app)
        assert app.playing and "▶" in top and f"{seconds}" in top, top
        await pilot.press("space")
        await pilot.pause()
        assert "▶" not in above_panes(app)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", SIZES)
async def test_exploring_is_shown_above_the_panes_in_the_footer_and_the_lesson(size, lang):
    app = MmvizApp(lesson="zones-gfp", lang=lang)
    app.ask_questions = False
    async with app.run_test(size=size) as pilot:
        await pilot.press("right", "right")
        await pilot.press("colon")
        await _type(pilot, "kmalloc 100")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        total = len(app.lesson_timeline)
        assert app.lesson_timeline.position == 2 and total > 3
        top = above_panes(app)
        said = (tr(lang, "branch.on", step=2, lesson="zones-gfp"), tr(lang, "branch.short", step=2))
        assert any(s in top for s in said), top
        footer = rows(app)[-1]
        assert f"b {tr(lang, 'key.return')}" in footer, footer
        lesson = app.screen.query_one("#lesson")
        pane = "\n".join(r[lesson.region.x:lesson.region.right] for r in rows(app)[lesson.region.y:lesson.region.bottom])
        words = " ".join(pane.replace("│", " ").split())        # the line may wrap
        assert " ".join(tr(lang, "branch.pane", step=2, total=total).split()) in words, pane

        await pilot.press("b")
        await pilot.pause()
        assert app.lesson_timeline is None
        top, footer = above_panes(app), rows(app)[-1]
        assert not any(s in top for s in said) and tr(lang, "key.return") not in footer
