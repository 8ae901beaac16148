"""The physical map after L (English <-> Chinese) is the map a Chinese start draws at that
step: the legend's line count differs between the languages, so the rows of cells (and the
frames per cell) do too.  Switching at 120x40 on zones-gfp kept the English binning: 8 rows
of 0x8010 frames and a blank row, where a zh start draws 9 rows of 0x71d0."""
from __future__ import annotations

import pytest

from app.app import MmvizApp
from widgets.physmap import PhysicalMap


async def _rows(app, pilot, steps, switch=False):
    for _ in range(steps):
        await pilot.press("right")
        await pilot.pause()
    if switch:
        await pilot.press("L")
        await pilot.pause()
    await pilot.pause()
    pm = app.screen.query_one(PhysicalMap)
    return [pm.render_line(y).text for y in range(pm.size.height)]


@pytest.mark.parametrize("start,other", [("en", "zh"), ("zh", "en")])
async def test_the_map_after_switching_language_is_the_map_of_that_language(start, other):
    switched = MmvizApp(lesson="zones-gfp", lang=start)
    switched.ask_questions = False
    async with switched.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        after = await _rows(switched, pilot, 3, switch=True)
    fresh = MmvizApp(lesson="zones-gfp", lang=other)
    fresh.ask_questions = False
    async with fresh.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("2")
        expected = await _rows(fresh, pilot, 3)
    assert after == expected
