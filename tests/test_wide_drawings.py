"""The wide layout's drawings (the mm_struct view, the page-fault flow) take the middle column
of the physical map and the buddy pane; the screen is the same whichever way a step is
reached, and after resizing to the other layouts and back."""
from __future__ import annotations

import pytest

pytest.importorskip("textual")

from textual.geometry import Region          # noqa: E402

from app import layout                       # noqa: E402
from app.app import MmvizApp                 # noqa: E402
from tests.test_timeline_tui import _screen as screen_after   # noqa: E402

WIDE_SIZES = [(200, 60), (201, 60), (160, 48), (250, 70)]


@pytest.mark.parametrize("size", WIDE_SIZES, ids=[f"{w}x{h}" for w, h in WIDE_SIZES])
async def test_a_drawing_covers_the_middle_column_exactly(size):
    """In front, the fault flow and the mm view have the box the physical map and the buddy
    pane have together (also where the columns' widths are odd); behind, they draw nothing."""
    app = MmvizApp(lesson="process-memory", ram="1G")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        middle = Region.from_union([app.query_one("#physical").region, app.query_one("#buddy").region])
        seen = set()
        for _ in range(len(app.timeline)):
            await pilot.press("right")
            await pilot.pause()
            front = [d for d in layout.DRAWINGS if d in app.plan.visible]
            for name in layout.DRAWINGS:
                drawing = app.query_one(f"#{name}")
                if name in front:
                    seen.add(name)
                    assert drawing.region == middle, (name, app.timeline.position)
                else:
                    assert not drawing.region, (name, app.timeline.position)
            for name in ("physical", "buddy"):
                assert bool(app.query_one(f"#{name}").region) == (not front)
        assert seen == set(layout.DRAWINGS)


async def _screen(keys: list[str], size: tuple[int, int]) -> str:
    return await screen_after("process-memory", keys, size)


@pytest.mark.parametrize("size", [(200, 60), (201, 60)])
@pytest.mark.parametrize("steps", [9, 10])
async def test_a_drawing_in_front_shows_the_same_screen_whichever_way_it_came(size, steps):
    """Steps 9 (fault flow) and 10 (physical map) reached after the drawings and the map
    took turns in front, back-steps and End/Home equal the screen stepped straight there."""
    roundabout = ["right"] * 13 + ["left"] * 3 + ["end", "home"] + ["right"] * steps
    assert await _screen(roundabout, size) == await _screen(["right"] * steps, size)


def cells(app) -> list[list[tuple[str, str]]]:
    """The screen, cell by cell: each character with its style (segments may be cut
    differently where the screen looks the same)."""
    return [[(ch, str(seg.style)) for seg in strip for ch in seg.text]
            for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize("steps", [9, 10])
async def test_resizing_with_a_drawing_in_front_shows_what_a_fresh_start_shows(steps):
    """From the wide layout (drawings on their layers, panes behind invisible) to the medium
    and compact ones (panes stacked, hidden ones not displayed) and back: each screen equals
    a fresh start at that size and step, cell by cell (no pane focused in either)."""
    async def fresh(size):
        app = MmvizApp(lesson="process-memory", ram="1G")
        app.animation_level = "none"          # the page walk drawn whole, not level by level
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            for _ in range(steps):
                await pilot.press("right")
            app.set_focus(None)
            await pilot.pause()
            return cells(app)
    app = MmvizApp(lesson="process-memory", ram="1G")
    app.animation_level = "none"
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        for _ in range(steps):
            await pilot.press("right")
        for size in [(120, 40), (80, 24), (201, 60)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            app.set_focus(None)            # a pane focused in compact keeps the focus: not the layout's
            await pilot.pause()
            assert cells(app) == await fresh(size), size
