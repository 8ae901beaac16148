"""Which layout fits the terminal, and which panes a step puts in front.

Three layouts (the lesson is always on screen):

* ``wide``    every pane: virtual map | physical over buddy | lesson, page walk, slab; a
  drawing in front (the mm_struct -> VMA view, the page-fault flow) takes the middle column,
  and keeps it while the steps after it are about addresses (the page walk in front);
* ``medium``  the lesson on the left, the step's panes stacked on the right, the
  others one key (1-7) away;
* ``compact`` the lesson over one pane (80x24), keys 1-7 or the tab bar switch it.

Every pane declares ``MIN_WIDTH`` (cells, border included); a layout that would draw
one narrower does not fit.  Pure functions: no Textual here, the app applies the plan.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

LAYOUTS = ("wide", "medium", "compact")
PANES = ("vmap", "physical", "buddy", "walk", "slab", "mm", "fault")   # keys 1..7; the lesson is always shown
WIDE_PANES = PANES[:5]       # the wide grid; a drawing in front (mm, fault) takes physical+buddy's column
DRAWINGS = ("mm", "fault")
CHROME_ROWS = 3              # header, tab bar, footer
WIDE_MIN = (158, 44)         # measured: every pane at its minimum and 17 lines of narration
MEDIUM_MIN_ROWS = 26
COMPACT_MIN = (60, 16)
WIDE_FIXED_ROWS = 27         # walk 14 + slab 13 rows under the lesson in the wide grid

# what a step's focus or operation puts in front, most specific first
FOCUS_PANES = {"cache": ("slab", "physical"), "pfn": ("physical", "buddy"),
               "zone": ("buddy", "physical"), "address": ("walk", "vmap"),
               "process": ("vmap", "walk"), "region": ("vmap", "physical")}
FOCUS_PRIORITY = ("cache", "pfn", "zone", "address", "region", "process")
OP_PANES = {
    "alloc_pages": ("buddy", "physical"), "free_pages": ("buddy", "physical"),
    "get_free_pages": ("buddy", "physical"), "free_pages_addr": ("buddy", "physical"),
    "kmalloc": ("slab", "physical"), "kzalloc": ("slab", "physical"), "kfree": ("slab", "physical"),
    "kmem_cache_create": ("slab", "physical"), "kmem_cache_alloc": ("slab", "physical"),
    "kmem_cache_free": ("slab", "physical"), "kmem_cache_destroy": ("slab", "buddy"),
    "vmalloc": ("vmap", "physical"), "vfree": ("vmap", "physical"),
    "kmap": ("vmap", "physical"), "kunmap": ("vmap", "physical"),
    "kmap_atomic": ("vmap", "walk"), "kunmap_atomic": ("vmap", "walk"),
    "access": ("walk", "vmap"), "walk": ("walk", "vmap"), "invlpg": ("walk", "vmap"),
    "reload_cr3": ("walk", "vmap"), "flush_tlb": ("walk", "vmap"), "switch_to": ("walk", "vmap"),
    "boot": ("physical", "vmap"), "reclaim": ("buddy", "physical"), "snapshot": ("buddy", "physical"),
}


@dataclass(frozen=True)
class Plan:
    """What to draw: the layout, the panes beside the lesson (in order) and the lesson's width."""
    layout: str
    visible: tuple[str, ...]
    lesson_width: int = 0          # 0: the layout's own rule (grid column / full width)
    side_width: int = 0


def min_widths() -> dict[str, int]:
    """Each pane's declared minimum useful width (``MIN_WIDTH`` on its class)."""
    from widgets import (BuddyPane, FaultFlowPane, LessonPane, MmStructPane, PageWalkPane,
                         PhysicalMapPane, SlabPane, VirtualMap)
    return {"vmap": VirtualMap.MIN_WIDTH, "physical": PhysicalMapPane.MIN_WIDTH,
            "buddy": BuddyPane.MIN_WIDTH, "walk": PageWalkPane.MIN_WIDTH,
            "slab": SlabPane.MIN_WIDTH, "mm": MmStructPane.MIN_WIDTH,
            "fault": FaultFlowPane.MIN_WIDTH, "lesson": LessonPane.MIN_WIDTH}


