"""The physical map: every frame of RAM binned into cells, coloured by zone and owner.

Binning runs once per machine (numpy, in chunks); after that a step view that
says which frames changed since the last one only recounts those cells, redraws
those rows and refreshes just them; a view that cannot say (a jump, a back-step,
another machine) bins every frame again, so the map always equals the machine.  Rows are drawn with the Line API: one Segment per run of equal style.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

import numpy as np
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from engine.events import FreePages, FreeReserved, Merge, Reserve, Split

from .i18n import tr
from .textlines import ThemedLines, set_border_title, wrap_text
from .selection import Selection, SelectionRequested, describe, linked_pfns, selected_pfn
from .stepview import StepView, derived

from .physmap_legend import (CLASS_COLOURS, CLASS_NAMES, FREE_BY_ZONE, GLYPH, GLYPHS, GUTTER,  # noqa: F401
                             GUTTER_STYLE, INFO_ROWS, LINKED, NCLS, RUNTIME, SELECTED, STYLES, TOUCHED,
                             ZONE_NAMES, legend_pairs, pack_pairs, rmap_text)

if TYPE_CHECKING:
    from engine.machine import Machine


def frame_classes(memmap: Any, lo: int, hi: int) -> np.ndarray:
    """Class of each frame in [lo, hi): its owner, or "free <zone>" for free frames."""
    owner = memmap.owner[lo:hi].astype(np.int16)
    zone = np.clip(memmap.zone[lo:hi], 0, 2).astype(np.int16)
    return np.where(owner == 0, FREE_BY_ZONE + zone, owner)


def _range_of(cls: type) -> Any:
    """How an event of this class names its frames: a function (event, out list) -> None."""
    if issubclass(cls, Split):
        return lambda ev, out: out.append((ev.pfn, ev.pfn + (2 << ev.order)))
    if issubclass(cls, Merge):
        return lambda ev, out: out.append((ev.merged_pfn, ev.merged_pfn + (2 << ev.order)))
    if issubclass(cls, FreePages):
        return lambda ev, out: out.extend(((ev.pfn, ev.pfn + (1 << ev.order)),
                                           (ev.final_pfn, ev.final_pfn + (1 << ev.final_order))))
    if issubclass(cls, (Reserve, FreeReserved)):
        return lambda ev, out: out.append((ev.pfn, ev.pfn + ev.nr_pages))

    def by_field(ev: Any, out: list) -> None:        # a pfn (and order) or a paddr, by name
        pfn = ev.get("pfn")
        if isinstance(pfn, int):
            order = ev.get("order", 0)
            out.append((pfn, pfn + (1 << (order if isinstance(order, int) else 0))))
            return
        paddr = ev.get("paddr")
        if isinstance(paddr, int):
            out.append((paddr >> 12, (paddr >> 12) + 1))
    return by_field


_RANGE_OF: dict[type, Any] = {}


def event_pfn_ranges(events: Iterable[Any]) -> list[tuple[int, int]]:
    """The frame ranges [lo, hi) an operation's events touched."""
    out: list[tuple[int, int]] = []
    table = _RANGE_OF
    for ev in events:
        f = table.get(type(ev))
        if f is None:
            f = table[type(ev)] = _range_of(type(ev))
        f(ev, out)
    return out


def step_pfn_ranges(result: Any) -> list[tuple[int, int]]:
    """The frame ranges a step's events touched (:func:`event_pfn_ranges` of ``result.events``),
    worked out once per step result: the app's incremental redraw and the map's marks both
    need them.  [] for no step (position 0)."""
    if result is None:
        return []
    return derived(result, "pfn_ranges", lambda: event_pfn_ranges(result.events))


MANY = 64        # ranges: from here on, cells are found with numpy rather than one range each


def covered_cells(lo: np.ndarray, hi: np.ndarray, n: int) -> np.ndarray:
    """Sorted indices of the cells in any [lo, hi) (cell numbers, clipped to [0, n))."""
    lo, hi = np.clip(lo, 0, n), np.clip(hi, 0, n)
    keep = lo < hi
    mark = np.bincount(lo[keep], minlength=n + 1) - np.bincount(hi[keep], minlength=n + 1)
    return np.flatnonzero(np.cumsum(mark[:n]) > 0)


