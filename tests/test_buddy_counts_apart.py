"""The buddy pane's counts never run together: at 64 GB PAE HighMem has 15,907 free blocks
of order 10, which in the 5-cell columns of a 200-column screen stood next to order 9's
"1" as "115907".  Every nr_free row on the screen must read back as the zone's nr_free,
at every size a classroom uses, in both languages."""
from __future__ import annotations

import re

import pytest

from app.app import MmvizApp
from tests.test_buddy_scroll import pane_rows, show_buddy
from widgets.buddy import order_columns


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (160, 50), (200, 60)])
@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_every_count_reads_back_at_64_gb(size, lang):
    app = MmvizApp(ram="64G", pae=True, lang=lang)
    app.ask_questions = False
    async with app.run_test(size=size) as pilot:
        await show_buddy(pilot, app)
        pane = app.screen.query_one("#buddy")
        pane.scroll_home(animate=False)
        want = {z.name: z.nr_free for z in app.timeline.machine.zones}
        assert max(want["HighMem"]) >= 10_000
        seen: list[list[int]] = []
        for _ in range(12):                       # the rows of every zone, page by page
            rows = pane_rows(app)
            seen += [[int(n) for n in re.findall(r"\d+", row.split("nr_free", 1)[1].strip(" │▆█▂▄▁▃▅▇"))]
                     for row in rows if "nr_free " in row]
            pane.scroll_page_down(animate=False)
            await pilot.pause()
        got: list[list[int]] = []
        for nums in seen:                          # (two rows per zone when the pane is narrow)
            if not nums:                           # (the pane's title: ...nr_free ───)
                continue
            if got and len(got[-1]) == 6 and len(nums) == 5:
                got[-1] += nums
            elif not got or got[-1] != nums:
                got.append(nums)
        for z in app.timeline.machine.zones:
            assert want[z.name] in got, (z.name, want[z.name], got)


def test_a_column_is_wider_than_the_longest_count():
    for width in range(40, 200):
        for digits in range(1, 9):
            col, groups = order_columns(width, digits)
            assert col >= digits + 1
            assert sum(len(g) for g in groups) == 11
