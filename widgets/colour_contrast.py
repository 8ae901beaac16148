"""WCAG 2 contrast of colours as a terminal shows them, and the choice of a marker colour
that stays visible on a coloured cell.

The panes draw markers (the physical map's "touched" and "linked" glyphs, the virtual map's
item bars) in a colour of their own on a cell whose background is the frame's or region's
colour.  One fixed marker colour cannot be visible on every background: a white "▪" on the
user pages' yellow is 1.3:1, the magenta "●" on the kernel image's orange 1.5:1.
:func:`legible` picks, per background, the first of a list of colours (the wanted one
first) that reaches a ratio in true colour and in a 256-colour terminal; WCAG 2.1's 1.4.11
asks 3:1 of graphics.  (app.ansi_palette uses the same functions for text.)
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from rich.color import Color, ColorSystem

GRAPHICS_CONTRAST = 3.0     # WCAG 2.1 SC 1.4.11: non-text contrast


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0..1)."""
    def channel(v: int) -> float:
        v = v / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (1..21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def in_256_colours(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """The colour a 256-colour terminal (tmux, screen, TERM=xterm-256color without COLORTERM)
    shows for ``rgb``: Rich's downgrade to the xterm palette."""
    return tuple(Color.from_rgb(*rgb).downgrade(ColorSystem.EIGHT_BIT).get_truecolor())   # type: ignore


def rgb_of(hex_colour: str) -> tuple[int, int, int]:
    """"#rrggbb" as (r, g, b)."""
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def seen_contrast(fg: str, bg: str) -> float:
    """The lower of fg-on-bg's contrast in true colour and in 256 colours (hex colours)."""
    a, b = rgb_of(fg), rgb_of(bg)
    return min(contrast(a, b), contrast(in_256_colours(a), in_256_colours(b)))


@lru_cache(maxsize=None)
def legible(bg: str, candidates: Sequence[str], ratio: float = GRAPHICS_CONTRAST) -> str:
    """The first of ``candidates`` (hex colours, a tuple, the wanted one first) that shows at
    ``ratio`` on ``bg`` in true colour and in 256 colours; none does: the one that shows best."""
    for c in candidates:
        if seen_contrast(c, bg) >= ratio:
            return c
    return max(candidates, key=lambda c: seen_contrast(c, bg))
