"""vmalloc / vfree, after mm/vmalloc.c: areas in [VMALLOC_START, VMALLOC_END).

An area is placed first-fit (lowest address) and always carries one guard page, which
is counted in its size (vmalloc(4096) shows 8192 in /proc/vmallocinfo) and never
mapped.  Its page array is kmalloc'ed (or vmalloc'ed when larger than a page: the
"vpages" flag); its frames are allocated one at a time with GFP_KERNEL |
__GFP_HIGHMEM, so they come from HighMem while it lasts and are not physically
contiguous; each is mapped with a PAGE_KERNEL PTE in swapper_pg_dir, allocating page
tables on demand.  vfree clears the PTEs, flushes the TLB (2.6: flush_tlb_all; 6.1:
one invlpg per page up to 33 pages, else a full flush) and frees frames and array.

Simplified: 6.1 purges freed areas lazily (their addresses and TLB entries are
released in batches); here vfree releases them at once, as 2.6.24 did.  New PDEs
appear only in swapper_pg_dir: a non-PAE process picks them up through a vmalloc
fault (vmalloc_sync_one), which belongs to the processes' fault handler.  ioremap
areas are not modelled.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import physmem as pm
from .config import byte_count
from .errors import BadFree, ConfigError, OutOfMemory, shown
from .kmem_events import KernelMapPte, KernelUnmapPte, VmapAreaAlloc, VmapAreaFree
from .kmsg import vmalloc_failure_message, vmalloc_zero_error
from .paging import _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_GLOBAL, _PAGE_NX, _PAGE_PRESENT, _PAGE_RW

from .page_types import PAGE_SIZE

if TYPE_CHECKING:
    from .machine import Machine

TLB_SINGLE_PAGE_FLUSH_CEILING = 33


from .vmalloc_sync import sync_kernel_pdes  # noqa: E402


def kernel_pte_flags(m: Machine) -> int:
    """PAGE_KERNEL after __supported_pte_mask (and PTI dropping _PAGE_GLOBAL)."""
    kpt = m.kernel_pt
    f = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY
    if m.config.pge and not kpt.pti:
        f |= _PAGE_GLOBAL
    if kpt.nx:
        f |= _PAGE_NX
    return f


class VmArea:
    """struct vm_struct of a vmalloc area."""

    __slots__ = ("start", "end", "pages", "caller", "array", "array_vmalloc", "requested")

    def __init__(self, start: int, end: int, caller: str, requested: int) -> None:
        self.start, self.end, self.caller, self.requested = start, end, caller, requested
        self.pages: list[int] = []
        self.array = 0                     # vaddr of the page array
        self.array_vmalloc = False

    @property
    def size(self) -> int:
        """Bytes including the guard page (vm_struct.size)."""
        return self.end - self.start

    @property
    def nr_pages(self) -> int:
        return len(self.pages)

    def __repr__(self) -> str:
        return f"<VmArea {self.start:#010x}-{self.end:#010x} pages={len(self.pages)} {self.caller}>"


class Vmalloc:
    """vmlist / vmap_area_root: the areas in address order."""

    def __init__(self) -> None:
        self.areas: list[VmArea] = []
        self.orphans: set[int] = set()     # vfree'd pages a user mapping still holds

    def _find_gap(self, m: Machine, size: int) -> int | None:
        L = m.layout
        addr = L.vmalloc_start
        for a in self.areas:
            if addr + size <= a.start:
                break
            addr = max(addr, a.end)
        return addr if addr + size <= L.vmalloc_end else None

    def vmalloc(self, m: Machine, size: int | str, caller: str, events) -> int:
        size = byte_count(size, "vmalloc")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ConfigError(f"vmalloc: size must be a byte count, got {shown(size)}")
        new_msg = m.config.flavour.vmap_fail_message == "alloc_vmap_area"
        nr = (size + PAGE_SIZE - 1) >> 12
        total = sum(z.managed for z in m.all_zones)     # totalram_pages
        if not nr:
            raise vmalloc_zero_error(m)
        # 5.14+ compares the size before PAGE_ALIGN(), earlier releases after it
        if (size >> 12 if m.config.flavour.log_vmalloc_range == "vmalloc_error" else nr) > total:
            raise OutOfMemory(vmalloc_failure_message(m, "size", size))
        area_size = (nr + 1) << 12
        start = self._find_gap(m, area_size)
        if start is None:
            msg = (f"vmap allocation for size {area_size} failed: use vmalloc=<size> to "
                   f"increase size" if new_msg else
                   "allocation failed: out of vmalloc space - use vmalloc=<size> to "
                   "increase size.")
            more = vmalloc_failure_message(m, "area", size)
            raise OutOfMemory(msg if more.startswith("[") else f"{msg}\n{more}")
        area = VmArea(start, start + area_size, caller, size)
        pos = next((i for i, a in enumerate(self.areas) if a.start > start), len(self.areas))
        self.areas.insert(pos, area)
        if events is not None:
            events.append(VmapAreaAlloc(area.start, area.end, area.size, caller))
        try:
            array_size = nr * 4
            if array_size > PAGE_SIZE:
                area.array = self.vmalloc(m, array_size, caller, events)
                area.array_vmalloc = True
            else:
                area.array = m.kmem.kmalloc(m, array_size, "GFP_KERNEL | __GFP_ZERO", events)
            for _ in range(nr):
                area.pages.append(m.alloc_pages("GFP_KERNEL | __GFP_HIGHMEM", 0,
                                                owner=pm.OWNER_VMALLOC))
            flags = kernel_pte_flags(m)
            pt = m.kernel_pt.pt
            for i, pfn in enumerate(area.pages):
                va = start + (i << 12)
                pt.map_page(va, pfn << 12, flags)
                if events is not None:
                    events.append(KernelMapPte(va, pfn << 12, pt.read_entry(pt.pte_paddr(va)),
                                               "vmalloc"))
            sync_kernel_pdes(m, start, start + (nr << 12), events)
        except OutOfMemory as e:
            got = len(area.pages)
            what = "pages" if area.array else "array"   # the kmalloc of pages[] failed
            self._release(m, area, events, mapped=True)
            raise OutOfMemory(vmalloc_failure_message(m, what, size, area_size, got,
                                                      str(e))) from None
        return start

    def area_at(self, vaddr: int) -> VmArea | None:
        for a in self.areas:
            if a.start == vaddr:
                return a
        return None

    def vfree(self, m: Machine, vaddr: int, events) -> None:
        if not vaddr:
            return
        from .kmsg import kptr                   # printk's %p: no 0x, hashed from 4.15
        if vaddr & (PAGE_SIZE - 1):
            raise BadFree(f"Trying to vfree() bad address ({kptr(m, vaddr)})")
        area = self.area_at(vaddr)
        if area is None:
            raise BadFree(f"Trying to vfree() nonexistent vm area ({kptr(m, vaddr)})")
        self._release(m, area, events, mapped=True)

    def _release(self, m: Machine, area: VmArea, events, mapped: bool) -> None:
        pt = m.kernel_pt.pt
        n = 0
        for i in range(len(area.pages)):
            va = area.start + (i << 12)
            old = pt.unmap_page(va)
            if old & _PAGE_PRESENT:
                n += 1
                if events is not None:
                    events.append(KernelUnmapPte(va, area.pages[i] << 12, "vfree"))
        if n:
            if m.config.flavour.vfree_flush_ceiling and len(area.pages) + 1 <= TLB_SINGLE_PAGE_FLUSH_CEILING:
                for i in range(len(area.pages) + 1):
                    m.tlb.invlpg(area.start + (i << 12), events)
            else:
                m.tlb.flush_all(events)
        mem = m.memmap
        for pfn in area.pages:
            if mem.refcount[pfn] > 1:      # __free_page() is put_page(): a mapping that
                mem.refcount[pfn] -= 1     # did get_page() keeps the frame until it goes
                self.orphans.add(pfn)
            else:
                m.page_alloc.free(pfn, 0, events, expect_owner=pm.OWNER_VMALLOC)
        area.pages = []
        if area.array:
            try:                           # kvfree(area->pages): a bad free is reported
                if area.array_vmalloc:     # (SLUB / vfree complain) and vfree goes on
                    self.vfree(m, area.array, events)
                else:
                    m.kmem.kfree(m, area.array, events)
            except BadFree as e:
                from .kmsg import printk
                printk(m, "err", [str(e)], events)
            area.array = 0
        self.areas.remove(area)
        if events is not None:
            events.append(VmapAreaFree(area.start, area.end))

    # -- /proc and accounting ----------------------------------------------------------------
    def used_kb(self, m: Machine) -> int:
        how = m.config.flavour.meminfo_vmalloc_used
        if how == "pages":
            return sum(len(a.pages) for a in self.areas) * 4
        if how == "zero":
            return 0
        return sum(a.size for a in self.areas) >> 10

    def largest_chunk(self, m: Machine) -> int:
        L = m.layout
        best, addr = 0, L.vmalloc_start
        for a in self.areas:
            best = max(best, a.start - addr)
            addr = a.end
        return max(best, L.vmalloc_end - addr)

    def vmallocinfo(self) -> str:
        out = []
        for a in self.areas:
            line = f"0x{a.start:08x}-0x{a.end:08x} {a.size:7d} {a.caller}"
            if a.pages:
                line += f" pages={len(a.pages)}"
            line += " vmalloc"
            if a.array_vmalloc:
                line += " vpages"
            out.append(line + "\n")
        return "".join(out)

    def check(self, m: Machine, fail) -> set[int]:
        """Areas ordered, inside the vmalloc range, frames owned and mapped once; returns
        the set of frames the areas hold."""
        L = m.layout
        pt = m.kernel_pt.pt
        frames: set[int] = set()
        prev_end = L.vmalloc_start
        for a in self.areas:
            if a.start < prev_end or a.end > L.vmalloc_end or a.start & 0xFFF:
                fail(f"vmalloc: area {a.start:#x}-{a.end:#x} overlaps or leaves the vmalloc range")
            if a.size != (len(a.pages) + 1) << 12:
                fail(f"vmalloc: area {a.start:#x} size {a.size} does not equal its "
                     f"{len(a.pages)} pages plus the guard page")
            prev_end = a.end
            for i, pfn in enumerate(a.pages):
                if pfn in frames:
                    fail(f"vmalloc: frame {pfn:#x} backs two vmalloc pages")
                frames.add(pfn)
                if m.memmap.owner[pfn] != pm.OWNER_VMALLOC or m.buddy.allocated_order(pfn) != 0:
                    fail(f"vmalloc: frame {pfn:#x} of area {a.start:#x} is not an allocated "
                         f"vmalloc page")
                hit = pt.lookup(a.start + (i << 12))
                if hit is None or hit.paddr != pfn << 12 or hit.size != PAGE_SIZE:
                    fail(f"vmalloc: page {i} of area {a.start:#x} is not mapped to frame {pfn:#x}")
            if pt.lookup(a.end - PAGE_SIZE) is not None:
                fail(f"vmalloc: the guard page of area {a.start:#x} is mapped")
        mapped = 0
        for leaf in pt.leaves(L.vmalloc_start, L.vmalloc_end):
            mapped += 1
            a = next((x for x in self.areas if x.start <= leaf.vaddr < x.end), None)
            if a is None:
                fail(f"vmalloc: {leaf.vaddr:#x} is mapped but belongs to no area")
        if mapped != len(frames):
            fail(f"vmalloc: {mapped} PTEs in the vmalloc range but {len(frames)} area pages")
        for pfn in self.orphans:           # freed by vfree, still mapped by a process
            mem = m.memmap
            if pfn in frames or mem.owner[pfn] != pm.OWNER_VMALLOC or \
                    m.buddy.allocated_order(pfn) != 0 or \
                    not 1 <= mem.mapcount[pfn] == mem.refcount[pfn]:
                fail(f"vmalloc: vfree'd frame {pfn:#x} is not held by its user mappings "
                     f"alone (mapcount {mem.mapcount[pfn]}, refcount {mem.refcount[pfn]})")
        return frames | self.orphans
