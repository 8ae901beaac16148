"""Buddy lists: per zone free_area[0..10] as counts and bars, the block just split or
merged highlighted with its pfn range, the kernel's unusable free space index per
order (debugfs extfrag/unusable_index), and free pages over the steps as a sparkline
with the zone's watermarks marked.  Drawn with the Line API: a step repaints only
the rows whose text changed."""
from __future__ import annotations

import math
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding

from engine.events import AllocPages, FreePages, Merge, Split
from engine.extfrag import unusable_indices
from engine.zone import MAX_ORDER

from .i18n import tr
from .selection import Selection, SelectionRequested, selected_zone
from .stepview import StepView, derived
from .textlines import TextLines, set_border_title

if TYPE_CHECKING:
    from engine.machine import Machine

SPARK = "▁▂▃▄▅▆▇█"
COL = 6


def order_columns(width: int, digits: int = 4) -> tuple[int, list[range]]:
    """Column width and the groups of orders one row can hold: all 11 when the pane is wide,
    else two rows (0-5, 6-10) so that no order is cut off.  A column is at least one cell
    wider than the longest count (``digits``), so that two counts never run together (64 GB
    of HighMem has 15,907 free blocks of order 10)."""
    need = digits + 1
    for col in (6, 5):
        col = max(col, need)
        if 11 + col * MAX_ORDER <= width:
            return col, [range(MAX_ORDER)]
    return max(6 if 11 + 6 * 6 <= width else 5, need), [range(0, 6), range(6, MAX_ORDER)]


def pad(text: str, cells: int) -> str:
    """``text`` and spaces to ``cells`` terminal cells (a Chinese character takes two)."""
    return text + " " * max(1, cells - cell_len(text))


def _bar(count: int, top: int) -> str:
    if count <= 0:
        return " "
    level = math.log2(count + 1) / math.log2(top + 1)
    return SPARK[min(len(SPARK) - 1, int(level * (len(SPARK) - 1)))]


def _highlight_of(cls: type) -> tuple | None:
    """How an event of this class names the block it moved, decided once per class: (what,
    1 for a split/merge -- the block is the order above -- else 0, getter of its zone, first
    pfn and order); None for a class that moves no block (not a Split, Merge, AllocPages or
    FreePages)."""
    if issubclass(cls, Split):
        return "split", 1, attrgetter("zone", "pfn", "order")
    if issubclass(cls, Merge):
        return "merge", 1, attrgetter("zone", "merged_pfn", "order")
    if issubclass(cls, AllocPages):
        return "alloc", 0, attrgetter("zone", "pfn", "order")
    if issubclass(cls, FreePages):
        return "free", 0, attrgetter("zone", "final_pfn", "final_order")
    return None


def buddy_highlights(events: list) -> dict[str, list[tuple[str, int, int, int]]]:
    """zone -> [(what, order, first pfn, last pfn)] of the blocks this step split/merged/moved,
    in the events' order: a Split's or Merge's block of the order above, an AllocPages' block,
    a FreePages' final (merged) block.  (A heavy step has thousands of events of a few
    classes: what an event is is decided once per class.)"""
    out: dict[str, list[tuple[str, int, int, int]]] = {}
    kinds: dict[type, Any] = {}
    for ev in events or ():
        t = type(ev)
        kind = kinds.get(t, kinds)
        if kind is kinds:
            kind = kinds[t] = _highlight_of(t)
        if kind is None:
            continue
        what, pair, get = kind
        zone, pfn, order = get(ev)
        hit = (what, order + 1, pfn, pfn + (2 << order) - 1) if pair else \
            (what, order, pfn, pfn + (1 << order) - 1)
        blocks = out.get(zone)
        if blocks is None:
            blocks = out[zone] = []
        blocks.append(hit)
    return out


