"""Text panes drawn with the Line API: a list of rich ``Text`` lines, one ``Strip`` each.

A pane hands over all its lines every step; only the lines whose text or styles
changed are rebuilt and only their rows are refreshed, and the widget never asks
for a relayout (its size comes from the stylesheet; the content scrolls inside).
"""
from __future__ import annotations

from typing import Any, Iterable

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .linecache import kept_vertical_scrollbar, keep_styled_rows


class ThemedLines:
    """Mixin for Line-API panes: where a row sets no colour, the theme's (the widget's CSS
    background and foreground) shows, so light and projector themes reach the interiors."""

    _paint_serial = 0                          # counts the widget's refreshes
    DRAW_WHEN_SHOWN = False      # True: the app skips show() while the pane is hidden
    deferred_view: Any = None    # the view it missed while hidden (drawn when shown)
    _painted: tuple | None = None              # (what was asked, the strips given)

    def _set_dirty(self, *regions: Region) -> None:
        self._paint_serial += 1
        super()._set_dirty(*regions)           # type: ignore[misc]

    def refresh_changed_rows(self, before: dict[int, Strip], rows: int | Iterable[int]) -> None:
        """Repaint only those content rows (``rows``: the first ``rows`` rows, or these row
        numbers) that draw differently from ``before`` (row -> the strip this pane gave for
        it since it was last drawn; a row missing there counts as changed).  A pane whose
        rows were made again (another machine, a jump, a moved mark) mostly gets the same
        rows back, and a repainted row is a repainted screen row, beside the pane too.  Each
        call repaints what changed since the call before, so the rows changed since the
        last frame are all repainted.  Not shown (no size): every row asked is repainted."""
        width, height = self.size
        shown = self.is_mounted and width and height
        if isinstance(rows, int):
            if not shown:
                self.refresh()                    # type: ignore[attr-defined]
                return
            rows = range(min(rows, height))
        elif not shown:
            for y in rows:
                self.refresh(Region(0, y, width, 1))   # type: ignore[attr-defined]
            return
        render_line = self.render_line            # type: ignore[attr-defined]
        start = end = -1
        for y in sorted(rows):
            old = before.get(y)
            new = render_line(y)
            if old is not None and (old is new or old == new):
                continue
            if y != end:
                if start >= 0:
                    self.refresh(Region(0, start, width, end - start))   # type: ignore[attr-defined]
                start = y
            end = y + 1
        if start >= 0:
            self.refresh(Region(0, start, width, end - start))           # type: ignore[attr-defined]

    def render_lines(self, crop: Region) -> list[Strip]:
        """The pane's lines in ``crop``.  Textual asks every pane under the screen's changed
        area for all its lines; a pane nothing has refreshed since gives the same list back."""
        key = (crop, self.size, self._paint_serial, tuple(self.app.get_line_filters()))
        painted = self._painted
        if painted is not None and painted[0] == key:
            return painted[1]
        base = self.rich_style
        strips = [strip.apply_style(base) for strip in super().render_lines(crop)]
        self._painted = (key, strips)
        return strips


def set_border_title(widget: Any, title: str) -> None:
    """Set a border title only when it changes (setting it always repaints the widget), in the
    app's language (widgets.i18n.pane_title)."""
    from .i18n import pane_title
    try:
        lang = getattr(widget.app, "lang", "en")
    except Exception:          # not mounted in an app
        lang = "en"
    widget._title_source = title                  # to re-title when the language changes
    title = pane_title(title, lang)
    if widget.border_title != title:
        widget.border_title = title


def set_border_subtitle(widget: Any, text: str) -> None:
    """Set a border subtitle, repainting only the bottom border row.  Textual's setter repaints
    the whole widget and drops every cached line of it, so a subtitle that changes with the
    step ("12 more lines below") redrew the whole pane, border and all, on every key press."""
    if widget.border_subtitle == text:
        return
    outer = widget.outer_size
    if not widget.is_mounted or not outer.height:
        widget.border_subtitle = text
        return
    # as Textual's setter stores it (widget._BorderTitle.__set__)
    widget._border_subtitle = widget.render_str(text).expand_tabs(4).split()[0]
    off = widget.content_offset                   # refresh() regions are relative to the content
    widget.refresh(Region(-off.x, outer.height - 1 - off.y, outer.width, 1))


