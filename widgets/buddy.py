"""Buddy lists: per zone free_area[0..10] as counts and bars, the block just split or
merged highlighted with its pfn range, and free pages over the steps as a sparkline
with the zone's watermarks marked."""
from __future__ import annotations

import math
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from .selection import Selection, SelectionRequested, selected_zone

MAX_ORDER = 11
SPARK = "▁▂▃▄▅▆▇█"
COL = 6


def _bar(count: int, top: int) -> str:
    if count <= 0:
        return " "
    level = math.log2(count + 1) / math.log2(top + 1)
    return SPARK[min(len(SPARK) - 1, int(level * (len(SPARK) - 1)))]


def buddy_highlights(events: list) -> dict[str, list[tuple[str, int, int, int]]]:
    """zone -> [(what, order, first pfn, last pfn)] of the blocks this step split/merged/moved."""
    out: dict[str, list[tuple[str, int, int, int]]] = {}
    for ev in events or ():
        kind = type(ev).__name__
        if kind == "Split":
            hit = ("split", ev.order + 1, ev.pfn, ev.pfn + (2 << ev.order) - 1)
        elif kind == "Merge":
            hit = ("merge", ev.order + 1, ev.merged_pfn, ev.merged_pfn + (2 << ev.order) - 1)
        elif kind == "AllocPages":
            hit = ("alloc", ev.order, ev.pfn, ev.pfn + (1 << ev.order) - 1)
        elif kind == "FreePages":
            hit = ("free", ev.final_order, ev.final_pfn, ev.final_pfn + (1 << ev.final_order) - 1)
        else:
            continue
        out.setdefault(ev.zone, []).append(hit)
    return out


def sparkline(values: list[int], wm_min: int, wm_low: int, wm_high: int, width: int) -> Text:
    """Free pages per step; red at or below min, yellow at or below low, green above high."""
    values = values[-width:]
    lo = min([*values, wm_min]) if values else 0
    hi = max([*values, wm_high]) if values else 1
    span = max(1, hi - lo)
    t = Text()
    for v in values:
        ch = SPARK[min(len(SPARK) - 1, (v - lo) * (len(SPARK) - 1) // span)]
        style = "red" if v <= wm_min else "yellow" if v <= wm_low else \
            "green" if v > wm_high else "cyan"
        t.append(ch, style)
    return t


class BuddyPane(Static):
    """free_area of every populated zone, like /proc/buddyinfo but drawn."""

    DEFAULT_CSS = """
    BuddyPane { border: round $secondary; height: 1fr; padding: 0 1; }
    BuddyPane:focus { border: round $accent; }
    """
    can_focus = True
    BINDINGS = [Binding("enter", "next_zone", "Select next zone", show=False)]

    def __init__(self, **kw: Any) -> None:
        super().__init__("", **kw)
        self.history: dict[int, dict[str, int]] = {}
        self._machine: Any = None

    def show_machine(self, machine: Any, events: list | None, position: int,
                     selection: Selection | None = None) -> None:
        if machine is not self._machine:
            if self._machine is not None and position == 0:
                self.history.clear()
            self._machine = machine
        self.history[position] = {z.name: z.free_pages for z in machine.zones}
        for p in [p for p in self.history if p > position]:
            del self.history[p]
        self.border_title = r"Buddy allocator: free_area\[order].nr_free"
        self.update(self.render_text(machine, events or [], position, selected_zone(machine, selection)),
                    layout=False)

    def action_next_zone(self) -> None:
        zones = [z.name for z in self._machine.zones] if self._machine is not None else []
        if zones:
            self._zone_cursor = (getattr(self, "_zone_cursor", -1) + 1) % len(zones)
            self.post_message(SelectionRequested(Selection("zone", zones[self._zone_cursor])))

    def render_text(self, m: Any, events: list, position: int, chosen: str | None) -> Text:
        marks = buddy_highlights(events)
        t = Text()
        width = max(10, self.size.width - 14) if self.size.width else 60
        for z in m.zones:
            head_style = "bold reverse" if z.name == chosen else "bold"
            t.append(f"{z.name:<8}", head_style)
            t.append(f" free {z.free_pages:>8}  watermarks min {z.watermark_min} "
                     f"low {z.watermark_low} high {z.watermark_high}\n")
            hit_orders = {o for (_, o, _, _) in marks.get(z.name, [])}
            top = max(1, max(z.nr_free))
            t.append("  order  ", "dim")
            for o in range(MAX_ORDER):
                t.append(f"{o:>{COL}}", "bold magenta" if o in hit_orders else "dim")
            t.append("\n  nr_free")
            for o, n in enumerate(z.nr_free):
                t.append(f"{n:>{COL}}", "bold reverse magenta" if o in hit_orders else "")
            t.append("\n         ")
            for o, n in enumerate(z.nr_free):
                t.append(f"{_bar(n, top) * 3:>{COL}}", "magenta" if o in hit_orders else "blue")
            t.append("\n")
            for what, order, first, last in marks.get(z.name, [])[:3]:
                t.append(f"  {what} order {order}: pfn {first:#x}-{last:#x}\n", "magenta")
            series = [self.history[p][z.name] for p in sorted(self.history) if z.name in self.history[p]]
            t.append("  free/step ", "dim")
            t.append_text(sparkline(series, z.watermark_min, z.watermark_low, z.watermark_high, width))
            t.append("\n")
        t.append("sparkline: red ≤ min, yellow ≤ low, cyan ≤ high, green > high", "dim")
        return t
