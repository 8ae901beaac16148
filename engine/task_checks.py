"""m.check() for user processes: page tables, mapcounts, swap slots and leaks agree."""
from __future__ import annotations

from typing import TYPE_CHECKING

from collections import Counter

import numpy as np

from . import physmem as pm
from .errors import InvariantError
from .kmsg import bad_pte_message, bad_swap_message, page_ok, swap_entry_ok
from .memory import pte_mapped, pte_pfn, pte_tables
from .mm import TASK_SIZE, VM_EXEC, VM_READ, VM_SHARED, VM_WRITE
from .paging import _PAGE_NX, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER

if TYPE_CHECKING:
    from .machine import Machine


def _fail(msg: str) -> None:
    raise InvariantError(msg)


def check_processes(m: Machine) -> None:
    sw = m.swap_state
    mem = m.memmap
    maps: Counter = Counter()
    slots: Counter = Counter()
    nx_on = m.config.pae and m.config.nx
    table_pfns: set[int] = set()
    for p in m.processes.values():
        mm = p.mm
        prev_end = 0
        for v in mm.vmas:
            if v.start >= v.end or v.start & 0xFFF or v.end & 0xFFF or v.start < prev_end:
                _fail(f"pid {p.pid}: VMA {v} is empty, unaligned or overlaps its neighbour")
            if v.end > TASK_SIZE:
                _fail(f"pid {p.pid}: VMA {v} reaches into kernel space")
            prev_end = v.end
        table_pfns |= mm.pgd.owned
        anon = shmem = other = swapents = 0
        for va0, arr, lo, hi in pte_tables(m, mm.pgd, 0, TASK_SIZE):
            nz = np.nonzero(arr[lo:hi])[0]
            for k in nz.tolist():
                pte = int(arr[lo + k])
                va = va0 + ((lo + k) << 12)
                v = mm.vma_at(va)
                if v is None:
                    _fail(f"pid {p.pid}: PTE {pte:#x} at {va:#010x} lies outside every VMA")
                if not pte_mapped(m, pte):
                    if not swap_entry_ok(m, pte):
                        _fail(f"pid {p.pid}: {bad_swap_message(m, pte)} at {va:#010x}")
                    slots[sw.slot_of(m, pte)] += 1
                    swapents += 1
                    continue
                pfn = pte_pfn(m, pte)
                if pfn != m.zero_pfn and not page_ok(m, pfn):
                    pmd = mm.pgd.read_entry(mm.pgd.pde_paddr(va))
                    _fail(bad_pte_message(m, p, pte, pmd, va, v.vm_flags) +
                          f" (pfn {pfn:#x} is {'beyond RAM' if pfn >= m.max_pfn else 'free'})")
                if pte & _PAGE_PRESENT:
                    f = v.vm_flags
                    if not pte & _PAGE_USER:
                        _fail(f"pid {p.pid}: user PTE at {va:#010x} lacks the U/S bit")
                    if pte & _PAGE_RW and not f & VM_WRITE:
                        _fail(f"pid {p.pid}: writable PTE at {va:#010x} in VMA {v.prot}")
                    if pte & _PAGE_RW and not f & VM_SHARED and pfn != m.zero_pfn and \
                            mem.owner[pfn] == pm.OWNER_USER and mem.mapcount[pfn] > 1:
                        _fail(f"pid {p.pid}: page {pfn:#x} shared by {mem.mapcount[pfn]} PTEs "
                              f"is writable at {va:#010x} (COW broken)")
                    if nx_on and not pte & _PAGE_NX and not f & VM_EXEC:
                        _fail(f"pid {p.pid}: executable PTE at {va:#010x} in VMA {v.prot}")
                    if not f & (VM_READ | VM_WRITE | VM_EXEC):
                        _fail(f"pid {p.pid}: present PTE at {va:#010x} in a PROT_NONE VMA")
                if pfn == m.zero_pfn:
                    if pte & _PAGE_RW:
                        _fail(f"pid {p.pid}: the zero page is writable at {va:#010x}")
                    continue
                maps[pfn] += 1
                if mem.owner[pfn] == pm.OWNER_USER:
                    if mem.flags[pfn] & pm.PG_anon:
                        anon += 1
                    else:
                        shmem += 1
                else:
                    other += 1
        if (anon, shmem, other, swapents) != (mm.rss_anon, mm.rss_shmem, mm.rss_file,
                                               mm.swap_ents):
            _fail(f"pid {p.pid}: counters anon/shmem/file/swap {mm.rss_anon}/{mm.rss_shmem}/"
                  f"{mm.rss_file}/{mm.swap_ents} but page tables say "
                  f"{anon}/{shmem}/{other}/{swapents}")
    # mapcount == number of PTEs mapping the frame
    mapped = np.flatnonzero(mem.mapcount)
    for pfn in set(mapped.tolist()) | set(maps):
        if mem.mapcount[pfn] != maps.get(pfn, 0):
            _fail(f"pfn {pfn:#x}: mapcount {mem.mapcount[pfn]} but {maps.get(pfn, 0)} PTEs "
                  f"map it")
    # refcount of user pages: mappings + swap cache + shared-anon object
    shm_pages = Counter()
    for p in m.processes.values():
        seen = set()
        for v in p.mm.vmas:
            if v.shm is not None and v.shm.id not in seen:
                seen.add(v.shm.id)
                for pfn in v.shm.pages.values():
                    shm_pages[pfn] = 1
    user = np.flatnonzero(mem.owner == pm.OWNER_USER)
    for pfn in user.tolist():
        want = int(mem.mapcount[pfn]) + (pfn in sw.cache_slot) + shm_pages.get(pfn, 0)
        if want == 0:
            _fail(f"pfn {pfn:#x}: user page held by nobody (leaked)")
        if mem.refcount[pfn] != want:
            _fail(f"pfn {pfn:#x}: refcount {mem.refcount[pfn]}, expected {want} "
                  f"(mapcount {mem.mapcount[pfn]}, swap cache {pfn in sw.cache_slot})")
        if mem.flags[pfn] & pm.PG_anon and pfn not in sw.lru:
            _fail(f"pfn {pfn:#x}: anonymous page missing from the LRU")
    for pfn in sw.lru:
        if mem.owner[pfn] != pm.OWNER_USER:
            _fail(f"pfn {pfn:#x} on the LRU is not a user page")
    # swap slots used == swap entries
    used = np.flatnonzero(sw.swap_map)
    if len(used) != sw.used:
        _fail(f"swap: {sw.used} slots counted used but swap_map has {len(used)}")
    for slot in set(used.tolist()) | set(slots):
        if sw.swap_map[slot] != slots.get(slot, 0):
            _fail(f"swap slot {slot}: swap_map {sw.swap_map[slot]} but {slots.get(slot, 0)} "
                  f"swap entries refer to it")
    for slot, pfn in sw.cache.items():
        if sw.cache_slot.get(pfn) != slot or not sw.swap_map[slot]:
            _fail(f"swap cache: slot {slot} <-> pfn {pfn:#x} inconsistent")
    # every page-table frame belongs to the kernel or to a live process
    kernel = set(m.kernel_pt.table_pfns) | {m.swapper_pg_dir >> 12}
    pgt = set(np.flatnonzero(mem.owner == pm.OWNER_PGTABLE).tolist())
    stray = pgt - kernel - table_pfns
    if stray:
        _fail(f"page-table frames {sorted(stray)[:4]} belong to no process (leaked)")
