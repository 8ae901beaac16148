"""Chinese throughout the chrome: with --lang zh (or after L) the header, the tab bar, the pane
titles and the footer carry no English word except kernel identifiers and key names."""
from __future__ import annotations

import os
import re

import pytest

pyte = pytest.importorskip("pyte")

from app.app import MmvizApp        # noqa: E402
from app.record import render_ansi  # noqa: E402

SIZES = [(80, 24), (100, 30), (120, 40), (160, 48), (250, 70)]
# kernel/hardware identifiers and key names that stay as they are in Chinese
ALLOWED = {"GB", "MB", "TLB", "free_area", "order", "nr_free", "slab", "mmviz", "space", "palette",
           "EN", "Linux", "PAE", "NX", "SLAB", "SLUB", "DMA", "Normal", "HighMem", "pfn", "CR3"}
WORD = re.compile(r"[A-Za-z][A-Za-z_]{1,}")


def chrome_lines(screen_lines: list[str]) -> list[str]:
    """The header, tab bar, border-title lines and the footer."""
    out = [screen_lines[0], screen_lines[1], screen_lines[-1]]
    out += [m.group(0) for l in screen_lines for m in re.finditer(r"╭[^╮╭]*╮", l)]
    return out


def english_words(lines: list[str]) -> set[str]:
    words = set()
    for line in lines:
        for w in WORD.findall(line):
            if w and w not in ALLOWED and not w.startswith(("0x", "GFP_", "__")):
                words.add(w)
    return words


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
async def test_zh_chrome_has_no_english_words(size):
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    app = MmvizApp(lesson="buddy", lang="en")
    async with app.run_test(size=size) as pilot:
        for _ in range(3):
            await pilot.press("n")
        await pilot.press("L")            # switched at run time: everything follows
        await pilot.pause()
        assert app.lang == "zh"
        screen = pyte.Screen(*size)
        pyte.Stream(screen).feed(render_ansi(app))
        lines = screen.display
        assert english_words(chrome_lines(lines)) == set(), "\n".join(chrome_lines(lines))
        await pilot.press("L")
        await pilot.pause()
        screen = pyte.Screen(*size)
        pyte.Stream(screen).feed(render_ansi(app))
        assert "Step" in screen.display[-1] or "Back" in screen.display[-1]
