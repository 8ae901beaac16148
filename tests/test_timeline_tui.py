"""After back-steps and jumps (the machine restored in place, the panes updated only where
the undone steps touched), every pane shows what a fresh app stepped straight to that
position shows."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("textual")

from app.app import MmvizApp                     # noqa: E402
from app.layout import PANES as PANE_IDS         # noqa: E402
from widgets import BuddyPane, PhysicalMapPane, SlabPane, VirtualMap   # noqa: E402
from widgets.physmap import CellCounts                  # noqa: E402

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


@pytest.mark.parametrize("size", [SIZE, (120, 40), (80, 24)])
async def test_the_physical_map_kept_behind_a_drawing_comes_back_true_without_rebinning(size, monkeypatch):
    """process-memory puts the fault flow in front of the physical map and back, step after
    step: while hidden the map keeps its cells (recounted where the steps change frames), and
    when it is in front again they equal a fresh binning of the machine at that grid; it bins
    every frame only when it draws another machine or another grid."""
    from widgets.physmap import PhysicalMap
    rebins = []
    rebin = PhysicalMap._rebin

    def counted(self):
        rebins.append(self.machine)
        rebin(self)
    monkeypatch.setattr(PhysicalMap, "_rebin", counted)
    app = MmvizApp(lesson="process-memory", ram="1G")
    async with app.run_test(size=size) as pilot:
        pm = app.query_one(PhysicalMapPane)
        shown = hidden = 0
        for _ in range(len(app.timeline)):
            await pilot.press("right")
            await pilot.pause()
            if not pm.size.height:
                hidden += 1
                continue
            shown += 1
            pm.render_line(0)
            fresh = CellCounts(app.machine.memmap, app.machine.max_pfn, pm._width * pm.map_rows)
            assert np.array_equal(pm.cells.counts, fresh.counts), app.timeline.position
            assert np.array_equal(pm.cells.shown, fresh.shown), app.timeline.position
        assert shown and hidden                       # the lesson flips the panes
        assert len(rebins) == len({id(m) for m in rebins}), "re-binned the same machine"


def count_layouts(monkeypatch) -> list[int]:
    """A one-item list counting the screen's layouts from now on (reset it by assigning 0)."""
    from textual.screen import Screen
    layouts = [0]
    refresh_layout = Screen._refresh_layout

    def counted(self, *a, **kw):
        layouts[0] += 1
        return refresh_layout(self, *a, **kw)
    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    return layouts


async def layouts_per_step(lesson: str, size: tuple[int, int], monkeypatch) -> list[tuple[int, bool, int]]:
    """Step through the lesson: (position, whether other panes came in front, how many times
    the screen was laid out) for each step."""
    layouts = count_layouts(monkeypatch)
    app = MmvizApp(lesson=lesson, ram="1G")
    steps = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        panes = [app.query_one(f"#{name}") for name in PANE_IDS]
        for _ in range(len(app.timeline)):
            shown = [p.display for p in panes]
            layouts[0] = 0
            await pilot.press("right")
            await pilot.pause()
            steps.append((app.timeline.position, shown != [p.display for p in panes], layouts[0]))
    return steps


@pytest.mark.parametrize("lesson", ["process-memory", "fork-cow"])
async def test_a_pane_coming_in_front_lays_the_screen_out_once(lesson, monkeypatch):
    """A drawing that comes in front (the fault flow, the mm_struct view) is sized by the
    layout that shows it: drawn while it had no size, it took a scroll bar its text did not
    need and the screen was laid out a second time (a whole repaint) when the bar went."""
    flips = [(pos, n) for pos, flipped, n in await layouts_per_step(lesson, SIZE, monkeypatch) if flipped]
    assert flips and all(n == 1 for _, n in flips), flips


@pytest.mark.parametrize("lesson, flips", [("process-memory", 5), ("fork-cow", 4)])
async def test_wide_lays_out_only_where_the_middle_column_changes(lesson, flips, monkeypatch):
    """At 200x60 a step about an address keeps the drawing beside the page walk: process-memory
    swapped the middle column at 11 of its 21 steps, fork-cow at 6 of its 13
    (each a layout and a repaint of a third of the screen)."""
    steps = await layouts_per_step(lesson, SIZE, monkeypatch)
    assert sum(flipped for _, flipped, _ in steps) == flips, steps


@pytest.mark.parametrize("lesson, size", [("buddy", (80, 24)), ("page-walk", (80, 24)),
                                          ("buddy", (120, 40))])
