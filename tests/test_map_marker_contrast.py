"""Markers drawn on coloured cells show on them (WCAG 2.1 1.4.11: 3:1 for graphics), in
true colour and in a 256-colour terminal: the physical map's "touched" and "linked" glyphs
on every frame class's colour, and the virtual map's item bars on every region's colour.

A white "▪" on the user pages' yellow was 1.3:1 (the frames a fault touched did not show),
the magenta "●" on the kernel image's orange 1.5:1, a VMA's bar on user space 1.8:1.
"""
from __future__ import annotations

import pytest

from widgets.colour_contrast import GRAPHICS_CONTRAST, legible, seen_contrast
from widgets.physmap_legend import CLASS_COLOURS, CLASS_NAMES, LINKED, SELECTED, TOUCHED
from widgets.vmap import ITEM_RAMPS, REGION_COLOURS, item_bar_colour


@pytest.mark.parametrize("i,name", list(enumerate(CLASS_NAMES)))
def test_the_physical_maps_markers_show_on_every_frame_class(i, name):
    bg = CLASS_COLOURS[name]
    touched, linked = TOUCHED[i].color.name, LINKED[i].color.name
    assert TOUCHED[i].bgcolor.name == bg and LINKED[i].bgcolor.name == bg
    assert seen_contrast(touched, bg) >= GRAPHICS_CONTRAST, (name, touched)
    assert seen_contrast(linked, bg) >= GRAPHICS_CONTRAST, (name, linked)
    assert seen_contrast(touched, linked) >= 1.5, (name, touched, linked)   # told apart
    assert seen_contrast(SELECTED.color.name, SELECTED.bgcolor.name) >= 4.5


@pytest.mark.parametrize("kind", sorted(ITEM_RAMPS))
@pytest.mark.parametrize("region", sorted(REGION_COLOURS))
def test_the_virtual_maps_item_bars_show_on_every_region(kind, region):
    bg = REGION_COLOURS[region]
    assert seen_contrast(item_bar_colour(kind, bg), bg) >= GRAPHICS_CONTRAST, (kind, region)


def test_legible_takes_the_first_colour_that_shows_else_the_best():
    assert legible("#000000", ("#ffffff", "#ff0000")) == "#ffffff"
    assert legible("#ffffff", ("#ffffff", "#000000")) == "#000000"
    assert legible("#808080", ("#7f7f7f", "#858585")) in ("#7f7f7f", "#858585")   # none shows
