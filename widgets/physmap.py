"""The physical map: every frame of RAM binned into cells, coloured by zone and owner.

Binning runs once per machine (numpy, in chunks); after that a step only
recounts the cells its events touched, redraws those rows and refreshes just
them.  Rows are drawn with the Line API: one Segment per run of equal style.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from engine.physmem import OWNER_NAMES

from .selection import Selection, SelectionRequested, describe, selected_pfn

# frame classes: the owners (engine.physmem.OWNER_*), then free frames by zone
FREE_BY_ZONE = 11
ZONE_NAMES = ("DMA", "Normal", "HighMem")
CLASS_NAMES = (*OWNER_NAMES, "free DMA", "free Normal", "free HighMem")
NCLS = len(CLASS_NAMES)
RUNTIME = np.array([5, 6, 7, 8, 9, 10])        # pgtable pages slab vmalloc user pagecache
CLASS_COLOURS = {
    "free": "#303030", "hole": "#1a1a1a", "kernel": "#d75f5f", "mem_map": "#af5faf",
    "bootmem": "#875f87", "pgtable": "#ffaf00", "pages": "#5fafff", "slab": "#87d75f",
    "vmalloc": "#00d7d7", "user": "#ffd75f", "pagecache": "#d7af87",
    "free DMA": "#3a3a5f", "free Normal": "#2f4f3f", "free HighMem": "#4f3f2f",
}
GUTTER = 10
STYLES = [Style(bgcolor=CLASS_COLOURS[n]) for n in CLASS_NAMES]
TOUCHED = [Style(bgcolor=CLASS_COLOURS[n], color="#ffffff", bold=True) for n in CLASS_NAMES]
SELECTED = Style(bgcolor="#ffffff", color="#000000", bold=True)
GUTTER_STYLE = Style(color="#808080")


def frame_classes(memmap: Any, lo: int, hi: int) -> np.ndarray:
    """Class of each frame in [lo, hi): its owner, or "free <zone>" for free frames."""
    owner = memmap.owner[lo:hi].astype(np.int16)
    zone = np.clip(memmap.zone[lo:hi], 0, 2).astype(np.int16)
    return np.where(owner == 0, FREE_BY_ZONE + zone, owner)


def event_pfn_ranges(events: Iterable[Any]) -> list[tuple[int, int]]:
    """The frame ranges [lo, hi) an operation's events touched."""
    out = []
    for ev in events:
        kind = type(ev).__name__
        get = lambda k, d=None: getattr(ev, k, d)   # noqa: E731
        if kind == "Split":
            out.append((ev.pfn, ev.pfn + (2 << ev.order)))
        elif kind == "Merge":
            out.append((ev.merged_pfn, ev.merged_pfn + (2 << ev.order)))
        elif kind == "FreePages":
            out.append((ev.pfn, ev.pfn + (1 << ev.order)))
            out.append((ev.final_pfn, ev.final_pfn + (1 << ev.final_order)))
        elif get("nr_pages") is not None and get("pfn") is not None:
            out.append((ev.pfn, ev.pfn + ev.nr_pages))
        elif isinstance(get("pfn"), int):
            order = get("order", 0)
            out.append((ev.pfn, ev.pfn + (1 << (order if isinstance(order, int) else 0))))
        elif isinstance(get("paddr"), int):
            out.append((ev.paddr >> 12, (ev.paddr >> 12) + 1))
    return out


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
        key = (np.arange(lo, hi, dtype=np.int64) // self.per - c0) * NCLS + cls
        self.counts[c0:c1] = np.bincount(key, minlength=(c1 - c0) * NCLS).reshape(c1 - c0, NCLS)

    @staticmethod
    def _classes(counts: np.ndarray) -> np.ndarray:
        """Shown class: the biggest run-time owner if any frame has one, else the majority."""
        runtime = counts[:, RUNTIME]
        has = runtime.sum(axis=1) > 0
        return np.where(has, RUNTIME[runtime.argmax(axis=1)], counts.argmax(axis=1)).astype(np.int8)

    def update(self, memmap: Any, ranges: list[tuple[int, int]]) -> set[int]:
        """Recount the cells of these frame ranges; return the cells whose class changed."""
        cells: set[int] = set()
        for lo, hi in ranges:
            lo, hi = max(0, lo), min(self.max_pfn, hi)
            if lo < hi:
                cells.update(range(lo // self.per, (hi - 1) // self.per + 1))
        changed = set()
        for c in sorted(cells):
            self._recount(memmap, c, c + 1)
            new = self._classes(self.counts[c:c + 1])[0]
            if new != self.shown[c]:
                self.shown[c] = new
                changed.add(c)
        return cells


class PhysicalMap(Widget, can_focus=True):
    """All frames as cells; the touched and the selected cells stand out."""

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
    selection: reactive[Selection | None] = reactive(None, layout=False)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.machine: Any = None
        self.cells: CellCounts | None = None
        self.touched: set[int] = set()
        self.selected_cell: int | None = None
        self._rows: dict[int, Strip] = {}
        self._width = 0
        self._binned_size = Size(0, 0)
        self._pending: list[tuple[int, int]] = []

    # -- data from the app ------------------------------------------------------------
    def show_machine(self, machine: Any, events: list | None = None) -> None:
        """A step was applied.  Same machine: recount only touched cells.  New: re-bin."""
        ranges = event_pfn_ranges(events or [])
        if machine is not self.machine or self.cells is None:
            self.machine, self.cells = machine, None     # binned at the next render, at its size
            self._pending = ranges
            self._rows.clear()
            self.refresh()
            return
        old = self.touched
        self.touched = self.cells.update(machine.memmap, ranges) if ranges else set()
        self._refresh_cells(old | self.touched)

    def _cells_of(self, ranges: list[tuple[int, int]]) -> set[int]:
        out: set[int] = set()
        if self.cells is None:
            return out
        per, n = self.cells.per, self.cells.ncells
        for lo, hi in ranges:
            if lo < hi:
                out.update(range(max(0, lo // per), min(n, (hi - 1) // per + 1)))
        return out

    def _rebin(self) -> None:
        """Bin every frame once for this machine and this size (numpy, in chunks)."""
        width = max(1, self.size.width - GUTTER)
        height = max(1, self.size.height)
        self._width = width
        self._binned_size = self.size
        self.cells = CellCounts(self.machine.memmap, self.machine.max_pfn, width * height)
        self.touched = self._cells_of(self._pending)
        self._pending = []
        self._set_selected_cell(self.selection)

    def watch_selection(self, old: Selection | None, new: Selection | None) -> None:
        before = self.selected_cell
        self._set_selected_cell(new)
        self._refresh_cells({c for c in (before, self.selected_cell) if c is not None})

    def _set_selected_cell(self, sel: Selection | None) -> None:
        pfn = selected_pfn(self.machine, sel)
        self.selected_cell = None if pfn is None or self.cells is None else pfn // self.cells.per

    def on_resize(self) -> None:
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
        lo, hi = min(rows), max(rows)
        self.refresh(Region(0, lo, self.size.width, hi - lo + 1))

    # -- Line API ---------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        if self.cells is None and self.machine is not None and self.size.width > GUTTER:
            self._rebin()
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
        run_style, run_len = None, 0
        for c in range(c0, c1):
            if c == self.selected_cell:
                style, ch = SELECTED, "◆"
            elif c in self.touched:
                style, ch = TOUCHED[shown[c]], "▪"
            else:
                style, ch = STYLES[shown[c]], " "
            if ch == " " and style is run_style:
                run_len += 1
                continue
            if run_len:
                segs.append(Segment(" " * run_len, run_style))
            if ch == " ":
                run_style, run_len = style, 1
            else:
                segs.append(Segment(ch, style))
                run_style, run_len = None, 0
        if run_len:
            segs.append(Segment(" " * run_len, run_style))
        return Strip(segs).adjust_cell_length(self.size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    # -- keys: move a frame cursor --------------------------------------------------
    def _select_cell(self, cell: int) -> None:
        if self.cells is None:
            return
        cell = max(0, min(self.cells.ncells - 1, cell))
        self.post_message(SelectionRequested(Selection("pfn", cell * self.cells.per)))

    def action_move(self, delta: int) -> None:
        self._select_cell((self.selected_cell or 0) + delta)

    def action_move_row(self, delta: int) -> None:
        self._select_cell((self.selected_cell or 0) + delta * max(1, self._width))

    def cell_class(self, pfn: int) -> str:
        """The class name shown for the cell holding this frame (for tests and tooltips)."""
        assert self.cells is not None
        return CLASS_NAMES[int(self.cells.shown[pfn // self.cells.per])]


class PhysicalMapPane(Vertical):
    """Title, the map, the legend and the selected frame's details."""

    DEFAULT_CSS = """
    PhysicalMapPane { border: round $secondary; height: 1fr; }
    PhysicalMapPane:focus-within { border: round $accent; }
    PhysicalMapPane > .legend { height: auto; }
    PhysicalMapPane > .frame-info { height: 1; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield PhysicalMap(id="physmap")
        yield Static(self._legend(), classes="legend")
        yield Static("", classes="frame-info")

    @staticmethod
    def _legend() -> Text:
        t = Text()
        for name in CLASS_NAMES:
            if name == "free":
                continue
            t.append("  ", Style(bgcolor=CLASS_COLOURS[name]))
            t.append(f" {name}  ")
        t.append("▪", "bold")
        t.append(" touched by this step  ")
        t.append("◆", "bold")
        t.append(" selected")
        return t

    def show_machine(self, machine: Any, events: list | None, selection: Selection | None) -> None:
        pm = self.query_one(PhysicalMap)
        pm.show_machine(machine, events)
        pm.selection = selection
        self.border_title = f"Physical memory: {machine.max_pfn:,} frames ({machine.max_pfn >> 8:,} MB)"
        self.query_one(".frame-info", Static).update(describe(machine, selection), layout=False)
