"""Pilot tests of the TUI: every key, and the linking between the panes."""
from __future__ import annotations

import pytest

pytest.importorskip("textual")

from app.app import MmvizApp                     # noqa: E402
from app.screens import GotoAddress, HelpScreen, LessonPicker   # noqa: E402
from widgets import (BuddyPane, CommandLine, LessonPane, PageWalkPane, PhysicalMap,   # noqa: E402
                     Selection, VirtualMap)
from widgets.selection import SelectionRequested   # noqa: E402

SIZE = (200, 60)


def lesson_text(app: MmvizApp) -> str:
    return app.query_one(LessonPane).plain


async def test_step_back_jump_and_autoplay_keys():
    app = MmvizApp(lesson="memory-map")
    async with app.run_test(size=SIZE) as pilot:
        tl = app.timeline
        assert tl.position == 0
        await pilot.press("n", "right", "n")
        assert tl.position == 3
        assert app.selection == Selection("address", tl.current.focus["address"])
        assert "3/" in lesson_text(app)
        await pilot.press("p", "left")
        assert tl.position == 1
        await pilot.press("end")
        assert tl.at_end
        await pilot.press("home")
        assert tl.position == 0
        await pilot.press("space")
        assert app.playing and app._autoplay is not None
        speed = app.speed
        await pilot.press("plus")
        assert app.speed == speed + 1
        await pilot.press("minus", "minus")
        assert app.speed == speed - 1
        await pilot.press("space")
        assert not app.playing and app._autoplay is None


async def test_zoom_goto_walk_and_language():
    app = MmvizApp(lesson="memory-map")
    async with app.run_test(size=SIZE) as pilot:
        vmap = app.query_one(VirtualMap)
        await pilot.press("z")
        assert vmap.view_span == 1 << 30
        await pilot.press("Z")
        assert vmap.view_span == 1 << 32
        await pilot.press("g")
        assert isinstance(app.screen, GotoAddress)
        await pilot.press(*"0xc0100000", "enter")
        assert app.selection == Selection("address", 0xC0100000)
        walk = app.query_one(PageWalkPane)
        assert walk.vaddr == 0xC0100000 and walk.walk is not None
        assert "pfn 0x100" in lesson_text(app) and "zone DMA" in lesson_text(app)
        await pilot.press("L")
        assert app.lang == "zh"
        await pilot.press("n")
        assert "步骤 1/" in lesson_text(app)
        await pilot.press("L")
        assert app.lang == "en"


async def test_help_picker_theme_focus_and_palette():
    app = MmvizApp(lesson="memory-map")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("l")
        assert isinstance(app.screen, LessonPicker)
        await pilot.press("down", "enter")
        assert app.timeline.lesson.id != "memory-map" or len(app.screen.app.timeline.lesson.steps)
        theme = app.theme
        await pilot.press("t")
        assert app.theme != theme
        await pilot.press("tab")
        first = app.focused
        await pilot.press("tab")
        assert app.focused is not first
        titles = [c.title for c in app.get_system_commands(app.screen)]
        from app.chrome import binding_text
        for b in MmvizApp.BINDINGS:                 # every action, in the app's language
            if b.id != "palette":                   # the palette's own key is not listed in it
                assert binding_text(b, app.lang)[0] in titles
        for c in app.get_system_commands(app.screen):    # a help line that says something
            assert c.help and c.help != c.title, c.title


async def test_command_line_free_exploration_and_errors():
    app = MmvizApp(ram="1G")
    async with app.run_test(size=SIZE) as pilot:
        assert len(app.timeline) == 0
        await pilot.press("colon")
        cmd = app.query_one(CommandLine)
        assert cmd.is_open
        await pilot.press(*"alloc_pages GFP_KERNEL 3 as a", "enter")
        r = app.timeline.current
        assert r is not None and r.error is None and app.timeline.position == 1
        pfn = r.value
        pm = app.query_one(PhysicalMap)
        assert pfn // pm.cells.per in pm.touched
        assert pm.cell_class(pfn) == "pages"
        await pilot.press(*"frobnicate 3", "enter")
        assert "unknown operation" in str(cmd.query_one(".error").render())
        await pilot.press(*"free_pages a 2", "enter")      # wrong order: a kernel error, as text
        assert app.timeline.current.error is not None
        assert "kernel error" in lesson_text(app) or app.timeline.current.error_kind in lesson_text(app)
        await pilot.press("escape")
        assert not cmd.is_open