def _key(t: Text) -> tuple:
    return (t.plain, tuple(t.spans), str(t.style))


def retitle(widget: Any) -> None:
    """Set the widget's last title again (in the app's current language)."""
    source = getattr(widget, "_title_source", None)
    if source is not None:
        set_border_title(widget, source)


CACHE_LINES = 4096       # lines kept per pane by the content-addressed caches

BULLETS = ("· ", "✓ ", "✗ ", "▸ ", "> ", "- ", "• ", "■ ")


def hanging_indent(plain: str) -> int:
    """Cells a wrapped line's continuation is indented by: its leading spaces, and a bullet
    (``· ``, ``✓ ``, ``▸ `` ...) after them, so the wrapped text lines up under its first word."""
    lead = len(plain) - len(plain.lstrip(" "))
    if plain[lead:lead + 2] in BULLETS:
        lead += 2
    return lead


def wrap_text(text: Text, width: int) -> list[Text]:
    """One line of styled text wrapped to ``width`` cells, CJK-aware (widgets.wrap): never
    inside an identifier or a number, no line starting with "，"; continuation lines keep the
    line's indent (:func:`hanging_indent`)."""
    from .wrap import break_offsets
    hang = hanging_indent(text.plain)
    if hang * 2 > width:
        hang = 0
    head, body = text[:hang], text[hang:]
    out = []
    for i, part in enumerate(body.divide(break_offsets(body.plain, width - hang))):
        part.rstrip()
        if i:
            lead = len(part.plain) - len(part.plain.lstrip(" "))
            part = Text(" " * hang) + part[lead:]
        else:
            part = head + part
        out.append(part)
    return out


def split_lines(text: Text) -> list[Text]:
    """A multi-line Text as one Text per line (no trailing empty line)."""
    lines = list(text.split("\n", allow_blank=True))
    if lines and not lines[-1].plain:
        lines.pop()
    return lines


