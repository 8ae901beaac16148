"""After back-steps and jumps (the machine restored in place, the panes updated only where
the undone steps touched), every pane shows what a fresh app stepped straight to that
position shows."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("textual")

from app.app import MmvizApp                     # noqa: E402
from widgets import BuddyPane, PhysicalMapPane, SlabPane, VirtualMap   # noqa: E402

SIZE = (200, 60)


def panes(app: MmvizApp) -> dict:
    pm = app.query_one(PhysicalMapPane)
    pm.render_line(0)                            # bins at its size if a redraw is pending
    return {"counts": pm.cells.counts.copy(), "shown": pm.cells.shown.copy(),
            "vmap": app.query_one(VirtualMap).items,
            "buddy": app.query_one(BuddyPane).plain,
            "slab": sorted(app.query_one(SlabPane).rows)}     # the view state (cursor) may differ


async def shown_at(lesson: str, keys: list[str], ram: str | None = None, pae: bool = False) -> tuple:
    app = MmvizApp(lesson=lesson, ram=ram, pae=pae)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        return app.timeline.position, app.machine, panes(app)


@pytest.mark.parametrize("lesson", ["buddy", "fork-cow", "kmalloc-vmalloc", "slab", "swap"])
async def test_back_and_jumps_show_what_stepping_there_shows(lesson):
    keys = ["right"] * 9 + ["left", "left", "right", "left", "left", "end", "home"] + ["right"] * 5 \
        + ["left", "left"]
    pos, m, got = await shown_at(lesson, keys)
    want_pos, _, want = await shown_at(lesson, ["right"] * pos)
    assert pos == want_pos == 3
    assert np.array_equal(got["counts"], want["counts"]), "physical map cell counts"
    assert np.array_equal(got["shown"], want["shown"]), "physical map colours"
    assert got["vmap"] == want["vmap"]
    assert got["buddy"] == want["buddy"]
    assert got["slab"] == want["slab"]


async def test_a_back_step_keeps_the_machine_and_does_not_rebin():
    app = MmvizApp(lesson="buddy", ram="1G")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right", "right", "right")
        m, cells = app.machine, app.query_one(PhysicalMapPane).cells
        await pilot.press("left")
        assert app.machine is m
        assert app.query_one(PhysicalMapPane).cells is cells     # recounted in place
