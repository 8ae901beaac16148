"""Swap and reclaim (mm/swapfile.c, mm/swap_state.c, mm/vmscan.c), simplified.

One swap area (type 0) of ``Machine.boot(swap=...)`` bytes: slot 0 holds the swap
header, slots 1.. hold pages.  ``swap_map[slot]`` counts the swap entries (PTEs)
referring to a slot, as the kernel's swap_map does.  A page read back while other
PTEs still hold its entry stays in the *swap cache* (slot -> page), so those
processes find the same page; the cache link goes when the slot's count reaches 0.

Reclaim is a single LRU of private anonymous pages with second chance: kswapd wakes
when a zone falls below its low watermark and scans from the oldest page; a page
whose PTEs have the Accessed bit set loses the bit (ptep_clear_flush_young) and goes
to the tail; otherwise it is written to a free slot, every PTE mapping it gets the
i386 swap entry (not present; type and offset bits of pgtable-2level.h/-3level.h),
and the frame is freed.  It stops when the zone is above its high watermark.  The
kernel's active/inactive split, the file LRU and shmem swapping are not modelled.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from collections import OrderedDict

import numpy as np

from . import physmem as pm
from .paging import _PAGE_ACCESSED, swp_pte, swp_pte_decode
from .memory import flush_tlb_page
from .task_events import Kswapd, Referenced, SwapOut

if TYPE_CHECKING:
    from .machine import Machine


def max_swap_pages(pae: bool, flavour="6.1") -> int:
    """The most pages (4 KB each) one swap area can have: what swapon computes as
    swp_offset(pte_to_swp_entry(swp_entry_to_pte(swp_entry(0, ~0UL)))) + 1, i.e. the
    generic swp_entry_t offset bits (Flavour.swp_entry_offset_bits: 32 - MAX_SWAPFILES_SHIFT
    on 2.6.24, minus the radix-tree shift from 3.5, the xarray value's 31 - 5 from 4.20)
    cut down to the bits the i386 PTE format keeps.  flavour: a Flavour or version string."""
    from .paging import SWP_TYPE_BITS, as_flavour, swp_offset_shift
    generic = as_flavour(flavour).swp_entry_offset_bits
    arch = 32 - SWP_TYPE_BITS if pae else 32 - swp_offset_shift(flavour)
    return 1 << min(generic, arch)


def check_swap_size(nbytes: int, pae: bool, flavour="6.1") -> None:
    """ConfigError when a swap area of nbytes cannot be addressed by swap entries
    (swapon would print "Truncating oversized swap area"; mmviz refuses instead)."""
    from .errors import ConfigError
    from .paging import as_flavour
    most = max_swap_pages(pae, flavour)
    if nbytes >> 12 > most:
        mode = "PAE" if pae else "non-PAE"
        raise ConfigError(f"swap: {nbytes >> 20}M is more than one swap area can address: "
                          f"Linux {as_flavour(flavour).name} {mode} swap entries keep {most.bit_length() - 1} offset "
                          f"bits, at most {most >> 8}M per area")


class SwapState:
    def __init__(self, nr_slots: int) -> None:
        self.nr_slots = nr_slots                      # incl. the header slot 0
        self.swap_map = np.zeros(max(nr_slots, 1), dtype=np.int32)
        self.next = 1                                 # cluster_next
        self.used = 0                                 # slots with swap_map > 0
        self.store: dict[int, bytes | None] = {}      # slot -> page contents (None: zeros)
        self.cache: dict[int, int] = {}               # slot -> pfn (swap cache)
        self.cache_slot: dict[int, int] = {}          # pfn -> slot
        self.lru: OrderedDict[int, None] = OrderedDict()   # private anon pages, oldest first
        self.page_vaddr: dict[int, int] = {}          # pfn -> user address (page->index)
        self.pswpin = self.pswpout = 0

    @property
    def total(self) -> int:
        return max(0, self.nr_slots - 1)

    # -- slots ---------------------------------------------------------------------
    def get_swap_page(self) -> int | None:
        """scan_swap_map(): next free slot from cluster_next, wrapping once."""
        if self.used >= self.total:
            return None
        if self.next < self.nr_slots and self.swap_map[self.next] == 0:
            slot = self.next
            self.next = slot + 1 if slot + 1 < self.nr_slots else 1
            return slot
        free = np.flatnonzero(self.swap_map[self.next:] == 0)
        if len(free):
            slot = self.next + int(free[0])
        else:
            slot = 1 + int(np.flatnonzero(self.swap_map[1:] == 0)[0])
        self.next = slot + 1 if slot + 1 < self.nr_slots else 1
        return slot

    def swap_duplicate(self, slot: int) -> None:
        self.swap_map[slot] += 1

    def swap_free(self, m: Machine, slot: int, events) -> None:
        """swap_free(): one entry fewer; the slot and its cache link go at zero."""
        self.swap_map[slot] -= 1
        if self.swap_map[slot] == 0:
            self.used -= 1
            self.store.pop(slot, None)
            pfn = self.cache.pop(slot, None)
            if pfn is not None:
                del self.cache_slot[pfn]
                m.memmap.flags[pfn] = int(m.memmap.flags[pfn]) & ~pm.PG_swapcache
                from .memory import release_page
                release_page(m, pfn, events)

    def drop_cache(self, m: Machine, pfn: int, events) -> None:
        """The page is no longer mapped anywhere: delete_from_swap_cache (its slot keeps
        the data for the swap entries that remain)."""
        slot = self.cache_slot.pop(pfn, None)
        if slot is not None:
            del self.cache[slot]
            m.memmap.flags[pfn] = int(m.memmap.flags[pfn]) & ~pm.PG_swapcache
            m.memmap.refcount[pfn] -= 1

    def slot_of(self, m: Machine, pte: int) -> int:
        return swp_pte_decode(pte, m.config.pae, m.config.flavour)[1]

    def entry(self, m: Machine, slot: int) -> int:
        return swp_pte(0, slot, m.config.pae, m.config.flavour)


def _mappers(m: Machine, pfn: int, vaddr: int):
    """Every (process, entry address, PTE) mapping pfn: its pages all sit at vaddr
    (the anon_vma walk of the kernel, after fork every copy is at the same address)."""
    from .memory import pte_mapped, pte_pfn
    out = []
    for p in m.processes.values():
        pa = p.mm.pgd.pte_paddr(vaddr)
        if pa is None:
            continue
        pte = p.mm.pgd.read_entry(pa)
        if pte and pte_mapped(m, pte) and pte_pfn(m, pte) == pfn:
            out.append((p, pa, pte))
    return out


def page_referenced(m: Machine, pfn: int, events) -> bool:
    """Test and clear the Accessed bit in every PTE of the page."""
    young = False
    vaddr = m.swap_state.page_vaddr[pfn]
    for p, pa, pte in _mappers(m, pfn, vaddr):
        if pte & _PAGE_ACCESSED:
            young = True
            p.mm.pgd.set_entry(pa, pte & ~_PAGE_ACCESSED)
            if m.current == p.pid:
                flush_tlb_page(m, vaddr, events)
    return young


def swap_out_page(m: Machine, pfn: int, events) -> bool:
    """try_to_unmap() + pageout() for one anonymous page; False if no slot is free."""
    sw = m.swap_state
    slot = sw.cache_slot.get(pfn)
    if slot is None:
        slot = sw.get_swap_page()
        if slot is None:
            return False
        sw.used += 1
    buf = m.frames.frames.get(pfn)
    sw.store[slot] = bytes(buf) if buf is not None and any(buf) else None
    vaddr = sw.page_vaddr[pfn]
    entry = sw.entry(m, slot)
    maps = _mappers(m, pfn, vaddr)
    mm = m.memmap
    for p, pa, pte in maps:
        p.mm.pgd.set_entry(pa, entry)
        sw.swap_map[slot] += 1
        p.mm.swap_ents += 1
        p.mm.rss_anon -= 1
        mm.mapcount[pfn] -= 1
        mm.refcount[pfn] -= 1
        if m.current == p.pid:
            flush_tlb_page(m, vaddr, events)
    sw.pswpout += 1
    if events is not None:
        events.append(SwapOut(pfn, slot, len(maps), entry))
    sw.drop_cache(m, pfn, events)
    sw.lru.pop(pfn, None)
    sw.page_vaddr.pop(pfn, None)
    if mm.refcount[pfn] != 0 or mm.mapcount[pfn] != 0:
        raise AssertionError(f"swap-out of pfn {pfn:#x} left refcount {mm.refcount[pfn]}")
    mm.flags[pfn] = int(mm.flags[pfn]) & ~(pm.PG_anon | pm.PG_lru)
    m.frames.zero_frame(pfn)
    m.page_alloc.free(pfn, 0, events, expect_owner=pm.OWNER_USER)
    return True


def _low_zones(m: Machine, mark: str):
    return [z for z in m.zones if z.free_pages < getattr(z, mark)]


def kswapd(m: Machine, events, force: bool = False) -> int:
    """balance_pgdat(): reclaim while a zone is below its high watermark."""
    sw = m.swap_state
    low = _low_zones(m, "watermark_low")
    if not (low or force) or not sw.lru or sw.total == 0:
        return 0
    targets = {z.name for z in (_low_zones(m, "watermark_high") or m.zones)}
    reclaimed = 0
    scanned = 0
    budget = 2 * len(sw.lru) + 1
    while sw.lru and scanned < budget:
        if not force and not any(z.free_pages < z.watermark_high for z in m.zones
                                 if z.name in targets):
            break
        if force and reclaimed >= 32:
            break
        pfn = next(iter(sw.lru))
        scanned += 1
        if m.pfn_zone(pfn) not in targets:
            sw.lru.move_to_end(pfn)
            continue
        if page_referenced(m, pfn, events):
            sw.lru.move_to_end(pfn)
            if events is not None:
                events.append(Referenced(pfn))
            continue
        if not swap_out_page(m, pfn, events):
            break
        reclaimed += 1
    if events is not None:
        for z in low or m.zones[-1:]:
            events.append(Kswapd(z.name, z.free_pages, z.watermark_low, z.watermark_high,
                                 reclaimed))
    return reclaimed


def swap_meminfo(m: Machine) -> dict[str, int]:
    sw = m.swap_state
    return {"SwapTotal": sw.total * 4, "SwapFree": (sw.total - sw.used) * 4,
            "SwapCached": len(sw.cache) * 4}
