"""Styled rows kept by the content they wrap, for the Line-API panes.

Textual wraps each content row of a widget in its border, padding and colours
(``StylesCache.render_line``: several new ``Strip`` objects, each with seven caches of its
own) whenever the row is repainted, and keeps the result only by row number.  A step shown
again (a back-step, re-reading forward, a jump, a drawing brought back in front) repaints
rows whose content the pane has drawn before: the panes hand out the very same content
``Strip`` for the same text (widgets.textlines), so the styled row can be kept by that
strip's identity and how the widget is styled.  The kept row is the same object as last
time, so the filters, the theme's style and the compositor's cuts downstream hit their
own per-strip caches too.

A kept row is used only for the same content strip object (held alive with it) and the
same styling: size, content size, padding, background colours, border and outline (their
kinds and colours), tint, text opacity, hatch, opacity and ANSI theme.  Anything else
that changes a row's look changes one of those, so a row is never drawn stale.
"""
from __future__ import annotations

from typing import Any

from rich.style import Style
from textual._styles_cache import StylesCache
from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget

KEPT_ROWS = 2048          # styled rows kept per widget (a lesson's rows, both ways)


class ContentStylesCache(StylesCache):
    """Textual's per-widget ``StylesCache`` that also keeps styled content rows by the
    content strip (identity) and the widget's styling."""

    def __init__(self) -> None:
        super().__init__()
        self._kept: dict[tuple, tuple[Strip, Strip]] = {}
        self._stylings: dict[tuple, int] = {}     # each styling seen, numbered
        self._styling = -1                        # the number of the current render's styling
        self._rows = (0, 0, 0)                    # its first content row, first row below, height
        self._frames: dict[int, ContentFrame | None] = {}   # styling number -> its content rows' frame

    def render(self, styles: Any, size: Any, base_background: Any, background: Any,
               render_content_line: Any, *args: Any, **kwargs: Any) -> list[Strip]:
        """Textual's ``StylesCache.render``; notes the styling every row of it shares."""
        hatch = styles.hatch if styles.has_rule("hatch") else None
        content_size = kwargs.get("content_size") or size
        styling = (size, content_size, kwargs.get("padding"), base_background, background,
                   kwargs.get("opacity", 1.0), styles.border, styles.outline, styles.tint,
                   styles.text_opacity, hatch, id(kwargs.get("ansi_theme")),
                   kwargs.get("native_ansi", False), len(args))
        number = self._stylings.get(styling)
        if number is None:
            if len(self._stylings) >= 64:
                self._stylings.clear()
                self._kept.clear()
                self._frames.clear()
            number = self._stylings[styling] = len(self._stylings)
        gutter = styles.gutter
        self._styling = number
        self._rows = (gutter.top, min(size.height - gutter.bottom, gutter.top + content_size.height),
                      size.height)
        try:
            return super().render(styles, size, base_background, background, render_content_line,
                                  *args, **kwargs)
        finally:
            self._styling = -1

    def render_line(self, styles: Any, y: int, size: Any, content_size: Any, padding: Any,
                    base_background: Any, background: Any, render_content_line: Any,
                    *rest: Any) -> Strip:
        """One styled row: a content row already styled for this content strip and styling
        is given back as is; border and padding rows are Textual's."""
        top, below, height = self._rows
        if self._styling < 0 or not top <= y < below:
            return super().render_line(styles, y, size, content_size, padding, base_background,
                                       background, render_content_line, *rest)
        content = render_content_line(y - top)
        key = (id(content), self._styling, y == 0 or y == height - 1)
        kept = self._kept.get(key)
        if kept is not None and kept[0] is content:
            return kept[1]
        frame = self._frames.get(self._styling, False)
        if frame is False:
            frame = self._frames[self._styling] = content_frame(
                self, styles, size, content_size, padding, base_background, background, rest[2])
        if frame is None:
            strip = super().render_line(styles, y, size, content_size, padding, base_background,
                                        background, lambda _y: content, *rest)
        else:
            strip = frame.row(content)
        if len(self._kept) >= KEPT_ROWS:
            self._kept.clear()
        self._kept[key] = (content, strip)
        return strip


