"""Versioned rules of the boot-time memory accounting: mem_init(), the "Memory:" line and the
early (bootmem/memblock) allocations that decide where free pages and reserved pages lie
(engine.mem_init).  Part of engine.kversion.RULES; kept apart so that module stays small.
"""
from __future__ import annotations

from .kversion import Rule, V

MEMINIT_RULES: tuple[Rule, ...] = (
    # -- mem_init() and the "Memory:" line (engine.mem_init) ------------------
    Rule("boot_pageset", V("2.6.34"), False, True,
         "mm/page_alloc.c zone_pcp_init: without CONFIG_NUMA the zone's own pagesets (high 6*batch) "
         "take every page freed singly at boot -> zone->pageset = &boot_pageset (high 0) until "
         "setup_per_cpu_pageset() (commit 99dcc3e5a94e, this_cpu page allocator conversion)"),
    Rule("bootmem_bitmap", V("2.6.34"), True, False,
         "mm/bootmem.c init_bootmem_core/free_all_bootmem_core: a bitmap (\"BOOTMAP\", 2.6.33 "
         "arch/x86/mm/init_32.c:784 setup_bootmem_allocator), freed page by page at mem_init -> "
         "arch/x86/Kconfig:584-585 \"config NO_BOOTMEM default y\" (2.6.34; none in 2.6.33): "
         "setup_bootmem_allocator() skips the BOOTMAP under #ifndef CONFIG_NO_BOOTMEM (2.6.34 "
         "init_32.c:777-789), __alloc_bootmem() takes early_res areas (mm/page_alloc.c "
         "__alloc_memory_core_early), then memblock from 2.6.35"),
    # -- what init_per_zone_wmark_min() and khugepaged see (engine.boot._watermarks) -------
    Rule("wmark_base_frees", V("3.11"), "none", "smp_locks_initrd",
         "what is freed before the watermarks are set and counted in their base (managed pages): "
         "3.9.6 arch/x86/mm/init.c free_init_pages: free_page() + totalram_pages++, 3.10.4 "
         "include/linux/mm.h adjust_managed_page_count: totalram_pages only, so zone->managed_pages "
         "never sees a page freed after mem_init -> 3.11 mm/page_alloc.c adjust_managed_page_count: "
         "page_zone(page)->managed_pages += count (Jiang Liu); init_per_zone_wmark_min is "
         "module_init (3.11 l.5614, 3.19.8 l.5899, 4.0.5 l.5856, 4.1.19 l.5902), after check_bugs -> "
         "alternative_instructions -> free_init_pages(\"SMP alternatives\") and after "
         "populate_rootfs (rootfs_initcall) -> free_initrd(); .init is freed later (free_initmem)"),
    Rule("wmark_base_frees", V("4.6"), "smp_locks_initrd", "smp_locks",
         "mm/page_alloc.c init_per_zone_wmark_min: module_init -> core_initcall (commit bc22af74f271, "
         "\"mm: update min_free_kbytes from khugepaged after core initialization\"; 4.6.2 l.6488, "
         "4.7.4 l.6931), postcore_initcall from 5.9 (commit e08d3fdfe2da; 6.1.0 l.8863): before "
         "populate_rootfs, so the initrd is still reserved. Stable backport: mainline 4.4 (4.4.1 "
         "l.6176) and 4.5 (4.5.0 l.6197) keep module_init; the stable 4.4.11 (l.6196, a 4.4.11+ "
         "Raspberry Pi tree; 4.4.155 l.6245) and 4.5.7 (l.6217) have core_initcall, so \"4.4.11\" "
         "and later 4.4.y / \"4.5.7\" take the new value, \"4.4\" and \"4.5\" the old one (the "
         "first stable release with it, somewhere in 4.4.2-4.4.11 and 4.5.1-4.5.7, is not checked)",
         stable=(V("4.4.11"), V("4.5.7"))),
    Rule("thp_boot_raise", V("4.1"), True, False,
         "mm/huge_memory.c: late_initcall(set_recommended_min_free_kbytes) (3.8.13 l.138, 3.19.8 l.146, "
         "4.0.5 l.146) runs after module_init(init_per_zone_wmark_min) -> removed by commit "
         "79553da293d3 (\"thp: cleanup khugepaged startup\"): 4.1.19 sets it only from hugepage_init "
         "(subsys_initcall), and module_init(init_per_zone_wmark_min) then recomputes min_free_kbytes "
         "(Jason Baron: 67584 on 3.14, 11365 on 4.1)"),
    Rule("thp_boot_raise", V("4.6"), False, True,
         "mm/page_alloc.c core_initcall(init_per_zone_wmark_min) runs before subsys_initcall(hugepage_init) "
         "(commit bc22af74f271; the same stable backport as wmark_base_frees: 4.4.11 l.6196, 4.5.7 "
         "l.6217); 5.10+ init_per_zone_wmark_min calls khugepaged_min_free_kbytes_update()",
         stable=(V("4.4.11"), V("4.5.7"))),
    # -- where the early allocations lie (pre-2.6.34 per-CPU residue, engine.mem_init) -------
    Rule("head_pgt_pg0", V("2.6.30"), True, False,
         "arch/x86/kernel/head_32.S: the first page tables at pg0 (_end rounded to a page), one more "
         "until they map INIT_MAP_BEYOND_END = LOW_PAGES/8 + (PAGE_TABLE_SIZE + ALLOCATOR_SLOP) * 4096 "
         "beyond their own end; setup_bootmem_allocator() reserves them with the image "
         "(min_low_pfn = PFN_UP(init_pg_tables_end)) -> in .brk, reserve_brk() (2.6.30, \"x86: use "
         "brk allocation for initial kernel pagetable\"; checked: pg0 in 2.6.29's head_32.S, __brk_base in 2.6.30's): "
         "head32.c:21 reserve_early(_text, __bss_stop, \"TEXT DATA BSS\") and setup.c:284-287 reserve_brk() "
         "(_brk_start, _brk_end: the tables and dmi_alloc()'s extend_brk(), setup.c:265-280) keep them, the "
         "rest of .brk up to _end is free (engine.bootmem.brk_head_tables)"),
    Rule("head_fixmap_table", V("2.6.23"), False, True,
         "head.S \"early initialization of the fixmap area\": PDE 1023 = swapper_pg_pmd, a .bss page "
         "(2.6.23 arch/i386/kernel/head.S:169-173, 2.6.24 arch/x86/kernel/head_32.S:196-200; none in "
         "2.6.22), swapper_pg_fixmap from 2.6.25 (l.224-226 PAE: the last entry of the last kernel PMD, "
         "l.254-256); pagetable_init() -> page_table_range_init() -> one_page_table_init() keeps a "
         "present PMD's table (2.6.24 arch/x86/mm/init_32.c:85-100, 438-440), so the top fixmap PMD "
         "takes no bootmem page; PAE before 2.6.25 gets none (native_pagetable_setup_start() empties "
         "the kernel PGD entries, l.351-373, one_md_table_init() a new PMD, l.60-67)"),
    Rule("early_ioremap_bm_pte", V("2.6.25"), False, True,
         "arch/x86/mm/ioremap.c early_ioremap_init() pmd_populate_kernel()s bm_pte, a .bss page, on "
         "FIX_BTMAP_BEGIN's PMD before paging_init() (commit 1b42f51630c7, 2.6.25 ioremap.c:294-305); "
         "2.6.25-2.6.26 pagetable_init() early_ioremap_clear()s it before page_table_range_init() "
         "(2.6.26 arch/x86/mm/init_32.c:408-411), so where the btmap block is on the top PMD (non-PAE) "
         "that PMD's table comes from alloc_bootmem_low_pages(), not head_32.S's swapper_pg_fixmap"),
    Rule("fixmap_keeps_bm_pte", V("2.6.29"), False, True,
         "early_ioremap_init() hangs bm_pte, a .bss page (2.6.29 arch/x86/mm/ioremap.c:493, 520), on "
         "FIX_BTMAP_BEGIN's PMD; init_memory_mapping() -> early_ioremap_page_table_range_init(): "
         "early_ioremap_clear() takes it off first (2.6.28 arch/x86/mm/init_32.c:498-510, ioremap.c "
         "pmd_clear()), so page_table_range_init() gives that PMD an alloc_low_page() table -> no "
         "early_ioremap_clear() (2.6.29 l.546-558): bm_pte and swapper_pg_fixmap stay, unless the "
         "kmap slots span PMDs: page_table_kmap_check() (l.141-180) copies a table outside the "
         "PGTABLE area into an alloc_low_page() one"),
    Rule("brk_map_lowmem", V("2.6.37"), False, True,
         "arch/x86/kernel/head_32.S: the .brk reservation for head_32.S's tables, RESERVE_BRK(pagetables, "
         "INIT_MAP_SIZE), INIT_MAP_SIZE = PAGE_TABLE_SIZE(KERNEL_PAGES) pages, KERNEL_PAGES = "
         "(KERNEL_IMAGE_SIZE + MAPPING_BEYOND_END) >> PAGE_SHIFT (2.6.30 l.71-74, 2.6.36 l.72-75: 128 "
         "pages, 261 with PAE) -> KERNEL_PAGES = LOWMEM_PAGES (2.6.37 l.74-77, 3.8.13 l.75-78: 256 "
         "pages, 516 with PAE); _end = __brk_base + 64K slop + INIT_MAP_SIZE + RESERVE_BRK(dmi_alloc, "
         "65536) (vmlinux.lds.S .brk; setup.c), so head_32.S maps further"),
    Rule("initrd_relocate", V("2.6.26"), False, True,
         "arch/x86/kernel/setup.c reserve_initrd/relocate_initrd: an initrd ending above lowmem moves to "
         "find_e820_area(0, end_of_lowmem, size, PAGE_SIZE), \"Allocated new RAMDISK\" "
         "(approx. release: in 2.6.27's setup.c; 2.6.24's setup_32.c setup_bootmem_allocator() disables "
         "an initrd beyond max_low_pfn instead)"),
    Rule("pcpu_min_unit_pages", V("2.6.30"), 0, 16,
         "mm/percpu.c pcpu_embed_first_chunk: unit = max(static + reserved + dyn, PCPU_MIN_UNIT_SIZE = "
         "PFN_ALIGN(64 << 10)), the tail of each unit beyond what it uses given back with "
         "free_bootmem() (checked in 2.6.30-2.6.34); before, init/main.c setup_per_cpu_areas: "
         "ALIGN(PERCPU_ENOUGH_ROOM) per CPU, back to back"),
    Rule("pcpu_min_unit_pages", V("2.6.37"), 16, 8,
         "include/linux/percpu.h PCPU_MIN_UNIT_SIZE PFN_ALIGN(32 << 10) (64K in 2.6.34, 32K in 2.6.37)"),
    Rule("head_pae_tables", V("2.6.25"), False, True,
         "arch/x86/kernel/head_32.S: PAE kernels build PAE tables from the start (swapper_pg_pmd, one "
         "table per 2 MB); 2.6.24 builds 2-level tables (4 MB each) and switches in paging_init() "
         "(approx. release: absent from 2.6.24's head_32.S, present in 2.6.27's)"),
    Rule("early_alloc_model", V("2.6.27"), "setup_32", "early_res",
         "arch/x86/kernel/setup_32.c setup_bootmem_allocator()/setup_arch() (page 1, acpi_reserve_bootmem's "
         "page, smp_alloc_memory, pagetable_init's tables) -> early_res (e820.c: \"BIOS data page\", "
         "\"EX TRAMPOLINE\", reserve_trampoline_memory, init_memory_mapping's \"PGTABLE\", a low "
         "bootmap, alloc_bootmem_low(WAKEUP_SIZE 0x4000)); checked in 2.6.27 and 2.6.31, field case 04"),
    Rule("memmap_strict", V("2.6.27"), False, True,
         "memmap= on i386: arch/x86/kernel/e820_32.c parse_memmap (2.6.24 l.914-957; 2.6.20 "
         "arch/i386/kernel/e820.c:851-894): strcmp(arg, \"exactmap\"), one range, whatever follows it "
         "ignored, a size alone (and mem=) limit_regions(): the map cut at the first RAM range past "
         "the size, every later range dropped (2.6.24 l.828-850), nothing sanitised -> "
         "arch/x86/kernel/e820.c parse_memmap_opt (2.6.27 l.1198-1240): strncmp(p, \"exactmap\", 8), "
         "-EINVAL (\"Malformed early option\") for text after the range, a size alone "
         "e820_remove_range(mem_size, ULLONG_MAX - mem_size, E820_RAM, 1) as mem= (l.1192, 1236), "
         "then finish_e820_parsing() sanitize_e820_map(): where ranges overlap the highest type wins "
         "(l.1242-1250; 2.6.28 l.339-342)"),
    Rule("mem_zero_einval", V("2.6.27"), False, True,
         "mem=0 (or any mem= memparse() reads as 0): 2.6.24 arch/x86/kernel/e820_32.c parse_memopt "
         "limit_regions(mem_size) with user_defined_memmap = 1, so no RAM is left -> arch/x86/kernel/"
         "e820.c parse_memopt: userdef = 1; mem_size = memparse(p, &p); \"don't remove all of memory "
         "when handling mem={invalid}\": if (mem_size == 0) return -EINVAL (6.1: the same after userdef = "
         "1), so the map is kept and the user-defined map still printed (release approx.: the unified "
         "parser, as memmap_strict)"),
    Rule("memmap_list", V("3.9"), False, True,
         "arch/x86/kernel/e820.c: parse_memmap_opt() takes one range (3.8.13 l.838-880, \"return *p == "
         "'\\0' ? 0 : -EINVAL\", so memmap=a,b is malformed after a) -> splits the value at each ',' and "
         "calls parse_memmap_one() on each part (3.9.6 l.838-894, 3.10.4 the same)"),
    Rule("memparse_suffixes", V("3.15"), "kmg", "kmgtpe",
         "lib/cmdline.c memparse(): simple_strtoull(ptr, &endptr, 0) then case 'G'/'M'/'K' (2.6.24 "
         "l.129-146, 3.14.1 l.133-146) -> case 'E'/'P'/'T' before them (4.0.5, 4.1.19 l.131-151, 6.1.0 "
         "l.154-179) (approx. release: between 3.14.1 and 4.0.5); mem=1T is 1 byte before"),
    Rule("pkmap_pt_goal_dma", V("2.6.32"), False, True,
         "arch/x86/mm/init_32.c one_page_table_init(), called by permanent_kmaps_init() -> "
         "page_table_range_init() from paging_init() once setup_bootmem_allocator() has set "
         "after_bootmem (2.6.28 l.774, 2.6.29 l.821, 2.6.31.3 l.808): alloc_bootmem_low_pages(PAGE_SIZE), "
         "goal 0 (2.6.28 l.128, 2.6.29 l.129, 2.6.31.3 l.119) -> alloc_bootmem_pages(PAGE_SIZE) "
         "(2.6.32.69 l.119, 2.6.33.3 l.119, 2.6.34 l.119), goal __pa(MAX_DMA_ADDRESS), 16 MB "
         "(include/linux/bootmem.h:110-111 in 2.6.34); the pkmap page table lies above 16 MB, "
         "before mem_map (approx. release: between 2.6.31.3 and 2.6.32.69)"),
    Rule("early_alloc_model", V("2.6.35"), "early_res", "memblock",
         "x86 early_res replaced by memblock (arch/x86/mm/memblock.c, 2.6.35): mmviz places the other "
         "early allocations as one calibrated block"),
    Rule("memblock_itemized", V("6.1"), False, True,
         "6.1 start_kernel()'s memblock allocations one by one, top-down and SMP_CACHE_BYTES-packed "
         "(engine/memblock.py: alloc_node_mem_map, setup_usemap, acpi_parse_hpet, "
         "ioapic_setup_resources, e820__reserve_resources + firmware_map_add_early, "
         "register_nosave_region, setup_command_line, pcpu_embed_first_chunk -- alloc info and areas "
         "freed --, pcpu_setup_first_chunk with 5.14's sidelined/free/to_depopulate slots, "
         "alloc_large_system_hash, setup_cpu_entry_area_ptes past INIT_PGT_BUF, swiotlb_init_remap's "
         "slots); the .brk holds head_32.S's tables, dmi_alloc() and INIT_PGT_BUF; checked on the "
         "Debian 6.1 ground truth (earlier releases: the calibrated block)"),
    Rule("page0_is_ram", V("2.6.25"), True, False,
         "arch/x86/mm/init_32.c page_is_ram (e820 RAM only) -> arch/x86/mm/ioremap.c page_is_ram: "
         "\"if (pagenr == 0) return 0\" and 640K-1M not RAM (approx. release)"),
    Rule("zone_wait_tables", V("4.9"), True, False,
         "mm/page_alloc.c zone_wait_table_init: alloc_bootmem_node(entries * sizeof(wait_queue_head_t)), "
         "entries = spanned/256 rounded up to a power of 2, 4 .. 4096 -> removed (commit 9dcb8b685fc3, "
         "\"mm: remove per-zone hashtable of bitlock waitqueues\")"),
    Rule("pidhash", V("4.15"), True, False,
         "kernel/pid.c pidhash_init: \"PID hash table entries: %d\", an hlist_head per entry, at most "
         "4096 -> removed with the IDR conversion (commit e8cfbc245e24, \"pid: remove pidhash\")"),
    Rule("page_cgroup_bytes", V("2.6.27"), 0, 20,
         "mm/page_cgroup.c alloc_node_page_cgroup: a boot-time array of struct page_cgroup {flags, "
         "mem_cgroup, page, lru} per spanned page, \"allocated %ld bytes of page_cgroup\" (commit 52d4b9ac0b98)"),
    Rule("page_cgroup_bytes", V("2.6.39"), 20, 16,
         "include/linux/page_cgroup.h: pc->page removed (commit 6b3ae58efca0)"),
    Rule("page_cgroup_bytes", V("3.3"), 16, 8,
         "include/linux/page_cgroup.h: pc->lru removed, {flags, mem_cgroup} (memcg naturalization, 3.3)"),
    Rule("page_cgroup_bytes", V("3.19"), 8, 0,
         "mm/page_cgroup.c removed: page->mem_cgroup (\"mm: page_cgroup: rename file to mm/swap_cgroup.c\", 3.19)"),
)