class TextLines(ThemedLines, ScrollView, can_focus=True, inherit_bindings=False):
    """Lines of styled text; ``wrap`` folds long lines at the pane's width.

    Its keys scroll it up and down only: left/right and Home/End are the app's (step, back,
    the lesson's two ends) whichever pane has the focus.  Textual's scrolling containers bind
    them too, so with a long pane focused End scrolled it instead of going to the last step,
    and the footer named the step keys n/p instead of the arrows."""

    BINDINGS = [
        Binding("up", "scroll_up", "Scroll Up", show=False),
        Binding("down", "scroll_down", "Scroll Down", show=False),
        Binding("pageup", "page_up", "Page Up", show=False),
        Binding("pagedown", "page_down", "Page Down", show=False),
    ]

    DEFAULT_CSS = """
    TextLines { overflow-x: hidden; overflow-y: auto; scrollbar-gutter: stable;
                scrollbar-size-vertical: 1; }
    """
    wrap = False
    # a pane that shows what its step is about: scrolled to its focus (set_lines(focus=...))
    # whenever it is shown or resized, the same whether the step was reached forward, back or
    # by a jump (a scroll left by an earlier step, or by the keys, does not stay)
    FOLLOWS_FOCUS = False

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._focus: tuple[int, int] | None = None    # source lines [start, end) to show
        keep_styled_rows(self)                # a row drawn before is styled once (widgets.linecache)
        self._source: list[Text] = []
        self._lines: list[Text] = []
        self._keys: list[tuple] = []
        self._strips: dict[int, Strip] = {}
        self._laid_width = -1
        self._shown_width = 40           # the content width when last shown (40: never shown)
        self._shown_height = 0           # the content height when last shown
        # content-addressed: a line's wrapped parts and its drawn strip depend only on its
        # text, styles and the width, so a step shown again (back, forward, a jump) reuses them
        self._wrapped: dict[tuple, list[Text]] = {}
        # a source list shown again (a pane that keeps its lines per step) is laid out once:
        # id -> (the list, width, lines, keys)
        self._laid: dict[int, tuple[list[Text], int, list[Text], list[tuple]]] = {}
        self._drawn: dict[tuple, Strip] = {}

    @property
    def vertical_scrollbar(self) -> Any:
        """The scroll bar, its rows kept by what they show (widgets.linecache)."""
        return kept_vertical_scrollbar(self)

    @property
    def text_width(self) -> int:
        """Cells a line may take: the pane's content width; while the pane is hidden (it is
        then out of the screen's map and has no size), the width it had when last shown, so
        its lines are not laid out at another width and again when it comes back."""
        width = self.scrollable_content_region.width or self.size.width
        if width:
            self._shown_width = width
            return width
        return self._shown_width

    @property
    def plain(self) -> str:
        """Every line's text (for tests and the recorder)."""
        return "\n".join(t.plain for t in self._lines)

    def set_lines(self, lines: Iterable[Text], keep: bool = False,
                  focus: tuple[int, int] | None = None) -> None:
        """Show these lines; refresh only the rows that changed.  ``keep``: ``lines`` is a
        list the caller gives again, unchanged, whenever it shows the same thing (e.g. kept
        per step): it is laid out (wrapped, keyed) once per width.  ``focus``: the source
        lines [start, end) the pane is about (FOLLOWS_FOCUS: scrolled to them)."""
        self._source = lines if keep and isinstance(lines, list) else list(lines)
        self._focus = focus
        self._layout_lines(keep)
        if self.FOLLOWS_FOCUS:
            self.scroll_to_focus()

    def focus_rows(self) -> tuple[int | None, int]:
        """(first laid-out row, row after the last) of the focus; (None, 0) without one."""
        if self._focus is None:
            return None, 0
        return self._laid_row(self._focus[0]), self._laid_row(self._focus[1])

    def _laid_row(self, i: int) -> int:
        """The laid-out row source line ``i`` starts at (a wrapped line takes several)."""
        if self._lines is self._source or not self.wrap:
            return i
        width, row = self._laid_width, 0
        for t in self._source[:i]:
            if t.cell_len > width:
                parts = self._wrapped.get((_key(t), width))
                row += len(parts) if parts is not None else len(wrap_text(t, width))
            else:
                row += 1
        return row

    def scroll_to_focus(self) -> None:
        """Scroll so that the focus is on screen: from the first line when it all fits from
        there, else its first row at the top (at 80x24 a pane has eight rows).  No focus: the
        top."""
        height = self.scrollable_content_region.height
        if not height:                       # hidden or not laid out yet: when it is (resize)
            return
        head, end = self.focus_rows()
        y = 0 if head is None or end <= height else min(head, max(0, len(self._lines) - height))
        if y != int(self.scroll_y):
            self.scroll_to(y=y, animate=False, immediate=True)
        # Textual moves the thumb only while the bar shows (Widget.watch_scroll_y): a pane
        # scrolled as it came in front kept the thumb where an earlier step had left it
        if self.vertical_scrollbar.position != self.scroll_y:
            self.vertical_scrollbar.position = self.scroll_y

    def set_text(self, text: Text) -> None:
        self.set_lines(split_lines(text))

    def _layout_lines(self, keep: bool = False) -> None:
        width = self.text_width
        source = self._source
        laid = self._laid.get(id(source)) if keep else None
        if laid is not None and laid[0] is source and laid[1] == width:
            self._show_laid(laid[2], laid[3], width)   # the same list again: laid out before
            return
        if self.wrap and self.is_mounted:
            lines: list[Text] = []
            wrapped = self._wrapped
            if len(wrapped) > CACHE_LINES:
                wrapped.clear()
            for t in self._source:
                if t.cell_len > width:
                    key = (_key(t), width)
                    parts = wrapped.get(key)
                    if parts is None:
                        parts = wrapped[key] = wrap_text(t, width)
                    lines.extend(parts)
                else:
                    lines.append(t)
        else:
            lines = self._source
        keys = [_key(t) for t in lines]
        if keep:                                 # held here, so its id is not reused
            if len(self._laid) >= 256:
                self._laid.clear()
            self._laid[id(source)] = (source, width, lines, keys)
        self._show_laid(lines, keys, width)

    def _show_laid(self, lines: list[Text], keys: list[tuple], width: int) -> None:
        """Show these laid-out lines; refresh only the rows that changed."""
        old_keys, old_width = self._keys, self._laid_width
        self._lines, self._keys, self._laid_width = lines, keys, width
        if width != old_width:
            self._strips.clear()
            self._set_virtual_height(len(lines), width)
            self.refresh()
            return
        if len(keys) != len(old_keys):
            self._set_virtual_height(len(lines), width)
        top, w, h = int(self.scroll_y), self.size.width, self.size.height
        if not h:                             # hidden: nothing is drawn now; when shown, it all is
            if keys != old_keys:
                self._strips.clear()
                self.refresh()
            return
        start = -1                            # a run of changed visible rows: one region
        regions = []
        for i in range(max(len(keys), len(old_keys))):
            if i >= len(keys) or i >= len(old_keys) or keys[i] != old_keys[i]:
                self._strips.pop(i, None)
                if 0 <= i - top < h:
                    if start < 0:
                        start = i
                    continue
            if start >= 0:
                regions.append(Region(0, start - top, w, i - start))
                start = -1
        if start >= 0:
            regions.append(Region(0, start - top, w, min(h + top, max(len(keys), len(old_keys))) - start))
        if regions:
            self.refresh(*regions)

    def _set_virtual_height(self, lines: int, width: int) -> None:
        """The content's height, without a relayout: the pane's own size never depends on it.
        Text shorter than the pane counts as the pane's height, so steps whose text fits
        leave the scroll bar as it is (nothing to redraw there).  While the pane is hidden
        (no size) that is the height it had when last shown, and a pane never shown is sized
        by its first Resize: counted as 0 there, a pane drawn just before it came in front got
        a scroll bar its text did not need, and the screen was laid out a second time when
        the bar went again."""
        height = self.scrollable_content_region.height
        if height:
            self._shown_height = height
        elif self._shown_height:
            height = self._shown_height
        else:
            return
        size = Size(width, max(lines, height))
        if size != self.virtual_size:
            self.set_reactive(ScrollView.virtual_size, size)
            self._scroll_update(size)

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        """Textual sets the size the layout gave, then paints the screen, then sends Resize.
        A pane laid out at another width (one coming in front for the first time was laid
        out at the width it last had, or 40) is laid out again here, before that paint: on
        Resize it was painted at the old width first, then all again in a second frame.  The
        paint that follows covers the whole pane (its size changed), so the refresh the new
        layout asks for is not needed."""
        resized = size != self._size
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if resized and size.area and self._source and self.text_width != self._laid_width:
            self._layout_lines()
            self._repaint_required = False
        if self.FOLLOWS_FOCUS and size.area and self._source:   # before its first paint
            self.scroll_to_focus()
        return changed

    def on_resize(self) -> None:
        if self.text_width != self._laid_width:
            self._layout_lines()
        else:
            self._set_virtual_height(len(self._lines), self._laid_width)
        if self.FOLLOWS_FOCUS:
            self.scroll_to_focus()

    def render_line(self, y: int) -> Strip:
        i = y + int(self.scroll_y)
        strip = self._strips.get(i)
        if strip is None:
            width = self.size.width
            if i >= len(self._lines):
                return Strip.blank(width)
            key = (self._keys[i], width)
            strip = self._drawn.get(key)
            if strip is None:
                if len(self._drawn) > CACHE_LINES:
                    self._drawn.clear()
                line = self._lines[i]
                segs = list(line.render(self.app.console))
                if line.style and not line.spans:   # Text.render() applies the base style only
                    base = self.app.console.get_style(line.style)   # through its spans
                    segs = [Segment(s.text, base + s.style if s.style else base) for s in segs]
                strip = self._drawn[key] = Strip(segs).crop_extend(0, width, None)
            self._strips[i] = strip
        return strip
