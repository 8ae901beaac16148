"""The virtual map: the 4 GB address space as a vertical bar, regions to scale.

Zoom (z / Z) narrows or widens the span shown around the selected address,
down to one page per row; up/down pan by a row, pgup/pgdn by half a view.
Inside the regions: the VMAs of the process the selection is in (a selected process, the
process a lesson's focus names with its address, else the one that runs), vmalloc areas,
pkmap slots in use and the fixmap's atomic-kmap slots in use.  A step repaints only the rows whose
items changed; a new selection repaints two rows.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from engine.task_mmu import vma_name

from .colour_contrast import legible
from .i18n import tr
from .linecache import StripPool, keep_styled_rows
from .textlines import ThemedLines, set_border_title
from .selection import (Selection, SelectionRequested, is_user_address, region_of, selected_address,
                        user_space_pid)
from .stepview import StepView

if TYPE_CHECKING:
    from engine.machine import Machine

FOUR_GB = 1 << 32
PAGE = 1 << 12
REGION_COLOURS = {
    "user": "#3a5f8f", "direct": "#2f7f4f", "gap": "#262626", "vmalloc": "#008787",
    "pkmap": "#af8700", "ldt": "#875f00", "cpu_entry_area": "#875f5f",
    "fixmap_boot": "#5f5f87", "fixmap": "#8787af",
}
ITEM_COLOURS = {"vma": "#5f87d7", "vmalloc": "#00d7af", "pkmap": "#ffd700", "fixmap": "#d7afff"}
# an item's bar on its region's colour: its own colour, else a lighter or darker one of its
# hue that shows at 3:1 (widgets.colour_contrast.legible; a VMA's #5f87d7 on user space's
# #3a5f8f was 1.8:1)
ITEM_RAMPS = {"vma": ("#5f87d7", "#87afff", "#afd7ff", "#d7eaff", "#00005f", "#000000"),
              "vmalloc": ("#00d7af", "#5fffd7", "#afffe7", "#005f5f", "#002f2f"),
              "pkmap": ("#ffd700", "#ffff5f", "#ffffaf", "#5f3f00", "#2f1f00"),
              "fixmap": ("#d7afff", "#efd7ff", "#ffffff", "#3f1f5f", "#1f0f2f")}
ITEM_STYLES = {k: Style(bgcolor=v) for k, v in ITEM_COLOURS.items()}
# an item's label in the ANSI colour nearest its bar's: the app makes those readable on every
# theme (app.ansi_palette; #5f87d7 text was 2.7:1 on textual-light)
ITEM_LABEL = {k: Style(color=v) for k, v in
              {"vma": "bright_blue", "vmalloc": "cyan", "pkmap": "yellow", "fixmap": "magenta"}.items()}
ADDR_STYLE = Style(color="bright_black")      # an ANSI colour: readable in every theme (app.ansi_palette)
LABEL_STYLE = Style()             # the theme's / terminal's foreground: readable on light and dark
SEL_STYLE = Style(color="#000000", bgcolor="#ffffff", bold=True)
BAR = 4


def item_bar_colour(kind: str, region_colour: str) -> str:
    """The colour of a ``kind`` item's bar drawn on a region of ``region_colour``."""
    return legible(region_colour, ITEM_RAMPS[kind])


def map_items(m: Machine, pid: int | None = None, lang: str = "en") -> tuple:
    """(start, end, kind, label) of what is mapped inside the regions, lowest first.

    User VMAs are those of process ``pid`` when given (the selection's: see
    widgets.selection.user_space_pid), otherwise of the process that runs now."""
    items = []
    proc = m.processes.get(pid if pid in m.processes else m.current)
    for v in proc.vmas if proc is not None else ():
        name = vma_name(m, proc.mm, v) or tr(lang, 'vmap.anon')
        items.append((v.start, v.end, "vma", f"{v.prot} {name} pid {proc.pid}"))
    for a in m.vmap_areas:
        items.append((a.start, a.end, "vmalloc", f"vm {_size_text(a.end - a.start)} {a.caller or ''}"))
    lay = m.layout
    for slot, count in enumerate(m.pkmap_count):
        if count:
            va = lay.pkmap_base + (slot << 12)
            items.append((va, va + PAGE, "pkmap", tr(lang, "vmap.kmap", slot=slot, count=count)))
    for stack in m.highmem.stacks:
        for idx, pfn in stack:
            va = lay.fix_to_virt(lay.fix_kmap_begin + idx)
            items.append((va, va + PAGE, "fixmap", f"FIX_KMAP_BEGIN+{idx} pfn {pfn:#x}"))
    return tuple(sorted(items))