async def test_a_step_that_brings_no_pane_in_front_lays_nothing_out(lesson, size, monkeypatch):
    """The tab bar (medium and compact) is one row of the screen's width: its new text moves no
    widget, so a step that keeps the same panes in front is repainted, never laid out (it
    was: Static.update() lays the screen out by default, at every step below 160 columns)."""
    same = [(pos, n) for pos, flipped, n in await layouts_per_step(lesson, size, monkeypatch) if not flipped]
    assert same and all(n == 0 for _, n in same), same


async def _screen(lesson: str, keys: list[str], size: tuple[int, int]) -> str:
    import re
    app = MmvizApp(lesson=lesson, ram="1G")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        return re.sub(r'id="[^"]*"|terminal-\d+[-\w]*|\d{8,}', "", app.export_screenshot())


@pytest.mark.parametrize("lesson, key", [("slab", "5"), ("buddy", "3")])
async def test_a_pane_drawn_only_when_shown_shows_the_step_it_comes_back_at(lesson, key, monkeypatch):
    """The buddy and slab panes draw nothing while other panes are in front (80x24 shows one
    pane): brought in front after steps forward, back, End and Home, a pane shows what it
    shows when the lesson is stepped straight to that position."""
    from widgets import BuddyPane, SlabPane
    drawn_hidden = []
    for cls in (BuddyPane, SlabPane):
        show = cls.show

        def counted(self, view, show=show):
            if self.has_class("-hidden"):
                drawn_hidden.append(type(self).__name__)
            show(self, view)
        monkeypatch.setattr(cls, "show", counted)
    roundabout = await _screen(lesson, ["right"] * 7 + ["left", "left", "right", "end", "home"]
                               + ["right"] * 4 + [key], (80, 24))
    assert not drawn_hidden
    assert roundabout == await _screen(lesson, ["right"] * 4 + [key], (80, 24))


@pytest.mark.parametrize("size, info", [((80, 24), 0), (SIZE, 3)])
async def test_the_physical_map_keeps_rows_of_cells_on_a_small_terminal(size, info):
    """At 80x24 the physical pane has 8 rows: the legend and the frame details left the map one
    row of cells.  The details (the lesson pane names the selection too) give theirs to the
    map when it would have fewer than MIN_MAP_ROWS; on a roomy screen they stay."""
    from widgets.physmap_legend import MIN_MAP_ROWS
    app = MmvizApp(lesson="buddy", ram="1G")
    async with app.run_test(size=size) as pilot:
        await pilot.press("right", "right", "right", "right", "2")
        await pilot.pause()
        pm = app.query_one(PhysicalMapPane)
        assert pm.size.height and pm.info_rows == info
        assert pm.map_rows >= MIN_MAP_ROWS
        assert pm.map_rows + len(pm._legend_lines()) + pm.info_rows <= pm.size.height


@pytest.mark.parametrize("lesson, steps", [("process-memory", 10), ("fork-cow", 3)])
async def test_moving_the_focus_lays_nothing_out(lesson, steps, monkeypatch):
    """The focus coming to a pane restyles it (its border) and nothing else: the first time it
    came to a pane shown since start-up or to a pane with a scroll bar, its restyle changed a
    rule left stale (the -hidden class's display, the bar's size rules never applied) and the
    screen was laid out again, a whole repaint."""
    layouts = count_layouts(monkeypatch)
    app = MmvizApp(lesson=lesson, ram="1G")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(steps):
            await pilot.press("right")
        await pilot.pause()
        focused = []
        for _ in range(8):
            layouts[0] = 0
            await pilot.press("tab")
            await pilot.pause()
            focused.append((type(app.focused).__name__, layouts[0]))
        assert len({name for name, _ in focused}) >= 4 and all(n == 0 for _, n in focused), focused


@pytest.mark.parametrize("lesson, size, most", [("process-memory", SIZE, 1), ("fork-cow", SIZE, 1),
                                                ("process-memory", (120, 40), 2),
                                                ("fork-cow", (120, 40), 2)])
async def test_no_step_lays_the_screen_out_twice(lesson, size, most, monkeypatch):
    """A step lays the screen out once (each layout is a whole repaint): a pane's scroll bar
    shown or hidden by the step asked for its own layout, posted when the bar next ran, after
    the screen had laid the step out; a bar shown for the first time asked again from the
    layout that sized it (3 layouts at 120x40).  At 120x40 a pane brought in front at another
    width is wrapped again when the layout sizes it, and a scroll bar its new line count
    needs or no longer needs takes a second layout (known, not yet avoided)."""
    steps = await layouts_per_step(lesson, size, monkeypatch)
    assert all(n <= most for _, _, n in steps), [(pos, n) for pos, _, n in steps if n > most]
