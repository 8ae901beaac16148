"""The page-fault handler for user addresses (arch/x86/mm/fault.c, mm/memory.c).

``do_user_fault`` is what runs after the MMU raised #PF: find_vma (expanding a stack
VMA downwards), access_error, then handle_pte_fault:
* below a VM_GROWSDOWN VMA: expand_stack(), refused before 4.20 for a user access more
  than 64 KB + 128 bytes below the stack pointer (Flavour.stack_below_sp_check);
* no PTE: do_anonymous_page -- a read maps the shared zero page read-only (not in
  2.6.24-2.6.31, Flavour.anon_read_zero_page: there a read gets a zeroed frame too,
  mapped dirty, and writable when the VMA is), a write
  gets a zeroed GFP_HIGHUSER_MOVABLE frame mapped writable and dirty; a read of a
  file mapping gets a page of its own (zero-filled: mmviz has no page cache, so the
  page stands for the file's page and is counted as anonymous); shared
  anonymous VMAs find their page in the shmem object; special mappings ([vdso],
  [vvar]) and the map driver's VMAs run their fault handler;
* a swap entry: do_swap_page;
* present, write to a read-only PTE: do_wp_page (copy, or reuse by the last user);
* otherwise a spurious fault: the A/D bits are set and the TLB entry refreshed.
Errors become ``SegFault`` with the kernel's "segfault at" line; the machine is left
as it was.  The HandleFault and Segv events carry the path taken (engine.fault_flow).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import physmem as pm
from .anon_vma import anon_vma_prepare
from .errors import OutOfMemory, SegFault
from .memory import flush_tlb_page, install_pte, make_pte, pte_mapped, pte_pfn, read_pte, vm_page_prot
from .mm import (PAGE_SIZE, RLIMIT_STACK, VM_EXEC, VM_GROWSDOWN, VM_READ, VM_SHARED,
                 VM_WRITE)
from .mmu import X86_PF_INSTR, X86_PF_PROT, X86_PF_USER, X86_PF_WRITE
from .paging import _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_RW
from .task_events import CowBreak, CowReuse, HandleFault, MapPte, Segv, SwapIn, VmaExtend
from .swap import kswapd

if TYPE_CHECKING:
    from .machine import Machine

USER_GFP = "GFP_HIGHUSER_MOVABLE"

# what handle_pte_fault() returned -> the engine.fault_flow nodes it went through
HOW_PATH: dict[str, tuple[str, ...]] = {
    "zero page": ("do_anonymous_page", "zero_page"),
    "anonymous page (read)": ("do_anonymous_page", "zeroed_page_read"),
    "anonymous page": ("do_anonymous_page", "zeroed_page"),
    "file page": ("do_fault", "file_page"),
    "file page (written)": ("do_fault", "file_cow"),
    "special mapping": ("do_fault", "special"),
    "map_driver nopage": ("do_fault", "driver"),
    "shared anonymous page": ("do_fault", "shmem"),
    "swap-in": ("do_swap_page", "swap_in"),
    "retry": ("do_swap_page", "retry"),
    "shared page made writable": ("do_wp_page", "wp_shared"),
    "copy-on-write: reused (last user)": ("do_wp_page", "cow_reuse"),
    "copy-on-write: copied": ("do_wp_page", "cow_copy"),
    "zero page replaced": ("do_wp_page", "cow_zero"),
    "retry (page went away under reclaim)": ("do_wp_page", "retry"),
    "spurious (TLB refreshed)": ("spurious",),
}


def segv_message(m: Machine, p, vaddr: int, code: int) -> str:
    """show_signal_msg(): the line the kernel logs for an unhandled user fault."""
    ip, sp = p.ip, p.sp
    fl = m.config.flavour
    if fl.log_segfault == "eip":                 # 2.6.24 fault_32.c: no vma, eip/esp
        return (f"{p.comm}[{p.pid}]: segfault at {vaddr:08x} eip {ip:08x} esp {sp:08x} "
                f"error {code:x}")
    msg = f"{p.comm}[{p.pid}]: segfault at {vaddr:x} ip {ip:08x} sp {sp:08x} error {code:x}"
    v = p.mm.vma_at(ip)
    if v is not None and v.file is not None:
        msg += f" in {v.file.path.rsplit('/', 1)[-1]}[{v.start:x}+{v.end - v.start:x}]"
    if fl.log_segfault_cpu:
        msg += " likely on CPU 0 (core 0, socket 0)"
    return msg


def bad_area(m: Machine, p, vaddr: int, code: int, events, why: str, path=("bad_area",)):
    """SIGSEGV: the Segv event (with ``path``, engine.fault_flow nodes) and the SegFault to raise."""
    msg = segv_message(m, p, vaddr, code)
    if events is not None:
        events.append(Segv(p.pid, vaddr, code, msg, tuple(path)))
    err = SegFault(msg)
    err.reason = why
    err.vaddr, err.error_code = vaddr, code
    return err


def alloc_user_page(m: Machine, events) -> int:
    """alloc_zeroed_user_highpage_movable(), with kswapd/direct reclaim around it."""
    try:
        pfn = m.alloc_pages(USER_GFP, 0, owner=pm.OWNER_USER)
    except OutOfMemory:
        if not kswapd(m, events, force=True):
            raise
        pfn = m.alloc_pages(USER_GFP, 0, owner=pm.OWNER_USER)
    m.frames.zero_frame(pfn)
    m.memmap.refcount[pfn] = 0                   # references come with the mappings
    kswapd(m, events)
    return pfn


def _new_anon_page(m: Machine, p, vma, pfn: int, vaddr: int) -> None:
    mm = m.memmap
    mm.flags[pfn] |= pm.PG_anon | pm.PG_lru
    sw = m.swap_state
    sw.lru[pfn] = None
    sw.page_vaddr[pfn] = vaddr & ~0xFFF


def _anon_page(m: Machine, p, vma, events) -> int:
    """anon_vma_prepare() (engine.anon_vma: the VMA's anon_vma object), then the page."""
    anon_vma_prepare(m, p.mm, vma)
    return alloc_user_page(m, events)


def _map(m: Machine, p, vaddr, pfn, flags, why, events, count=True):
    old = install_pte(m, p, vaddr & ~0xFFF, pfn, flags)
    if count and pfn != m.zero_pfn:
        m.memmap.mapcount[pfn] += 1
        m.memmap.refcount[pfn] += 1
    if events is not None:
        events.append(MapPte(p.pid, vaddr & ~0xFFF, pfn, make_pte(m, pfn, flags), why))
    if m.current == p.pid and old & 1:        # a new PTE needs no flush (#PF dropped it)
        flush_tlb_page(m, vaddr, events)
    return old


def expand_stack(m: Machine, p, vma, vaddr: int, events) -> bool:
    """expand_downwards(): the stack VMA grows to the faulting page, within limits."""
    addr = vaddr & ~0xFFF
    prev, _ = p.mm.find_vma_prev(vma.start - 1)
    if prev is vma:
        prev = None
    gap = m.config.flavour.stack_guard_gap_pages * PAGE_SIZE
    if prev is not None and prev.end + gap > addr:
        return False
    if vma.end - addr > RLIMIT_STACK:
        return False
    old = vma.start
    vma.pgoff -= (vma.start - addr) >> 12
    vma.start = addr
    if events is not None:
        events.append(VmaExtend(p.pid, vma.start, vma.end, old, vma.end))
    return True


def do_user_fault(m: Machine, p, vaddr: int, code: int, events) -> str:
    """Fix the fault or raise SegFault.  Returns what was done (for the events)."""
    vma = p.mm.find_vma(vaddr)
    path = ["find_vma"]
    if vma is None:
        raise bad_area(m, p, vaddr, code, events, "no VMA (SEGV_MAPERR)", (*path, "no_vma", "bad_area"))
    if m.config.flavour.vma_index == "mmap_cache":
        p.mm.mmap_cache = vma.start               # find_vma() caches what it found
    if vma.start > vaddr:
        if not vma.vm_flags & VM_GROWSDOWN:
            raise bad_area(m, p, vaddr, code, events, "no VMA (SEGV_MAPERR)",
                           (*path, "no_vma", "bad_area"))
        path.append("expand_stack")
        if (code & X86_PF_USER and m.config.flavour.stack_below_sp_check
                and vaddr + 65536 + 32 * 4 < p.sp):    # 2.6.24-4.19: below esp is a bug
            raise bad_area(m, p, vaddr, code, events, "more than 64 KB + 128 bytes below the "
                           "stack pointer (SEGV_MAPERR)", (*path, "bad_area"))
        if not expand_stack(m, p, vma, vaddr, events):
            raise bad_area(m, p, vaddr, code, events, "no VMA (SEGV_MAPERR)", (*path, "bad_area"))
    path.append("good_area")
    denied = (*path, "access_error", "bad_area")
    f = vma.vm_flags
    if code & X86_PF_WRITE:
        if not f & VM_WRITE:
            raise bad_area(m, p, vaddr, code, events, "write to a non-writable VMA", denied)
    elif code & X86_PF_PROT:
        raise bad_area(m, p, vaddr, code, events,
                       "instruction fetch from a non-executable page" if code & X86_PF_INSTR
                       else "protection fault on a present page", denied)
    elif not f & (VM_READ | VM_WRITE | VM_EXEC):
        raise bad_area(m, p, vaddr, code, events, "PROT_NONE VMA", denied)
    p.mm.pgd.pte_paddr(vaddr, alloc=True, user=True)     # pte_alloc() comes first
    how = handle_pte_fault(m, p, vma, vaddr, bool(code & X86_PF_WRITE), events)
    if events is not None:
        events.append(HandleFault(p.pid, vaddr, code, how, (*path, "handle_mm_fault", *HOW_PATH[how])))
    p.mm.update_hiwater()
    return how


def handle_pte_fault(m: Machine, p, vma, vaddr: int, write: bool, events) -> str:
    pa, pte = read_pte(m, p, vaddr)
    prot = vm_page_prot(m, vma.vm_flags)
    if pte == 0:
        if vma.ops is not None:
            return vma.ops.fault(m, p, vma, vaddr, events)
        if vma.shm is not None:
            return _shared_fault(m, p, vma, vaddr, prot, events)
        if vma.special is not None and vma.special in m.special_pages_names:
            pfn = m.special_page(vma.special, (vaddr - vma.start) >> 12)
            p.mm.rss_file += 1
            _map(m, p, vaddr, pfn, prot, vma.special, events)
            return "special mapping"
        if not write and vma.file is None and m.config.flavour.anon_read_zero_page:
            _map(m, p, vaddr, m.zero_pfn, prot & ~_PAGE_RW, "zero page", events)
            return "zero page"
        if not write and vma.file is None:   # 2.6.24-2.6.31: pte_mkdirty + maybe_mkwrite
            pfn = _anon_page(m, p, vma, events)
            _new_anon_page(m, p, vma, pfn, vaddr)
            p.mm.rss_anon += 1
            rw = _PAGE_RW if vma.vm_flags & VM_WRITE else 0
            _map(m, p, vaddr, pfn, prot | rw | _PAGE_DIRTY, "anonymous", events)
            return "anonymous page (read)"
        if not write:                  # a file page: its own (zero-filled) page, read-only
            pfn = alloc_user_page(m, events)
            _new_anon_page(m, p, vma, pfn, vaddr)
            p.mm.rss_anon += 1
            _map(m, p, vaddr, pfn, prot & ~_PAGE_RW, "file page", events)
            return "file page"
        pfn = _anon_page(m, p, vma, events)       # anonymous, or a private file page's copy
        _new_anon_page(m, p, vma, pfn, vaddr)
        p.mm.rss_anon += 1
        _map(m, p, vaddr, pfn, prot | _PAGE_RW | _PAGE_DIRTY, "anonymous", events)
        return "anonymous page" if vma.file is None else "file page (written)"
    if not pte_mapped(m, pte):
        return do_swap_page(m, p, vma, vaddr, pte, write, prot, events)
    if write and not pte & _PAGE_RW:
        return do_wp_page(m, p, vma, vaddr, pte, prot, events)
    p.mm.pgd.set_entry(pa, pte | _PAGE_ACCESSED | (_PAGE_DIRTY if write else 0))
    if m.current == p.pid:
        flush_tlb_page(m, vaddr, events)
    return "spurious (TLB refreshed)"


def do_wp_page(m: Machine, p, vma, vaddr, pte, prot, events) -> str:
    old = pte_pfn(m, pte)
    mm = m.memmap
    pa, _ = read_pte(m, p, vaddr)
    if vma.vm_flags & VM_SHARED:
        p.mm.pgd.set_entry(pa, pte | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED)
        if m.current == p.pid:
            flush_tlb_page(m, vaddr, events)
        return "shared page made writable"
    sw = m.swap_state
    if (old != m.zero_pfn and mm.flags[old] & pm.PG_anon and old not in sw.cache_slot
            and mm.refcount[old] == 1):
        p.mm.pgd.set_entry(pa, pte | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED)
        if m.current == p.pid:
            flush_tlb_page(m, vaddr, events)
        if events is not None:
            events.append(CowReuse(p.pid, vaddr & ~0xFFF, old))
        return "copy-on-write: reused (last user)"
    new = _anon_page(m, p, vma, events)
    pa, pte = read_pte(m, p, vaddr)         # reclaim may have touched this PTE
    if not pte_mapped(m, pte) or pte_pfn(m, pte) != old:
        m.frames.zero_frame(new)
        m.page_alloc.free(new, 0, events, expect_owner=pm.OWNER_USER)
        return "retry (page went away under reclaim)"
    if old != m.zero_pfn:
        m.frames.copy_frame(new, old)
    _new_anon_page(m, p, vma, new, vaddr)
    p.mm.pgd.set_entry(pa, 0)
    if old != m.zero_pfn:
        from .memory import unmap_page
        unmap_page(m, p, old, events)
    p.mm.rss_anon += 1
    _map(m, p, vaddr, new, prot | _PAGE_RW | _PAGE_DIRTY, "cow copy", events)
    if events is not None:
        events.append(CowBreak(p.pid, vaddr & ~0xFFF, old, new))
    return "copy-on-write: copied" if old != m.zero_pfn else "zero page replaced"


def do_swap_page(m: Machine, p, vma, vaddr, pte, write, prot, events) -> str:
    sw = m.swap_state
    slot = sw.slot_of(m, pte)
    pfn = sw.cache.get(slot)
    cached = pfn is not None
    if not cached:
        pfn = alloc_user_page(m, events)
        pa, now = read_pte(m, p, vaddr)
        if now != pte:                           # reclaim ran; start over
            m.frames.zero_frame(pfn)
            m.page_alloc.free(pfn, 0, events, expect_owner=pm.OWNER_USER)
            return "retry"
        data = sw.store.get(slot)
        if data is not None:
            m.frames.write(pfn << 12, data)
        _new_anon_page(m, p, vma, pfn, vaddr)
        sw.cache[slot] = pfn
        sw.cache_slot[pfn] = slot
        m.memmap.flags[pfn] |= pm.PG_swapcache
        m.memmap.refcount[pfn] = 1               # the swap cache's reference
        sw.pswpin += 1
    p.mm.swap_ents -= 1
    p.mm.rss_anon += 1
    pa, _ = read_pte(m, p, vaddr)
    p.mm.pgd.set_entry(pa, 0)
    _map(m, p, vaddr, pfn, prot, "swap-in", events)
    sw.swap_free(m, slot, events)              # may drop the cache link
    if write and pfn not in sw.cache_slot and m.memmap.mapcount[pfn] == 1:
        pte = p.mm.pgd.read_entry(pa)          # reuse_swap_page(): writable at once
        p.mm.pgd.set_entry(pa, pte | _PAGE_RW | _PAGE_DIRTY)
    if sw.page_vaddr.get(pfn) is None:
        sw.page_vaddr[pfn] = vaddr & ~0xFFF
    if events is not None:
        events.append(SwapIn(p.pid, vaddr & ~0xFFF, slot, pfn, cached))
    return "swap-in"


def _shared_fault(m: Machine, p, vma, vaddr, prot, events) -> str:
    """shmem_fault(): the shared anonymous object's page (allocated on first touch)."""
    idx = vma.pgoff + ((vaddr - vma.start) >> 12)
    obj = vma.shm
    pfn = obj.pages.get(idx)
    if pfn is None:
        pfn = alloc_user_page(m, events)
        obj.pages[idx] = pfn
        m.memmap.refcount[pfn] = 1               # the shmem object's reference
    p.mm.rss_shmem += 1
    _map(m, p, vaddr, pfn, prot, "shared anonymous", events)
    return "shared anonymous page"
