"""The reverse map of a frame: every virtual address that maps it (read-only).

Like the kernel's rmap walk (mm/rmap.c) but across every mapping kind mmviz models:
the direct map (lowmem frames), vmalloc areas, persistent kmaps (pkmap slots),
atomic kmaps (fixmap slots) and user PTEs of every process.  Nothing here changes the
machine: it reads the allocators' lists and, for user pages, walks page tables
without setting Accessed/Dirty bits.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass

from .page_types import PAGE_SHIFT
from .task_mmu import vma_name

if TYPE_CHECKING:
    from .machine import Machine
USER_SCAN_LIMIT = 1 << 16      # pages of user VMAs walked at most per query


@dataclass(frozen=True, slots=True)
class Mapping:
    vaddr: int
    kind: str        # "direct", "vmalloc", "pkmap", "fixmap", "user"
    detail: str      # the area's caller, the slot, "pid 3 [heap]" ...


def vmalloc_area_of(m: Machine, vaddr: int):
    """The vmalloc area (vm_struct) holding vaddr, guard page included, or None."""
    for a in m.vmap.areas:
        if a.start <= vaddr < a.end:
            return a
    return None


def vmalloc_frames(area) -> list[int]:
    """The frames backing a vmalloc area, in page order."""
    return list(area.pages)


def page_mappings(m: Machine, pfn: int) -> list[Mapping]:
    """Every virtual address mapping frame ``pfn`` (the page's first byte)."""
    out: list[Mapping] = []
    if not 0 <= pfn < m.max_pfn:
        return out
    L = m.layout
    va = L.page_offset + (pfn << PAGE_SHIFT)
    if pfn < m.max_low_pfn and va < L.high_memory:
        out.append(Mapping(va, "direct", "__va(), lowmem direct map"))
    for a in m.vmap.areas:
        for i, p in enumerate(a.pages):
            if p == pfn:
                out.append(Mapping(a.start + (i << PAGE_SHIFT), "vmalloc",
                                   f"vmalloc area {a.start:#010x} {a.caller}"))
    hm = m.highmem
    slot = hm.slot_of.get(pfn)
    if slot is not None:
        out.append(Mapping(L.pkmap_base + (slot << PAGE_SHIFT), "pkmap",
                           f"kmap slot {slot} (pkmap_count {hm.count[slot]})"))
    for cpu, stack in enumerate(hm.stacks):
        for idx, p in stack:
            if p == pfn:
                out.append(Mapping(L.fix_to_virt(L.fix_kmap_begin + idx), "fixmap",
                                   f"kmap_atomic FIX_KMAP_BEGIN+{idx} (cpu {cpu})"))
    out.extend(user_mappings(m, pfn))
    return out


def user_mappings(m: Machine, pfn: int) -> list[Mapping]:
    """User PTEs mapping the frame: only searched when its mapcount says there are some."""
    if int(m.memmap.mapcount[pfn]) <= 0:
        return []
    out: list[Mapping] = []
    budget = USER_SCAN_LIMIT
    for p in m.processes.values():
        for vma in p.vmas:
            for va in range(vma.start, vma.end, 1 << PAGE_SHIFT):
                budget -= 1
                if budget < 0:
                    return out
                w = m.walk(va, pid=p.pid)
                if w.paddr is not None and w.paddr >> PAGE_SHIFT == pfn:
                    name = vma_name(m, p.mm, vma) or ""
                    out.append(Mapping(va, "user", f"pid {p.pid} {p.comm} {name}".rstrip()))
    return out
