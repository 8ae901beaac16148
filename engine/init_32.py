"""The kernel's page tables at boot: swapper_pg_dir, the direct map, pkmap and fixmap tables.

After arch/x86/mm/init_32.c and init.c (6.1):
* swapper_pg_dir lives in the kernel's .bss; under PAE it is a 4-entry PDPT whose
  kernel entries point to kernel PMD pages (one per GB above PAGE_OFFSET).
* The direct map covers exactly lowmem [0, max_low_pfn): init_memory_mapping() maps
  the first 1 MB (ISA) and the partial head up to the first large-page boundary with
  4 KB pages, everything else with 4 MB (2 MB under PAE) pages when the CPU has PSE,
  and the partial tail below high_memory with 4 KB pages.  mark_rodata_ro() then
  splits the large pages whose 4 KB pages need different rights (kernel text is
  read-only and executable, rodata read-only and NX), as the CPA code does.
* Non-PAE kernels map everything GLOBAL; PAE kernels under PTI (the ground truth's
  qemu32 CPU is Meltdown-affected) keep GLOBAL only on kernel text and rodata.
* permanent_kmaps_init() allocates the pkmap page table; the fixmap gets its page
  table(s) and the local APIC / IO-APIC slots are mapped uncached.
Simplified: the real-mode trampoline's permissions, .data..ro_after_init pages,
cpu_entry_area contents and early ioremaps in the vmalloc area are not mapped.
"""
from __future__ import annotations

from . import physmem as pm
from .paging import (_PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_GLOBAL, _PAGE_NX, _PAGE_PCD,
                     _PAGE_PRESENT, _PAGE_PWT, _PAGE_RW, mk_pdpte)
from .pgtable import PageTables

LOCAL_APIC_PHYS = 0xFEE00000
IO_APIC_PHYS = 0xFEC00000


class SwapperTables(PageTables):
    """swapper_pg_dir's hierarchy: every new page table is hung in with _PAGE_TABLE (0x067).

    pmd_populate_kernel() and one_page_table_init() (arch/x86/include/asm/pgalloc.h,
    arch/x86/mm/init_32.c) use _PAGE_TABLE from 2.6.24 to 6.x, as real oopses show
    (``*pde = ...067``); only head_32.S's early tables use 0x063 (PDE_IDENT_ATTR).
    """

    def pte_paddr(self, vaddr: int, alloc: bool = False, user: bool = False) -> int | None:
        return super().pte_paddr(vaddr, alloc, True)


