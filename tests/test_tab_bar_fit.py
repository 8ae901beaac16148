"""The tab bar (medium and compact layouts) fits the terminal: every pane's key 1..7 is on it
and the panes in front are named; names of the panes behind, then the keys' hint, give way
first.  (With seven panes the line was cut: at 80 columns keys 6 and 7 were missing.)"""
from __future__ import annotations

import pytest
from rich.cells import cell_len

from app.app import MmvizApp
from app.layout import PANES
from widgets.i18n import tr


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (140, 40)])
async def test_the_tab_bar_fits_and_shows_every_pane_key(size, lang):
    app = MmvizApp(lesson="process-memory", lang=lang)
    app.ask_questions = False
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for _ in range(3):
            if app.plan.layout != "wide":
                plain = str(app.screen.query_one("#pane-tabs").render()).rstrip()
                assert cell_len(plain) <= size[0] - 2, plain
                for i in range(1, len(PANES) + 1):
                    assert f" {i} " in plain, (i, plain)
                for pane in app.plan.visible:
                    if pane in PANES:
                        assert tr(lang, f"pane.{pane}") in plain, (pane, plain)
            await pilot.press("right")
            await pilot.pause()


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_tab_bar_fits_after_the_terminal_shrinks(lang):
    """Made for the new width on a resize: 120x40 -> 80x24 kept the 120-column bar, cut after
    key 6 (the bar was fitted to the App's size before the resize had reached it)."""
    app = MmvizApp(lesson="zones-gfp", lang=lang)
    app.ask_questions = False
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        plain = str(app.screen.query_one("#pane-tabs").render()).rstrip()
        assert cell_len(plain) <= 80 - 2, plain
        assert all(f" {i} " in plain for i in range(1, len(PANES) + 1)), plain