def _size_text(n: int) -> str:
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):.4g}{unit}"
    return f"{n}B"


class VirtualMap(ThemedLines, Widget, can_focus=True):
    """Regions of the 32-bit virtual address space, top = 0xffffffff, labelled."""
    MIN_WIDTH = 38       # cells, border included: the 4 GB bar, a tick and a region label

    DEFAULT_CSS = """
    VirtualMap { border: round $secondary; width: 38; height: 1fr; }
    VirtualMap:focus { border: round $accent; }
    """
    BINDINGS = [
        Binding("up,k", "pan(-1)", "Pan up", show=False),
        Binding("down,j", "pan(1)", "Pan down", show=False),
        Binding("pageup", "pan_page(-1)", "Page up", show=False),
        Binding("pagedown", "pan_page(1)", "Page down", show=False),
        Binding("enter", "select_row", "Select row", show=False),
        Binding("right_square_bracket", "next_item(1)", "Next VMA / area / slot", show=False),
        Binding("left_square_bracket", "next_item(-1)", "Previous VMA / area / slot", show=False),
    ]
    view_start: reactive[int] = reactive(0)
    view_span: reactive[int] = reactive(FOUR_GB)
    selection: reactive[Selection | None] = reactive(None, repaint=False)
    cursor_row: reactive[int] = reactive(0)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        keep_styled_rows(self)                # a row drawn before is styled once
        self._pool = StripPool()              # ... and built as the same strip
        self.machine: Machine | None = None
        self._strips: dict[int, Strip] = {}
        self._label_rows: dict[int, list] | None = None
        self.items: tuple = ()
        self._sel_row: int | None = None
        self._items_pid: int | None = None  # the process whose VMAs the items hold
        self._serial = -1                  # the step view drawn last
        self.lang = "en"

    def show(self, view: StepView) -> None:
        """Draw the address space at this view: every row after a jump or back-step (or on
        another machine), else only the rows whose VMAs / areas / slots changed."""
        full = view.changed_since(self._serial) is None
        self._serial = view.serial
        self.selection = view.selection
        full = full or view.lang != self.lang
        self.lang = view.lang
        self.show_machine(view.machine, full)

    def show_machine(self, machine: Machine | None, full: bool = False) -> None:
        """Repaint the rows whose VMAs / areas / slots changed (every row if ``full``)."""
        self._items_pid = pid = self._selected_pid(machine) if machine is not None else None
        items = map_items(machine, pid, self.lang) if machine is not None else ()
        if machine is not self.machine or full:
            self.machine, self.items = machine, items
            self._invalidate()
            return
        if items != self.items:
            changed = set(items) ^ set(self.items)
            self.items = items
            rows: set[int] = set()
            for start, end, *_ in changed:
                a, b = self.row_of(max(start, self.view_start)), self.row_of(min(end, self.view_start + self.view_span) - 1)
                if a is not None and b is not None:
                    rows.update(range(min(a, b), max(a, b) + 1))
            self._refresh_rows(rows)

    def _refresh_rows(self, rows: set[int]) -> None:
        """Make these rows again; repaint those that come out different."""
        before = {r: self._strips.pop(r) for r in rows if r in self._strips}
        self.refresh_changed_rows(before, rows)

    def items_in(self, lo: int, hi: int) -> list:
        return [it for it in self.items if it[0] < hi and it[1] > lo]

    def _labels(self) -> dict[int, list]:
        """Row -> regions labelled there (the row of each region's lowest visible address)."""
        if self._label_rows is None:
            rows: dict[int, list] = {}
            end = self.view_start + self.view_span
            for r in self.machine.layout.regions:
                if r.end <= self.view_start or r.start >= end or r.name == "gap":
                    continue
                row = self.row_of(max(r.start, self.view_start))
                rows.setdefault(row if row is not None else self.rows - 1, []).append(r)
            self._label_rows = rows
        return self._label_rows

    def _invalidate(self) -> None:
        """Every row made again; only those that come out different are repainted."""
        self._label_rows = None
        addr = selected_address(self.machine, self.selection)
        self._sel_row = self.row_of(addr) if addr is not None else None
        before, self._strips = self._strips, {}
        self.refresh_changed_rows(before, self.rows)
        if self.machine is not None:
            span = self.view_span
            set_border_title(self, tr(self.lang, "vmap.title", start=f"{self.view_start:#010x}",
                                      span=_size_text(span)))

    watch_view_start = watch_view_span = watch_cursor_row = lambda self, *_: self._invalidate()

    def _selected_pid(self, machine: Machine | None = None) -> int | None:
        """The process whose VMAs are drawn: the selection's (widgets.selection.user_space_pid)."""
        machine = machine if machine is not None else self.machine
        return user_space_pid(machine, self.selection) if machine is not None else None

    def _pick(self, kind: str, addr: int) -> Selection:
        """What a click or key selects: a user address in the process whose VMAs are drawn."""
        pid = self._selected_pid() if kind == "address" and is_user_address(self.machine, addr) else None
        return Selection(kind, addr, pid)

    def watch_selection(self, sel: Selection | None) -> None:
        if self.machine is not None and sel is not None and sel.kind == "process":
            old, self._sel_row = self._sel_row, None
            self._refresh_rows({old} if old is not None else set())
            self.show_machine(self.machine)     # that process's VMAs
            return
        if self.machine is not None and self._selected_pid() != self._items_pid:
            self.show_machine(self.machine)     # the VMAs of the process the address is in
        addr = selected_address(self.machine, sel)
        if addr is not None and not self.view_start <= addr < self.view_start + self.view_span:
            self._center_on(addr)
            return                              # the view moved: every row is redrawn
        old, self._sel_row = self._sel_row, (self.row_of(addr) if addr is not None else None)
        self._refresh_rows({r for r in (old, self._sel_row) if r is not None})

    # -- geometry ---------------------------------------------------------------------
    @property
    def rows(self) -> int:
        return max(1, self.size.height)

    @property
    def row_bytes(self) -> int:
        return max(PAGE, self.view_span // self.rows)

    def _geometry(self) -> tuple[int, int, int]:
        """(width, rows, row_bytes), from one read of the widget's size (each read of
        ``self.size`` asks the screen for the widget's region)."""
        size = self.size
        rows = max(1, size.height)
        return size.width, rows, max(PAGE, self.view_span // rows)

    def row_of(self, addr: int) -> int | None:
        """Row showing this address (row 0 is the top: the highest address)."""
        off = self.view_start + self.view_span - 1 - addr
        if 0 <= off < self.view_span:
            return min(self.rows - 1, off // self.row_bytes)
        return None

    def row_range(self, y: int, rows: int | None = None, row_bytes: int | None = None) -> tuple[int, int]:
        """[lo, hi) of the addresses row y shows (rows, row_bytes: the caller's _geometry())."""
        if rows is None or row_bytes is None:
            _, rows, row_bytes = self._geometry()
        top = self.view_start + self.view_span
        hi = top - y * row_bytes
        if y >= rows - 1:                      # the last row also takes the division's remainder
            return self.view_start, hi
        return max(self.view_start, hi - row_bytes), hi

    def _center_on(self, addr: int) -> None:
        span = self.view_span
        start = max(0, min(FOUR_GB - span, (addr - span // 2) & ~(PAGE - 1)))
        self.view_start = start

    def zoom(self, factor: float) -> None:
        """Zoom around the selected address (or the middle); one page per row at most."""
        addr = selected_address(self.machine, self.selection)
        centre = addr if addr is not None else self.view_start + self.view_span // 2
        min_span = PAGE * self.rows
        span = int(self.view_span * factor)
        span = max(min_span, min(FOUR_GB, span))
        self.view_span = span
        self._center_on(centre)

    # -- actions ----------------------------------------------------------------------
    def action_pan(self, rows: int) -> None:
        step = self.row_bytes * rows
        self.view_start = max(0, min(FOUR_GB - self.view_span, self.view_start - step))

    def action_pan_page(self, direction: int) -> None:
        self.action_pan(direction * max(1, self.rows // 2))

    def action_next_item(self, direction: int) -> None:
        """Select the next (or previous) VMA, vmalloc area or kmap slot by address."""
        if not self.items:
            return
        addr = selected_address(self.machine, self.selection)
        starts = [it[0] for it in self.items]
        if addr is None:
            i = 0 if direction > 0 else len(starts) - 1
        elif direction > 0:
            i = next((k for k, a in enumerate(starts) if a > addr), 0)
        else:
            i = next((k for k in range(len(starts) - 1, -1, -1) if starts[k] < addr), len(starts) - 1)
        start, _, kind, _ = self.items[i]
        self.post_message(SelectionRequested(self._pick("vmalloc" if kind == "vmalloc" else "address", start)))

    def on_click(self, event: events.Click) -> None:
        """The mouse: a click selects the lowest address of that row."""
        if 0 <= event.y < self.rows:
            lo, _ = self.row_range(event.y)
            self.post_message(SelectionRequested(self._pick("address", lo)))

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.action_pan(-3)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.action_pan(3)

    def action_select_row(self) -> None:
        lo, _ = self.row_range(self.rows // 2)
        self.post_message(SelectionRequested(self._pick("address", lo)))

    # -- Line API ---------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        strip = self._strips.get(y)
        if strip is None:
            strip = self._strips[y] = self._build(y)
        return strip

    def _build(self, y: int) -> Strip:
        width, rows, row_bytes = self._geometry()
        m = self.machine
        if m is None or y >= rows:
            return Strip.blank(width)
        lo, hi = self.row_range(y, rows, row_bytes)
        here = region_of(m, hi - 1) or region_of(m, lo)
        starting = self._labels().get(y, [])
        colour = REGION_COLOURS.get(here.name if here else "gap", "#262626")
        addr = selected_address(m, self.selection) if y == self._sel_row else None
        is_sel = addr is not None and lo <= addr < hi
        inside = self.items_in(lo, hi)
        bar_style = Style(bgcolor=colour)
        segs = [Segment(f"{self._tick(y, lo, hi, rows, row_bytes)} ", ADDR_STYLE),
                Segment("▶" if is_sel else " ", SEL_STYLE if is_sel else ADDR_STYLE)]
        if inside:
            kinds = sorted({it[2] for it in inside})
            segs += [Segment("  ", bar_style),
                     Segment("▌" * 2, Style(color=item_bar_colour(kinds[0], colour), bgcolor=colour))]
        else:
            segs.append(Segment(" " * BAR, bar_style))
        segs.append(Segment(" "))
        if is_sel:
            reg = region_of(m, addr)
            segs.append(Segment(f"{addr:#010x} {tr(self.lang, 'reg.' + reg.name) if reg else ''}", SEL_STYLE))
        elif starting:
            r = starting[0]
            more = f" +{len(starting) - 1}" if len(starting) > 1 else ""
            room = width - sum(seg.cell_length for seg in segs)
            label = f"{tr(self.lang, 'reg.' + r.name)} {r.start:08x}"
            size = f" {_size_text(r.end - r.start)}"
            if cell_len(label + size + more) > room:          # the name and start never get cut
                size = ""
            segs.append(Segment(f"{label}{size}{more}", LABEL_STYLE))
        elif inside:
            first = next((it for it in inside if it[0] >= lo), inside[0])
            label = first[3]
            if row_bytes == PAGE and first[2] == "vmalloc":
                area = next((a for a in m.vmap_areas if a.start == first[0]), None)
                i = (lo - first[0]) >> 12
                pages = area.pages if area is not None else ()
                label = f"pfn {pages[i]:#x}" if 0 <= i < len(pages) else tr(self.lang, "vmap.guard")
            more = f" +{len(inside) - 1}" if len(inside) > 1 else ""
            segs.append(Segment(f"{label}{more}", ITEM_LABEL[first[2]]))
        return self._pool.strip(segs, width)

    def _tick(self, y: int, lo: int, hi: int, rows: int, row_bytes: int) -> str:
        """The gutter: round addresses (multiples of a power of two), on the rows that hold
        one (every two to four rows); the top row shows its highest address, the last its
        lowest."""
        if y == 0:
            return f"{hi - 1:08x}"
        if y == rows - 1:
            return f"{lo:08x}"
        step = 1 << max(12, (2 * row_bytes - 1).bit_length())
        tick = (hi - 1) & ~(step - 1)
        return f"{tick:08x}" if lo <= tick < hi else " " * 8

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    def on_resize(self) -> None:
        self._invalidate()