class KernelPageTables:
    """Builds and owns swapper_pg_dir."""

    def __init__(self, m) -> None:
        self.m = m
        cfg = m.config
        self.pae = cfg.pae
        self.nx = cfg.pae and cfg.nx
        self.pti = cfg.pae and cfg.flavour.pti       # PAGE_TABLE_ISOLATION depends on X86_PAE
        fl = cfg.flavour
        bss0 = m.kernel_image["bss"][0]
        # swapper_pg_dir in .bss..page_aligned; PAE kernel PMDs follow it (skipping idt_table)
        bss = bss0 + (fl.swapper_bss_page[int(self.pae)] << 12)
        idt = fl.idt_bss_page[int(self.pae)]
        self.idt_table = bss0 + (idt << 12) if idt >= 0 else None
        self.swapper_pg_dir = bss
        self._bss_next = bss + 4096
        self.realmode = self._realmode_base(fl.realmode_pages)
        self.table_pfns: list[int] = []
        self.brk_used: list[int] = []
        self.pt = SwapperTables(m.frames, self.pae, self._alloc_table, self._free_table,
                                root=bss, maxphyaddr=36)
        if self.pae:
            first = cfg.page_offset >> 30
            if cfg.flavour.version < (2, 6, 25):
                # 2.6.24 pagetable_init(): every PDPT entry first points at the zero page;
                # the kernel ones are then replaced by the kernel PMDs
                zero = ((m.kernel_image["bss"][1] >> 12) - 1) << 12
                for i in range(first):
                    m.frames.write_u64(bss + 8 * i, zero | _PAGE_PRESENT)
            for i in range(first, 4):
                if self._bss_next == self.idt_table:
                    self._bss_next += 4096
                pmd = self._bss_next
                self._bss_next += 4096
                m.frames.write_u64(bss + 8 * i, mk_pdpte(pmd, _PAGE_PRESENT, 36))
        self.large = (2 << 20) if self.pae else (4 << 20)
        self._map_direct()
        self._map_pkmap_and_fixmap()

    # the first page tables come from the kernel's .brk (alloc_low_pages(), 3.9+),
    # later ones from the buddy allocator
    def _alloc_table(self) -> int:
        brk = self.m.boot_state.brk_pfns
        if brk:
            pfn = brk.pop(0)
            self.m.frames.zero_frame(pfn)
            self.brk_used.append(pfn)
        else:
            pfn = self.m.alloc_pages("GFP_KERNEL | __GFP_ZERO", 0, owner=pm.OWNER_PGTABLE)
        self.table_pfns.append(pfn)
        return pfn

    def _free_table(self, pfn: int) -> None:
        self.table_pfns.remove(pfn)
        if pfn in self.brk_used:
            return                              # part of the kernel image: never freed
        self.m.page_alloc.free(pfn, 0, None, expect_owner=pm.OWNER_PGTABLE)

    def _realmode_base(self, pages: int) -> int | None:
        """reserve_real_mode(): the trampoline blob, top-down below 1 MB under the EBDA."""
        if not pages:
            return None
        top = 0
        for s, e in self.m.boot_state.ram_ranges:
            if s < 0x100:
                top = max(top, min(e, 0x9F))          # reserve_bios_regions(): EBDA .. 1 MB
        return ((top - pages) << 12) if top > pages else None

    # -- the direct map ----------------------------------------------------------
    def page_flags(self, paddr: int) -> int:
        """The flags of the direct-map page at paddr after mark_rodata_ro(),
        set_real_mode_permissions() and the read-only idt_table."""
        ki = self.m.kernel_image
        text_s, text_e = ki["text"]
        ro_e = ki["rodata"][1] if "rodata" in ki else text_e
        f = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY
        glob = not self.pti
        rm = self.realmode
        if rm is not None and rm <= paddr < rm + 0x4000:
            # page 0: header + rodata (RO, NX); page 1: text (RO, X); the rest RW, NX
            if paddr < rm + 0x2000:
                f &= ~_PAGE_RW
            if self.nx and paddr != rm + 0x1000:
                f |= _PAGE_NX
        elif paddr == self.idt_table:
            f &= ~_PAGE_RW                        # set_memory_ro(idt_table) (arch/x86/kernel/idt.c)
            if self.nx:
                f |= _PAGE_NX
        elif text_s <= paddr < text_e:
            f &= ~_PAGE_RW
            glob = True
        elif text_e <= paddr < ro_e:
            f &= ~_PAGE_RW
            glob = True
            if self.nx:
                f |= _PAGE_NX
        elif self.nx:
            f |= _PAGE_NX
        if glob and self.m.config.pge:
            f |= _PAGE_GLOBAL
        return f

    def _boundaries(self) -> list[int]:
        ki = self.m.kernel_image
        out = []
        for name in ("text", "rodata"):
            if name in ki:
                out += list(ki[name])
        if self.idt_table is not None:
            out += [self.idt_table, self.idt_table + 4096]
        return out

    def _map_direct(self) -> None:
        m, large = self.m, self.large
        po = m.layout.page_offset
        end = m.max_low_pfn << 12
        bounds = self._boundaries()
        use_pse = m.config.pse
        addr = 0
        while addr < end:
            chunk_end = min(addr - addr % large + large, end)
            whole = addr % large == 0 and chunk_end - addr == large
            first = self.page_flags(addr)
            split = any(addr < b < chunk_end and self.page_flags(b) != first for b in bounds)
            if use_pse and whole and not split and addr >= large:
                # the first large page stays 4 KB: the ISA range is mapped on its own
                self.pt.map_large(po + addr, addr, first)
                addr = chunk_end
                continue
            for a in range(addr, chunk_end, 4096):
                self.pt.map_page(po + a, a, self.page_flags(a))
            addr = chunk_end

    def _map_pkmap_and_fixmap(self) -> None:
        m = self.m
        L = m.layout
        # permanent_kmaps_init(): the pkmap page table exists from boot (no PTEs yet)
        self.pkmap_pte = self.pt.pte_paddr(L.pkmap_base, alloc=True)
        # the fixmap's page tables (early_ioremap_page_table_range_init)
        va = L.fixaddr_boot_start & ~(self.large - 1)
        while va < L.fixaddr_top:
            self.pt.pte_paddr(va, alloc=True)
            va += self.large
        uc = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_PWT | _PAGE_PCD
        if not self.pti and m.config.pge:
            uc |= _PAGE_GLOBAL
        if self.nx:
            uc |= _PAGE_NX
        names = {s.name: s.vaddr for s in L.fixmap_slots}
        self.pt.map_page(names["FIX_APIC_BASE"], LOCAL_APIC_PHYS, uc)
        self.pt.map_page(names["FIX_IO_APIC_BASE_0"], IO_APIC_PHYS, uc)

    def lowmem_is_mapped_exactly(self) -> bool:
        """Every mapping at or above PAGE_OFFSET that points into RAM points to lowmem."""
        mm, lim = self.m.memmap, self.m.max_low_pfn
        for r in self.pt.mapped_ranges(self.m.layout.page_offset, 1 << 32):
            s = r.paddr >> 12
            e = min((r.paddr + (r.end - r.start)) >> 12, self.m.max_pfn)
            if e > max(s, lim) and (mm.zone[max(s, lim):e] >= 0).any():
                return False            # a RAM frame above lowmem is mapped
        return True