class ContentFrame:
    """What Textual's ``StylesCache.render_line`` puts around a content row of one styling
    (the left and right border cells, the padding, the background the row is filled to its
    width with), worked out once: Textual works out the border's and the padding's styles
    again for every row it draws (a third of a new row's cost).  The row is built as Textual
    builds it (textual 8.2 ``_styles_cache.py``, "Content with border and padding (C)"),
    segment for segment."""

    __slots__ = ("left", "right", "inner", "pad_left", "pad_right", "content_width", "width")

    def __init__(self, left: Any, right: Any, inner: Any, pad_left: int, pad_right: int,
                 content_width: int, width: int) -> None:
        self.left, self.right, self.inner = left, right, inner
        self.pad_left, self.pad_right = pad_left, pad_right
        self.content_width, self.width = content_width, width

    def row(self, content: Strip) -> Strip:
        """The styled row of this content strip."""
        from textual._segment_tools import line_pad
        line = content.adjust_cell_length(self.content_width, self.inner)
        segments = (line_pad(line, self.pad_left, self.pad_right, self.inner)
                    if self.pad_left or self.pad_right else list(line))
        if self.left is not None:
            segments.insert(0, self.left)
        if self.right is not None:
            segments.append(self.right)
        return Strip(segments, self.width)


def content_frame(cache: StylesCache, styles: Any, size: Any, content_size: Any, padding: Any, base_background: Any,
                  background: Any, opacity: float) -> ContentFrame | None:
    """The frame of this styling's content rows; None when Textual's own path must draw them
    (an effect on the row's segments: opacity, text opacity, tint, hatch, an outline)."""
    from textual._border import get_box
    from textual.style import Style as TextualStyle
    if opacity != 1.0 or styles.text_opacity != 1.0 or styles.tint.a:
        return None
    if styles.has_rule("hatch") and styles.hatch != "none":
        return None
    if any(edge for edge, _ in styles.outline):
        return None
    _, (border_right, right_color), _, (border_left, left_color) = styles.border
    inner, outer = cache.get_inner_outer(base_background, background)
    left = right = None
    if border_left or border_right:
        left_style = TextualStyle(foreground=base_background + left_color.multiply_alpha(opacity))
        right_style = TextualStyle(foreground=base_background + right_color.multiply_alpha(opacity))
        if border_left:
            left = get_box(border_left, inner, outer, left_style)[1][0]
        if border_right:
            right = get_box(border_right, inner, outer, right_style)[1][2]
    _, pad_right, _, pad_left = padding
    return ContentFrame(left, right, inner.rich_style, pad_left, pad_right, content_size.width,
                        size.width)


def keep_styled_rows(widget: Any) -> None:
    """Give ``widget`` a :class:`ContentStylesCache` (call in its ``__init__``)."""
    widget._styles_cache = ContentStylesCache()


class StripPool:
    """The same ``Strip`` object for the same segments: a row rebuilt with what it showed
    before is the strip drawn before, so its styled row is kept (:class:`ContentStylesCache`)."""

    def __init__(self, limit: int = KEPT_ROWS) -> None:
        self._strips: dict[tuple, Strip] = {}
        self._limit = limit

    def strip(self, segments: list, width: int) -> Strip:
        """A strip of ``segments`` cropped or padded to ``width`` cells."""
        key = (width, *segments)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) >= self._limit:
                self._strips.clear()
            strip = self._strips[key] = Strip(segments).crop_extend(0, width, None)
        return strip


