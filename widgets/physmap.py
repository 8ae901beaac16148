"""The physical map: every frame of RAM binned into cells, coloured by zone and owner.

Binning runs once per machine (numpy, in chunks); after that a step view that
says which frames changed since the last one only recounts those cells, redraws
those rows and refreshes just them; a view that cannot say (a jump, a back-step,
another machine) bins every frame again, so the map always equals the machine.  Rows are drawn with the Line API: one Segment per run of equal style.
"""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from .i18n import tr
from .linecache import StripPool, keep_styled_rows
from .textlines import ThemedLines, set_border_title, wrap_text
from .selection import Selection, SelectionRequested, describe, linked_pfns, selected_pfn
from .stepview import StepView, derived, per_step

from .physmap_cells import (MANY, CellCounts, covered_cells, event_pfn_ranges,  # noqa: F401
                            frame_classes, ranges_array, step_pfn_ranges)
from .physmap_legend import (CLASS_COLOURS, CLASS_NAMES, FREE_BY_ZONE, GLYPH, GLYPHS, GUTTER,  # noqa: F401
                             GUTTER_STYLE, INFO_ROWS, LINKED, MIN_MAP_ROWS, NCLS, RUNTIME, SELECTED,
                             STYLES, TOUCHED,
                             ZONE_NAMES, legend_pairs, pack_pairs, rmap_text)

if TYPE_CHECKING:
    from engine.machine import Machine


KEPT_MACHINES = 8   # machines whose cells the map remembers (a lesson boots up to 6)



