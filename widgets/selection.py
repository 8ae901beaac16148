"""The one selection the app holds (an address, a frame, a zone, ...) and what it links to."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

PAGE_SHIFT = 12


@dataclass(frozen=True)
class Selection:
    """kind: "address", "pfn", "zone", "region", "vmalloc", "process", "cache"."""
    kind: str
    value: Any

    def label(self) -> str:
        if self.kind in ("address", "vmalloc") and isinstance(self.value, int):
            return f"{self.kind} {self.value:#010x}"
        if self.kind == "pfn" and isinstance(self.value, int):
            return f"pfn {self.value:#x}"
        return f"{self.kind} {self.value}"


class SelectionRequested(Message):
    """A pane asks the app to select something; the app tells every pane."""

    def __init__(self, selection: Selection) -> None:
        self.selection = selection
        super().__init__()


def region_of(machine: Any, vaddr: int) -> Any:
    for r in machine.layout.regions:
        if r.start <= vaddr < r.end:
            return r
    return None


def direct_map_pfn(machine: Any, vaddr: int) -> int | None:
    """The frame behind a direct-map (lowmem) address, or None."""
    lay = machine.layout
    if lay.page_offset <= vaddr < lay.high_memory:
        return (vaddr - lay.page_offset) >> PAGE_SHIFT
    return None


def lowmem_address(machine: Any, pfn: int) -> int | None:
    """__va() of a lowmem frame, or None for highmem / out of range."""
    lay = machine.layout
    v = lay.page_offset + (pfn << PAGE_SHIFT)
    if 0 <= pfn < machine.max_pfn and v < lay.high_memory:
        return v
    return None


def selected_pfn(machine: Any, sel: Selection | None) -> int | None:
    """The frame a selection points at (directly, or through the direct map or a walk)."""
    if sel is None or machine is None:
        return None
    if sel.kind == "pfn" and isinstance(sel.value, int):
        return sel.value if 0 <= sel.value < machine.max_pfn else None
    if sel.kind in ("address", "vmalloc") and isinstance(sel.value, int):
        pfn = direct_map_pfn(machine, sel.value)
        if pfn is not None:
            return pfn
        walk = getattr(machine, "walk", None)
        if callable(walk):
            try:
                w = walk(sel.value)
            except Exception:
                return None
            if getattr(w, "paddr", None) is not None:
                return w.paddr >> PAGE_SHIFT
    return None


def selected_address(machine: Any, sel: Selection | None) -> int | None:
    if sel is None or machine is None:
        return None
    if sel.kind in ("address", "vmalloc") and isinstance(sel.value, int):
        return sel.value
    if sel.kind == "pfn" and isinstance(sel.value, int):
        return lowmem_address(machine, sel.value)
    if sel.kind == "region":
        for r in machine.layout.regions:
            if r.name == sel.value:
                return r.start
    return None


def selected_zone(machine: Any, sel: Selection | None) -> str | None:
    if sel is None or machine is None:
        return None
    if sel.kind == "zone":
        return str(sel.value)
    pfn = selected_pfn(machine, sel)
    if pfn is not None:
        return machine.pfn_zone(pfn)
    return None


def describe(machine: Any, sel: Selection | None) -> str:
    """One line linking the selection across the views (zone, owner, __va, region)."""
    if sel is None or machine is None:
        return ""
    from engine.physmem import OWNER_NAMES
    parts = [sel.label()]
    if sel.kind in ("address", "vmalloc") and isinstance(sel.value, int):
        r = region_of(machine, sel.value)
        if r is not None:
            parts.append(f"region {r.name}")
    pfn = selected_pfn(machine, sel)
    if pfn is not None:
        zone = machine.pfn_zone(pfn) or "hole"
        owner = OWNER_NAMES[int(machine.memmap.owner[pfn])]
        if sel.kind != "pfn":
            parts.append(f"pfn {pfn:#x}")
        parts.append(f"zone {zone}")
        parts.append(f"owner {owner}")
        v = lowmem_address(machine, pfn)
        parts.append(f"__va {v:#010x}" if v is not None else "highmem: no direct-map address")
    return " · ".join(parts)
