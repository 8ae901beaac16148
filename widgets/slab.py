"""Slab caches: the kmem_caches sortable (name, objsize, active/total objects, slabs),
and the selected cache's slabs with a per-object used/free map and the free-list order.

Keys (when focused): up/down choose a cache, s cycles the sort column, r reverses it,
enter selects the cache (every pane follows), o selects the cache's first used object.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding

from engine.kmem_events import (ArrayFlush, ArrayRefill, CacheCreate, CacheDestroy, KmallocLarge,
                                  ObjAlloc, ObjFree, SlabFree, SlabMove, SlabNew)

from .i18n import tr
from .selection import Selection, SelectionRequested
from .stepview import StepView, derived
from .textlines import TextLines, set_border_title

if TYPE_CHECKING:
    from engine.machine import Machine

SORTS = ("name", "objsize", "active", "total", "slabs")
OBJ = {"used": ("■", "bold green"), "free": ("□", "dim"), "cpu": ("▣", "cyan")}
MAX_SLABS = 4
SLAB_EVENTS = (CacheCreate, CacheDestroy, SlabNew, SlabFree, SlabMove, ObjAlloc, ObjFree,
               ArrayRefill, ArrayFlush, KmallocLarge)


def _slab_events(result: Any) -> bool:
    """Whether a step changed a slab cache (scanned once per step result: a heavy step has
    thousands of events)."""
    return result is not None and derived(
        result, "slab_events", lambda: any(issubclass(cls, SLAB_EVENTS) for cls in set(map(type, result.events))))


def cache_row(c: Any) -> tuple[str, int, int, int, int]:
    active, total, objsize, _, _, slabs = c.slabinfo()
    return c.name, objsize, active, total, slabs


class SlabPane(TextLines):
    """/proc/slabinfo as a sortable table, and one cache's slabs drawn object by object."""
    DRAW_WHEN_SHOWN = True   # drawn from the view alone: behind other panes it draws nothing
    FOLLOWS_FOCUS = True     # scrolled to the slab of the selected object
    MIN_WIDTH = 56       # cells, border included: a /proc/slabinfo row

    DEFAULT_CSS = """
    SlabPane { border: round $secondary; height: 1fr; padding: 0 1; }
    SlabPane:focus { border: round $accent; }
    """
    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Previous cache", show=False),
        Binding("down,j", "cursor(1)", "Next cache", show=False),
        Binding("s", "sort", "Sort caches", show=False),
        Binding("r", "reverse", "Reverse sort", show=False),
        Binding("enter", "select_cache", "Select cache", show=False),
        Binding("o", "select_object", "Select first object", show=False),
    ]

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._machine: Machine | None = None
        self.lang = "en"
        self.sort_key = "name"
        self.descending = False
        self.cursor = 0
        self.chosen: str | None = None      # the cache shown: the selection's, else ``picked``
        self.picked: str | None = None      # the cache chosen with the keys in this pane
        self._serial = -1                   # the step view drawn last
        self._shown_key: Any = None
        self._position = -1                 # the timeline position drawn last
        self._result: Any = None            # the step result of the view drawn last
        self.rows: list[tuple[str, int, int, int, int]] = []
        self._object_slab: int | None = None

    def show(self, view: StepView) -> None:
        """Draw the caches at this view.  The chosen cache follows the selection (a cache, or
        the cache of a selected object); otherwise the one picked with the keys, if any."""
        machine, selection = view.machine, view.selection
        self._machine, self.lang = machine, view.lang
        chosen = self.picked
        self._object_slab = None            # the slab (pfn) of a selected object: shown
        if selection is not None and selection.kind == "cache":
            chosen = str(selection.value)
        elif selection is not None and selection.kind == "address" and isinstance(selection.value, int):
            slab = machine.slab_of(selection.value)
            if slab is not None:
                chosen = slab.cache.name
                self._object_slab = slab.pfn
        # the same step again, or one step forward or back over a step without slab events
        # (the step applied, or the step undone: the result drawn last), leaves every cache
        # as drawn: skip the table
        key = (chosen, view.lang, self._object_slab)
        result = view.result
        moved = view.position - self._position
        same = view.changed_since(self._serial) is not None and key == self._shown_key and (
            moved == 0 or moved == 1 and not _slab_events(result)
            or moved == -1 and not _slab_events(self._result))
        self._serial, self._shown_key, self.chosen = view.serial, key, chosen
        self._position = view.position
        self._result = result
        if not same:
            self._redraw()

    def on_resize(self) -> None:
        """How many caches the table lists depends on the height: lay it out again."""
        if self._machine is not None:
            self._redraw()
        super().on_resize()

    def _caches(self) -> list[Any]:
        return self._machine.slab_caches if self._machine is not None else []

    def _redraw(self) -> None:
        """Draw the table and the chosen cache's slabs: made once per step result and what
        else they show (sort, cache, language, height), the same list when shown again."""
        set_border_title(self, tr(self.lang, "slab.title"))
        result = self._result
        if result is None:
            self.rows, self.cursor, lines = self._table()
        else:
            key = ("slab_lines", self.lang, self.sort_key, self.descending, self.chosen,
                   self.size.height)
            self.rows, self.cursor, lines = derived(result, key, self._table)
        self.set_lines(lines, keep=True, focus=self._slab_rows(lines))

    def _slab_rows(self, lines: list[Text]) -> tuple[int, int] | None:
        """The selected object's slab (its row and freelist) below the caches' table: at
        80x24 the pane has eight rows and the table takes five."""
        if self._object_slab is None:
            return None
        row = f"  pfn {self._object_slab:#x} "
        return next(((i, i + 2) for i, t in enumerate(lines) if t.plain.startswith(row)), None)

    def _table(self) -> tuple[list[tuple[str, int, int, int, int]], int, list[Text]]:
        """(rows of /proc/slabinfo sorted, the cursor's row, the lines to show)."""
        lang = self.lang
        caches = self._caches()
        col = SORTS.index(self.sort_key)
        rows = sorted((cache_row(c) for c in caches), key=lambda r: r[col], reverse=self.descending)
        names = [r[0] for r in rows]
        # the cursor follows the chosen cache; with none chosen it is on the first row (not
        # where an earlier step left it: the pane is a function of the step)
        cursor = names.index(self.chosen) if self.chosen in names else 0
        cursor = max(0, min(cursor, len(rows) - 1))
        arrow = "▼" if self.descending else "▲"
        head = Text()
        for name, w in (("name", 20), ("objsize", 8), ("active", 8), ("total", 8), ("slabs", 7)):
            text = tr(lang, f"slab.{name}") + (arrow if name == self.sort_key else "")
            fill = " " * max(1, w - cell_len(text))            # a Chinese character is two cells
            head.append(text + fill if name == "name" else fill + text, "bold underline")
        lines = [head]
        height = max(4, (self.size.height or 14) // 2)
        top = max(0, min(cursor - height // 2, len(rows) - height))
        for i, (name, objsize, active, total, slabs) in enumerate(rows[top:top + height], top):
            style = "reverse" if i == cursor else ("bold magenta" if name == self.chosen else "")
            lines.append(Text(f"{name[:20]:<20}{objsize:>8}{active:>8}{total:>8}{slabs:>7}", style))
        cache = self._current_cache(rows, cursor)
        if cache is not None:
            lines.extend(self._slab_lines(cache))
        return rows, cursor, lines

    def _current_cache(self, rows: list | None = None, cursor: int | None = None) -> Any:
        rows = self.rows if rows is None else rows
        cursor = self.cursor if cursor is None else cursor
        if not rows:
            return None
        name = self.chosen if self.chosen in {r[0] for r in rows} else rows[cursor][0]
        return next((c for c in self._caches() if c.name == name), None)

    def _slab_lines(self, cache: Any) -> list[Text]:
        slabs = list(cache.slabs)
        lang = self.lang
        out = [Text(tr(lang, "slab.cache", name=cache.name, n=len(slabs), per=cache.objects_per_slab,
                       size=cache.size, order=cache.order), "bold")]
        if not slabs:
            out.append(Text("  " + tr(lang, "slab.none"), "dim"))
        for slab in slabs[:MAX_SLABS]:
            zone = self._machine.pfn_zone(slab.pfn)
            where = tr(lang, f"where.{slab.where}")
            row = Text(f"  pfn {slab.pfn:#x} {zone} {where}{' ' * max(1, 9 - cell_len(where))}", "cyan")
            for st in slab.states():
                ch, style = OBJ.get(st, ("?", ""))
                row.append(ch, style)
            out.append(row)
            fl = slab.freelist()
            shown = " → ".join(str(i) for i in fl[:12]) + (" …" if len(fl) > 12 else "")
            out.append(Text("    " + tr(lang, "slab.freelist", list=shown or tr(lang, "tlb.empty")), "dim"))
        if len(slabs) > MAX_SLABS:
            out.append(Text("  " + tr(lang, "slab.more", n=len(slabs) - MAX_SLABS), "dim"))
        out.append(Text(tr(lang, "slab.legend"), "dim"))
        return out

    # -- keys -------------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))
        if self.rows:
            self.chosen = self.picked = self.rows[self.cursor][0]
        self._redraw()

    def action_sort(self) -> None:
        self.sort_key = SORTS[(SORTS.index(self.sort_key) + 1) % len(SORTS)]
        self._redraw()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self._redraw()

    def action_select_cache(self) -> None:
        if self.rows:
            self.post_message(SelectionRequested(Selection("cache", self.rows[self.cursor][0])))

    def action_select_object(self) -> None:
        cache = self._current_cache()
        for slab in (cache.slabs if cache is not None else ()):
            for idx, st in enumerate(slab.states()):
                if st == "used":
                    self.post_message(SelectionRequested(Selection("address", slab.obj_vaddr(idx))))
                    return
