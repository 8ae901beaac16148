"""A step back over a step that changed no slab cache leaves the slab pane's table as drawn
(as a step forward over such a step does), and the table is still what a fresh draw gives."""
from __future__ import annotations

import os

from app.app import MmvizApp
from widgets import SlabPane, stepview
from widgets.slab import _slab_events


async def test_a_back_step_over_a_step_without_slab_events_keeps_the_table():
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    app = MmvizApp(lesson="process-memory", ram="1G")
    async with app.run_test(size=(200, 60)) as pilot:
        slab = app.query_one(SlabPane)
        for _ in range(len(app.timeline)):
            await pilot.press("right")
        await pilot.pause()
        redraws = []
        redraw = slab._redraw
        slab._redraw = lambda: (redraws.append(app.timeline.position), redraw())
        kept = changed = 0
        while app.timeline.position:
            undone, key = app.timeline.current, slab._shown_key
            await pilot.press("left")
            await pilot.pause()
            if slab._shown_key != key or app.timeline.last_move.new_machine:
                pass                                    # another cache chosen, another machine
            elif _slab_events(undone):
                changed += 1
            else:
                kept += 1
                assert app.timeline.position not in redraws, f"redrawn at {app.timeline.position}"
            lines = list(slab._keys)
            stepview._DERIVED.clear()
            redraw()                                    # what a fresh draw gives
            await pilot.pause()
            assert list(slab._keys) == lines, f"the table at {app.timeline.position}"
        assert kept and changed, "the lesson has steps of both kinds"
