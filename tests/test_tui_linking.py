"""Pilot tests of the linking between panes: vmalloc areas, reverse maps, slab objects,
the animated page walk, kernel errors as text; and the extfrag index against the kernel's."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("textual")

from app.app import MmvizApp                                   # noqa: E402
from engine.extfrag import unusable_index_text, unusable_indices   # noqa: E402
from engine.rmap import page_mappings                          # noqa: E402
from widgets import (LessonPane, PageWalkPane, PhysicalMap, Selection, SlabPane,   # noqa: E402
                     VirtualMap)
from widgets.selection import SelectionRequested                # noqa: E402

SIZE = (200, 60)
GROUNDTRUTH = Path(__file__).parent / "groundtruth"


async def _command(pilot, line: str) -> None:
    from widgets import CommandLine
    if not pilot.app.query_one(CommandLine).is_open:
        await pilot.press("colon")
    await pilot.press(*line, "enter")
    await pilot.pause()


async def _select(pilot, sel: Selection) -> None:
    pilot.app.query_one(VirtualMap).post_message(SelectionRequested(sel))
    await pilot.pause()


async def test_vmalloc_area_lights_up_exactly_its_frames_and_walks_its_first_page():
    app = MmvizApp(ram="1G")
    async with app.run_test(size=SIZE) as pilot:
        app.animation_level = "none"
        await _command(pilot, "vmalloc 20000 as v")
        m = app.machine
        assert m.vmap_areas, "the vmalloc command made no area"
        area = m.vmap_areas[0]
        assert len(area.pages) == 5
        await pilot.press("escape")
        app.query_one(VirtualMap).focus()
        await pilot.press("right_square_bracket")              # the next item: the area
        assert app.selection == Selection("vmalloc", area.start)
        pm = app.query_one(PhysicalMap)
        assert pm.linked == set(area.pages)
        assert pm.linked_cells == {p // pm.cells.per for p in area.pages}
        walk = app.query_one(PageWalkPane)
        assert walk.vaddr == area.start and walk.walk.paddr >> 12 == area.pages[0]
        assert not walk.animating
        vmap = app.query_one(VirtualMap)
        assert any(kind == "vmalloc" and start == area.start for start, _, kind, _ in vmap.items)
        assert "vmalloc area" in app.query_one(LessonPane).plain
        await _select(pilot, Selection("address", 0xC0000000))
        assert pm.linked == set()                      # the light goes out with the selection


async def test_a_frame_shows_every_virtual_address_mapping_it():
    app = MmvizApp(ram="1G")
    async with app.run_test(size=SIZE) as pilot:
        await _command(pilot, "vmalloc 8192 as v")
        m = app.machine
        assert m.vmap_areas, "the vmalloc command made no area"
        area = m.vmap_areas[0]
        pfn = area.pages[1]
        await _select(pilot, Selection("pfn", pfn))
        info = "\n".join(t.plain for t in app.query_one(PhysicalMap)._info)
        assert f"{area.start + 4096:#010x} vmalloc" in info
        maps = page_mappings(m, pfn)
        assert [(mp.vaddr, mp.kind) for mp in maps if mp.kind == "vmalloc"] == [(area.start + 4096, "vmalloc")]
        low = 0x1000
        kinds = {mp.kind: mp.vaddr for mp in page_mappings(m, low)}
        assert kinds["direct"] == m.layout.page_offset + (low << 12)
        if pfn >= m.max_low_pfn:                       # a highmem frame: no direct mapping
            assert "direct" not in {mp.kind for mp in maps}
            await _command(pilot, f"kmap {pfn}")
            kinds = {mp.kind for mp in page_mappings(app.machine, pfn)}
            assert {"vmalloc", "pkmap"} <= kinds
            vmap = app.query_one(VirtualMap)
            assert any(kind == "pkmap" for _, _, kind, _ in vmap.items)


async def test_a_slab_object_shows_its_page_frame_and_zone():
    app = MmvizApp(ram="1G")
    async with app.run_test(size=SIZE) as pilot:
        await _command(pilot, "kmalloc 100 as k")
        m = app.machine
        assert app.timeline.current.error is None
        k = app.timeline.current.value
        await _select(pilot, Selection("address", k))
        text = app.query_one(LessonPane).plain
        slab = m.slab_of(k)
        assert f"slab {slab.cache.name} object" in text
        assert f"pfn {slab.pfn:#x}" in text and "zone Normal" in text
        pane = app.query_one(SlabPane)
        assert pane.chosen == slab.cache.name
        assert f"pfn {slab.pfn:#x}" in pane.plain and "■" in pane.plain
        pane.focus()
        await pilot.press("s")                                  # sort by objsize
        assert pane.sort_key == "objsize"
        sizes = [r[1] for r in pane.rows]
        assert sizes == sorted(sizes)
        await pilot.press("r")
        assert [r[1] for r in pane.rows] == sorted(sizes, reverse=True)
        await pilot.press("enter")
        assert app.selection.kind == "cache"
        assert app.query_one(PhysicalMap).linked >= {slab.pfn}


async def test_page_walk_animates_level_by_level_unless_animations_are_off():
    app = MmvizApp(lesson="memory-map")
    async with app.run_test(size=SIZE) as pilot:
        app.animation_level = "full"
        walk = app.query_one(PageWalkPane)
        await _select(pilot, Selection("address", 0xC0100000))
        assert walk.walk is not None and walk.animating and walk.shown < walk.levels
        assert "…" in walk.plain
        await pilot.pause(0.45 * walk.levels + 0.3)
        assert not walk.animating and "frame" in walk.plain
        app.animation_level = "none"
        await _select(pilot, Selection("address", 0xC0200000))
        assert not walk.animating and "frame" in walk.plain
        assert "TLB" in walk.plain and "hits" in walk.plain


async def test_kernel_errors_go_to_the_lesson_pane_and_the_log():
    app = MmvizApp(ram="1G")
    async with app.run_test(size=SIZE) as pilot:
        await _command(pilot, "free_pages 5 3")
        assert app.timeline.current.error is not None
        assert app.kernel_log and app.kernel_log[-1].startswith("step 1:")
        text = app.query_one(LessonPane).plain
        # the kernel's own words (widgets/error_text.py), not the error class
        said = app.timeline.current.error_message.split()[:4]
        assert "kernel log" in text and " ".join(said) in text and "BadFree" not in text


async def test_virtual_map_zooms_to_single_pages():
    app = MmvizApp(lesson="memory-map")
    async with app.run_test(size=SIZE) as pilot:
        vmap = app.query_one(VirtualMap)
        vmap.focus()
        for _ in range(12):
            await pilot.press("z")
        assert vmap.row_bytes == 4096
        lo, hi = vmap.row_range(3)
        assert hi - lo == 4096


def test_unusable_index_is_the_kernels():
    """DMA lines agree exactly with the kernel's (their free lists do not move between reads)."""
    for d in sorted(GROUNDTRUTH.iterdir()):
        buddy, extfrag = d / "buddyinfo.txt", d / "extfrag_unusable.txt"
        if not (buddy.exists() and extfrag.exists()):
            continue
        free = {ln.split()[3]: [int(x) for x in ln.split()[4:]] for ln in buddy.read_text().splitlines()}
        want = {ln.split()[3]: [round(float(x) * 1000) for x in ln.split()[4:]]
                for ln in extfrag.read_text().splitlines()}
        assert unusable_indices(free["DMA"]) == want["DMA"], d.name