def wide_columns(width: int, mins: dict[str, int]) -> tuple[int, int, int]:
    """Column widths of the wide grid: virtual map | physical+buddy | lesson+walk+slab."""
    left = mins["vmap"]
    rest = width - left
    right = max(mins["lesson"], mins["walk"], mins["slab"], rest // 2)
    return left, rest - right, right


def plan(layout: str, size: tuple[int, int], front: Iterable[str],
         mins: dict[str, int] | None = None) -> Plan | None:
    """The plan for ``layout`` at ``size`` with ``front`` panes first, or None if it does not fit."""
    mins = mins or min_widths()
    w, h = size
    front = [p for p in dict.fromkeys(front) if p in PANES] or ["vmap"]
    if layout == "wide":
        if w < WIDE_MIN[0] or h < WIDE_MIN[1]:
            return None
        left, mid, right = wide_columns(w, mins)
        if mid < max(mins["physical"], mins["buddy"]):
            return None
        # a step about an address (the page walk in front) leaves the middle column as the steps
        # before it left it: the fault path or mm_struct drawn beside the walk stays, where it
        # swapped with physical and buddy at every other step of a lesson's faults
        lead = [p for p in front if p not in ("walk", "vmap")] if front[0] == "walk" else front
        first = lead[0] if lead else None
        drawing = first if first in DRAWINGS and mins[first] <= mid else None
        if drawing is None:
            return Plan("wide", WIDE_PANES, right, mid)
        return Plan("wide", ("vmap", drawing, "walk", "slab"), right, mid)
    if layout == "medium":
        if h < MEDIUM_MIN_ROWS:
            return None
        shown = front[:2] if h >= 34 else front[:1]
        side = max(max(mins[p] for p in shown), w // 2)
        lesson = w - side
        if lesson < mins["lesson"]:
            shown = shown[:1]
            side = max(mins[shown[0]], w // 2)
            lesson = w - side
            if lesson < mins["lesson"]:
                return None
        return Plan("medium", tuple(shown), lesson, side)
    if layout == "compact":
        if w < COMPACT_MIN[0] or h < COMPACT_MIN[1]:
            return None
        shown = [p for p in front if mins[p] <= w][:1]
        if not shown or w < mins["lesson"]:
            return None
        return Plan("compact", tuple(shown), w, w)
    raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")


def fitting(size: tuple[int, int], front: Iterable[str], mins: dict[str, int] | None = None) -> list[str]:
    """The layouts that fit this size, roomiest first."""
    front = list(front)
    return [name for name in LAYOUTS if plan(name, size, front, mins) is not None]


def choose(size: tuple[int, int], front: Iterable[str], wanted: str = "auto",
           mins: dict[str, int] | None = None) -> Plan | None:
    """The wanted layout if it fits, else the roomiest that does; None: nothing fits."""
    front = list(front)
    if wanted in LAYOUTS:
        got = plan(wanted, size, front, mins)
        if got is not None:
            return got
    for name in LAYOUTS:
        got = plan(name, size, front, mins)
        if got is not None:
            return got
    return None


def front_for(focus: dict[str, Any] | None, op_name: str | None) -> tuple[str, ...]:
    """The panes a step puts in front: from its focus, else from its operation ('' : keep)."""
    panes: list[str] = [focus["view"]] if focus and focus.get("view") in DRAWINGS else []
    for kind in FOCUS_PRIORITY:
        if focus and focus.get(kind) is not None:
            panes.extend(FOCUS_PANES[kind])
    if not panes and op_name:
        panes.extend(OP_PANES.get(op_name, ()))
    return tuple(dict.fromkeys(panes))
