"""Kernel-side page-table editing: one hierarchy (swapper_pg_dir, or a process's pgd).

``PageTables`` writes real x86 entries into a ``FrameStore``: a page directory of 1024
4-byte entries (non-PAE), or a 4-entry PDPT plus 512-entry PMD/PTE pages (PAE).
Intermediate tables are allocated through ``alloc_table() -> pfn`` (the frame must read
as zeros) and given back through ``free_table(pfn)``.  Intermediate entries get the
kernel's templates: ``_PAGE_TABLE`` for tables that map user pages, ``_KERNPG_TABLE``
otherwise; a PAE PDPTE gets ``_PAGE_PRESENT`` only (pud_populate / pgd_populate).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Callable, Iterator

from .paging import (_KERNPG_TABLE, _PAGE_NX, _PAGE_PRESENT, _PAGE_PSE, _PAGE_TABLE,
                     _PAGE_USER, PAE_ADDR_MASK, entry_addr, mk_pae_entry, mk_pae_pde_large, mk_pdpte,
                     mk_pde_large, mk_pte)

from .page_types import PAGE_SIZE


@dataclass(frozen=True, slots=True)
class Mapping:
    """One leaf translation: a 4 KB PTE or a 4 MB / 2 MB PDE."""
    vaddr: int              # first virtual address it maps
    paddr: int              # physical address of that first byte
    size: int
    entry: int
    entry_paddr: int
    level: str              # "PTE" or "PDE"


@dataclass(frozen=True, slots=True)
class MappedRange:
    """A run of leaves contiguous in virtual and physical space with equal flags."""
    start: int
    end: int                # exclusive
    paddr: int
    flags: int              # entry bits other than the address (incl. NX)
    page_size: int


class PageTables:
    """One paging hierarchy rooted at a page directory (non-PAE) or a PDPT (PAE)."""

    def __init__(self, frames, pae: bool, alloc_table: Callable[[], int],
                 free_table: Callable[[int], None] | None = None, root: int | None = None,
                 maxphyaddr: int = 36) -> None:
        self.frames, self.pae, self.maxphyaddr = frames, pae, maxphyaddr
        self.alloc_table, self.free_table = alloc_table, free_table
        self.owned: set[int] = set()        # table pfns allocated through this object
        if root is None:
            pfn = alloc_table()
            self.owned.add(pfn)
            root = pfn << 12
        if root & (31 if pae else 4095):
            raise ValueError(f"page-table root {root:#x} misaligned")
        self.root = root
        self.esize = 8 if pae else 4
        fmt = "<Q" if pae else "<I"
        self._unpack = struct.Struct(fmt).unpack_from
        self._rd = frames.read_u64 if pae else frames.read_u32
        self._wr = frames.write_u64 if pae else frames.write_u32

    @property
    def cr3(self) -> int:
        return self.root

    # --- raw entry access --------------------------------------------------------------
    def read_entry(self, entry_paddr: int) -> int:
        return self._rd(entry_paddr)

    def set_entry(self, entry_paddr: int, value: int) -> int:
        """Write an entry (set_pte / set_pmd); returns the old value."""
        old = self._rd(entry_paddr)
        self._wr(entry_paddr, value)
        return old

    def _new_table(self) -> int:
        pfn = self.alloc_table()
        self.owned.add(pfn)
        return pfn << 12

    # --- locating entries --------------------------------------------------------------
    def pde_paddr(self, vaddr: int, alloc: bool = False) -> int | None:
        """Address of the PDE (pmd) covering vaddr; allocates the PAE PMD page if asked."""
        if not self.pae:
            return self.root + ((vaddr >> 22) << 2)
        pdpte_pa = self.root + ((vaddr >> 30) << 3)
        pdpte = self._rd(pdpte_pa)
        if not pdpte & _PAGE_PRESENT:
            if not alloc:
                return None
            pdpte = mk_pdpte(self._new_table(), _PAGE_PRESENT, self.maxphyaddr)
            self._wr(pdpte_pa, pdpte)
        return (pdpte & PAE_ADDR_MASK) + (((vaddr >> 21) & 0x1FF) << 3)

    def pte_paddr(self, vaddr: int, alloc: bool = False, user: bool = False) -> int | None:
        """Address of the PTE for vaddr (pte_offset_kernel / pte_alloc).

        Raises ValueError if a large page covers vaddr.  A new page table gets the
        _PAGE_TABLE template when ``user`` else _KERNPG_TABLE.
        """
        pde_pa = self.pde_paddr(vaddr, alloc)
        if pde_pa is None:
            return None
        pde = self._rd(pde_pa)
        if pde & _PAGE_PRESENT and pde & _PAGE_PSE:
            raise ValueError(f"{vaddr:#010x} is mapped by a large page")
        if not pde & _PAGE_PRESENT:
            if not alloc:
                return None
            flags = _PAGE_TABLE if user else _KERNPG_TABLE
            pt = self._new_table()
            pde = mk_pae_entry(pt, flags, self.maxphyaddr) if self.pae else mk_pte(pt, flags)
            self._wr(pde_pa, pde)
        table = pde & (PAE_ADDR_MASK if self.pae else 0xFFFF_F000)
        if self.pae:
            return table + (((vaddr >> 12) & 0x1FF) << 3)
        return table + (((vaddr >> 12) & 0x3FF) << 2)

    # --- mapping -----------------------------------------------------------------------
    def map_page(self, vaddr: int, paddr: int, flags: int) -> int:
        """Map one 4 KB page (set_pte); returns the old PTE value."""
        pte_pa = self.pte_paddr(vaddr, alloc=True, user=bool(flags & _PAGE_USER))
        if self.pae:
            value = mk_pae_entry(paddr, flags, self.maxphyaddr)
        else:
            value = mk_pte(paddr, flags)
        return self.set_entry(pte_pa, value)

    def map_pages(self, vaddr: int, paddr: int, flags: list[int]) -> None:
        """map_page() of ``len(flags)`` consecutive 4 KB pages, vaddr -> paddr onwards, page i
        with ``flags[i]``: the same table allocated and the same PTEs written, in one store
        (a boot maps thousands).  The pages must lie in one page table (one PMD)."""
        if not flags:
            return
        n, es = len(flags), self.esize
        last = vaddr + ((n - 1) << 12)
        if (vaddr ^ last) >> (21 if self.pae else 22):
            raise ValueError(f"{vaddr:#010x}..{last:#010x} is not in one page table")
        pte_pa = self.pte_paddr(vaddr, alloc=True, user=bool(flags[0] & _PAGE_USER))
        for pa in (paddr, paddr + ((n - 1) << 12)):     # mk_pte()'s checks, first and last page
            mk_pae_entry(pa, 0, self.maxphyaddr) if self.pae else mk_pte(pa, 0)
        keep = 0xFFF | _PAGE_NX if self.pae else 0xFFF
        values = [(paddr + (i << 12)) | (f & keep) for i, f in enumerate(flags)]
        self.frames.write(pte_pa, struct.pack(f"<{n}{'Q' if self.pae else 'I'}", *values))

    def set_pte(self, vaddr: int, value: int) -> int:
        """Write any PTE value (e.g. a swap entry); returns the old one."""
        return self.set_entry(self.pte_paddr(vaddr, alloc=True), value)

    def map_large(self, vaddr: int, paddr: int, flags: int) -> int:
        """Map a 4 MB (non-PAE) or 2 MB (PAE) page with a PS=1 PDE; returns the old PDE.

        Refuses to replace a PDE that points to a page table (the kernel frees or
        splits that table first).
        """
        size = (2 << 20) if self.pae else (4 << 20)
        if vaddr & (size - 1):
            raise ValueError(f"{vaddr:#010x} not aligned to a {size >> 20} MB page")
        pde_pa = self.pde_paddr(vaddr, alloc=True)
        old = self._rd(pde_pa)
        if old & _PAGE_PRESENT and not old & _PAGE_PSE:
            raise ValueError(f"{vaddr:#010x}: PDE points to a page table")
        if self.pae:
            value = mk_pae_pde_large(paddr, flags, self.maxphyaddr)
        else:
            value = mk_pde_large(paddr, flags, self.maxphyaddr)
        return self.set_entry(pde_pa, value)

    def map_larges(self, vaddr: int, paddr: int, flags: list[int]) -> None:
        """map_large() of ``len(flags)`` consecutive large pages, vaddr -> paddr onwards,
        page i with ``flags[i]``: the same tables allocated and the same PDEs written (or the
        same error after the same entries), one store per page directory page."""
        size = (2 << 20) if self.pae else (4 << 20)
        span = (1 << 30) if self.pae else (1 << 32)          # the vaddrs one PD page maps
        fmt = "<Q" if self.pae else "<I"
        mk = mk_pae_pde_large if self.pae else mk_pde_large
        i, n = 0, len(flags)
        while i < n:
            va = vaddr + i * size
            if va & (size - 1):
                raise ValueError(f"{va:#010x} not aligned to a {size >> 20} MB page")
            first = self.pde_paddr(va, alloc=True)
            count = min(n - i, (span - va % span) // size)    # the entries in this PD page
            old = struct.unpack(f"{fmt[0]}{count}{fmt[1]}", self.frames.read(first, count * self.esize))
            values: list[int] = []
            try:
                for k in range(count):
                    if old[k] & _PAGE_PRESENT and not old[k] & _PAGE_PSE:
                        raise ValueError(f"{va + k * size:#010x}: PDE points to a page table")
                    values.append(mk(paddr + (i + k) * size, flags[i + k], self.maxphyaddr))
            finally:
                if values:
                    self.frames.write(first, struct.pack(f"{fmt[0]}{len(values)}{fmt[1]}", *values))
            i += count

    def unmap_page(self, vaddr: int) -> int:
        """Clear the PTE (ptep_get_and_clear); returns the old entry (0 if none)."""
        pte_pa = self.pte_paddr(vaddr)
        if pte_pa is None:
            return 0
        return self.set_entry(pte_pa, 0)

    def unmap_large(self, vaddr: int) -> int:
        pde_pa = self.pde_paddr(vaddr)
        if pde_pa is None:
            return 0
        old = self._rd(pde_pa)
        if old & _PAGE_PRESENT and not old & _PAGE_PSE:
            raise ValueError(f"{vaddr:#010x}: PDE points to a page table")
        return self.set_entry(pde_pa, 0)

    def lookup(self, vaddr: int) -> Mapping | None:
        """The leaf translating vaddr, by software walk (no rights, no A/D), or None."""
        pde_pa = self.pde_paddr(vaddr)
        if pde_pa is None:
            return None
        pde = self._rd(pde_pa)
        if not pde & _PAGE_PRESENT:
            return None
        if pde & _PAGE_PSE:
            size = (2 << 20) if self.pae else (4 << 20)
            base = entry_addr(pde, "PDE", self.pae, True, self.maxphyaddr)
            return Mapping(vaddr & ~(size - 1), base, size, pde, pde_pa, "PDE")
        pte_pa = self.pte_paddr(vaddr)
        pte = self._rd(pte_pa)
        if not pte & _PAGE_PRESENT:
            return None
        return Mapping(vaddr & ~0xFFF, entry_addr(pte, "PTE", self.pae), PAGE_SIZE, pte,
                       pte_pa, "PTE")

    # --- sharing and freeing -----------------------------------------------------------
    def clone_top_entries(self, src: "PageTables", start: int, end: int) -> None:
        """clone_pgd_range: copy the top-level entries covering [start, end) from src
        (the kernel part of a new process's pgd; under PAE the shared kernel PMD)."""
        shift = 30 if self.pae else 22
        for i in range(start >> shift, ((end - 1) >> shift) + 1):
            off = i * self.esize
            self._wr(self.root + off, src._rd(src.root + off))

    def free_empty_tables(self, start: int = 0, end: int = 1 << 32) -> list[int]:
        """free_pgd_range: release page tables (and PAE PMD pages) under [start, end)
        that map nothing and were allocated here; returns the freed pfns."""
        freed: list[int] = []
        top_shift = 30 if self.pae else 22
        for i in range(start >> top_shift, ((end - 1) >> top_shift) + 1):
            top_pa = self.root + i * self.esize
            top = self._rd(top_pa)
            if not top & _PAGE_PRESENT:
                continue
            if not self.pae:
                freed += self._free_if_empty(top_pa, top, 1024)
                continue
            pmd = top & PAE_ADDR_MASK
            for j in range(512):
                va = (i << 30) | (j << 21)
                if va < start or va + (2 << 20) > end:
                    continue
                pde = self._rd(pmd + j * 8)
                if pde & _PAGE_PRESENT and not pde & _PAGE_PSE:
                    freed += self._free_if_empty(pmd + j * 8, pde, 512)
            if (i << 30) >= start and (i + 1) << 30 <= end:
                freed += self._free_if_empty(top_pa, top, 512, is_pmd=True)
        return freed

    def _free_if_empty(self, entry_pa, entry, count, is_pmd=False) -> list[int]:
        if entry & _PAGE_PSE and not is_pmd:
            return []
        table = entry & (PAE_ADDR_MASK if self.pae else 0xFFFF_F000)
        pfn = table >> 12
        if pfn not in self.owned:
            return []
        buf = self.frames.frames.get(pfn)
        if buf is not None and any(buf[:count * self.esize]):
            return []
        self._wr(entry_pa, 0)
        self.owned.discard(pfn)
        self.frames.zero_frame(pfn)
        if self.free_table is not None:
            self.free_table(pfn)
        return [pfn]

    def release(self) -> list[int]:
        """Give back every table frame this object allocated (pgd_free at exit)."""
        pfns = sorted(self.owned)
        for pfn in pfns:
            self.frames.zero_frame(pfn)
            if self.free_table is not None:
                self.free_table(pfn)
        self.owned.clear()
        return pfns

    # --- iteration ---------------------------------------------------------------------
    def leaves(self, start: int = 0, end: int = 1 << 32) -> Iterator[Mapping]:
        """Every present leaf overlapping [start, end), in address order."""
        rd = self._rd
        large = (2 << 20) if self.pae else (4 << 20)
        ptrs = 512 if self.pae else 1024
        for pde_va, pde_pa in self._pdes(start, end):
            pde = rd(pde_pa)
            if not pde & _PAGE_PRESENT:
                continue
            if pde & _PAGE_PSE:
                yield Mapping(pde_va, entry_addr(pde, "PDE", self.pae, True, self.maxphyaddr),
                              large, pde, pde_pa, "PDE")
                continue
            table = pde & (PAE_ADDR_MASK if self.pae else 0xFFFF_F000)
            buf = self.frames.frames.get(table >> 12)
            if buf is None:
                continue
            lo = max(0, (start - pde_va) >> 12)
            hi = min(ptrs, (end - pde_va + 0xFFF) >> 12)
            for k in range(lo, hi):
                pte = self._unpack(buf, (table & 0xFFF) + k * self.esize)[0]
                if pte & _PAGE_PRESENT:
                    yield Mapping(pde_va + (k << 12), entry_addr(pte, "PTE", self.pae),
                                  PAGE_SIZE, pte, table + k * self.esize, "PTE")

    def _pdes(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        shift = 21 if self.pae else 22
        for i in range(start >> shift, ((end - 1) >> shift) + 1):
            va = i << shift
            pde_pa = self.pde_paddr(va)
            if pde_pa is not None:
                yield va, pde_pa

    def mapped_ranges(self, start: int = 0, end: int = 1 << 32) -> Iterator[MappedRange]:
        """Coalesced runs of leaves (ignoring A/D) for the virtual-map view."""
        cur = None
        for m in self.leaves(start, end):
            addr_mask = (PAE_ADDR_MASK if self.pae else 0xFFFF_F000) & ~(m.size - 1)
            flags = m.entry & ~addr_mask & ~0x60
            if m.level == "PDE" and not self.pae:
                flags &= ~0x3F_E000         # PSE-36 address bits are address, not flags
            if (cur is not None and cur.end == m.vaddr and cur.flags == flags
                    and cur.page_size == m.size
                    and cur.paddr + (cur.end - cur.start) == m.paddr):
                cur = MappedRange(cur.start, m.vaddr + m.size, cur.paddr, flags, m.size)
                continue
            if cur is not None:
                yield cur
            cur = MappedRange(m.vaddr, m.vaddr + m.size, m.paddr, flags, m.size)
        if cur is not None:
            yield cur

    def table_pfns(self) -> set[int]:
        """Every table frame reachable from the root (root's own frame included)."""
        pfns = {self.root >> 12}
        ptrs = 4 if self.pae else 1024
        for i in range(ptrs):
            top = self._rd(self.root + i * self.esize)
            if not top & _PAGE_PRESENT or (not self.pae and top & _PAGE_PSE):
                continue
            t = top & (PAE_ADDR_MASK if self.pae else 0xFFFF_F000)
            pfns.add(t >> 12)
            if self.pae:
                for j in range(512):
                    pde = self._rd(t + j * 8)
                    if pde & _PAGE_PRESENT and not pde & _PAGE_PSE:
                        pfns.add((pde & PAE_ADDR_MASK) >> 12)
        return pfns