def test_unusable_index_text_has_the_debugfs_format():
    import engine
    m = engine.Machine.boot(ram="1G")
    text = unusable_index_text(m)
    for line in text.splitlines():
        assert re.fullmatch(r"Node 0, zone +\w+ (\d\.\d{3} ){11}", line), line


async def test_a_process_shows_its_vmas_and_lights_up_its_resident_frames():
    app = MmvizApp(ram="160M")
    async with app.run_test(size=SIZE) as pilot:
        app.animation_level = "none"
        await _command(pilot, "spawn example as p")
        m = app.machine
        assert m.processes, "the spawn command made no process"
        pid = next(iter(m.processes))
        await pilot.press("escape")
        await _select(pilot, Selection("process", pid))
        proc = m.processes[pid]
        vmap = app.query_one(VirtualMap)
        vma_items = [(s, e) for s, e, kind, _ in vmap.items if kind == "vma"]
        assert vma_items == [(v.start, v.end) for v in proc.vmas]
        pm = app.query_one(PhysicalMap)
        resident = {leaf.paddr >> 12 for leaf in proc.mm.pgd.leaves(0, 0xC0000000)}
        assert resident and pm.linked == resident
        text = app.query_one(LessonPane).plain
        assert "resident pages" in text and f"{proc.cr3:#010x}" in text


async def test_the_mouse_selects_frames_and_addresses():
    app = MmvizApp(ram="160M")
    async with app.run_test(size=SIZE) as pilot:
        app.animation_level = "none"
        pm = app.query_one(PhysicalMap)
        await pilot.click(PhysicalMap, offset=(15, 2))
        await pilot.pause()
        assert app.selection is not None and app.selection.kind == "pfn"
        assert app.selection.value == (2 * pm._width + 5) * pm.cells.per
        vmap = app.query_one(VirtualMap)
        await pilot.click(VirtualMap, offset=(3, 5))
        await pilot.pause()
        assert app.selection.kind == "address"
        assert app.selection.value == vmap.row_range(5)[0]
