"""Where the bootmem era's early allocations lie (before memblock, 2.6.20 .. 2.6.34).

The "Memory:" line of a kernel before 2.6.34 depends on where each boot allocation ends,
not only on its size: free_all_bootmem_core() frees every page of a partly reserved 32-page
bitmap word one at a time, and those single pages stay on the boot CPU's hot list
(engine.mem_init pcp_parked).  So the allocations are placed as the kernel places them:
head_32.S's pg0 tables, the initrd where the loader or relocate_initrd() put it, the low
allocations, then alloc_bootmem()'s byte-packed allocations from 16 MB in start_kernel()'s order.
"""
from __future__ import annotations

from . import physmem as pm
from .errors import ConfigError
from .mem_init import WAIT_QUEUE_HEAD_BYTES, pidhash_entries, wait_table_entries


LOW_PAGES = 1 << 20                # head_32.S LOW_PAGES = 1 << (32 - PAGE_SHIFT)
MAX_DMA_PFN = 0x1000               # __pa(MAX_DMA_ADDRESS): alloc_bootmem()'s goal, 16 MB
# bootmem's goal-16MB allocations in the order start_kernel() makes them: free_area_init_nodes()
# (alloc_node_mem_map, then per zone setup_usemap + zone_wait_table_init), setup_per_cpu_areas(),
# pidhash_init(), vfs_caches_init_early() (dentry, then inode hash)
BOOTMEM_ORDER = ("mem_map", "zone wait tables", "percpu", "PID hash table",
                 "Dentry cache hash table", "Inode-cache hash table")


def pg0_tables(end_pfn: int, pae: bool, pae_tables: bool) -> int:
    """Page tables head_32.S builds at pg0 (page-aligned _end) before 2.6.30.

    It adds one table after another until what they map reaches INIT_MAP_BEYOND_END bytes
    beyond the tables' own end (``cmpl %ebp,%eax; jb 10b``): INIT_MAP_BEYOND_END =
    BOOTBITMAP_SIZE (LOW_PAGES/8) + (PAGE_TABLE_SIZE + ALLOCATOR_SLOP 4) pages, PAGE_TABLE_SIZE =
    LOW_PAGES/1024, or LOW_PAGES/512 + 4 when PTRS_PER_PMD > 1 (PAE).  Each table maps 4 MB
    (2.6.24 builds 2-level tables even for PAE kernels), 2 MB with the PAE path
    (``pae_tables``: rule head_pae_tables).  setup_bootmem_allocator() reserves them with the image.
    """
    table_size = LOW_PAGES // 512 + 4 if pae else LOW_PAGES // 1024
    beyond = LOW_PAGES // 8 + (table_size + 4) * 4096
    span = (2 << 20) if pae and pae_tables else (4 << 20)
    edi, eax, n = end_pfn << 12, 0, 0
    while True:
        edi, eax, n = edi + 4096, eax + span, n + 1
        if eax >= edi + beyond:
            return n


BRK_SLOP_PAGES = 16               # vmlinux.lds.S .brk: __brk_base, ". += 64 * 1024" (alignment slop)
DMI_BRK_PAGES = 16                # setup.c RESERVE_BRK(dmi_alloc, 65536)
BRK_HEAD_RESERVATION = "kernel .brk (head_32.S page tables, DMI)"


