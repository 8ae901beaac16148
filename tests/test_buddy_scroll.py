"""The buddy pane shows the zone the step is about, whatever the size, and the same whether
the step was reached forward, back or by a jump.

At 80x24 the pane has room for one zone: the buddy lesson's step 9 (2,000 allocations, all in
Normal) showed DMA's rows and Normal's head only, Normal's orders below the fold.
"""
from __future__ import annotations

import pytest
from rich.cells import cell_len

from app.app import MmvizApp
from widgets.buddy import buddy_highlights
from widgets.selection import selected_zone


def pane_rows(app) -> list[str]:
    """The buddy pane's rows as drawn on the screen."""
    pane = app.screen.query_one("#buddy")
    r = pane.region
    strips = app.screen._compositor.render_strips()
    return ["".join(cells(strips[y])[r.x:r.right]) for y in range(r.y, r.bottom)]


def cells(strip) -> list[str]:
    """A row as one string per cell (a wide character's second cell is "")."""
    out = []
    for seg in strip._segments:
        for ch in seg.text:
            out += [ch, ""] if cell_len(ch) == 2 else [ch]
    return out


def touched(app) -> list[str]:
    result = app.timeline.current
    return list(buddy_highlights(result.events)) if result is not None else []


async def show_buddy(pilot, app) -> None:
    await pilot.press("3")                   # the buddy pane in front (compact, medium)
    await pilot.pause()


CASES = [("buddy", size, lang) for size in [(80, 24), (120, 40), (200, 60)] for lang in ["en", "zh"]] + \
    [("zones-gfp", (80, 24), "en"), ("highmem", (80, 24), "zh")]


@pytest.mark.parametrize("lesson,size,lang", CASES)
async def test_the_zone_a_step_touched_is_on_screen_forward_back_and_by_jumps(lesson, size, lang):
    app = MmvizApp(lesson=lesson, lang=lang)
    app.ask_questions = False
    async with app.run_test(size=size) as pilot:
        total = len(app.timeline)
        forward = {}
        for i in range(1, total + 1):
            await pilot.press("right")
            await show_buddy(pilot, app)
            rows = pane_rows(app)
            # the zone the step touched (the chosen one if it touched several), else the chosen
            # one: its head and its nr_free row on screen
            chosen, hit = selected_zone(app.machine, app.selection), touched(app)
            zone = chosen if chosen in hit or not hit else hit[0]
            if zone is not None:
                heads = [n for n, row in enumerate(rows) if row[2:].startswith(f"{zone:<8} ")]
                assert heads, (i, zone, rows)
                assert any("nr_free" in row for row in rows[heads[0]:]), (i, zone, rows)
            forward[i] = rows
        for i in range(total - 1, 0, -1):        # back from the end
            await pilot.press("left")
            await show_buddy(pilot, app)
            assert pane_rows(app) == forward[i], i
        await pilot.press("end")                 # jumps
        await show_buddy(pilot, app)
        assert pane_rows(app) == forward[total]
        await pilot.press("home", "right")
        await show_buddy(pilot, app)
        assert pane_rows(app) == forward[1]


async def test_step_9_shows_normal_at_80x24():
    """The review's case: step 9's allocations are all in Normal; the pane shows Normal."""
    app = MmvizApp(lesson="buddy")
    app.ask_questions = False
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*["right"] * 9)
        await show_buddy(pilot, app)
        assert touched(app) == ["Normal"]
        rows = pane_rows(app)
        assert rows[1][2:].startswith("Normal ") and "nr_free" in rows[3], rows
        assert not any(row[2:].startswith("DMA ") for row in rows), rows
        await pilot.press("enter")              # a zone picked in the pane is shown
        await pilot.pause()
        assert app.selection.kind == "zone" and app.selection.value == "DMA"
        assert pane_rows(app)[1][2:].startswith("DMA "), pane_rows(app)
