"""Textual's line filters, made safe for what mmviz draws.

Textual appends a filter per terminal setting: Monochrome for NO_COLOR, DimFilter for each
``dim`` in TEXTUAL_FILTERS (textual/app.py App.__init__).  Both expect every segment to carry a
full style, but mmviz's panes draw segments without one (padding) and ``dim`` text with no
colour of its own (the lesson's notes, the fault path's other branches): Textual's
dim_style() then read ``None.is_default`` and the app stopped with an internal error.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.filter import (NO_DIM, ANSIToTruecolor, DimFilter, LineFilter, Monochrome, dim_color,
                            dim_style)

NULL_STYLE = Style()
BG_DEFAULT = Style(bgcolor=RichColor.default())   # dim_style() blends towards the widget's
TEXTUAL_DIM = 0.66          # textual/constants.py DIM_FACTOR's default (TEXTUAL_DIM_FACTOR=66)


class SafeMonochrome(Monochrome):
    """NO_COLOR: Textual's grey filter, which also accepts unstyled segments (padding)."""

    def apply(self, segments: list[Segment], background: Any) -> list[Segment]:
        return super().apply([s if s.style is not None else Segment(s.text, NULL_STYLE, s.control)
                              for s in segments], background)


class SafeDim(DimFilter):
    """TEXTUAL_FILTERS=dim: Textual's dim filter (dim text as a colour blended towards its
    background), which also accepts dim text with no background (it is on the widget's) and
    leaves dim text with no colour to the terminal's own dim attribute (there is no colour
    to blend)."""

    def apply(self, segments: list[Segment], background: Any) -> list[Segment]:
        factor = self.dim_factor
        return [Segment(s.text, dim_style(s.style if s.style.bgcolor is not None else
                                          s.style + BG_DEFAULT, background, factor), None)
                if s.style is not None and s.style.dim and s.style.color is not None else s
                for s in segments]


class FixedDimTruecolor(ANSIToTruecolor):
    """Textual's ANSI-to-truecolour filter with dim text blended at Textual's default factor,
    not TEXTUAL_DIM_FACTOR's (which textual.filter.dim_color takes as its default when Textual
    is imported): a recording must not depend on the recorder's environment."""

    @lru_cache(1024)
    def truecolor_style(self, style: Style, background: RichColor) -> Style:
        dim = bool(style.dim) and style.color is not None
        plain = ANSIToTruecolor.truecolor_style(self, style + NO_DIM if dim else style, background)
        if not dim or plain.color is None:
            return plain
        under = background if plain.bgcolor is None else plain.bgcolor
        return plain + Style.from_color(dim_color(under, plain.color, TEXTUAL_DIM), None)


def safe_filters(filters: list[LineFilter]) -> list[LineFilter]:
    """``App._filters`` with Textual's NO_COLOR and TEXTUAL_FILTERS filters made safe."""
    safe = {Monochrome: SafeMonochrome, DimFilter: SafeDim}
    return [safe[type(f)]() if type(f) in safe else f for f in filters]


def recording_filters(filters: list[LineFilter]) -> list[LineFilter]:
    """Only the ANSI-to-truecolour filter, its dim factor fixed: no NO_COLOR grey, no
    TEXTUAL_FILTERS dimming, no TEXTUAL_DIM_FACTOR."""
    return [FixedDimTruecolor(f._terminal_theme, f.enabled) for f in filters
            if isinstance(f, ANSIToTruecolor)]