def brk_head_tables(cfg, page_offset: int, brk_base: int) -> tuple[int, int]:
    """(page tables head_32.S builds at __brk_base, the pfn of _end), 2.6.30 .. 3.8.

    _end is __brk_base plus the .brk reservations: the 64K slop, RESERVE_BRK(pagetables,
    INIT_MAP_SIZE) and RESERVE_BRK(dmi_alloc, 65536) (CONFIG_XEN's p2m reservations are not
    counted).  INIT_MAP_SIZE = PAGE_TABLE_SIZE(KERNEL_PAGES) pages, PAGE_TABLE_SIZE(n) = n/1024,
    or n/512 + 4 with PAE; KERNEL_PAGES = (512 MB + MAPPING_BEYOND_END) / 4K before 2.6.37,
    LOWMEM_PAGES after (rule brk_map_lowmem).  The loop adds a table (4 MB, 2 MB with PAE) until
    what they map reaches pa(_end) + MAPPING_BEYOND_END, MAPPING_BEYOND_END =
    PAGE_TABLE_SIZE(LOWMEM_PAGES) pages (2.6.30 arch/x86/kernel/head_32.S:56-74, 191-211 PAE,
    227-243 non-PAE; 3.8.13 l.59-78, 169-189, 205-221).
    """
    lowmem_pages = ((1 << 32) - page_offset) >> 12

    def table_size(pages: int) -> int:
        return pages // 512 + 4 if cfg.pae else pages // 1024
    beyond = table_size(lowmem_pages)
    kernel_pages = lowmem_pages if cfg.flavour.brk_map_lowmem else ((512 << 20) >> 12) + beyond
    end = brk_base + BRK_SLOP_PAGES + table_size(kernel_pages) + DMI_BRK_PAGES
    return -(-(end + beyond) // (512 if cfg.pae else 1024)), end


def _free_run(occupied, lo: int, hi: int, n: int) -> int | None:
    """Lowest start >= lo of n pages below hi that overlaps no (start, end) in occupied."""
    s = lo
    for a, b in sorted(occupied):
        if b <= s:
            continue
        if a >= s + n:
            break
        s = b
    return s if s + n <= hi else None


def _ram_fit(bs, taken, lo: int, hi: int, n: int) -> int | None:
    """Lowest start of n free RAM pages in [lo, hi) (find_e820_area / bootmem's scan)."""
    lo = max(lo, bs.ranges[0][0])
    for a, b in bs.ram_ranges:
        s = _free_run(taken, max(a, lo), min(b, hi), n)
        if s is not None:
            return s
    return None


def initrd_start(bs, n: int, taken) -> int:
    """Where the initrd lies at mem_init (pfn).

    The log's address when it gives one ("RAMDISK: ...", "Allocated new RAMDISK: ...").  Else
    the loader's: GRUB puts it as high as the header's initrd_addr_max and the RAM above 1 MB
    allow, ``moveto = (max_addr - len) & 0xfffff000`` (grub 0.97 stage2/boot.c load_initrd);
    ramdisk_max (arch/x86/boot/header.S) is ``(-__PAGE_OFFSET - (512 << 20) - 1) & 0x7fffffff``
    in 2.6.24 and 0x7fffffff once the kernel relocates it (relocate_initrd(): an initrd ending
    above lowmem moves to find_e820_area(0, end_of_lowmem, size, PAGE_SIZE), the lowest free fit).
    """
    fl = bs.cfg.flavour
    lim = bs.max_low_pfn
    at = fl.initrd_start_pfn
    if at >= 0 and _ram_fit(bs, taken, at, lim, n) == at:
        return at
    if fl.initrd_relocate:
        ramdisk_max = 0x7FFFFFFF
    else:
        ramdisk_max = ((1 << 32) - bs.layout.page_offset - (512 << 20) - 1) & 0x7FFFFFFF
    top = next((b for a, b in bs.ram_ranges if a <= 0x100 < b), lim)
    max_addr = min(ramdisk_max, 0x37FFFFFF, (top << 12) - 1)
    start = ((max_addr - (fl.initrd_kb * 1024 or n * 4096)) & ~0xFFF) >> 12
    if start + n > lim or _ram_fit(bs, taken, start, lim, n) != start:
        low = _ram_fit(bs, taken, 0, lim, n)
        start = low if low is not None else max(0, lim - n)
    return start


SMP_CACHE_BYTES = 128     # L1_CACHE_BYTES of the generic i386 builds (X86_L1_CACHE_SHIFT 7, X86_GENERIC)
RESOURCE_BYTES = 28       # sizeof(struct resource) with a 32-bit resource_size_t (non-PAE)
NOSAVE_REGION_BYTES = 16  # struct nosave_region: list_head, start_pfn, end_pfn
PCPU_META_BYTES = 320     # (approx.) pcpu_setup_first_chunk(): pcpu_slot[], the static and dynamic chunk structs
CMDLINE_BYTES = 64        # (approx.) setup_command_line(): strlen(boot_command_line) + 1, twice


class Bootmem:
    """alloc_bootmem_core() (mm/bootmem.c): the lowest free run at or above the goal -- from
    2.6.27 at or above the previous allocation's end (bdata->hint_idx) -- and an allocation
    aligned below PAGE_SIZE starts inside the previous allocation's last, partly used page
    when the run begins right after it (last_end_off), so small allocations share pages."""

    def __init__(self, bs, taken, hint_for_low: bool) -> None:
        self.bs, self.taken, self.hint_for_low = bs, list(taken), hint_for_low
        self.end = 0                      # byte just past the previous allocation (0: none)
        self.last_start = 0               # the last allocation's physical address

    def alloc(self, nbytes: int, align: int, goal: int):
        """(first new pfn, new pages) of an allocation of nbytes; ConfigError when it cannot fit."""
        lim = self.bs.max_low_pfn
        lo = goal
        if self.end and (goal or self.hint_for_low):
            lo = max(goal, -(-self.end // 4096))
        n = -(-nbytes // 4096)
        s = _ram_fit(self.bs, self.taken, lo, lim, n)
        if s is None:
            s = _ram_fit(self.bs, self.taken, goal, lim, n)
        if s is None:
            raise ConfigError("its bootmem allocations do not fit in lowmem")
        if align < 4096 and self.end % 4096 and self.end // 4096 + 1 == s:
            start = -(-self.end // align) * align
        else:
            start = s * 4096
        end = start + nbytes
        self.last_start = start          # the allocation's physical address
        first = -(-start // 4096) if start % 4096 and start // 4096 < s else start // 4096
        last = -(-end // 4096)
        self.end = end
        self.taken.append((first, last))
        return first, last - first


def usemap_bytes(spanned: int, pageblock_pages: int) -> int:
    """usemap_size() (mm/page_alloc.c): NR_PAGEBLOCK_BITS (3) per pageblock, in longs."""
    bits = -(-spanned // pageblock_pages) * 3
    return -(-bits // 32) * 4


PG0_RESERVATION = "kernel pg0 (head_32.S early page tables)"
PGTABLE_RESERVATION = "PGTABLE (init_memory_mapping)"


def head_mapped_pmds(bs, kernel_end: int) -> int:
    """How many PMDs from physical 0 head_32.S's page tables map (their PDEs are present when
    init_memory_mapping() runs, so kernel_physical_mapping_init()'s one_page_table_init() reuses
    them): the log's "initial memory mapped" when known; before 2.6.30 the pg0 tables; from
    2.6.30 the .brk tables, added until they map pa(_end) + MAPPING_BEYOND_END, MAPPING_BEYOND_END
    = PAGE_TABLE_SIZE(LOWMEM_PAGES) << PAGE_SHIFT (2.6.32.69 arch/x86/kernel/head_32.S:56-63,
    211-213 PAE, 243-245 non-PAE)."""
    fl, cfg = bs.cfg.flavour, bs.cfg
    if fl.initial_map_pgt or bs.head_tables:
        return fl.initial_map_pgt or bs.head_tables
    pg0 = next((r for r in bs.reservations if r.what == PG0_RESERVATION), None)
    if pg0 is not None:
        return pg0.nr_pages
    lowmem_pages = ((1 << 32) - bs.layout.page_offset) >> 12
    table_size = lowmem_pages // 512 + 4 if cfg.pae else lowmem_pages // 1024
    span = (2 << 20) if cfg.pae else (4 << 20)
    return -(-((kernel_end << 12) + (table_size << 12)) // span)


def direct_map_low_pmds(bs, kernel_end: int) -> list[int]:
    """The lowmem PMDs (index from physical 0) whose page tables init_memory_mapping() takes
    from its "PGTABLE" area with alloc_low_page() (2.6.27-2.6.34): those it maps with 4 KB pages
    -- the first PMD (fixed-size MTRRs) and a tail that does not end on a large-page boundary,
    every PMD without PSE or with debug_pagealloc (use_pse = 0) -- beyond head_32.S's tables
    (2.6.29 arch/x86/mm/init_32.c:868-960 init_memory_mapping, l.314 one_page_table_init())."""
    cfg, fl = bs.cfg, bs.cfg.flavour
    pmd_pages = 512 if cfg.pae else 1024
    n = -(-bs.max_low_pfn // pmd_pages)
    head = head_mapped_pmds(bs, kernel_end)
    if cfg.pse and not fl.debug_pagealloc:
        small = [0] + ([n - 1] if bs.max_low_pfn % pmd_pages and n > 1 else [])
    else:
        small = list(range(n))
    return [i for i in small if i >= head]


def fixmap_tables(bs) -> dict[int, str]:
    """{fixmap PMD (virtual address): where its page table comes from} once 2.6.27-3.8's
    early_ioremap_page_table_range_init() ran page_table_range_init() over the fixmap: "bm_pte"
    (early_ioremap's .bss table on FIX_BTMAP_BEGIN's PMD, kept from 2.6.29: rule
    fixmap_keeps_bm_pte), "swapper_pg_fixmap" (head_32.S's .bss table on the top PMD, where
    early_ioremap_init() did not replace it), else "PGTABLE" (alloc_low_page()); from 2.6.29 a
    table outside that area on a PMD of the kmap slots, when they span PMDs, is copied into an
    alloc_low_page() one (page_table_kmap_check())."""
    cfg, fl, L = bs.cfg, bs.cfg.flavour, bs.layout
    large = (2 if cfg.pae else 4) << 20
    first = (L.fixaddr_boot_start + 4096) & ~(large - 1)        # __fix_to_virt(__end_of_fixed_addresses - 1)
    btmap = (L.fixaddr_boot_start + (fl.fixmap_tail_slots + 1) * 4096) & ~(large - 1)
    kmap = {s.vaddr & ~(large - 1) for s in L.fixmap_slots if s.name.startswith("FIX_KMAP")}
    out = {}
    for va in range(first, L.fixaddr_top, large):
        if va == btmap:
            out[va] = "bm_pte" if fl.fixmap_keeps_bm_pte else "PGTABLE"
        else:
            out[va] = "swapper_pg_fixmap" if va + large >= L.fixaddr_top else "PGTABLE"
        if fl.fixmap_keeps_bm_pte and len(kmap) > 1 and va in kmap:
            out[va] = "PGTABLE"
    return out


def direct_map_table(i: int) -> str:
    """The name of the bootmem reservation of lowmem PMD i's page table (2.6.20-2.6.26, no PSE)."""
    return f"direct-map page table (PMD {i})"


def pagetable_init_tables(bs) -> list[str]:
    """The page tables 2.6.20-2.6.26's pagetable_init() takes from alloc_bootmem_low_pages(), in
    its order (2.6.24 arch/x86/mm/init_32.c:419-442): the PAE kernel PMD before 2.6.25
    (one_md_table_init(), l.60-67; from 2.6.25 head_32.S's swapper_pg_pmd is kept); without PSE a
    table for each lowmem PMD that pg0's tables do not map (kernel_physical_mapping_init() l.152-190:
    one_page_table_init() keeps a present table, l.85-100; a PAE kernel before 2.6.25 has none left);
    the fixmap's PMDs but the top one where head.S gave it a .bss table (rule head_fixmap_table);
    then the pkmap's (permanent_kmaps_init(), l.269)."""
    cfg, fl, L = bs.cfg, bs.cfg.flavour, bs.layout
    kept = not cfg.pae or fl.head_pae_tables
    out = [] if kept else ["kernel PMD (one_md_table_init)"]
    if not cfg.pse:
        head = head_mapped_pmds(bs, bs.kernel_end_pfn) if kept else 0
        out += [direct_map_table(i) for i in range(head, -(-bs.max_low_pfn // (512 if cfg.pae else 1024)))]
    large = (2 if cfg.pae else 4) << 20
    n_fix = (L.fixaddr_top - 1) // large - L.fixaddr_boot_start // large + 1 - int(head_fixmap_table_kept(bs))
    out += ["fixmap page table" + (f" ({k + 1})" if k else "") for k in range(n_fix)]
    return out + ["pkmap page table"]


def head_fixmap_table_kept(bs) -> bool:
    """2.6.20-2.6.26: head.S's .bss table is the top fixmap PMD's (rule head_fixmap_table) unless
    early_ioremap_init() hung bm_pte over it and pagetable_init()'s early_ioremap_clear() took that
    off before page_table_range_init() (2.6.25-2.6.26 with the btmap block on the top PMD: rule
    early_ioremap_bm_pte; 2.6.26 arch/x86/mm/ioremap.c:446-448, init_32.c:408-411)."""
    cfg, fl, L = bs.cfg, bs.cfg.flavour, bs.layout
    large = (2 if cfg.pae else 4) << 20
    btmap = (L.fixaddr_boot_start + (fl.fixmap_tail_slots + 1) * 4096) & ~(large - 1)
    cleared = fl.early_ioremap_bm_pte and not fl.fixmap_keeps_bm_pte and btmap + large >= L.fixaddr_top
    return fl.head_fixmap_table and (not cfg.pae or fl.head_pae_tables) and not cleared


def early_table_space(bs) -> int:
    """find_early_table_space(end = max_low_pfn << PAGE_SHIFT)'s estimate in pages (2.6.29
    arch/x86/mm/init_32.c:824-866, 2.6.32.69 arch/x86/mm/init.c:31-84): the PUDs', PMDs' and
    PTEs' pages (with PSE the PTEs of one PMD plus the tail), and the fixmap's PTEs."""
    cfg, L = bs.cfg, bs.layout
    end = bs.max_low_pfn << 12
    entry = 8 if cfg.pae else 4
    pud_size, pmd_size = (1 << 30, 2 << 20) if cfg.pae else (4 << 20, 4 << 20)

    def pages(nbytes):
        return -(-nbytes // 4096)
    tables = pages(-(-end // pud_size) * entry) + pages(-(-end // pmd_size) * entry)
    if cfg.pse and not cfg.flavour.debug_pagealloc:
        ptes = -(-(end % pmd_size + pmd_size) // 4096)
    else:
        ptes = -(-end // 4096)
    tables += pages(ptes * entry)
    end_of_fixed = (L.fixaddr_top - L.fixaddr_boot_start) >> 12
    return tables + pages(end_of_fixed * entry)


def place_bootmem(bs, taken, early, kernel_end: int, bitmap: int) -> list[tuple[str, int, int, int]]:
    """(what, start pfn, pages, owner) of the bootmem era's early allocations, in the order
    setup_arch() and start_kernel() make them.

    * the initrd where initrd_start() says (reserve_initrd() runs before bootmem exists);
    * before 2.6.35, the low allocations one by one: 2.6.24's setup_bootmem_allocator()
      reserve_bootmem(PAGE_SIZE, PAGE_SIZE) (SMP), acpi_reserve_bootmem() (one page),
      smp_alloc_memory() (the trampoline), pagetable_init() (the PAE kernel PMD, the fixmap and
      pkmap page tables); from 2.6.27 early_res's "EX TRAMPOLINE" page, "TRAMPOLINE",
      init_memory_mapping()'s "PGTABLE", then the bitmap, acpi_reserve_bootmem()'s
      alloc_bootmem_low(WAKEUP_SIZE 0x4000) and, before 2.6.32, the pkmap page table (field case
      04's log lists them: 0x1000, 0x6000, 0x7000, bootmap 0x8000-0xef00; "PGTABLE" from
      find_e820_area(0x7000, ...)); from 2.6.35 the flavour's block;
    * the bootmem bitmap: at min_low_pfn, right after the image (and pg0) in 2.6.24; in low
      memory from 2.6.27 on;
    * then bottom-up from 16 MB (alloc_bootmem's goal): mem_map, each zone's usemap and wait
      table (free_area_init_core), the small ones (e820 resources, nosave regions, the two
      command-line copies), the per-CPU chunk (page-aligned; a unit is max(its pages,
      PCPU_MIN_UNIT_SIZE) from 2.6.30 and each unit's tail is freed, a hole) with its metadata,
      the PID hash, the dentry and inode hashes, page_cgroup (page-aligned), the rest.
    """
    fl, lim, cfg = bs.cfg.flavour, bs.max_low_pfn, bs.cfg
    early_res = fl.early_alloc_model == "early_res"
    bm = Bootmem(bs, taken, hint_for_low=early_res)
    out = []

    def put(what, s, n, owner=pm.OWNER_BOOTMEM):
        out.append((what, s, n, owner))
        if n and (s, s + n) not in bm.taken:
            bm.taken.append((s, s + n))

    def alloc(what, nbytes, align, goal, owner=pm.OWNER_BOOTMEM):
        s, n = bm.alloc(nbytes, align, goal)
        out.append((what, s, n, owner))

    by = {e[0]: e for e in early}
    for what, n, owner in [e for e in early if e[0].startswith("initrd") and e[1]]:
        put(what, initrd_start(bs, n, bm.taken + [(kernel_end, kernel_end + bitmap)] * (not fl.initrd_relocate)),
            n, owner)
    blob = by.get("early allocations (page tables, log buffer, ...)")
    if fl.early_alloc_model != "memblock" and blob is not None:
        page = 4096
        if early_res:
            put("EX TRAMPOLINE (early_res)", 1, 1)
            s = _ram_fit(bs, bm.taken, 0, 0x100, 1)
            put("TRAMPOLINE (reserve_trampoline_memory)", s if s is not None else 2, 1)
            # find_e820_area(0x7000, max_pfn_mapped << PAGE_SHIFT, tables, PAGE_SIZE), then
            # reserve_early() of the pages alloc_low_page() handed out (2.6.27.57
            # arch/x86/mm/init_32.c:750-751, 850; 2.6.32.69 arch/x86/mm/init.c:73-78, 311-313)
            n = len(direct_map_low_pmds(bs, kernel_end)) + list(fixmap_tables(bs).values()).count("PGTABLE")
            mapped = head_mapped_pmds(bs, kernel_end) * (512 if cfg.pae else 1024)
            s = _ram_fit(bs, bm.taken, 7, mapped, early_table_space(bs))
            put(PGTABLE_RESERVATION, s if s is not None else kernel_end, n)
            b = _ram_fit(bs, bm.taken, 0, lim, max(bitmap, 1))
            b = b if b is not None else kernel_end
            put("bootmem bitmap", b, bitmap)
            if bitmap:                  # the bitmap's own partial page (none with NO_BOOTMEM, 2.6.34)
                bm.end = b * page + ((lim + 7) // 8 + 3) // 4 * 4
            alloc("ACPI wakeup (alloc_bootmem_low WAKEUP_SIZE)", 0x4000, SMP_CACHE_BYTES, 0)
            # permanent_kmaps_init() -> one_page_table_init(): alloc_bootmem_low_pages() (goal 0,
            # 2.6.31.3 arch/x86/mm/init_32.c:119) -> alloc_bootmem_pages(), goal 16 MB (2.6.32.69
            # and 2.6.34 l.119; rule pkmap_pt_goal_dma); a goal bootmem cannot meet falls back to 0
            high = fl.pkmap_pt_goal_dma and _ram_fit(bs, bm.taken, MAX_DMA_PFN, lim, 1) is not None
            alloc("pkmap page table", page, page, MAX_DMA_PFN if high else 0)
        else:
            put("bootmem bitmap", kernel_end, bitmap)
            put("SMP trampoline page 1 (reserve_bootmem)", 1, 1)
            alloc("ACPI wakeup (acpi_reserve_bootmem)", page, SMP_CACHE_BYTES, 0)
            alloc("SMP trampoline (smp_alloc_memory)", page, page, 0)
            for what in pagetable_init_tables(bs):
                alloc(what, page, page, 0)
    else:
        low = 0 if fl.initrd_relocate else kernel_end
        b = _ram_fit(bs, bm.taken, low, lim, bitmap) if bitmap else kernel_end
        put("bootmem bitmap", b if b is not None else kernel_end, bitmap)
        if blob is not None and blob[1]:
            s = _ram_fit(bs, bm.taken, 1, lim, blob[1])
            put(blob[0], s if s is not None else kernel_end + bitmap, blob[1], blob[2])
    # goal 16 MB
    goal = MAX_DMA_PFN if _ram_fit(bs, bm.taken, MAX_DMA_PFN, lim, 1) is not None else 0
    if "mem_map" in by:
        alloc("mem_map", by["mem_map"][1] * 4096, SMP_CACHE_BYTES, goal, pm.OWNER_MEMMAP)
        bs.mem_map_phys = bm.last_start
    if "zone wait tables" in by:
        pb = 512 if cfg.pae else 1024
        for z in bs.zones:
            if z.spanned:
                alloc(f"usemap ({z.name})", usemap_bytes(z.spanned, pb), SMP_CACHE_BYTES, goal)
                alloc(f"zone wait table ({z.name})", wait_table_entries(z.spanned) * WAIT_QUEUE_HEAD_BYTES,
                      SMP_CACHE_BYTES, goal)
    nr_e820 = len(bs.e820)
    small = (nr_e820 * RESOURCE_BYTES if early_res else 0) + 4 * NOSAVE_REGION_BYTES + 2 * CMDLINE_BYTES
    alloc("small allocations (e820 resources, nosave regions, command line)", small, SMP_CACHE_BYTES, goal)
    skip = {"mem_map", "zone wait tables", "initrd (RAMDISK)", "early allocations (page tables, log buffer, ...)"}
    rest = [e for e in early if e[0] not in skip and not e[0].startswith("initrd") and e[1]]
    rank = {w: i for i, w in enumerate(BOOTMEM_ORDER)}
    rest.sort(key=lambda e: rank.get(e[0], len(rank)))
    for what, n, owner in rest:
        if what == "percpu":
            used = fl.percpu_pages_per_cpu
            unit = max(fl.pcpu_min_unit_pages, used)
            s, _ = bm.alloc(unit * cfg.cpus * 4096, 4096, goal)
            for cpu in range(cfg.cpus):
                out.append(("percpu" if cpu == 0 else f"percpu (unit {cpu})", s + cpu * unit, used, owner))
            if fl.pcpu_min_unit_pages:
                alloc("per-CPU chunk metadata (pcpu_setup_first_chunk)", PCPU_META_BYTES, SMP_CACHE_BYTES, goal)
            continue
        align = 4096 if what.startswith("page_cgroup") or what.startswith(("KFENCE", "software IO")) else SMP_CACHE_BYTES
        nbytes = n * 4096
        if what == "PID hash table":
            nbytes = pidhash_entries(bs.nr_kernel_pages) * 4
        alloc(what, nbytes, align, goal, owner)
    return [o for o in out if o[2] or o[0] in ("bootmem bitmap",)]
