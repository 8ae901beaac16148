"""The kernel's page tables at boot: swapper_pg_dir, the direct map, pkmap and fixmap tables.

After arch/x86/mm/init_32.c and init.c (6.1):
* swapper_pg_dir lives in the kernel's .bss; under PAE it is a 4-entry PDPT whose
  kernel entries point to kernel PMD pages (one per GB above PAGE_OFFSET).
* The direct map, per release (engine.kversion rules direct_map_whole_pmds,
  kernel_exec_from_page_offset, rodata_ro):
  - 2.6.20-2.6.26 kernel_physical_mapping_init(pgd_base): with PSE every lowmem PMD is
    one 4 MB (PAE: 2 MB) page, PDE 768 too, and the last one reaches past max_low_pfn to
    the next PMD boundary; PMDs up to __init_end are PAGE_KERNEL_LARGE_EXEC.
  - 2.6.27+ init_memory_mapping(): the first PMD (fixed-size MTRRs) and the partial tail
    below high_memory in 4 KB pages, large pages in between.
  - mark_rodata_ro() (CONFIG_DEBUG_RODATA: off in 2.6.24's defaults, on by default from
    ~2.6.25, always from 4.6; config DEBUG_RODATA) makes text and rodata read-only; CPA
    keeps a large page only while all its 4 KB pages share one protection, so the large
    pages holding the image boundaries are split.
  - From 2.6.38 only the text stays executable (is_kernel_text() from _text,
    mark_nxdata_nx()); before, everything from PAGE_OFFSET to __init_end is.
  Without PSE every page is 4 KB, up to max_low_pfn.
* Non-PAE kernels map everything GLOBAL; PAE kernels under PTI (the ground truth's
  qemu32 CPU is Meltdown-affected) keep GLOBAL only on kernel text and rodata.
* permanent_kmaps_init() allocates the pkmap page table; the fixmap gets its page
  table(s) and the local APIC / IO-APIC slots are mapped uncached.  In the bootmem era these
  tables are the frames bootmem reserved for them (engine.bootmem pagetable_init_tables:
  2.6.20-2.6.24 the PAE kernel PMD, without PSE the direct map's tables head.S's do not give,
  the fixmap's but its top PMD's, a .bss page from 2.6.23, then the pkmap's; 2.6.27-2.6.34 the
  pkmap's).  2.6.27-3.8 the fixmap's tables are early_ioremap's bm_pte and swapper_pg_fixmap in
  .bss (simplified: at the next free .bss page, not bm_pte's own place) and, 2.6.27-2.6.34,
  "PGTABLE" pages after the direct map's (KernelPageTables._fixmap_frames); later releases' from
  the page allocator.
Simplified: .data..ro_after_init pages, cpu_entry_area contents, early ioremaps and the
classic-BPF program ptp_classifier_init() vmallocs at boot are not mapped (bpf_prog_lock_ro()
-> set_memory_ro() makes its page's direct-map alias read-only and splits that 4 MB page on
small machines; which frame it gets follows from every allocation before that initcall); 2.6
builds without a rodata size write-protect the text only.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import physmem as pm
from .paging import (_PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_GLOBAL, _PAGE_NX, _PAGE_PCD,
                     _PAGE_PRESENT, _PAGE_PWT, _PAGE_RW, mk_pdpte)
from .bootmem import (BRK_HEAD_RESERVATION, PG0_RESERVATION, PGTABLE_RESERVATION, direct_map_low_pmds,
                      direct_map_table, fixmap_tables, head_fixmap_table_kept)
from .pgtable import PageTables

if TYPE_CHECKING:
    from .machine import Machine

LOCAL_APIC_PHYS = 0xFEE00000
IO_APIC_PHYS = 0xFEC00000


# the page tables the bootmem era's reservations name (engine.bootmem.place_bootmem)
BOOTMEM_TABLES = ("kernel PMD (one_md_table_init)", "pkmap page table")


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

    def __init__(self, m: Machine) -> None:
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
        # empty_zero_page: after swapper_pg_dir in head_32.S's page-aligned .bss (rule
        # zero_page_after_swapper; PTI's user PGD half comes between them on PAE builds)
        self.empty_zero_page = bss + ((fl.zero_page_after_swapper + int(self.pae and fl.pti)) << 12)
        self._bss_next = bss + 4096
        self.realmode = self._realmode_base(fl.realmode_pages)
        self.table_pfns: list[int] = []
        self.brk_used: list[int] = []
        # page tables a log shows the kernel reserved at boot (engine.mem_init.kernel_page_tables)
        for r in m.boot_state.reservations:
            if r.what.startswith(("initial page tables", "direct-map", "pkmap page table (memblock)",
                                  "cpu_entry_area page")):
                m.boot_state.brk_pfns.extend(range(r.start_pfn, r.end_pfn))
            elif r.what == BRK_HEAD_RESERVATION and fl.memblock_itemized and fl.debug_pagealloc:
                # debug_pagealloc: head_32.S's tables stay the direct map's (all but dmi_alloc's page)
                m.boot_state.brk_pfns.extend(range(r.start_pfn, r.end_pfn - 1))
        # the bootmem era's tables where bootmem put them (engine.bootmem.place_bootmem)
        self.reserved = {r.what: r.start_pfn for r in m.boot_state.reservations
                         if r.what in BOOTMEM_TABLES and r.nr_pages}
        self._take: list[int] = []
        self.low_tables = self._low_tables()
        self.pt = SwapperTables(m.frames, self.pae, self._alloc_table, self._free_table,
                                root=bss, maxphyaddr=36)
        if self.pae:
            first = cfg.page_offset >> 30
            if cfg.flavour.version < (2, 6, 25):
                # 2.6.24 pagetable_init(): every PDPT entry first points at the zero page;
                # the kernel ones are then replaced by the kernel PMDs
                for i in range(first):
                    m.frames.write_u64(bss + 8 * i, self.empty_zero_page | _PAGE_PRESENT)
            for i in range(first, 4):
                pmd_pfn = self.reserved.pop("kernel PMD (one_md_table_init)", None)
                if pmd_pfn is not None:
                    # 2.6.20-2.6.26 one_md_table_init(): alloc_bootmem_low_pages() (2.6.24
                    # arch/x86/mm/init_32.c:65-67; native_pagetable_setup_start() l.369-370 left
                    # the kernel's PGD entries empty)
                    m.frames.zero_frame(pmd_pfn)
                    pmd = pmd_pfn << 12
                else:
                    pmd = self._next_bss_page()
                m.frames.write_u64(bss + 8 * i, mk_pdpte(pmd, _PAGE_PRESENT, 36))
        self.large = (2 << 20) if self.pae else (4 << 20)
        self._map_direct()
        self._map_pkmap_and_fixmap()

    def _next_bss_page(self) -> int:
        """The next page-aligned .bss page after swapper_pg_dir (PAE kernel PMDs, 2.6.25+'s
        swapper_pg_fixmap), past idt_table and empty_zero_page."""
        while self._bss_next in (self.idt_table, self.empty_zero_page):
            self._bss_next += 4096
        self._bss_next += 4096
        return self._bss_next - 4096

    # the first page tables come from the kernel's .brk (alloc_low_pages(), 3.9+),
    # later ones from the buddy allocator
    def _alloc_table(self) -> int:
        brk = self.m.boot_state.brk_pfns
        if self._take:                          # a table bootmem reserved by name
            pfn = self._take.pop(0)
            self.m.frames.zero_frame(pfn)
            self.brk_used.append(pfn)
        elif brk:
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

    def _low_tables(self) -> dict[int, int]:
        """{lowmem PMD index: the frame of its page table} where the release takes it from a boot
        reservation (2.6.27-2.6.34, early_res): kernel_physical_mapping_init() -> one_page_table_init()
        reuses a table head_32.S made (its PDE is present: pg0's before 2.6.30) and takes the others
        from init_memory_mapping()'s "PGTABLE" area with alloc_low_page(), in address order (2.6.29
        arch/x86/mm/init_32.c:118-131, 314; 2.6.32.69 l.108-121 and arch/x86/mm/init.c:271-313).
        From 2.6.30 to 3.8 head_32.S's tables lie at __brk_base, one per PMD from physical 0
        (2.6.30 arch/x86/kernel/head_32.S:191-211, 227-243; 3.8.13 arch/x86/mm/init_32.c:107-128
        one_page_table_init() keeps a present PMD's table); before 2.6.35 the others come from
        "PGTABLE", later from the page allocator (simplified)."""
        bs = self.m.boot_state
        out = {}
        brk = next((r for r in bs.reservations if r.what == BRK_HEAD_RESERVATION), None)
        if brk is not None and bs.head_tables:
            out.update({i: brk.start_pfn + i for i in range(bs.head_tables)})
        fl = self.m.config.flavour
        if fl.early_alloc_model == "setup_32":        # 2.6.20-2.6.26: engine.bootmem.pagetable_init_tables
            names = {direct_map_table(i): i for i in range(-(-bs.max_low_pfn // (512 if self.pae else 1024)))}
            for r in bs.reservations:
                if r.what == PG0_RESERVATION and (not self.pae or fl.head_pae_tables):
                    out.update({i: r.start_pfn + i for i in range(r.nr_pages)})
                elif r.what in names:
                    out[names[r.what]] = r.start_pfn
            return out
        if fl.early_alloc_model != "early_res":
            return out
        for r in bs.reservations:
            if r.what == PG0_RESERVATION:
                out.update({i: r.start_pfn + i for i in range(r.nr_pages)})
        pgt = next((r for r in bs.reservations if r.what == PGTABLE_RESERVATION), None)
        if pgt is not None:
            for j, i in enumerate(direct_map_low_pmds(bs, bs.kernel_end_pfn)[:pgt.nr_pages]):
                out[i] = pgt.start_pfn + j
        return out

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
    def _initially_large(self, paddr: int) -> bool:
        """Whether the PMD holding paddr is first mapped with one large page
        (kernel_physical_mapping_init / init_memory_mapping of the release)."""
        m, large = self.m, self.large
        if not m.config.pse or m.config.flavour.debug_pagealloc:
            return False          # debug_pagealloc: init_memory_mapping() maps 4 KB pages only
        base = paddr - paddr % large
        if m.config.flavour.direct_map_whole_pmds:
            return True                   # 2.6.24-2.6.26: every PMD, the first and the last too
        # split_mem_range(): the first PMD (fixed-size MTRRs) and the tail below max_low_pfn in 4 KB
        return base >= large and base + large <= m.max_low_pfn << 12

    def _exec(self, paddr: int) -> bool:
        """Executable after boot: is_kernel_text() at mapping time, mark_nxdata_nx() after."""
        ki = self.m.kernel_image
        if not self.m.config.flavour.kernel_exec_from_page_offset:
            text_s, text_e = ki["text"]
            return text_s <= paddr < text_e
        init_end = ki["init"][1]
        if self._initially_large(paddr):
            return paddr - paddr % self.large <= init_end     # PAGE_KERNEL_LARGE_EXEC for the PMD
        return paddr <= init_end

    def page_flags(self, paddr: int) -> int:
        """The flags of the direct-map page at paddr after mark_rodata_ro(),
        set_real_mode_permissions() and the read-only idt_table."""
        ki = self.m.kernel_image
        fl = self.m.config.flavour
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
            return f | (_PAGE_GLOBAL if glob and self.m.config.pge else 0)
        if paddr == self.idt_table:
            f &= ~_PAGE_RW                        # set_memory_ro(idt_table) (arch/x86/kernel/idt.c)
        elif fl.rodata_ro and text_s <= paddr < ro_e:
            f &= ~_PAGE_RW                        # mark_rodata_ro(): text and rodata
            glob = True
        if self.nx and not self._exec(paddr):
            f |= _PAGE_NX
        if glob and self.m.config.pge:
            f |= _PAGE_GLOBAL
        return f

    def direct_map_end(self) -> int:
        """The physical end of the direct map: max_low_pfn, or the next PMD boundary when
        2.6.24-2.6.26 map the last lowmem PMD with one large page."""
        end = self.m.max_low_pfn << 12
        if self.m.config.pse and self.m.config.flavour.direct_map_whole_pmds:
            end = -(-end // self.large) * self.large
        return end

    def _boundaries(self) -> list[int]:
        """Where page_flags() may change: the image sections and the idt_table page."""
        ki = self.m.kernel_image
        out = [ki["init"][1] + 4096 - ki["init"][1] % 4096]
        for name in ("text", "rodata"):
            if name in ki:
                out += list(ki[name])
        if self.idt_table is not None:
            out += [self.idt_table, self.idt_table + 4096]
        return out

    def _map_direct(self) -> None:
        """Each PMD large when first mapped large and every page in it ends with the same
        flags (CPA keeps a large page whose pages all get one protection), else 4 KB pages."""
        m, large = self.m, self.large
        po = m.layout.page_offset
        end = self.direct_map_end()
        bounds = self._boundaries()
        addr = 0
        run: list[int] = []                 # large pages not written yet: flags, from run_at
        run_at = 0
        while addr < end:
            chunk_end = min(addr - addr % large + large, end)
            if self._initially_large(addr):
                first = self.page_flags(addr)
                if all(self.page_flags(b) == first for b in bounds if addr < b < chunk_end):
                    run_at = addr if not run else run_at
                    run.append(first)
                    addr = chunk_end
                    continue
            if run:                         # (written before any page table is allocated)
                self.pt.map_larges(po + run_at, run_at, run)
                run = []
            flags = [self.page_flags(a) for a in range(addr, chunk_end, 4096)]
            low = self.low_tables.get(addr // large)
            if low is not None and not self._initially_large(addr):
                self._take = [low]              # a table the boot reserved for this PMD
            self.pt.map_pages(po + addr, addr, flags)
            self._take = []
            addr = chunk_end
        if run:
            self.pt.map_larges(po + run_at, run_at, run)

    def _map_pkmap_and_fixmap(self) -> None:
        """The pkmap and fixmap page tables.  Where bootmem reserved them by name (engine.bootmem:
        2.6.20-2.6.26 the fixmap's then the pkmap's, 2.6.27-2.6.34 the pkmap's) they are those
        frames, allocated in the kernel's order: 2.6.24 pagetable_init() page_table_range_init() of
        the fixmap, then permanent_kmaps_init() (arch/x86/mm/init_32.c:438-442), each table from
        one_page_table_init()'s alloc_bootmem_low_pages() (l.94-95; 2.6.28 l.122-128 after
        bootmem is up) unless head.S hung one on the PMD (rule head_fixmap_table)."""
        m = self.m
        L = m.layout
        pk = self.reserved.pop("pkmap page table", None)
        fl = m.config.flavour
        late = bool(fl.brk_pgt_pages or fl.memblock_itemized)      # 3.9+: pkmap's first
        if not late:
            self._map_fixmap_tables(self._fixmap_frames())
        # permanent_kmaps_init(): the pkmap page table exists from boot (no PTEs yet)
        self._take = [pk] if pk is not None else []
        self.pkmap_pte = self.pt.pte_paddr(L.pkmap_base, alloc=True)
        self._take = []
        if late:
            self._map_fixmap_tables({})
        self._map_fixmap_slots()

    def _fixmap_frames(self) -> dict[int, int]:
        """{fixmap PMD (virtual address): its table's frame} where the release does not take it from
        the page allocator.  2.6.20-2.6.26: the bootmem reservations, the top PMD's head.S .bss
        table from 2.6.23 (rule head_fixmap_table: non-PAE swapper_pg_pmd / swapper_pg_fixmap, the
        page after swapper_pg_dir; PAE 2.6.25+ the one after swapper_pg_pmd).  2.6.27-3.8
        (engine.bootmem.fixmap_tables): swapper_pg_fixmap and bm_pte, .bss pages (bm_pte's place in
        .bss, after other objects' page-aligned .bss, is not modelled: the next free page), and
        "PGTABLE" pages after the direct map's (2.6.27-2.6.34; later from the page allocator)."""
        bs, fl = self.m.boot_state, self.m.config.flavour
        L = self.m.layout
        if fl.early_alloc_model == "setup_32":
            fix = [r.start_pfn for r in bs.reservations if r.what.startswith("fixmap page table")]
            if head_fixmap_table_kept(bs):
                fix.append(self._next_bss_page() >> 12)
            return dict(zip(range(L.fixaddr_boot_start & ~(self.large - 1), L.fixaddr_top, self.large), fix))
        if fl.brk_pgt_pages or fl.memblock_itemized:
            return {}
        src = fixmap_tables(bs)
        static = {k: self._next_bss_page() >> 12 for k in ("swapper_pg_fixmap", "bm_pte") if k in src.values()}
        pgt = next((r for r in bs.reservations if r.what == PGTABLE_RESERVATION), None)
        j = len(direct_map_low_pmds(bs, bs.kernel_end_pfn))
        out = {}
        for va in sorted(src):
            if src[va] in static:
                out[va] = static[src[va]]
            elif pgt is not None and j < pgt.nr_pages:
                out[va], j = pgt.start_pfn + j, j + 1
        return out

    def _map_fixmap_tables(self, frames: dict[int, int]) -> None:
        """The fixmap's page tables (page_table_range_init(), early_ioremap_page_table_range_init()):
        ``frames`` {PMD va: frame} where the release does not take one from the page allocator."""
        L = self.m.layout
        va = L.fixaddr_boot_start & ~(self.large - 1)
        while va < L.fixaddr_top:
            self._take = [frames[va]] if va in frames else []
            self.pt.pte_paddr(va, alloc=True)
            va += self.large
        self._take = []

    def _map_fixmap_slots(self) -> None:
        m = self.m
        L = m.layout
        uc = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_PWT | _PAGE_PCD
        if not self.pti and m.config.pge:
            uc |= _PAGE_GLOBAL
        if self.nx:
            uc |= _PAGE_NX
        names = {s.name: s.vaddr for s in L.fixmap_slots}
        self.pt.map_page(names["FIX_APIC_BASE"], LOCAL_APIC_PHYS, uc)
        self.pt.map_page(names["FIX_IO_APIC_BASE_0"], IO_APIC_PHYS, uc)

    def lowmem_is_mapped_exactly(self) -> bool:
        """Every mapping at or above PAGE_OFFSET that points into RAM points to the direct map's
        frames (lowmem; up to the next PMD boundary on 2.6.24-2.6.26 with PSE)."""
        lim = self.direct_map_end() >> 12
        ram = self.m.boot_state.ram_ranges            # e820 RAM (not the MMIO the fixmap maps)
        for r in self.pt.mapped_ranges(self.m.layout.page_offset, 1 << 32):
            s = max(r.paddr >> 12, lim)
            e = (r.paddr + (r.end - r.start)) >> 12
            if any(max(s, a) < min(e, b) for a, b in ram):
                return False            # a RAM frame above lowmem is mapped
        return True
