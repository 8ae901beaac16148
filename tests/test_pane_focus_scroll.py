"""Every pane shows what its step is about at every size, the same forward, back and by a jump.

At 80x24 a pane has eight rows: the fault path's result (the chart is 30-odd rows), the VMA
of the selected address in the mm_struct drawing (its box alone is 15 rows) and the slab of
the selected object (below the caches' table) were below the fold, at 120x40 the fault's
result too; and a pane scrolled by an earlier step stayed scrolled.  Panes that follow a focus
(widgets.textlines FOLLOWS_FOCUS) now scroll to it; the buddy pane's zone (107e514) is one.
"""
from __future__ import annotations

import pytest

from app.app import MmvizApp
from tests.test_buddy_scroll import pane_rows as buddy_rows  # noqa: F401  (the same drawing)
from tests.test_buddy_scroll import cells

PANES = {"fault": "7", "mm": "6", "slab": "5", "walk": "4", "buddy": "3"}


def rows_of(app, pane_id: str) -> list[str]:
    pane = app.screen.query_one(f"#{pane_id}")
    r = pane.region
    strips = app.screen._compositor.render_strips()
    return ["".join(cells(strips[y])[r.x:r.right]) for y in range(r.y, r.bottom)]


async def screens(pilot, app) -> dict[str, list[str]]:
    """Each following pane brought in front in turn: its rows, after checking that its focus
    is on screen."""
    out = {}
    for pane_id, key in PANES.items():
        await pilot.press(key)
        await pilot.pause()
        pane = app.screen.query_one(f"#{pane_id}")
        head, end = pane.focus_rows()
        top, height = int(pane.scroll_y), pane.scrollable_content_region.height
        if head is not None:
            assert top <= head < top + height, (pane_id, app.timeline.position, head, top, height)
            if end - head <= height:                         # all of it, when it fits
                assert end <= top + height, (pane_id, app.timeline.position, head, end, top)
        else:
            assert top == 0, (pane_id, app.timeline.position, top)
        out[pane_id] = rows_of(app, pane_id)
    return out


def seen(rows: list[str], text: str) -> bool:
    return any(text in row for row in rows)


@pytest.mark.parametrize("lesson", ["process-memory", "fork-cow", "slab"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_step_s_focus_is_on_screen_forward_back_and_by_jumps(lesson, size):
    app = MmvizApp(lesson=lesson, lang="en")
    app.ask_questions = False
    app.animation_level = "none"
    async with app.run_test(size=size) as pilot:
        total = len(app.timeline)
        forward = {}
        for i in range(1, total + 1):
            await pilot.press("right")
            forward[i] = await screens(pilot, app)
            fault = app.screen.query_one("#fault")
            if "CR2 = " in fault.plain:                # a fault was handled: the branch it took
                taken = [t.plain.strip() for t in fault._lines if "● " in t.plain][-1]
                assert seen(forward[i]["fault"], taken), (i, taken, forward[i]["fault"])
        for i in range(total - 1, 0, -1):            # back from the end
            await pilot.press("left")
            assert await screens(pilot, app) == forward[i], i
        for i in (total, 1, total // 2, total - 1, 2):   # jumps, from wherever the last one left
            app._move(lambda n=i: app.timeline.jump(n))
            await pilot.pause()
            assert await screens(pilot, app) == forward[i], i


async def test_a_scroll_left_by_the_keys_does_not_stay():
    """The walk pane scrolled down by a student, then the next step: the walk from its top."""
    app = MmvizApp(lesson="process-memory", lang="en")
    app.ask_questions = False
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("right", "right", "right", "7")
        await pilot.pause()
        fault = app.screen.query_one("#fault")
        fault.scroll_to(y=0, animate=False, immediate=True)
        await pilot.press("right", "left")
        await pilot.pause()
        again = rows_of(app, "fault")
        await pilot.press("right", "left")
        await pilot.pause()
        assert rows_of(app, "fault") == again
        head, _ = fault.focus_rows()
        assert head is None or int(fault.scroll_y) <= head
