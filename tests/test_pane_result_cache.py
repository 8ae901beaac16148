"""Panes keep what they made from a step result (widgets.stepview.derived): the buddy pane's
lines, the slab pane's table, the lesson's text.  A step applied again after a back-step
gives back the result shown before (Timeline._forward), so re-reading hits those caches.

What a cache gives must be what the pane would make with no cache at all, whatever else
the lines depend on (the selection, the sort, the language, the width), and a result is
reused only when the step did the very same thing again.
"""
from __future__ import annotations

import os

from rich.text import Text

from app.app import MmvizApp
from widgets import BuddyPane, SlabPane
from widgets.selection import Selection
from widgets import stepview


def drawn(app) -> dict[str, list[tuple]]:
    """Every line of the buddy and slab panes: text, spans and style."""
    return {cls.__name__: list(app.query_one(cls)._keys) for cls in (BuddyPane, SlabPane)}


async def fresh(app, pilot) -> dict[str, list[tuple]]:
    """The panes drawn again with every per-result cache emptied."""
    stepview._DERIVED.clear()
    app.refresh_view()
    await pilot.pause()
    return drawn(app)


async def test_cached_pane_lines_equal_lines_made_afresh():
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    app = MmvizApp(lesson="slab", ram="1G")
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press("right", "right", "right", "left", "left", "right")   # re-reading
        await pilot.pause()
        assert app.timeline.current is not None
        panes = drawn(app)
        assert panes == await fresh(app, pilot)
        slab = app.query_one(SlabPane)
        changes = [     # each shown twice: made, then given back by the cache
            lambda: setattr(app, "selection", Selection("zone", "DMA")),
            lambda: setattr(app, "selection", Selection("zone", "Normal")),
            lambda: setattr(app, "selection", Selection("zone", "DMA")),
            lambda: slab.action_sort(),
            lambda: slab.action_reverse(),
            lambda: slab.action_reverse(),
            lambda: setattr(app, "lang", "zh"),
            lambda: setattr(app, "lang", "en"),
        ]
        seen = []
        for change in changes:
            change()
            await pilot.pause()
            cached = drawn(app)
            assert cached == await fresh(app, pilot)
            seen.append(cached)
        assert seen[0]["BuddyPane"] != seen[1]["BuddyPane"]
        assert seen[2] == seen[0] and seen[3] != seen[2] and seen[4] != seen[3] and seen[5] == seen[3]
        assert seen[6] != seen[5] and seen[7] == seen[5]


async def test_a_step_that_did_something_else_gives_a_new_result():
    app = MmvizApp(lesson="buddy", ram="1G")
    async with app.run_test(size=(200, 60)) as pilot:
        app.timeline.heavy_ms = 0.0         # a checkpoint after every step, as on a loaded machine
        await pilot.press("right", "right")
        await pilot.pause()
        shown = app.timeline.current
        await pilot.press("left", "right")
        await pilot.pause()
        assert app.timeline.current is shown           # the same outcome: the result shown before
        await pilot.press("left")
        await pilot.pause()
        shown.events.append(Text("not what the step did"))     # as if it had done otherwise
        # the step is applied again, not restored from a checkpoint: restoring is chosen when
        # the step cost more CPU than a restore, which a loaded machine decides either way
        app.timeline._cost[1] = 0.0
        await pilot.press("right")
        await pilot.pause()
        assert app.timeline.current is not shown
        assert app.timeline.current.events == shown.events[:-1]