class CellCounts:
    """Per cell, how many of its frames are in each class."""

    def __init__(self, memmap: Any, max_pfn: int, ncells: int) -> None:
        self.max_pfn = max_pfn
        self.per = max(1, -(-max_pfn // max(1, ncells)))
        self.ncells = -(-max_pfn // self.per)
        self.counts = np.zeros((self.ncells, NCLS), dtype=np.int32)
        chunk_cells = max(1, (1 << 20) // self.per)
        for c0 in range(0, self.ncells, chunk_cells):
            c1 = min(self.ncells, c0 + chunk_cells)
            self._recount(memmap, c0, c1)
        self.shown = self._classes(self.counts)

    def _recount(self, memmap: Any, c0: int, c1: int) -> None:
        lo, hi = c0 * self.per, min(self.max_pfn, c1 * self.per)
        cls = frame_classes(memmap, lo, hi)
        # lo == c0 * per: cell k's frames are the k-th run of ``per`` (int32 keys, no division)
        key = np.repeat(np.arange(c1 - c0, dtype=np.int32) * NCLS, self.per)[:hi - lo] + cls
        self.counts[c0:c1] = np.bincount(key, minlength=(c1 - c0) * NCLS).reshape(c1 - c0, NCLS)

    @staticmethod
    def _classes(counts: np.ndarray) -> np.ndarray:
        """Shown class: the biggest run-time owner if any frame has one, else the majority."""
        runtime = counts[:, RUNTIME]
        has = runtime.sum(axis=1) > 0
        return np.where(has, RUNTIME[runtime.argmax(axis=1)], counts.argmax(axis=1)).astype(np.int8)

    def update(self, memmap: Any, ranges: list[tuple[int, int]]) -> set[int]:
        """Recount the cells of these frame ranges, runs of adjacent cells at once; return
        the cells whose shown class changed."""
        if len(ranges) >= MANY:
            a = np.asarray(ranges, dtype=np.int64).reshape(-1, 2)
            lo, hi = np.maximum(a[:, 0], 0), np.minimum(a[:, 1], self.max_pfn)
            ok = lo < hi
            order = covered_cells(lo[ok] // self.per, (hi[ok] - 1) // self.per + 1,
                                  self.ncells).tolist()
        else:
            cells: set[int] = set()
            for lo, hi in ranges:
                lo, hi = max(0, lo), min(self.max_pfn, hi)
                if lo < hi:
                    cells.update(range(lo // self.per, (hi - 1) // self.per + 1))
            order = sorted(cells)
        changed: set[int] = set()
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and order[j + 1] == order[j] + 1:
                j += 1
            c0, c1 = order[i], order[j] + 1
            self._recount(memmap, c0, c1)
            new = self._classes(self.counts[c0:c1])
            diff = np.flatnonzero(new != self.shown[c0:c1])
            self.shown[c0:c1] = new
            changed.update((diff + c0).tolist())
            i = j + 1
        return changed


class PhysicalMap(ThemedLines, Widget, can_focus=True):
    """All frames as cells; the touched and the selected cells stand out."""

    patterns = False          # also draw each class's glyph (GLYPHS): readable without colour

    DEFAULT_CSS = """
    PhysicalMap { height: 1fr; min-height: 4; }
    PhysicalMap:focus { background: $boost; }
    """
    BINDINGS = [
        Binding("shift+left,less_than_sign", "move(-1)", "Previous cell", show=False),
        Binding("shift+right,greater_than_sign", "move(1)", "Next cell", show=False),
        Binding("up,k", "move_row(-1)", "Row up", show=False),
        Binding("down,j", "move_row(1)", "Row down", show=False),
    ]
    selection: reactive[Selection | None] = reactive(None, layout=False, repaint=False)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.machine: Machine | None = None
        self.cells: CellCounts | None = None
        self.touched: set[int] = set()
        self.selected_cell: int | None = None
        self.linked: set[int] = set()          # frames the selection lights up
        self.linked_cells: set[int] = set()
        self._rows: dict[int, Strip] = {}
        self._width = 0
        self._binned_size = Size(0, 0)
        self._pending: list[tuple[int, int]] = []
        self._serial = -1                      # the step view drawn last
        self._legend: list[Strip] = []
        self._legend_lang = "en"
        self._info: list[Text] = []
        self._info_strips: list[Strip] = []

    @property
    def map_rows(self) -> int:
        """Rows of cells: the widget's height less the legend and the frame information."""
        return max(1, self.size.height - len(self._legend_lines()) - INFO_ROWS)

    def _legend_lines(self) -> list[Strip]:
        lang = getattr(self.app, "lang", "en") if self.is_mounted else "en"
        if not self._legend or self._legend[0].cell_length != self.size.width or \
                self._legend_lang != lang:
            self._legend_lang = lang
            width = max(10, self.size.width)
            lang = getattr(self.app, "lang", "en") if self.is_mounted else "en"
            lines = pack_pairs(legend_pairs(self.patterns, lang), width) if self.is_mounted else []
            self._legend = [Strip(list(t.render(self.app.console))).crop_extend(0, width, None)
                            for t in lines]
        return self._legend

    def set_info(self, text: Text) -> None:
        """The selected frame's details and reverse map, below the legend."""
        lines = [t for t in text.split("\n")][:INFO_ROWS]
        lines += [Text()] * (INFO_ROWS - len(lines))
        if [(t.plain, t.spans) for t in lines] == [(t.plain, t.spans) for t in self._info]:
            return
        self._info, self._info_strips = lines, []
        top = self.size.height - INFO_ROWS
        if top >= 0:
            self.refresh(Region(0, top, self.size.width, INFO_ROWS))

    # -- data from the app ------------------------------------------------------------
    def show_frames(self, view: StepView) -> None:
        """Follow the view.  Frames changed since the view drawn last are recounted (only
        those cells); when that is not known (a jump, a back-step, another machine) every
        frame is binned again.  The step's marks always come from the step's own events."""
        machine = view.machine
        marks = step_pfn_ranges(view.result)
        changed = view.changed_since(self._serial)
        self._serial = view.serial
        if machine is not self.machine or self.cells is None or changed is None:
            self.machine, self.cells = machine, None     # binned at the next render, at its size
            self._pending = marks
            self._rows.clear()
            self.refresh()
            return
        old = self.touched
        recoloured = self.cells.update(machine.memmap, list(changed)) if changed else set()
        self.touched = self._cells_of(marks)
        self._refresh_cells(old | self.touched | recoloured)

    def _cells_of(self, ranges: list[tuple[int, int]]) -> set[int]:
        out: set[int] = set()
        if self.cells is None:
            return out
        per, n = self.cells.per, self.cells.ncells
        if len(ranges) >= MANY:
            a = np.asarray(ranges, dtype=np.int64).reshape(-1, 2)
            ok = a[:, 0] < a[:, 1]
            return set(covered_cells(a[ok, 0] // per, (a[ok, 1] - 1) // per + 1, n).tolist())
        for lo, hi in ranges:
            if lo < hi:
                out.update(range(max(0, lo // per), min(n, (hi - 1) // per + 1)))
        return out

    def _rebin(self) -> None:
        """Bin every frame once for this machine and this size (numpy, in chunks)."""
        width = max(1, self.size.width - GUTTER)
        height = self.map_rows
        self._width = width
        self._binned_size = self.size
        self.cells = CellCounts(self.machine.memmap, self.machine.max_pfn, width * height)
        self.touched = self._cells_of(self._pending)
        self._pending = []
        self._set_selected_cell(self.selection)
        self.linked_cells = self._cells_of([(p, p + 1) for p in self.linked])

    def set_linked(self, pfns: list[int]) -> None:
        """Light up these frames (a vmalloc area's, a cache's slabs); repaint only their rows."""
        new = set(pfns)
        if new == self.linked:
            return
        self.linked = new
        old = self.linked_cells
        self.linked_cells = self._cells_of([(p, p + 1) for p in new])
        self._refresh_cells(old ^ self.linked_cells)

    def watch_selection(self, old: Selection | None, new: Selection | None) -> None:
        before = self.selected_cell
        self._set_selected_cell(new)
        self._refresh_cells({c for c in (before, self.selected_cell) if c is not None})

    def _set_selected_cell(self, sel: Selection | None) -> None:
        pfn = selected_pfn(self.machine, sel)
        self.selected_cell = None if pfn is None or self.cells is None else pfn // self.cells.per

    def on_resize(self) -> None:
        self._info_strips = []
        if self.cells is not None and self.size != self._binned_size:
            self.cells = None           # re-bin at the new size on the next render
            self._rows.clear()
            self.refresh()

    def _refresh_cells(self, cells: set[int]) -> None:
        if not cells or not self._width:
            return
        rows = {c // self._width for c in cells}
        for r in rows:
            self._rows.pop(r, None)
            self.refresh(Region(0, r, self.size.width, 1))

    # -- Line API ---------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        if self.cells is None and self.machine is not None and self.size.width > GUTTER:
            self._rebin()
        rows = self.map_rows
        if y >= rows:
            legend = self._legend_lines()
            if y - rows < len(legend):
                return legend[y - rows]
            i = y - rows - len(legend)
            if not self._info_strips:            # the details wrapped, never cut mid-line
                width = max(10, self.size.width)
                wrapped = [part for t in self._info if t.plain
                           for part in (wrap_text(t, width) if t.cell_len > width else [t])]
                self._info_strips = [Strip(list(t.render(self.app.console))).crop_extend(
                    0, self.size.width, None) for t in wrapped[:INFO_ROWS]]
            return self._info_strips[i] if i < len(self._info_strips) else Strip.blank(self.size.width)
        strip = self._rows.get(y)
        if strip is None:
            strip = self._rows[y] = self._build_row(y)
        return strip

    def _build_row(self, y: int) -> Strip:
        cells, w = self.cells, self._width
        if cells is None or y * w >= cells.ncells:
            return Strip.blank(self.size.width)
        c0, c1 = y * w, min(cells.ncells, (y + 1) * w)
        segs = [Segment(f"{c0 * cells.per:#09x} ", GUTTER_STYLE)]
        shown = cells.shown
        run_style, run_ch, run_len = None, " ", 0
        for c in range(c0, c1):
            if c == self.selected_cell:
                style, ch = SELECTED, "◆"
            elif c in self.linked_cells:
                style, ch = LINKED[shown[c]], "◉" if c in self.touched else "●"
            elif c in self.touched:
                style, ch = TOUCHED[shown[c]], "▪"
            else:
                style, ch = STYLES[shown[c]], GLYPH[shown[c]] if self.patterns else " "
            if style is run_style and ch == run_ch:
                run_len += 1
                continue
            if run_len:
                segs.append(Segment(run_ch * run_len, run_style))
            run_style, run_ch, run_len = style, ch, 1
        if run_len:
            segs.append(Segment(run_ch * run_len, run_style))
        return Strip(segs).adjust_cell_length(self.size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    # -- keys: move a frame cursor --------------------------------------------------
    def _select_cell(self, cell: int) -> None:
        if self.cells is None:
            return
        cell = max(0, min(self.cells.ncells - 1, cell))
        self.post_message(SelectionRequested(Selection("pfn", cell * self.cells.per)))

    def on_click(self, event: events.Click) -> None:
        """The mouse: a click on a cell selects its first frame."""
        if self.cells is None or not self._width or event.x < GUTTER or event.y >= self.map_rows:
            return
        cell = event.y * self._width + (event.x - GUTTER)
        if cell < self.cells.ncells:
            self._select_cell(cell)

    def action_move(self, delta: int) -> None:
        self._select_cell((self.selected_cell or 0) + delta)

    def action_move_row(self, delta: int) -> None:
        self._select_cell((self.selected_cell or 0) + delta * max(1, self._width))

    def cell_class(self, pfn: int) -> str:
        """The class name shown for the cell holding this frame (for tests and tooltips)."""
        assert self.cells is not None
        return CLASS_NAMES[int(self.cells.shown[pfn // self.cells.per])]


class PhysicalMapPane(PhysicalMap):
    """The map with its border, title, legend and the selected frame's details."""
    MIN_WIDTH = 40       # cells, border included: the pfn gutter and 28 cells

    DEFAULT_CSS = """
    PhysicalMapPane { border: round $secondary; height: 1fr; }
    PhysicalMapPane:focus { border: round $accent; }
    """

    def show(self, view: StepView) -> None:
        """Draw the frames at this view, the selection's marks and the selected frame's details."""
        machine, selection = view.machine, view.selection
        self.show_frames(view)
        self.selection = selection
        before = self.selected_cell            # the same selection may name another frame now
        self._set_selected_cell(selection)
        if before != self.selected_cell:
            self._refresh_cells({c for c in (before, self.selected_cell) if c is not None})
        self.set_linked(linked_pfns(machine, selection))
        set_border_title(self, tr(view.lang, "map.title", frames=f"{machine.max_pfn:,}",
                                  mb=f"{machine.max_pfn >> 8:,}"))
        info = Text(describe(machine, selection, view.lang))
        pfn = selected_pfn(machine, selection)
        if pfn is not None and selection is not None and selection.kind == "pfn":
            info.append("\n")
            info.append_text(rmap_text(machine, pfn, lang=view.lang))
        self.set_info(info)
