"""Without colour (NO_COLOR, or P) the physical map tells every class by its glyph: each
legend entry has its own, none blank.  A blank cell means nothing is there (past the end of
RAM); free Normal frames were drawn blank, so most free memory looked like no memory."""
from __future__ import annotations

import pytest

pytest.importorskip("textual")

from app.app import MmvizApp                                     # noqa: E402
from widgets import PhysicalMapPane                              # noqa: E402
from widgets.physmap_legend import (CLASS_NAMES, GLYPH, GLYPHS, GUTTER, MARKERS,   # noqa: E402
                                    legend_pairs)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_legend_entry_has_its_own_visible_glyph(lang):
    pairs = legend_pairs(patterns=True, lang=lang)
    glyphs = [pair.plain.split(" ", 1)[0] for pair in pairs]
    shown = [n for n in CLASS_NAMES if n != "free"]
    assert len(pairs) == len(shown) + len(MARKERS)
    assert glyphs[:len(shown)] == [GLYPHS[n] * 2 for n in shown]       # the map's own glyph
    assert all(g.strip() for g in glyphs), glyphs                       # none blank
    assert len(set(glyphs)) == len(glyphs), glyphs                      # none shared


@pytest.mark.parametrize("ram, size", [(None, (160, 48)), ("1G", (200, 60)), ("200M", (120, 40))])
async def test_no_color_map_draws_every_frame_and_leaves_only_past_ram_blank(ram, size, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = MmvizApp(lesson="buddy", ram=ram)
    app.ask_questions = False
    async with app.run_test(size=size) as pilot:
        await pilot.press("right", "right")
        await pilot.pause()
        pm = app.query_one(PhysicalMapPane)
        assert pm.patterns
        cells, width = pm.cells, pm._width
        drawn = "".join("".join(seg.text for seg in pm._build_row(y))[GUTTER:GUTTER + width]
                        for y in range(pm.map_rows))
        inside, past = drawn[:cells.ncells], drawn[cells.ncells:]
        assert " " not in inside, inside
        assert not past.strip()
        markers = {m[0] for m in MARKERS}
        for c, ch in enumerate(inside):
            assert ch == GLYPH[cells.shown[c]] or ch in markers, (c, ch)
        assert GLYPHS["free Normal"] in inside