def ram_mb(machine: Machine) -> int:
    """MB of RAM below max_pfn (the firmware map's usable ranges): the frames the pane draws
    also cover the firmware's reserved ranges and, with 4 GB or more, the PCI hole."""
    end = machine.max_pfn << 12
    return sum(max(0, min(e.end, end) - e.start) for e in machine.boot_state.e820 if e.type == "usable") >> 20

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
        keep_styled_rows(self)                # a row drawn before is styled once
        self._pool = StripPool()              # ... and built as the same strip
        self.machine: Machine | None = None
        self.cells: CellCounts | None = None
        self.touched: set[int] = set()
        self.selected_cell: int | None = None
        self.linked: set[int] = set()          # frames the selection lights up
        self.linked_cells: set[int] = set()
        self._rows: dict[int, Strip] = {}
        self._width = 0
        self._binned_size: tuple[Size, int] = (Size(0, 0), 0)     # _grid() when binned
        self._pending: list[tuple[int, int]] = []
        self._serial = -1                      # the step view drawn last
        self._legend: list[Strip] = []
        self._legend_key: tuple = ()
        self._legends: dict[tuple, list[Strip]] = {}     # (width, lang, patterns, theme) -> rows
        self._info: list[Text] = []
        self._info_strips: list[Strip] = []
        self._drawn_at: Any = None              # the step result the cells were last brought to
        self._kept: dict[int, tuple] = {}      # id(machine) -> (machine, result, size, cells)

    def _row_split(self) -> tuple[int, int]:
        """(rows of cells, rows of the selected frame's details) from one read of the size:
        the details get INFO_ROWS below the legend, or none when they would leave fewer than
        MIN_MAP_ROWS rows of cells (at 80x24 the map had one row; the lesson pane names the
        selection too)."""
        height = self.size.height
        legend = len(self._legend_lines())
        info = INFO_ROWS if height - legend - INFO_ROWS >= MIN_MAP_ROWS else 0
        return max(1, height - legend - info), info

    @property
    def map_rows(self) -> int:
        """Rows of cells: the widget's height less the legend and the frame information."""
        return self._row_split()[0]

    @property
    def info_rows(self) -> int:
        """Rows of the selected frame's details below the legend (see :meth:`_row_split`)."""
        return self._row_split()[1]

    def _legend_lines(self) -> list[Strip]:
        """The legend's rows at this width, made once per width, language, patterns and theme
        (a layout that hides the map and brings it back changes the width on many steps)."""
        if not self.is_mounted:
            return []
        key = (self.size.width, getattr(self.app, "lang", "en"), self.patterns, self.app.theme)
        if self._legend and self._legend_key == key:
            return self._legend
        legend = self._legends.get(key)
        if legend is None:
            width = max(10, key[0])
            lines = pack_pairs(legend_pairs(self.patterns, key[1]), width)
            legend = self._legends[key] = [
                Strip(list(t.render(self.app.console))).crop_extend(0, width, None) for t in lines]
        self._legend, self._legend_key = legend, key
        return legend

    def set_info(self, text: Text) -> None:
        """The selected frame's details and reverse map, below the legend."""
        lines = [t for t in text.split("\n")][:INFO_ROWS]
        lines += [Text()] * (INFO_ROWS - len(lines))
        if [(t.plain, t.spans) for t in lines] == [(t.plain, t.spans) for t in self._info]:
            return
        self._info, self._info_strips = lines, []
        rows = self.info_rows
        top = self.size.height - rows
        if rows and top >= 0:
            self.refresh(Region(0, top, self.size.width, rows))

    # -- data from the app ------------------------------------------------------------
    def show_frames(self, view: StepView) -> None:
        """Follow the view.  Frames changed since the view drawn last are recounted (only
        those cells); when that is not known (a jump, a back-step, another machine) every
        frame is binned again -- unless the view is of a machine this map drew before, at the
        very step it left it (a step back across a boot step: the earlier machine, kept by
        the timeline), whose cells are then shown as they were.  The step's marks always
        come from the step's own events."""
        machine = view.machine
        self._fit_grid()
        marks = step_pfn_ranges(view.result)
        changed = view.changed_since(self._serial)
        self._serial = view.serial
        if machine is not self.machine or self.cells is None or changed is None:
            other = machine is not self.machine   # (the same machine, changes unknown: bin again)
            self._keep_cells()
            self.machine, self.cells = machine, self._kept_cells(machine, view.result) if other else None
            self._drawn_at = view.result
            before, self._rows = self._rows, {}
            if self.cells is None:                       # binned when its rows are made, at its size
                self._pending = marks
            else:
                self._binned_size = self._grid()
                self._width = max(1, self._binned_size[0].width - GUTTER)
                self.touched = self._step_cells(view.result, marks)
                self._set_selected_cell(self.selection)
                self.linked_cells = self._cells_of([(p, p + 1) for p in self.linked])
            self.refresh_changed_rows(before, self.map_rows)    # the legend and details: set_info
            return
        self._drawn_at = view.result
        old = self.touched
        recoloured = self.cells.update(machine.memmap, changed) if changed else set()
        self.touched = self._step_cells(view.result, marks)
        self._refresh_cells(old | self.touched | recoloured)

    def _keep_cells(self) -> None:
        """Remember the cells of the machine on screen, as drawn at its step (a few machines)."""
        if self.machine is None or self.cells is None:
            return
        at = self._drawn_at                    # None: the machine as booted (step 0)
        kept = self._kept
        kept.pop(id(self.machine), None)
        kept[id(self.machine)] = (weakref.ref(self.machine), at and weakref.ref(at),
                                  self._binned_size, self.cells)
        while len(kept) > KEPT_MACHINES:
            del kept[next(iter(kept))]

    def _kept_cells(self, machine: Any, result: Any) -> CellCounts | None:
        """The cells kept for ``machine`` if this map left it at ``result`` (the same step
        result object, or both None: the machine as booted; the machine is then in the very
        state it was drawn in: a position's state does not depend on how it was reached) on
        this grid (size and rows of cells)."""
        hit = self._kept.pop(id(machine), None)
        if hit is None or hit[0]() is not machine or hit[2] != self._grid() or \
                (result is not None if hit[1] is None else hit[1]() is not result):
            return None
        return hit[3]

    def _step_cells(self, result: Any, marks: list[tuple[int, int]]) -> set[int]:
        """The cells of a step's marks, worked out once per step result and cell size (the
        caller must not change the set)."""
        if result is None or self.cells is None:
            return self._cells_of(marks)
        return derived(result, ("map_cells", self.cells.per, self.cells.ncells),
                       lambda: self._cells_of(marks))

    def _cells_of(self, ranges: list[tuple[int, int]]) -> set[int]:
        out: set[int] = set()
        if self.cells is None:
            return out
        per, n = self.cells.per, self.cells.ncells
        if len(ranges) >= MANY:
            a = ranges_array(ranges)
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
        self._binned_size = self._grid()
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

    def _grid(self) -> tuple[Size, int]:
        """What the binning depends on: the size and the rows of cells (the legend's lines
        change with the language, L, at the same size).  Hidden (no size: another pane is in
        front) it is the grid the cells were binned for, so they are kept, recounted where the
        steps change frames, and shown as they are when the pane comes back at that size
        (re-binning every frame each time a step brought the map back in front cost 6 ms)."""
        size = self.size
        if not size.width or not size.height:
            return self._binned_size
        return size, self.map_rows

    def on_resize(self) -> None:
        self._info_strips = []
        self._fit_grid()

    def _fit_grid(self) -> None:
        if self.cells is not None and self._grid() != self._binned_size:
            self.cells = None           # re-bin at the new size on the next render, with
            self._pending = step_pfn_ranges(self._drawn_at)    # the step's marks again
            self._rows.clear()
            self.refresh()

    def _refresh_cells(self, cells: set[int]) -> None:
        if not cells or not self._width:
            return
        rows = {c // self._width for c in cells}
        before = {r: self._rows.pop(r) for r in rows if r in self._rows}
        self.refresh_changed_rows(before, rows)      # the rows that come out different

    # -- Line API ---------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        if self.cells is None and self.machine is not None and self.size.width > GUTTER:
            self._rebin()
        rows, info = self._row_split()
        if y >= rows:
            legend = self._legend_lines()
            if y - rows < len(legend):
                return legend[y - rows]
            i = y - rows - len(legend)
            if i >= info:
                return Strip.blank(self.size.width)
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
        return self._pool.strip(segs, self.size.width)

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
        self.set_linked(per_step(view, "linked_pfns", lambda: frozenset(linked_pfns(machine, selection))))
        mb, ram = machine.max_pfn >> 8, per_step(view, "ram_mb", lambda: ram_mb(machine))
        size = f"{machine.max_pfn / 256:,.1f}" if machine.max_pfn & 255 else f"{mb:,}"   # 63.9, not 63
        set_border_title(self, tr(view.lang, "map.title" if ram * 100 >= mb * 99 else "map.title_hole",
                                  frames=f"{machine.max_pfn:,}", mb=size, ram=f"{ram:,}"))
        info = Text(per_step(view, "describe", lambda: describe(machine, selection, view.lang)))
        pfn = selected_pfn(machine, selection)
        if pfn is not None and selection is not None and selection.kind == "pfn":
            info.append("\n")
            info.append_text(rmap_text(machine, pfn, lang=view.lang))
        self.set_info(info)
