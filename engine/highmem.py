"""kmap / kunmap and kmap_atomic / kunmap_atomic, after mm/highmem.c and
arch/x86/mm/highmem_32.c.

Persistent kmaps use the LAST_PKMAP slots at PKMAP_BASE (one page table).
``pkmap_count[slot]`` is 0 for a free slot whose TLB entry is gone, 1 for a slot
still mapped but unused (it needs a flush before reuse), n >= 2 for n - 1 users.
A new mapping scans from ``last_pkmap_nr + 1`` (so the first slot used is 1); each
time the scan wraps to 0, ``flush_all_zero_pkmaps`` clears every count-1 slot and
flushes the TLB once.  Lowmem pages are not mapped at all: kmap returns their
direct-map address.

Atomic kmaps use the fixmap: slot FIX_KMAP_BEGIN + idx with idx = type +
KM_TYPE_NR * cpu (2.6.24, explicit km_type), the next index of the CPU's stack +
KM_TYPE_NR * cpu (2.6.37-5.10, kmap_atomic_idx_push) or of the task's kmap_local stack +
KM_MAX_IDX * cpu (5.11+, kmap_local_idx_push); the address is fix_to_virt(slot), so CPU 0's first
slot is the highest.  kunmap_atomic clears the PTE and invalidates that one page.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import BadFree, ConfigError, KernelError, KernelOops
from .kmsg_notes import note
from .kmem_events import (KernelMapPte, KernelUnmapPte, Kmap, KmapAtomic, Kunmap,
                            KunmapAtomic, PkmapFlush)
from .vmalloc import kernel_pte_flags

if TYPE_CHECKING:
    from .machine import Machine

KM_TYPES_26 = ("KM_BOUNCE_READ", "KM_SKB_SUNRPC_DATA", "KM_SKB_DATA_SOFTIRQ", "KM_USER0",
               "KM_USER1", "KM_BIO_SRC_IRQ", "KM_BIO_DST_IRQ", "KM_PTE0", "KM_PTE1",
               "KM_IRQ0", "KM_IRQ1", "KM_SOFTIRQ0", "KM_SOFTIRQ1")


class Highmem:
    """pkmap_count, page_address() of kmapped pages, last_pkmap_nr, atomic slots
    (slotted: kmap's hot path, engine.slots)."""

    __slots__ = ("last_pkmap", "count", "slot_of", "pfn_at", "last_pkmap_nr", "per_cpu", "stacks")

    def __init__(self, m: Machine) -> None:
        L = m.layout
        self.last_pkmap = L.last_pkmap
        self.count = [0] * L.last_pkmap
        self.slot_of: dict[int, int] = {}      # pfn -> pkmap slot (page_address hash)
        self.pfn_at: dict[int, int] = {}       # slot -> pfn
        self.last_pkmap_nr = 0
        fl = m.config.flavour
        self.per_cpu = fl.kmap_slots_per_cpu
        self.stacks: list[list[tuple[int, int]]] = [[] for _ in range(m.config.cpus)]

    def _pkmap_addr(self, m: Machine, nr: int) -> int:
        return m.layout.pkmap_base + (nr << 12)

    @staticmethod
    def _page(m: Machine, pfn: int) -> None:
        if not isinstance(pfn, int) or not 0 <= pfn < m.max_pfn or m.memmap.zone[pfn] < 0:
            raise ConfigError(f"kmap: {pfn!r} is not the pfn of a RAM page")

    # -- persistent kmaps ------------------------------------------------------------------
    def _flush_all_zero(self, m: Machine, events) -> None:
        pt = m.kernel_pt.pt
        cleared = []
        for nr, c in enumerate(self.count):
            if c != 1:
                continue
            self.count[nr] = 0
            va = self._pkmap_addr(m, nr)
            pt.unmap_page(va)
            pfn = self.pfn_at.pop(nr)
            del self.slot_of[pfn]
            cleared.append(nr)
            if events is not None:
                events.append(KernelUnmapPte(va, pfn << 12, "flush_all_zero_pkmaps"))
        if cleared:
            if events is not None:
                events.append(PkmapFlush(tuple(cleared)))
            m.tlb.flush_all(events)

    def _map_new_virtual(self, m: Machine, pfn: int, events) -> int:
        mask = self.last_pkmap - 1
        count = self.last_pkmap
        while True:
            self.last_pkmap_nr = (self.last_pkmap_nr + 1) & mask
            if not self.last_pkmap_nr:
                self._flush_all_zero(m, events)
                count = self.last_pkmap
            if not self.count[self.last_pkmap_nr]:
                break
            count -= 1
            if not count:
                raise KernelError(f"kmap: all {self.last_pkmap} pkmap slots are in use; "
                                  f"kmap_high() would sleep on pkmap_map_wait until a kunmap")
        nr = self.last_pkmap_nr
        va = self._pkmap_addr(m, nr)
        pt = m.kernel_pt.pt
        pt.map_page(va, pfn << 12, kernel_pte_flags(m))
        if events is not None:
            events.append(KernelMapPte(va, pfn << 12, pt.read_entry(pt.pte_paddr(va)), "kmap"))
        self.count[nr] = 1
        self.slot_of[pfn] = nr
        self.pfn_at[nr] = pfn
        return nr

    def kmap(self, m: Machine, pfn: int, events) -> int:
        self._page(m, pfn)
        if pfn < m.max_low_pfn:
            return m.layout.page_offset + (pfn << 12)
        nr = self.slot_of.get(pfn)
        if nr is None:
            nr = self._map_new_virtual(m, pfn, events)
        self.count[nr] += 1
        va = self._pkmap_addr(m, nr)
        if events is not None:
            events.append(Kmap(pfn, va, nr, self.count[nr]))
        return va

    def kunmap(self, m: Machine, pfn: int, events) -> None:
        self._page(m, pfn)
        if pfn < m.max_low_pfn:
            return
        nr = self.slot_of.get(pfn)
        if nr is None or self.count[nr] < 2:
            raise BadFree(f"kernel BUG at mm/highmem.c: kunmap_high: page {pfn:#x} is not "
                          f"kmapped" + ("" if nr is None else "\n" + note("pkmap_count_zero")))
        self.count[nr] -= 1
        if events is not None:
            events.append(Kunmap(pfn, self._pkmap_addr(m, nr), nr, self.count[nr]))

    # -- atomic kmaps --------------------------------------------------------------------------
    def kmap_atomic(self, m: Machine, pfn: int, km_type, cpu: int, events) -> int:
        self._page(m, pfn)
        if pfn < m.max_low_pfn:
            return m.layout.page_offset + (pfn << 12)
        stack = self.stacks[cpu]
        if not m.config.flavour.kmap_atomic_stack:
            name = km_type or "KM_USER0"
            if name not in KM_TYPES_26:
                raise ConfigError(f"kmap_atomic: unknown km_type {name!r} ({', '.join(KM_TYPES_26)})")
            local = KM_TYPES_26.index(name)
        else:
            if len(stack) >= self.per_cpu:
                if m.config.flavour.kmap_local:
                    raise KernelOops(f"kernel BUG at mm/highmem.c: kmap_local_idx_push: more than "
                                     f"KM_MAX_IDX ({self.per_cpu}) nested atomic kmaps")
                raise KernelOops(f"kernel BUG at include/linux/highmem.h: kmap_atomic_idx_push: "
                                 f"more than KM_TYPE_NR ({self.per_cpu}) nested atomic kmaps")
            local = len(stack)
        idx = local + self.per_cpu * cpu
        L = m.layout
        va = L.fix_to_virt(L.fix_kmap_begin + idx)
        pt = m.kernel_pt.pt
        if pt.lookup(va) is not None:
            raise KernelOops(f"kernel BUG at arch/x86/mm/highmem_32.c: kmap_atomic: fixmap slot "
                             f"FIX_KMAP_BEGIN+{idx} ({va:#010x}) is already mapped")
        pt.map_page(va, pfn << 12, kernel_pte_flags(m))
        stack.append((idx, pfn))
        if events is not None:
            events.append(KernelMapPte(va, pfn << 12, pt.read_entry(pt.pte_paddr(va)),
                                       "kmap_atomic"))
            events.append(KmapAtomic(pfn, va, idx))
        return va

    def kunmap_atomic(self, m: Machine, vaddr: int, cpu: int, events) -> None:
        L = m.layout
        if L.page_offset <= vaddr < L.high_memory:
            return                                   # a lowmem page: nothing was mapped
        va = vaddr & ~0xFFF
        idx = ((L.fixaddr_top - va) >> 12) - L.fix_kmap_begin
        stack = self.stacks[cpu]
        pos = next((i for i, (x, _) in enumerate(stack) if x == idx), None)
        mine = pos is not None and self.per_cpu * cpu <= idx < self.per_cpu * (cpu + 1)
        if not mine or (m.config.flavour.kmap_atomic_stack and pos != len(stack) - 1):
            from .kmsg_bug import kunmap_bad           # the release's BUG() or WARN() (engine.kmsg_bug)
            in_slots = 0 <= idx < self.per_cpu * len(self.stacks)
            top = L.fix_to_virt(L.fix_kmap_begin + stack[-1][0]) if stack else None
            err = kunmap_bad(m, vaddr, cpu, in_slots, len(stack), top,
                             self.per_cpu * cpu <= idx < self.per_cpu * (cpu + 1))
            if err is None:
                return                               # 2.6.x: its km_type's slot, already clear
            raise err
        _, pfn = stack.pop(pos)
        m.kernel_pt.pt.unmap_page(va)
        if events is not None:
            events.append(KernelUnmapPte(va, pfn << 12, "kunmap_atomic"))
            events.append(KunmapAtomic(va, idx))
        m.tlb.invlpg(va, events)

    # -- consistency -------------------------------------------------------------------------
    def check(self, m: Machine, fail) -> None:
        pt = m.kernel_pt.pt
        if len(self.slot_of) != len(self.pfn_at):
            fail("pkmap: page_address table and slot table disagree")
        for nr, c in enumerate(self.count):
            hit = pt.lookup(self._pkmap_addr(m, nr))
            if c == 0:
                if hit is not None or nr in self.pfn_at:
                    fail(f"pkmap: slot {nr} has count 0 but is mapped")
                continue
            pfn = self.pfn_at.get(nr)
            if pfn is None or self.slot_of.get(pfn) != nr:
                fail(f"pkmap: slot {nr} has count {c} but no page")
            elif hit is None or hit.paddr != pfn << 12:
                fail(f"pkmap: slot {nr} (count {c}) does not map pfn {pfn:#x}")
        L = m.layout
        live = {idx: pfn for st in self.stacks for idx, pfn in st}
        for idx in range(self.per_cpu * len(self.stacks)):
            hit = pt.lookup(L.fix_to_virt(L.fix_kmap_begin + idx))
            pfn = live.get(idx)
            if (pfn is None) != (hit is None) or (hit is not None and hit.paddr != pfn << 12):
                fail(f"kmap_atomic: fixmap slot FIX_KMAP_BEGIN+{idx} PTE disagrees with the "
                     f"atomic kmaps ({pfn})")
        from . import physmem as pm
        for what, pfns in (("kmap", self.pfn_at.values()), ("kmap_atomic", live.values())):
            for pfn in pfns:                     # a mapping must hold a live page
                if m.memmap.owner[pfn] in (pm.OWNER_FREE, pm.OWNER_HOLE):
                    fail(f"pfn:{pfn:05x} is free but still mapped by {what} (a kernel "
                         f"reports \"Bad page state\" when the page is reused)")