def _level(v: int, lo: int, span: int) -> int:
    return min(len(SPARK) - 1, max(0, (v - lo) * (len(SPARK) - 1) // span))


def sparkline(values: list[int], wm_min: int, wm_low: int, wm_high: int, width: int) -> Text:
    """Free pages per step, scaled between the lowest value (or min) and the highest
    (or high); red at or below min, yellow at or below low, cyan at or below high,
    green above.  The watermarks follow as the glyph of the level each one sits at."""
    values = values[-max(1, width - 18):]
    lo = min([*values, wm_min]) if values else 0
    hi = max([*values, wm_high]) if values else 1
    span = max(1, hi - lo)
    t = Text()
    run, run_style = [], None
    for v in values:                       # one span per run of equal colour
        style = "red" if v <= wm_min else "yellow" if v <= wm_low else \
            "green" if v > wm_high else "cyan"
        if style != run_style and run:
            t.append("".join(run), run_style)
            run = []
        run_style = style
        run.append(SPARK[_level(v, lo, span)])
    if run:
        t.append("".join(run), run_style)
    t.append(" │", "dim")
    for name, mark, style in (("min", wm_min, "red"), ("low", wm_low, "yellow"),
                              ("high", wm_high, "cyan")):
        t.append(f" {name}", "dim")
        t.append(SPARK[_level(mark, lo, span)], style)
    return t


def zone_rows(lines: list[Text], zone: str | None, lang: str) -> tuple[int | None, int]:
    """(first row, row after the last) of ``zone``'s rows in the pane's laid-out ``lines``:
    its head (the name in bold in the first 8 cells) down to its sparkline; (None, 0) when
    the pane shows no such zone."""
    if zone is None:
        return None, 0
    name, spark = f"{zone:<8}", f"  {pad(tr(lang, 'buddy.per_step'), 9)}"
    head = None
    for i, t in enumerate(lines):
        if head is None:
            if t.plain.startswith(name) and t.spans and t.spans[0].start == 0 \
                    and t.spans[0].end == 8:
                head = i
        elif t.plain.startswith(spark):
            return head, i + 1
    return head, len(lines)


class BuddyPane(TextLines):
    """free_area of every populated zone, like /proc/buddyinfo but drawn."""
    DRAW_WHEN_SHOWN = True   # drawn from the view alone: behind other panes it draws nothing
    FOLLOWS_FOCUS = True     # scrolled to the zone the step is about (focus_rows)
    MIN_WIDTH = 44       # cells, border included: the orders wrap onto two rows below this

    DEFAULT_CSS = """
    BuddyPane { border: round $secondary; height: 1fr; padding: 0 1; }
    BuddyPane:focus { border: round $accent; }
    """
    BINDINGS = [Binding("enter", "next_zone", "Select next zone", show=False)]
    wrap = True          # long lines (a zone's head, the legend) wrap with their indent

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._machine: Machine | None = None
        self._view: StepView | None = None
        self._rendered_width: int | None = None
        self._blocks: dict[tuple, list[Text]] = {}     # a zone's drawn block, by what it shows
        self._zone: str | None = None        # the zone scrolled to (_zone_of)
        self._picked: str | None = None      # the zone last picked with Enter

    def show(self, view: StepView) -> None:
        """Draw free_area at this view; the sparkline is the lesson's steps 0..position."""
        set_border_title(self, tr(view.lang, "buddy.title"))
        self._machine, self._view = view.machine, view
        self._rendered_width = self.text_width
        self._zone = self._zone_of(view)
        self.set_lines(self._lines_of(view), keep=True)      # scrolled to the zone (focus_rows)

    def _zone_of(self, view: StepView) -> str | None:
        """The zone the pane shows: the one this step split, merged, allocated or freed in
        (the chosen zone if it is one of them), else the chosen zone; a zone picked here with
        Enter while it is chosen.  A function of the step (and that pick) alone, so the pane
        shows the same whether the step was reached forward, back or by a jump."""
        chosen = selected_zone(view.machine, view.selection)
        if chosen is not None and view.selection == Selection("zone", self._picked):
            return chosen
        marks = derived(view.result, "buddy_marks", lambda: buddy_highlights(view.result.events)) \
            if view.result is not None else {}
        if not marks or chosen in marks:
            return chosen
        return next(iter(marks))

    def focus_rows(self) -> tuple[int | None, int]:
        """The zone of :meth:`_zone_of`: the pane scrolls so that it is on screen, its head at
        the top when its rows do not all fit from the pane's first line (at 80x24 the pane has
        room for one zone: a step in Normal showed DMA's rows and Normal's head only)."""
        return zone_rows(self._lines, self._zone, self._view.lang if self._view else "en")

    def _lines_of(self, view: StepView) -> list[Text]:
        """:meth:`render_lines_for`, made once per step result, language, width and chosen
        zone (the free counts and the sparkline are those of the step's position): the same
        list each time the step is shown again."""
        if view.result is None:
            return self.render_lines_for(view)
        key = ("buddy_lines", view.lang, self.text_width, selected_zone(view.machine, view.selection))
        return derived(view.result, key, lambda: self.render_lines_for(view))

    def on_resize(self) -> None:
        """The order columns depend on the width: lay them out again when it changes."""
        if self._view is not None and self.text_width != self._rendered_width:
            self._rendered_width = self.text_width
            self.set_lines(self._lines_of(self._view), keep=True)
        super().on_resize()

    def action_next_zone(self) -> None:
        zones = [z.name for z in self._machine.zones] if self._machine is not None else []
        if zones:
            self._zone_cursor = (getattr(self, "_zone_cursor", -1) + 1) % len(zones)
            self._picked = zones[self._zone_cursor]
            self.post_message(SelectionRequested(Selection("zone", self._picked)))

    def render_lines_for(self, view: StepView) -> list[Text]:
        m, lang = view.machine, view.lang
        label = lambda key: pad(tr(lang, key), 9)         # noqa: E731
        chosen = selected_zone(m, view.selection)
        marks = derived(view.result, "buddy_marks", lambda: buddy_highlights(view.result.events)) \
            if view.result is not None else {}
        history = [dict(h) for h in view.free_history]
        lines: list[Text] = []
        width = self.text_width
        blocks = self._blocks
        if len(blocks) > 256:
            blocks.clear()
        digits = max(len(str(n)) for z in m.zones for n in z.nr_free)   # one width for all zones
        for z in m.zones:
            hits = tuple(marks.get(z.name, ()))
            # a zone's block is a function of these values alone: drawn once, shown again
            key = (z.name, z.name == chosen, z.free_pages, z.watermark_min, z.watermark_low,
                   z.watermark_high, tuple(z.nr_free), hits, lang, width, digits)
            block = blocks.get(key)
            if block is None:
                block = blocks[key] = self._zone_block(z, key[1], hits, lang, width, digits)
            lines += block
            series = [h[z.name] for h in history if z.name in h]
            row = Text()              # a base style would dim the sparkline's colours too
            row.append(f"  {label('buddy.per_step')}", "dim")
            row.append_text(sparkline(series, z.watermark_min, z.watermark_low, z.watermark_high,
                                      width - 12))
            lines.append(row)
        legend = Text()
        legend.append(tr(lang, "buddy.magenta"), "bold magenta")
        legend.append(tr(lang, "buddy.marked"), "dim")
        legend.append(tr(lang, "buddy.zone"), "bold reverse")
        legend.append(tr(lang, "buddy.chosen"), "dim")
        lines.append(legend)
        lines.append(Text(tr(lang, "buddy.legend"), "dim"))
        return lines

    @staticmethod
    def _zone_block(z: Any, chosen: bool, hits: tuple, lang: str, width: int,
                    digits: int = 4) -> list[Text]:
        """A zone's head, its orders' nr_free, bars and unusable index, and the blocks this
        step split or merged (everything but the sparkline)."""
        label = lambda key: pad(tr(lang, key), 9)         # noqa: E731
        lines: list[Text] = []
        head = Text()
        head.append(f"{z.name:<8}", "bold reverse" if chosen else "bold")
        head.append(" " + tr(lang, "buddy.nr_free_head", free=z.free_pages))
        marks_text = tr(lang, "buddy.wmarks", min=z.watermark_min, low=z.watermark_low,
                        high=z.watermark_high)
        if head.cell_len + 2 + cell_len(marks_text) <= width:     # else on a line of its own
            head.append("  " + marks_text)
            lines.append(head)
        else:
            lines += [head, Text("  " + marks_text)]
        hit_orders = {o for (_, o, _, _) in hits}
        nr_free = z.nr_free
        top = max(1, max(nr_free))
        col, groups = order_columns(width, digits)
        unusable = unusable_indices(nr_free)
        for orders in groups:
            row = Text()              # (a "dim" base would dim the magenta of a hit order)
            row.append("  order    ", "dim")
            for o in orders:
                row.append(f"{o:>{col}}", "bold magenta" if o in hit_orders else "dim")
            lines.append(row)
            row = Text("  nr_free  ")
            for o in orders:
                row.append(f"{nr_free[o]:>{col}}", "bold reverse magenta" if o in hit_orders else "")
            lines.append(row)
            row = Text("           ")
            for o in orders:
                row.append(f"{_bar(nr_free[o], top) * (col - 3):>{col}}",
                           "magenta" if o in hit_orders else "blue")
            lines.append(row)
            row = Text()
            row.append(f"  {label('buddy.unusable')}", "dim")
            for o in orders:
                i = unusable[o]
                digits = 3 if col > 5 else 2             # keep a space between the columns
                row.append(f"{i / 1000:>{col}.{digits}f}", "red" if i >= 500 else "yellow" if i else "dim")
            lines.append(row)
        row = Text("  ")                  # one line per zone, so nothing below moves
        for what, order, first, last in hits[:2]:
            row.append(tr(lang, "buddy.hit", what=tr(lang, f"buddy.{what}"), order=order,
                          first=f"{first:#x}", last=f"{last:#x}") + "  ", "magenta")
        if len(hits) > 2:
            row.append(f"+{len(hits) - 2}", "magenta")
        lines.append(row)
        return lines
