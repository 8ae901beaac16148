"""Page-table work on user address spaces (mm/memory.c, mm/mprotect.c, kernel/fork.c).

* ``vm_page_prot`` -- protection_map[]: the PTE bits a VMA's flags give.
* ``pte_tables`` -- the page tables under a range, as writable numpy views of the
  frames that hold them (entries are edited in place, in simulated memory).
* ``zap_range`` (zap_pte_range + free_pgtables), ``change_protection``,
  ``copy_range`` (copy_page_range at fork: private pages write-protected in both, the
  child's entries old; swap entries duplicated).

Page accounting: ``memmap.mapcount`` = number of PTEs mapping the frame (the shared
zero page is never counted, as vm_normal_page() skips it); ``refcount`` = mapcount
+ 1 while the page sits in the swap cache + 1 while a shared-anonymous object or the
vmalloc area of a driver holds it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import physmem as pm
from .mm import VM_EXEC, VM_READ, VM_SHARED, VM_WRITE
from .paging import (PAE_ADDR_MASK, _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_NX, _PAGE_PRESENT,
                     _PAGE_RW, _PAGE_TABLE, _PAGE_USER, mk_pae_entry, mk_pte, protnone_bit)
from .mmu_events import TlbFlush
from .task_events import FreePgtable, UnmapPte

if TYPE_CHECKING:
    from .machine import Machine

FLUSH_ALL_CEILING = 33          # tlb_single_page_flush_ceiling


def vm_page_prot(m: Machine, vm_flags: int) -> int:
    """protection_map[vm_flags & 0xf]: private writable pages start read-only (COW)."""
    if not vm_flags & (VM_READ | VM_WRITE | VM_EXEC):
        return (1 << protnone_bit(m.config.flavour)) | _PAGE_ACCESSED      # PAGE_NONE
    f = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED
    if vm_flags & VM_WRITE and vm_flags & VM_SHARED:
        f |= _PAGE_RW
    if m.config.pae and m.config.nx and not vm_flags & VM_EXEC:
        f |= _PAGE_NX
    return f


def make_pte(m: Machine, pfn: int, flags: int) -> int:
    if m.config.pae:
        return mk_pae_entry(pfn << 12, flags, 36)
    return mk_pte(pfn << 12, flags)


def pte_pfn(m: Machine, pte: int) -> int:
    return (pte & (PAE_ADDR_MASK if m.config.pae else 0xFFFF_F000)) >> 12


def pte_mapped(m: Machine, pte: int) -> bool:
    """pte_present() of the kernel: present, or PROT_NONE (address kept, P clear)."""
    return bool(pte & (_PAGE_PRESENT | (1 << protnone_bit(m.config.flavour))))


def pte_tables(m: Machine, pgd, start: int, end: int, alloc_from=None):
    """(first vaddr of the table, numpy view of its entries, lo, hi) for each page table
    under [start, end).  With ``alloc_from`` (a PageTables), tables missing in ``pgd``
    are allocated where ``alloc_from`` has one (fork)."""
    pae = m.config.pae
    span_shift = 21 if pae else 22
    n = 512 if pae else 1024
    dt = np.uint64 if pae else np.uint32
    fd = m.frames.frames
    src = alloc_from if alloc_from is not None else pgd
    va = start & ~((1 << span_shift) - 1)
    while va < end:
        nxt = va + (1 << span_shift)
        pde_pa = src.pde_paddr(va)
        if pde_pa is not None:
            pde = src.read_entry(pde_pa)
            if pde & _PAGE_PRESENT and not pde & 0x80:
                if alloc_from is not None:
                    pgd.pte_paddr(va, alloc=True, user=True)
                    pde = pgd.read_entry(pgd.pde_paddr(va))
                table = pde & (PAE_ADDR_MASK if pae else 0xFFFF_F000)
                buf = fd.get(table >> 12)
                if buf is None:
                    buf = fd[table >> 12] = bytearray(4096)
                lo = max(0, (start - va) >> 12)
                hi = min(n, (end - va + 0xFFF) >> 12)
                yield va, np.frombuffer(buf, dtype=dt), lo, hi
        va = nxt


def flush_tlb_page(m: Machine, vaddr: int, events) -> None:
    """INVLPG of one page (both TLBs, any page size), found by lookup, not by a scan."""
    tlb, n = m.tlb, 0
    for exec_ in (False, True):
        hit = tlb.lookup(vaddr, exec_)
        while hit is not None:
            arr, si, way = hit[1], hit[2], hit[3]
            arr.sets[si][way] = None
            n += 1
            hit = tlb.lookup(vaddr, exec_)
    if events is not None:
        events.append(TlbFlush("invlpg", vaddr, n))


def flush_range(m: Machine, pid: int, start: int, end: int, events) -> None:
    """flush_tlb_range(): only the running process can have TLB entries of its own."""
    if m.current != pid:
        return
    if (end - start) >> 12 > FLUSH_ALL_CEILING:
        m.tlb.flush_nonglobal(events)
    else:
        for va in range(start, end, 4096):
            flush_tlb_page(m, va, events)


def release_page(m: Machine, pfn: int, events) -> None:
    """put_page() after a mapping went away: frees the frame when nobody holds it."""
    mm = m.memmap
    mm.refcount[pfn] -= 1
    if mm.refcount[pfn] == 0:
        sw = m.swap_state
        sw.lru.pop(pfn, None)
        sw.page_vaddr.pop(pfn, None)
        m.frames.zero_frame(pfn)
        mm.flags[pfn] = int(mm.flags[pfn]) & ~(pm.PG_anon | pm.PG_lru | pm.PG_swapcache)
        m.page_alloc.free(pfn, 0, events, expect_owner=pm.OWNER_USER)


def unmap_page(m: Machine, p, pfn: int, events) -> None:
    """page_remove_rmap() + put_page() for one PTE that mapped pfn."""
    if pfn == m.zero_pfn:
        return
    mm = m.memmap
    mm.mapcount[pfn] -= 1
    owner = mm.owner[pfn]
    if owner == pm.OWNER_USER:
        if mm.flags[pfn] & pm.PG_anon:
            p.mm.rss_anon -= 1
        else:
            p.mm.rss_shmem -= 1
        if mm.mapcount[pfn] == 0:
            m.swap_state.drop_cache(m, pfn, events)
        release_page(m, pfn, events)
    else:                                   # driver / vdso pages: the kernel keeps them
        p.mm.rss_file -= 1
        mm.refcount[pfn] -= 1
        if mm.refcount[pfn] == 0 and pfn in m.vmap.orphans:
            m.vmap.orphans.discard(pfn)     # the last user of a vfree'd driver page
            m.frames.zero_frame(pfn)
            m.page_alloc.free(pfn, 0, events, expect_owner=pm.OWNER_VMALLOC)


def entry_ok(m: Machine, pte: int) -> bool:
    """vm_normal_page() / the swap entry checks: False for a PTE that maps a frame
    without a struct page, a free one or one whose page has no mapcount left to lose (a hole, a
    kernel page: page_remove_rmap() would take it below zero), or a swap entry naming no used
    slot."""
    from .kmsg import page_ok, swap_entry_ok
    if pte_mapped(m, pte):
        pfn = pte_pfn(m, pte)
        return pfn == m.zero_pfn or (page_ok(m, pfn) and m.memmap.mapcount[pfn] > 0)
    return swap_entry_ok(m, pte)


def report_bad_pte(m: Machine, p, va: int, pte: int, events, zap: bool = True, vma=None,
                   own_mm: bool = True) -> None:
    """print_bad_pte() of a PTE mapping no page: its lines (engine.kmsg_pte: from 2.6.29 the page
    dump when zapping a frame that has a struct page -- zap_pte_range() passes the page after
    page_remove_rmap() took its mapcount below zero, 2.6.29 mm/memory.c:825-827, 6.1.0 l.1462-1463;
    vm_normal_page() passes NULL for a frame past mem_map -- the VMA's addr and file lines),
    dump_stack(), then (2.6.29 on, 2.6.29 mm/memory.c:436) add_taint(TAINT_BAD_PAGE) (engine.taint).  A swap entry naming no
    used slot: when zapping (``zap``) swap_info_get()'s complaint (engine.kmsg_swap), from 2.6.29
    print_bad_pte() as well (rule swap_bad_pte); fork's copy_one_pte() swap_duplicate()'s own
    complaint, if the release prints one (rule log_swap_dup), never print_bad_pte().
    ``vma``: the VMA the caller walks (None: the one at ``va``); ``own_mm`` False at exit_mmap(),
    where current->mm is already NULL (2.6.24's "process = ???").  The caller leaves the page's
    counters alone."""
    from .kmsg import dump_stack_lines, printk
    from .kmsg_pte import bad_pte_lines, bad_pte_ratelimit
    from .kmsg_swap import swap_complaint, swap_dup_complaint
    from .taint import TAINT_BAD_PAGE, add_taint
    lines, bad_pte = [], pte_mapped(m, pte)
    if not bad_pte:
        complaint, refused = swap_complaint(m, pte) if zap else (swap_dup_complaint(m, pte), False)
        lines += [complaint] if complaint else []
        bad_pte = zap and refused and m.config.flavour.swap_bad_pte
    if bad_pte and m.config.flavour.bad_pte_line == "bad_page_map":
        go, missed = bad_pte_ratelimit(m)       # 60 a minute, then quiet (rule bad_pte_burst)
        lines += [missed] if missed else []
        bad_pte = go
    if bad_pte:
        pmd_pa = p.mm.pgd.pde_paddr(va)
        pmd = p.mm.pgd.read_entry(pmd_pa) if pmd_pa is not None else 0
        pfn = pte_pfn(m, pte) if zap and pte_mapped(m, pte) else None   # zap_pte_range()'s page
        page = pfn if pfn is not None and 0 <= pfn < m.memmap.nr_pfns else None
        v = vma if vma is not None else p.mm.vma_at(va)
        lines += [*bad_pte_lines(m, p, v, va, pte, pmd, page, own_mm), *dump_stack_lines(m, p.pid, p.comm)]
    if lines:
        printk(m, "alert", lines, events)
    if bad_pte and m.config.flavour.bad_pte_line == "bad_page_map":
        add_taint(m, TAINT_BAD_PAGE)


def check_mapcounts(m: Machine, p, start: int, end: int) -> None:
    """Before a zap of [start, end) changes anything, on 2.6.20-2.6.28 (rule zap_bad_mapcount
    "eeek"): raise page_remove_rmap()'s BUG() (engine.kmsg_pte.eeek_bug) for the first PTE whose
    page -- below max_pfn, so vm_normal_page() returns it (2.6.24 mm/memory.c:402 pfn_valid()) --
    would lose a mapcount it does not have: a free frame, a hole or a kernel page, or a page
    mapped by more PTEs than its mapcount.  The kernel kills the task; mmviz fails the
    operation and leaves the machine as it was."""
    if m.config.flavour.zap_bad_mapcount != "eeek":
        return
    mc, left = m.memmap.mapcount, {}
    for va0, arr, lo, hi in pte_tables(m, p.mm.pgd, start, end):
        seg = arr[lo:hi]
        for k in np.nonzero(seg)[0].tolist():
            pte = int(seg[k])
            pfn = pte_pfn(m, pte)
            if not pte_mapped(m, pte) or pfn == m.zero_pfn or pfn >= m.max_pfn:
                continue
            left[pfn] = left.get(pfn, int(mc[pfn])) - 1
            if left[pfn] < 0:
                from .kmsg_pte import eeek_bug
                va = va0 + ((lo + k) << 12)
                raise eeek_bug(m, p.mm.vma_at(va), va, pte, pfn, left[pfn])


def zap_range(m: Machine, p, start: int, end: int, events, free_tables=True, floor=0,
              ceiling=1 << 32, vma=None, exiting: bool = False) -> int:
    """zap_page_range(): clear every PTE in [start, end) (of ``vma``, for print_bad_pte()), drop
    pages and swap slots.  ``exiting``: exit_mmap() after exit_mm() dropped current->mm."""
    n = 0
    pae = m.config.pae
    sw = m.swap_state
    for va0, arr, lo, hi in pte_tables(m, p.mm.pgd, start, end):
        seg = arr[lo:hi]
        nz = np.nonzero(seg)[0]
        if not len(nz):
            continue
        vals = [int(x) for x in seg[nz]]
        seg[nz] = 0
        for k, pte in zip(nz.tolist(), vals):
            va = va0 + ((lo + k) << 12)
            if not entry_ok(m, pte):                 # a scribbled entry: report, skip
                report_bad_pte(m, p, va, pte, events, vma=vma, own_mm=not exiting)
                if not pte_mapped(m, pte) and m.config.flavour.swapents_bad_entry:
                    # rss[MM_SWAPENTS]-- before free_swap_and_cache() refuses it (2.6.34
                    # mm/memory.c:976-978, 6.1.0 l.1493-1494): the counter drifts below the tables
                    p.mm.swap_ents_drift -= 1
            elif pte_mapped(m, pte):
                pfn = pte_pfn(m, pte)
                unmap_page(m, p, pfn, events)
                if events is not None:
                    events.append(UnmapPte(p.pid, va, pfn))
            else:
                sw.swap_free(m, sw.slot_of(m, pte), events)
                p.mm.swap_ents -= 1
            n += 1
    if n:
        flush_range(m, p.pid, start, end, events)
    if free_tables:
        free_pgtables(m, p, floor, ceiling, events)
    del pae
    return n


def free_pgtables(m: Machine, p, floor: int, ceiling: int, events) -> None:
    """Release page tables whose whole span lies in [floor, ceiling) and maps nothing."""
    pae = m.config.pae
    span = (2 << 20) if pae else (4 << 20)
    pgd = p.mm.pgd
    va = (floor + span - 1) & ~(span - 1)
    top = min(ceiling, 0xC000_0000)
    while va + span <= top:
        pde_pa = pgd.pde_paddr(va)
        if pde_pa is not None:
            pde = pgd.read_entry(pde_pa)
            table = pde & (PAE_ADDR_MASK if pae else 0xFFFF_F000)
            pfn = table >> 12
            if pde & _PAGE_PRESENT and pfn in pgd.owned:
                buf = m.frames.frames.get(pfn)
                if buf is None or not any(buf):
                    pgd.set_entry(pde_pa, 0)
                    pgd.owned.discard(pfn)
                    m.frames.zero_frame(pfn)
                    m.page_alloc.free(pfn, 0, events, expect_owner=pm.OWNER_PGTABLE)
                    if events is not None:
                        events.append(FreePgtable(p.pid, va, pfn))
                    if m.current == p.pid:
                        m.tlb.flush_nonglobal(events)
        va += span


def change_protection(m: Machine, p, vma, start: int, end: int, events) -> None:
    """change_pte_range(): present (and PROT_NONE) PTEs take the VMA's new protection.
    A private writable page stays read-only unless it is exclusively ours (6.1 makes
    such PTEs writable again at once; 2.6 waits for the write fault to reuse it)."""
    newprot = vm_page_prot(m, vma.vm_flags)
    exclusive_rw = m.config.flavour.mprotect_exclusive_writable
    mm = m.memmap
    keep = _PAGE_ACCESSED | _PAGE_DIRTY
    for va0, arr, lo, hi in pte_tables(m, p.mm.pgd, start, end):
        seg = arr[lo:hi]
        for k in np.nonzero(seg)[0].tolist():
            pte = int(seg[k])
            if not pte_mapped(m, pte):
                continue
            pfn = pte_pfn(m, pte)
            flags = newprot | (pte & keep if newprot & _PAGE_PRESENT else 0)
            if (exclusive_rw and vma.vm_flags & VM_WRITE and not vma.vm_flags & VM_SHARED
                    and pfn != m.zero_pfn and mm.refcount[pfn] == 1 and pte & _PAGE_DIRTY
                    and mm.flags[pfn] & pm.PG_anon):
                flags |= _PAGE_RW
            seg[k] = make_pte(m, pfn, flags)
    flush_range(m, p.pid, start, end, events)


def copy_range(m: Machine, parent, child, vma, events) -> None:
    """copy_page_range() for one private VMA: share every page copy-on-write.

    copy_one_pte() copies every entry it finds, a bad one too (2.6.24 mm/memory.c:434-455 a swap
    entry whatever swap_duplicate() says, then l.477-485 vm_normal_page() and set_pte_at() at
    out_set_pte whether or not it found a page; 2.6.29 l.555/575/595-603; 6.1's copy_present_pte()
    and copy_nonpresent_pte() the same), write-protected where the mapping is COW, old in the
    child.  What it says about one: a frame past mem_map -- vm_normal_page()'s print_bad_pte()
    (2.6.24 l.402-403 under CONFIG_DEBUG_VM, 2.6.29 l.522-523 always); a swap entry naming no used
    slot -- swap_duplicate()'s complaint per release (engine.kmsg_swap); a free frame or a hole --
    nothing: vm_normal_page() does not look at the page.  Simplified: the kernel then takes a
    reference and a mapcount on that page (get_page(), page_dup_rmap(), 2.6.24 l.479-480; with
    CONFIG_DEBUG_VM get_page()'s VM_BUG_ON(count == 0), include/linux/mm.h:248, for a free one);
    mmviz counts no bad page and leaves the page's counters alone.  A bad swap entry the child gets
    is counted in its MM_SWAPENTS from 2.6.34 (mm.swap_ents_drift, rule swapents_bad_entry)."""
    pae = m.config.pae
    mm = m.memmap
    sw = m.swap_state
    addr_mask = np.uint64(PAE_ADDR_MASK) if pae else np.uint32(0xFFFF_F000)
    mapped_bits = _PAGE_PRESENT | (1 << protnone_bit(m.config.flavour))
    dt = np.uint64 if pae else np.uint32
    rw, acc = dt(_PAGE_RW), dt(_PAGE_ACCESSED)
    cow = not vma.vm_flags & VM_SHARED
    cpgd = child.mm.pgd
    for va0, arr, lo, hi in pte_tables(m, parent.mm.pgd, vma.start, vma.end):
        seg = arr[lo:hi]
        nz = np.nonzero(seg)[0]
        if not len(nz):
            continue
        carr = next(pte_tables(m, cpgd, va0 + (lo << 12), va0 + (hi << 12),
                               alloc_from=parent.mm.pgd))[1]
        ptes = seg[nz]
        mapped = (ptes & dt(mapped_bits)) != 0
        allpfn = ((ptes & addr_mask) >> dt(12)).astype(np.int64)
        inram = allpfn < m.max_pfn
        own = mm.owner[np.where(inram, allpfn, 0)]
        good = np.where(mapped, (allpfn == m.zero_pfn) | (inram & (own != pm.OWNER_FREE)
                                                            & (own != pm.OWNER_HOLE)), True)
        for k in np.flatnonzero(~mapped).tolist():
            good[k] = entry_ok(m, int(ptes[k]))
        for k in np.flatnonzero(~good & ~(mapped & inram)).tolist():     # what copy_one_pte() says
            report_bad_pte(m, parent, va0 + ((lo + int(nz[k])) << 12), int(ptes[k]),
                           events, zap=False, vma=vma)
        if m.config.flavour.swapents_bad_entry:     # 2.6.34 mm/memory.c:676 rss[MM_SWAPENTS]++
            child.mm.swap_ents_drift += int(np.count_nonzero(~good & ~mapped))
        if cow:
            ptes = np.where(mapped, ptes & ~rw, ptes)
            seg[nz] = ptes
        carr[lo + nz] = np.where(mapped, ptes & ~acc, ptes)            # every entry, a bad one too
        ptes, mapped = ptes[good], mapped[good]                          # counted: the good ones
        pfns = ((ptes[mapped] & addr_mask) >> dt(12)).astype(np.int64)
        pfns = pfns[pfns != m.zero_pfn]
        np.add.at(mm.mapcount, pfns, 1)
        np.add.at(mm.refcount, pfns, 1)
        child.mm.rss_anon += int(len(pfns))
        swp = ptes[~mapped]
        for pte in swp.tolist():
            sw.swap_duplicate(sw.slot_of(m, int(pte)))
        child.mm.swap_ents += len(swp)
    if cow:
        flush_range(m, parent.pid, vma.start, vma.end, events)


def install_pte(m: Machine, p, vaddr: int, pfn: int, flags: int) -> int:
    """set_pte_at() (page table allocated with _PAGE_TABLE on demand); returns old PTE."""
    pgd = p.mm.pgd
    return pgd.set_entry(pgd.pte_paddr(vaddr, alloc=True, user=True), make_pte(m, pfn, flags))


def read_pte(m: Machine, p, vaddr: int) -> tuple[int | None, int]:
    """(entry address or None, entry value) of vaddr's PTE in process p."""
    pgd = p.mm.pgd
    pa = pgd.pte_paddr(vaddr)
    if pa is None:
        return None, 0
    return pa, pgd.read_entry(pa)


_PAGE_TABLE_USER = _PAGE_TABLE