async def test_selecting_a_frame_links_every_pane():
    app = MmvizApp(lesson="zones-gfp")
    async with app.run_test(size=SIZE) as pilot:
        m = app.machine
        z = m.zones[0]
        pfn = z.start_pfn + 16
        app.query_one(PhysicalMap).post_message(SelectionRequested(Selection("pfn", pfn)))
        await pilot.pause()
        text = lesson_text(app)
        assert f"pfn {pfn:#x}" in text and f"zone {z.name}" in text
        assert f"__va {m.layout.page_offset + (pfn << 12):#010x}" in text
        pm = app.query_one(PhysicalMap)
        assert pm.selected_cell == pfn // pm.cells.per
        vmap = app.query_one(VirtualMap)
        assert vmap.row_of(m.layout.page_offset + (pfn << 12)) is not None
        app.query_one(BuddyPane).focus()
        await pilot.press("enter")
        assert app.selection == Selection("zone", m.zones[0].name)


async def test_physical_map_pae_64g_updates_incrementally():
    app = MmvizApp(ram="64G", pae=True)
    async with app.run_test(size=SIZE) as pilot:
        pm = app.query_one(PhysicalMap)
        assert pm.cells.max_pfn == 1 << 24
        cells = pm.cells
        await pilot.press("colon")
        await pilot.pause()
        assert pm.cells is cells                     # the command line floats over the panes
        await pilot.press(*"alloc_pages GFP_HIGHUSER 0 as h", "enter")
        await pilot.pause()
        pfn = app.timeline.current.value
        assert pm.cells is cells                     # same bins, only touched cells recounted
        assert pm.cell_class(pfn) == "pages"
        assert app.machine.pfn_zone(pfn) == "HighMem"
        text = lesson_text(app)
        assert "highmem" in text.lower()


async def test_terminal_too_small_message():
    app = MmvizApp(lesson="memory-map")
    async with app.run_test(size=(50, 14)) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-too-small")
        assert "too small" in str(app.query_one("#too-small").render())
        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        assert not app.screen.has_class("-too-small")


async def test_goto_brings_the_walk_in_front_where_panes_take_turns():
    """At 120x40 the right column shows one pane: 'g' then an address walked it out of sight."""
    app = MmvizApp(lesson="memory-map")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("end")
        await pilot.pause()
        walk = app.query_one(PageWalkPane)
        focused = app.focused
        await pilot.press("g", *"0xc0100000", "enter")
        await pilot.pause()
        assert app.front[0] == "walk" and walk.display and walk.region.width > 0
        assert app.focused is focused                          # the lesson keeps the keys


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_help_table_folds_long_words_and_cuts_none(lang):
    """At 120x40 the Chinese help cut the 1-7 row with … (a Chinese sentence is one 'word'
    to the table's wrapping) and the key 'J / Shift+↓ / K / Shift+↑' to 'J / Shift…'."""
    import re
    app = MmvizApp(lesson="slab", lang=lang)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        from textual.widgets._markdown import MarkdownTableContent
        table = app.screen.query_one(MarkdownTableContent)
        cells = [c for c in table.children if "cell" in c.classes]
        assert cells
        for cell in cells:
            lines = [strip.text for strip in cell.render_lines(cell.region.reset_offset)]
            shown = "".join(line.rstrip() for line in lines)
            source = re.sub(r"\s+", "", str(cell.render()))
            assert re.sub(r"\s+", "", shown) == source, (shown, source)


async def test_the_physical_map_title_says_what_is_not_ram():
    """memory-map's 4 GB PAE machine: '1,310,720 frames (5,120 MB)' beside a '4 GB' header read
    as RAM; the title says the rest is firmware and the PCI hole."""
    app = MmvizApp(lesson="memory-map")
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press("home")
        await pilot.pause()
        from widgets.physmap import PhysicalMap
        title = str(app.query_one(PhysicalMap).border_title)
        assert "of addresses" not in title and "(159.9 MB)" in title, title   # 160 MB: all RAM
        while not app.machine.config.pae or app.machine.config.ram < 4 << 30:
            await pilot.press("right")
            await pilot.pause()
        title = str(app.query_one(PhysicalMap).border_title)
        assert "(5,120 MB of addresses: 4,095 MB RAM" in title, title
