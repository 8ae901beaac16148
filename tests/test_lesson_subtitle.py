"""The lesson pane's bottom border says how many lines are below the visible part, and says it
on screen after every step, back-step and scroll (it is repainted alone, not the whole pane)."""
from __future__ import annotations

import os
import re

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from app.app import MmvizApp            # noqa: E402
from widgets import LessonPane          # noqa: E402


def bottom_border(app) -> str:
    pane = app.query_one(LessonPane)
    strips = app.screen._compositor.render_strips()
    row = strips[pane.region.bottom - 1]
    return "".join(seg.text for seg in row._segments)[pane.region.x:pane.region.right]


def lines_below(app) -> int:
    pane = app.query_one(LessonPane)
    return max(0, len(pane._lines) - int(pane.scroll_y) - pane.size.height)


def shown_count(app) -> int:
    m = re.search(r"(\d+) more lines below", bottom_border(app))
    return int(m.group(1)) if m else 0


async def test_the_count_below_is_on_screen_after_steps_back_steps_and_scrolls():
    app = MmvizApp(lesson="process-memory")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        seen = set()
        for key in ["right"] * 6 + ["left"] * 3 + ["J", "J", "K", "right", "left"]:
            await pilot.press(key)
            await pilot.pause()
            assert shown_count(app) == lines_below(app), (key, bottom_border(app))
            seen.add(lines_below(app))
        assert len(seen) >= 3            # the count did change along the way (and 0 = none shown)