class KeptScrollBar(ScrollBar):
    """Textual's scroll bar, its drawn rows kept by what they show: the thumb's geometry
    (window and virtual sizes, position), its state (grabbed, hovered) and every colour it
    is drawn in.  A pane whose line count changes with the step redrew its whole bar on each
    press (each row a Rich render, then styled), also for a count it had shown before."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept_rows: dict[tuple, list[Strip]] = {}
        self._bar: tuple | None = None          # (styling, rows) asked for last (see refresh)

    def _styling(self) -> tuple | None:
        """What the bar's look depends on besides its rows: its size, its background, the
        line filters and the ANSI theme."""
        # (the pane's background, when the bar's colours are translucent, is in the colours
        # the bar is drawn in: ScrollBar.render)
        if self.parent is None:
            return None
        return (self.size, self.thickness, self.vertical, self.background_colors,
                self.screen.styles.scrollbar_color.a, tuple(self.app.get_line_filters()),
                id(self.app.ansi_theme), self.app.native_ansi_color)

    def render_lines(self, crop: Any) -> list[Strip]:
        parent = self.parent
        styles = parent.styles if parent is not None else None
        if styles is None:
            return super().render_lines(crop)
        key = (crop, self.size, self.window_virtual_size, self.window_size, self.position,
               self.thickness, self.vertical, self.grabbed is not None, self.mouse_over,
               styles.scrollbar_background, styles.scrollbar_background_hover,
               styles.scrollbar_background_active, styles.scrollbar_color,
               styles.scrollbar_color_hover, styles.scrollbar_color_active,
               parent.background_colors, self.background_colors,
               self.screen.styles.scrollbar_color.a, tuple(self.app.get_line_filters()),
               id(self.app.ansi_theme), self.app.native_ansi_color)
        rows = self._kept_rows.get(key)
        if rows is None:
            if len(self._kept_rows) >= 64:
                self._kept_rows.clear()
            # every row styled again: after a refresh of some rows only, Textual's row cache
            # holds the others as they were last styled, which may be another thumb's (a
            # kept list was drawn since)
            self._styles_cache.clear()
            rows = self._kept_rows[key] = super().render_lines(crop)
        return rows

    def bar_rows(self) -> tuple | None:
        """(styling, each row's text and style): what the vertical bar draws now, as Textual's
        ``ScrollBarRender`` draws it; None when that is not known (not mounted, no size,
        a horizontal bar, the screen's bars hidden)."""
        from rich.color import Color
        from textual.scrollbar import ScrollBarRender
        styling = self._styling() if self.vertical and self.is_mounted else None
        if styling is None or not self.size.height:
            return None
        bar = self.render()
        if type(bar) is not ScrollBarRender:        # another renderer: rows not known
            return None
        style = bar.style
        if not isinstance(style, Style):
            return None
        segments = bar.render_bar(size=self.size.height, virtual_size=bar.virtual_size,
                                  window_size=bar.window_size, position=bar.position,
                                  thickness=self.size.width, vertical=True,
                                  back_color=style.bgcolor or Color.parse("#555555"),
                                  bar_color=style.color or Color.parse("bright_magenta"))
        # what a row looks like: its text and colours (all ScrollBarRender sets besides the
        # meta: which action a click on the row runs, read from a fresh render when the mouse
        # is used, never from the screen)
        return styling, tuple((seg.text, seg.style.color, seg.style.bgcolor, seg.style.reverse)
                              if seg.style else (seg.text,) for seg in segments.segments)

    def _size_updated(self, size: Any, virtual_size: Any, container_size: Any,
                      layout: bool = True) -> bool:
        """The size the screen's layout gave: set without asking for another layout (a bar
        has no content laid out by its virtual size; the bar shown for the first time asked,
        and the screen was laid out twice for one step)."""
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    def refresh(self, *regions: Any, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Any:
        """Textual repaints the whole bar whenever its thumb's size or position changes (a
        pane whose line count changes with the step: every row of the bar, and so every
        screen row beside it, on each press).  Only the rows that draw differently from
        what was asked last are repainted: when each change repaints the rows it changed,
        the rows changed since the last frame are all repainted.

        A layout the bar asks for (it is shown or hidden) is asked by its pane: the pane
        asks for one in the same change (its ``show_vertical_scrollbar``), and the bar's own
        request, posted by the bar when it next runs, came after the screen had laid out
        the step and laid it out a second time."""
        if layout and isinstance(self.parent, Widget):
            self.parent.refresh(layout=True)
            layout = False
            if not regions and not recompose and not repaint:
                return self
        bar = None if regions or layout or recompose or not repaint else self.bar_rows()
        before, self._bar = self._bar, bar
        if bar is None or before is None or before[0] != bar[0] or len(before[1]) != len(bar[1]):
            return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)
        width = self.size.width
        start = -1
        for y, (old, new) in enumerate((*zip(before[1], bar[1]), (None, None))):
            if old != new and new is not None:
                start = y if start < 0 else start
            elif start >= 0:
                super().refresh(Region(0, start, width, y - start))
                start = -1
        return self


def kept_vertical_scrollbar(widget: Any) -> ScrollBar:
    """``widget.vertical_scrollbar`` as Textual makes it (textual 8.2, ``Widget``), but a
    :class:`KeptScrollBar`."""
    if widget._vertical_scrollbar is not None:
        return widget._vertical_scrollbar
    widget._vertical_scrollbar = bar = KeptScrollBar(
        vertical=True, name="vertical", thickness=widget.scrollbar_size_vertical)
    bar.display = False
    widget.app._start_widget(widget, bar)
    # styled now, not at the pane's first restyle (the focus coming to it): its size rules
    # set for the first time then laid the screen out again for nothing
    widget.app.stylesheet.apply(bar)
    return bar
