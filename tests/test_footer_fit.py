"""The footer at every width: each key it shows is drawn whole, none under the palette's key.

Textual lays every key out in one row and docks the palette's key on the right over them; at
80 columns that cut the last key in half ("l ▏^p palette") and, in Chinese, turned a wide
character cut by the palette's edge into a gap.  The footer now shows the keys that fit.
"""
from __future__ import annotations

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from app.app import MmvizApp


def footer_row(app) -> str:
    """The footer's row as drawn (one character per cell: a wide character's second cell is
    dropped, as a terminal shows it)."""
    strips = app.screen._compositor.render_strips()
    return "".join(seg.text for seg in strips[-1]._segments)


def check_footer(app) -> list[str]:
    """The keys the footer shows; fails on a key overlapping another, off screen or not drawn
    whole on the row."""
    width = app.size.width
    keys = [k for k in app.screen.query_one(Footer).query(FooterKey) if k.display]
    regions = sorted((k.region.x, k.region.right, k) for k in keys)
    for (x0, r0, a), (x1, _, b) in zip(regions, regions[1:]):
        assert r0 <= x1, f"{a.key_display} {a.description!r} overlaps {b.key_display} {b.description!r}"
    assert all(0 <= x and r <= width for x, r, _ in regions)
    row = footer_row(app)
    for k in keys:
        assert f"{k.key_display} {k.description}" in row, (k.key_display, k.description, row)
    return [k.description for k in keys]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (250, 70)])
async def test_every_key_shown_is_whole(lang, size):
    app = MmvizApp(lesson="buddy", lang=lang)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        shown = check_footer(app)
        palette = "命令面板" if lang == "zh" else "palette"
        assert palette in shown and len(shown) >= 6        # step, back, play, zoom, go to, command
        assert ("帮助" if lang == "zh" else "Help") in shown   # the way to every key left out
        if size[0] >= 250:
            assert len(shown) == 12                          # everything fits: nothing left out


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_narrower_terminal_drops_keys_and_a_wider_one_brings_them_back(lang):
    app = MmvizApp(lesson="buddy", lang=lang)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        wide = check_footer(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        narrow = check_footer(app)
        assert len(narrow) < len(wide) and narrow == [d for d in wide if d in narrow]
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        await pilot.pause()
        assert check_footer(app) == wide
