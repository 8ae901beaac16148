"""The physical map's classes, colours and glyphs, its legend (laid out pair by pair) and a
frame's reverse map, in the app's language."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from rich.style import Style
from rich.text import Text

from engine.physmem import OWNER_NAMES

from .colour_contrast import GRAPHICS_CONTRAST, legible, seen_contrast
from .i18n import engine_phrase, tr

if TYPE_CHECKING:
    from engine.machine import Machine

# frame classes: the owners (engine.physmem.OWNER_*), then free frames by zone
FREE_BY_ZONE = 11
ZONE_NAMES = ("DMA", "Normal", "HighMem")
CLASS_NAMES = (*OWNER_NAMES, "free DMA", "free Normal", "free HighMem")
NCLS = len(CLASS_NAMES)
RUNTIME = np.array([5, 6, 7, 8, 9, 10])        # pgtable pages slab vmalloc user pagecache
# owners in the Okabe-Ito colour-blind-safe palette (no red/green pair); free frames dark
# tints by zone; P (or NO_COLOR) adds a glyph per class for readers who cannot rely on colour
CLASS_COLOURS = {
    "free": "#303030", "hole": "#1a1a1a", "kernel": "#d55e00", "mem_map": "#cc79a7",
    "bootmem": "#8c6d8c", "pgtable": "#e69f00", "pages": "#56b4e9", "slab": "#009e73",
    "vmalloc": "#0072b2", "user": "#f0e442", "pagecache": "#c8a882",
    "free DMA": "#3a3a5f", "free Normal": "#2f4f3f", "free HighMem": "#4f3f2f",
}
GUTTER = 10
STYLES = [Style(bgcolor=CLASS_COLOURS[n]) for n in CLASS_NAMES]
# the markers on a frame's cell, in a colour that shows on that cell's colour (3:1, in true
# colour and in 256 colours: widgets.colour_contrast): "linked" magenta, darker or lighter
# where #ff5fff does not show (1.1-2.1:1 on nine classes' colours), darker first; "touched"
# white or black, whichever shows and differs more from that cell's "linked" (white was
# 1.3:1 on the user pages' yellow)
TOUCHED_COLOURS = ("#ffffff", "#000000")
LINKED_COLOURS = ("#ff5fff", "#d700d7", "#af00af", "#870087", "#5f005f", "#3f003f",
                  "#ff87ff", "#ffafff", "#ffd7ff")


def marker_colours(bg: str) -> tuple[str, str]:
    """(touched, linked) marker colours on a cell of colour ``bg``."""
    linked = legible(bg, LINKED_COLOURS)
    shows = [c for c in TOUCHED_COLOURS if seen_contrast(c, bg) >= GRAPHICS_CONTRAST]
    touched = max(shows, key=lambda c: seen_contrast(c, linked)) if shows \
        else legible(bg, TOUCHED_COLOURS)
    return touched, linked


_MARKS = [marker_colours(CLASS_COLOURS[n]) for n in CLASS_NAMES]
TOUCHED = [Style(bgcolor=CLASS_COLOURS[n], color=t, bold=True) for n, (t, _) in zip(CLASS_NAMES, _MARKS)]
SELECTED = Style(bgcolor="#ffffff", color="#000000", bold=True)
LINKED = [Style(bgcolor=CLASS_COLOURS[n], color=li, bold=True) for n, (_, li) in zip(CLASS_NAMES, _MARKS)]
GUTTER_STYLE = Style(color="bright_black")    # an ANSI colour: readable in every theme (app.ansi_palette)
# without colour (NO_COLOR) each class is also a glyph: free frames light patterns, used letters.
# Each its own and none blank: a blank cell is one past the end of RAM (free Normal frames were
# blank, so most of a machine's free memory looked like no memory at all).  "free" is never
# drawn (free frames are drawn by zone, physmap_cells.frame_classes)
GLYPHS = {"free": "?", "hole": "/", "kernel": "k", "mem_map": "m", "bootmem": "b", "pgtable": "t",
          "pages": "p", "slab": "s", "vmalloc": "v", "user": "u", "pagecache": "c",
          "free DMA": ".", "free Normal": "-", "free HighMem": ":"}
MARKERS = (("▪", "bold", "map.touched"), ("◆", "bold", "map.selected"),
           ("●", "bold bright_magenta", "map.linked"), ("◉", "bold bright_magenta", "map.linked_touched"))
GLYPH = [GLYPHS[n] for n in CLASS_NAMES]
INFO_ROWS = 3
MIN_MAP_ROWS = 4     # fewer rows of cells than this: the frame details give theirs to the map


def legend_pairs(patterns: bool = False, lang: str = "en") -> list[Text]:
    """The legend's entries, each a glyph or swatch with its label (never split)."""
    pairs = []
    for name in CLASS_NAMES:
        if name == "free":
            continue
        swatch = GLYPHS[name] * 2 if patterns else "  "
        t = Text()
        t.append(swatch, Style(bgcolor=CLASS_COLOURS[name]))
        t.append(f" {tr(lang, 'cls.' + name)}")
        pairs.append(t)
    for glyph, style, key in MARKERS:
        t = Text()                    # the label in the text colour, not the glyph's
        t.append(glyph, style)
        t.append(f" {tr(lang, key)}")
        pairs.append(t)
    return pairs


def pack_pairs(pairs: list[Text], width: int, gap: int = 2) -> list[Text]:
    """Lines of at most ``width`` cells, the pairs ``gap`` cells apart; a line breaks only
    between two pairs (a pair wider than the line stands alone and is cut)."""
    lines: list[Text] = []
    line = Text()
    for pair in pairs:
        if line.cell_len and line.cell_len + gap + pair.cell_len > width:
            lines.append(line)
            line = Text()
        if line.cell_len:
            line.append(" " * gap)
        line.append_text(pair)
    if line.cell_len:
        lines.append(line)
    return lines


def rmap_text(machine: Machine, pfn: int, limit: int = 4, lang: str = "en") -> Text:
    """The reverse map of a frame: every virtual address mapping it."""
    from engine.rmap import page_mappings
    maps = page_mappings(machine, pfn)
    t = Text(tr(lang, "rmap.at"), "bold")
    if not maps:
        t.append(tr(lang, "rmap.none"), "dim")
    for i, mp in enumerate(maps[:limit]):
        t.append(("" if i == 0 else " · ") + f"{mp.vaddr:#010x} ")
        t.append(tr(lang, f"reg.{mp.kind}") if lang != "en" else mp.kind, "cyan")
        detail = engine_phrase(mp.detail, lang)
        t.append(f"（{detail}）" if lang == "zh" else f" ({detail})", "dim")
    if len(maps) > limit:
        t.append(" · " + tr(lang, "more", n=len(maps) - limit), "dim")
    return t
