"""The kernel flavours: everything that differs between the kernels mmviz models, as data.

A flavour is data, not code: the kernels differ in the numbers and formula variants of
:class:`Flavour`, and every other module reads them from ``m.config.flavour``.  The
versioned fields come from the rules of ``engine.kversion``; the build numbers (image
sizes, early allocations) are calibrated on a real kernel or read from a boot log.

* ``"6.1"`` -- the Debian 12 i386 kernels (6.1.0-50-686 / -686-pae) of the ground
  truth: cpu_entry_area and LDT remap in the layout, kernel loaded at 16 MB,
  first 1 MB reserved, managed pages, THP raising min_free_kbytes.
* ``"2.6"`` -- the classic 2.6.2x layout of the seed articles (2.6.24 formulas):
  MAXMEM 896 MB, kernel at 1 MB, VMALLOC_START rounded to 8 MB, no cpu_entry_area.
* any other release ("3.16", "4.19", ...): the rules applied to the nearest calibrated build.
"""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Flavour:
    """Everything that differs between the kernels mmviz models.

    The versioned fields (see engine.kversion.RULES for the release and source line
    of each) are derived from ``version``; the build numbers (image sizes, early
    allocations) are calibrated on a real kernel of the flavour or read from a log.
    """
    name: str
    release: str                 # uname -r
    kernel_load: int             # CONFIG_PHYSICAL_START
    # kernel image sections in KB, as the "Memory:" boot line reports them (non-PAE, PAE)
    text_kb: tuple[int, int]
    rwdata_kb: tuple[int, int]
    rodata_kb: tuple[int, int]
    init_kb: tuple[int, int]
    bss_kb: tuple[int, int]
    nr_cpus_config: int          # CONFIG_NR_CPUS (sizes the fixmap and cpu_entry_area)
    kmap_slots_per_cpu: int      # KM_TYPE_NR (2.6) / KM_MAX_IDX (6.x)
    # permanent fixmap slots other than the kmap ones: HOLE, VDSO/DBGP, EARLYCON, APIC,
    # IO-APICs (MAX_IO_APICS = 64), PCIE_MCFG, GHES ... (see REFERENCE §2.4)
    fixmap_fixed_slots: int
    fixmap_boot_slots: int       # early_ioremap btmap slots after the permanent ones
    fixmap_boot_round: int       # btmap block rounded to a page-table boundary (256/512) or 0
    fixmap_tail_slots: int       # FIX_WP_TEST, FIX_TBOOT_BASE ...
    cea_pages_per_cpu: int       # cpu_entry_area pages per CPU (0: no cpu_entry_area)
    vmalloc_start_rounded: bool  # 2.6.24 rounds VMALLOC_START up to 8 MB
    vmalloc_param_adds_offset: bool  # vmalloc=N sets __VMALLOC_RESERVE to N (+ 8 MB since 2.6.28)
    maxmem_from_vmalloc_end: bool    # MAXMEM = VMALLOC_END - PAGE_OFFSET - reserve (2.6.28+)
    struct_page_size: int        # sizeof(struct page)
    reserve_low_1m: bool         # 5.13+ memblock-reserves all of the first 1 MB
    min_free_kbytes_max: int     # clamp of calculate_min_free_kbytes
    watermark_scale: bool        # 4.6+: watermark_scale_factor (default 10)
    thp: bool                    # transparent huge pages (khugepaged raises min_free_kbytes)
    managed_pages: bool          # 3.9+: watermarks on managed pages; older kernels subtract memmap from present
    lowmem_reserve_ratio: tuple[int, ...]   # per zone DMA, Normal, HighMem, Movable
    zone_names: tuple[str, ...]  # zones the kernel prints in /proc/zoneinfo
    early_alloc_kb: tuple[int, int]          # other early memblock allocations (log buffer, ...)
    percpu_pages_per_cpu: int
    slab_default: str            # "slub" or "slab"
    smp_alt_kb: int = 0          # .smp_locks, freed once alternatives are patched
    initrd_kb: int = 0           # initramfs reserved at boot, freed after it is unpacked
    fixmap_order_doc: str = ""
    # -- versioned rules (engine.kversion) ---------------------------------------
    version: tuple[int, ...] = (6, 1)
    pkmap_base_from: str = "cea"          # "boot_start" | "fixaddr_start" | "cea"
    fixmap_boot_round_always: bool = False  # 2.6.25-2.6.33: FIX_BTMAP_END always rounded up
    cea_from_tot_start: bool = True
    ldt_remap: bool = True
    nr_cpus_max: int = 64                 # arch/x86/Kconfig: the NR_CPUS range's end on i386
    one_active_range: bool = False        # 2.6.24: add_active_range(0, 0, highend_pfn)
    nonpae_4g_clamp: str = "e820_end"     # "max_pfn" (2.6.24) | "e820_end"
    e820_low_reserved_kb: int = 4
    memmap_page_align: bool = True
    zone_movable: bool = True
    pcp_hot_cold: bool = False
    pcp_batch_cap_kb: int = 1024
    log_e820: str = "mem"
    log_zone_ranges: str = "mem64"
    log_add_active_range: bool = False
    log_highmem_init: bool = True
    log_memmap_block: bool = False
    log_zonelist_order: bool = False
    log_zonelist_mobility: bool = True   # ", mobility grouping on" (2.6.24)
    log_memory_line: str = "new"
    log_layout_block: bool = False
    log_movable_start: str = "Movable zone start for each node"
    log_initmem_setup: bool = True
    log_unavailable: bool = True
    log_last_pfn: bool = True
    log_memmap_zero: bool = False
    highmem_memmap_counted: bool = False
    log_low_ram: bool = True
    log_init_memory_mapping: str = ""
    log_highmem_param: str = "msg"        # highmem= refused: init_32.c MSG_* ("msg") or 2.6's ("old")
    log_last_pfn_prefix: str = ""
    log_percpu_prefix: str = "setup_percpu: "
    log_movable_init: bool = True
    log_segfault: str = "ip"              # "eip": 2.6.24's show_unhandled line; "ip": 2.6.25+
    log_segfault_cpu: bool = True         # " likely on CPU 0 (core 0, socket 0)" (6.1)
    log_alloc_failure: str = "nodemask"   # "dot" (2.6.24) | "colon" (3.0) | "names" (4.6) | "nodemask"
    log_vmalloc_failure: str = "silent"   # __vmalloc_area_node out of pages (engine.kmsg)
    log_vmalloc_range: str = "vmalloc_error"   # "none" | "bytes" | "vmalloc_error": no room / too big
    vmalloc_warn_highmem: bool = False    # the vmalloc warning names __GFP_HIGHMEM
    kfree_nonslab: str = "warn"           # SLUB: "put_page" | "bug" (2.6.28) | "unchecked" (5.14) | "warn" (5.17)
    slab_bad_gfp: str = "warn"            # "bug" (BUG_ON) | "gfp_bug" (3.19) | "warn" ("Unexpected gfp ...")
    kmalloc_large_fixes_gfp: bool = True  # 5.9: kmalloc_order() kmalloc_fix_flags() too (before: no check)
    log_die_header: str = "flags"         # "space" ("Oops: 0002 [#1] SMP ") | "flags" (4.15 __die_header)
    log_pf_lines: bool = True             # 5.0: the "#PF: ..." lines of an oops
    # exact byte sizes of _etext-_text and _edata-_etext when known (0: from the kB above)
    text_bytes: int = 0
    data_bytes: int = 0
    memory_model: str = "flatmem"         # "flatmem" | "sparsemem"
    init_gap_pages: int = 0               # page-aligned sections between _edata and __init_begin
    # .bss page layout and the pages between __init_end and __bss_start (non-PAE, PAE)
    image_gap_pages: tuple[int, int] = (0, 0)
    swapper_bss_page: tuple[int, int] = (0, 0)     # swapper_pg_dir's page in .bss
    idt_bss_page: tuple[int, int] = (-1, -1)       # idt_table's page in .bss, read-only (-1: none)
    realmode_pages: int = 0               # real-mode trampoline blob below 1 MB (RO hdr, RO X text, RW)
    brk_pgt_pages: int = 0                # .brk pages after .bss for the first kernel page tables
    brk_log_pages: int = 0                # a log's "BRK" early reservation (2.6.30-2.6.35), in pages
    direct_map_whole_pmds: bool = False   # before 2.6.27: PSE maps every lowmem PMD large, the last past max_low_pfn
    kernel_exec_from_page_offset: bool = False  # before 2.6.38: is_kernel_text() from PAGE_OFFSET, no NX on data
    rodata_ro: bool = True                # mark_rodata_ro() (CONFIG_DEBUG_RODATA default y, ~2.6.25)
    # -- early allocations a boot log states (engine.mem_init) ----------------------
    memcg: bool = False                   # CONFIG_MEMCG (CGROUP_MEM_RES_CTLR): the page_cgroup array
    page_cgroup_kb: int = 0               # "allocated N bytes of page_cgroup" (0: from memcg and the size)
    kfence_pool_kb: int = 0               # "kfence: initialized - using N bytes" (CONFIG_KFENCE)
    log_buf_kb: int = 0                   # "log_buf_len: N bytes" (a memblock log buffer)
    crashkernel_kb: int = 0               # "Reserving NMB of memory at ... for crashkernel"
    stackdepot_kb: int = 0                # "stackdepot hash table entries: N (order: k, B bytes" (memblock)
    trampoline_kb: int = 0                # "Base memory trampoline at [..] .. size N" (before 5.13)
    initial_map_pgt: int = 0              # head_32.S page tables: "initial memory mapped: [mem 0-E]"
    debug_pagealloc: bool = False         # debug_pagealloc on ("debug: unmapping init"): 4 KB direct map
    # -- versioned mem_init() accounting (engine.kversion) ----------------------------
    boot_pageset: bool = True             # 2.6.34+: boot_pageset (high 0) until setup_per_cpu_pageset
    bootmem_bitmap: bool = False          # bootmem's bitmap, freed by free_all_bootmem_core()
    head_pgt_pg0: bool = False            # before 2.6.30: head_32.S's page tables at pg0, after _end
    fixmap_keeps_bm_pte: bool = True      # 2.6.29+: early_ioremap's bm_pte stays the btmap PMD's table
    early_ioremap_bm_pte: bool = True     # 2.6.25+: early_ioremap_init() hangs bm_pte on the btmap PMD
    head_fixmap_table: bool = True        # 2.6.23+: head_32.S hangs a .bss page table on the top fixmap PMD
    brk_map_lowmem: bool = True           # 2.6.37+: RESERVE_BRK(pagetables) sized for all of lowmem
    initrd_relocate: bool = True          # 2.6.26+: an initrd above lowmem moves down (relocate_initrd)
    pcpu_min_unit_pages: int = 0          # 2.6.30+: per-CPU unit at least PCPU_MIN_UNIT_SIZE, tail freed
    head_pae_tables: bool = True          # 2.6.25+: head_32.S builds PAE tables (2 MB each) for PAE kernels
    early_alloc_model: str = "memblock"   # "setup_32" | "early_res" (2.6.27) | "memblock" (2.6.35)
    pkmap_pt_goal_dma: bool = True        # 2.6.32+: the pkmap page table from alloc_bootmem_pages (goal 16 MB)
    initrd_start_pfn: int = -1            # where the log says the initrd is ("RAMDISK: ..."; -1: the loader's)
    page0_is_ram: bool = False            # page_is_ram(0) (2.6.24's e820-only page_is_ram)
    page_cgroup_bytes: int = 0            # sizeof(struct page_cgroup) (0: no boot-time array)
    memblock_itemized: bool = False       # 6.1: memblock's early allocations byte by byte (engine.memblock)
    pcpu_static_bytes: tuple[int, int] = (0, 0)   # "percpu: Embedded N pages/cpu s<static>" (0: unknown)
    nr_ioapics: int = 1                   # "IOAPIC[n]: apic_id" lines (QEMU's pc: one)
    hpet: bool = True                     # "ACPI: HPET id:" (acpi_parse_hpet's resource)
    fixmap_from_log: bool = False         # the permanent fixmap slots came from a log's fixmap line
    wmark_base_frees: str = "smp_locks"   # pages freed after mem_init that the watermarks count:
                                          # "none" (< 3.11) | "smp_locks_initrd" (3.11) | "smp_locks" (4.6)
    thp_boot_raise: bool = True           # khugepaged's min_free_kbytes survives boot (not 4.1-4.5)
    zone_wait_tables: bool = False        # bootmem wait_table per zone (before 4.9)
    pidhash: bool = False                 # bootmem PID hash (before 4.15)
    # -- behaviour switches (engine.kversion.BEHAVIOUR_RULES gives release and source) ----
    buddy_merge_likely: bool = True       # 2.6.35: free to the tail when the buddy's buddy is free
    watermark_any_free_order: bool = True  # 4.4: order > 0 needs only a free block of that order
    get_free_pages_strips_highmem: bool = True  # (approx.) 2.6.24 VM_BUG_ONs on __GFP_HIGHMEM instead
    gfp_layout: str = "5.18"              # the GFP names and bits (engine.gfp.LAYOUTS): the
                                          # release whose gfp.h layout applies (rules gfp_layout)
    kmalloc_cache_names: str = "kmalloc"  # ~3.9: SLAB's "size-N" became "kmalloc-N"
    kmalloc_rcl_caches: bool = True       # 4.20: kmalloc-rcl-N
    kmalloc_cg_caches: bool = True        # 5.14: kmalloc-cg-N
    stack_guard_gap_pages: int = 256      # 4.12: stack_guard_gap
    anon_read_zero_page: bool = True      # not 2.6.24-2.6.31: a read fault maps the shared zero page
    vma_index: str = "maple"              # "mmap_cache" (rb-tree) | "vmacache" (3.15) | "maple" (6.1)
    brk_min_start_brk: bool = True        # 2.6.26: brk may not go below start_brk (not end_code)
    brk_vma_only: bool = True             # 6.1: do_brk_flags grows only the brk VMA
    mprotect_exclusive_writable: bool = True  # 6.0: mprotect re-sets RW on exclusive anon pages
    mmap_topdown_default: bool = True     # (mmviz before 4.15: the legacy layout of the seed articles)
    mmap_legacy_randomized: bool = True   # (approx.) the legacy mmap base is randomised too
    elf_brk_page_aligned: bool = True     # (approx.) start_brk = ELF_PAGEALIGN(elf_brk)
    stack_initial_pages: int = 33         # (approx.) setup_arg_pages' 128 KB stack_expand + 1
    maps_vvar_vdso: bool = True           # (approx.) [vvar] and [vdso] in every process
    maps_anon_pgoff_zero: bool = True     # (approx.) /proc/pid/maps prints offset 0 for anon VMAs
    oom_badness_rss: bool = True          # 2.6.36: oom_badness from rss + swap + page tables
    oom_tie_picks_later: bool = True      # (approx.) equal points: the later task is chosen
    oom_reaper: bool = True               # 4.6: the oom_reaper line
    oom_kill_process: str = "5.4"         # the release whose oom_kill_process()/oom_badness() apply
    oom_dump_tasks: str = "4.19"          # the release whose dump_tasks() table applies ("off": none)
    oom_header: str = "4.20"              # the release whose "invoked oom-killer" line applies
    show_free_areas: str = "6.1"          # the release whose show_mem()/show_free_areas() lines apply
                                          # (engine.show_mem: 2.6.24, 2.6.28, ... 5.16, 6.0)
    vmalloc_sync_eager: bool = True       # 5.8: arch_sync_kernel_mappings instead of vmalloc_fault
    vmap_fail_message: str = "alloc_vmap_area"   # 2.6.28: the vmap layer rewrite's message
    vfree_flush_ceiling: bool = True      # ~3.15: vfree INVLPGs up to tlb_single_page_flush_ceiling
    meminfo_vmalloc_used: str = "pages"   # "area_bytes" | "zero" (4.4) | "pages" (5.3)
    meminfo_vmalloc_chunk: bool = False   # until 4.4: VmallocChunk is the largest free gap
    kmap_atomic_stack: bool = True        # 2.6.37: stack-based kmap_atomic, no km_type
    kmap_local: bool = True               # 5.11: kmap_local_idx_push / kunmap_local_indexed
    pti: bool = True                      # 4.19: 32-bit PTI (PAE builds), no global kernel pages
    anon_vma_chain: bool = True           # 2.6.34: anon_vma_chain objects, anon_vma_fork (engine.anon_vma)
    anon_vma_reuse: bool = True           # 3.19: anon_vma_clone() reuses a childless, VMA-less anon_vma
    zero_page_after_swapper: int = 1      # empty_zero_page's page after swapper_pg_dir's (head_32.S)
    proc_vmallocinfo: bool = True         # 2.6.25: /proc/vmallocinfo (engine.procfs.PROC_SINCE)
    vm_executable: bool = False           # before 3.7: VM_EXECUTABLE on the ELF mappings
    vm_denywrite: bool = False            # before 5.15: VM_DENYWRITE on the ELF mappings
    stack_below_sp_check: bool = False    # before 4.20: no stack growth 64 KB + 128 B below esp
    log_ptr_hashed: bool = True           # 4.15: printk's %p hashed (engine.kmsg.kptr)
    log_dump_stack: str = "cpu_pid_comm"  # 3.10: dump_stack_print_info()'s "CPU: %d PID: %d Comm:" (6.11 UID)
    taint_flags: str = "PFSRMBUDAWCIOELKXTN"   # print_tainted()'s flags, bit order (engine.taint)
    taint_verbose: bool = False           # 6.11 (approx.): "Tainted: [B]=BAD_PAGE" after dump_stack's header
    log_bad_page: str = "pGp_fields"      # bad_page()'s report format (engine.kmsg_page.STYLES; 2.6.29 "pfn", ...)
    page_flags_layout: str = "5.0"        # page->flags bit numbers (engine.kmsg_page.PAGE_FLAG_LAYOUTS)
    page_buddy_mapcount: int = -128       # a free block's head: PG_buddy flag (0), _mapcount -128 (2.6.38), type (4.18)
    log_null_ptr: str = "padded"          # printk %p of NULL: "zeros" | "null" (2.6.29) | "padded" (2.6.37)
    log_kunmap_atomic: str = "kunmap_local_indexed"   # the function kunmap_atomic()'s WARNING names (engine.kmsg_bug)
    slab_kfree_nonslab: str = "warn"      # SLAB kfree() of a non-slab page: "bug" | "unchecked" (3.7) | "warn" (5.4)
    bad_page_modules: bool = True         # 3.2: bad_page() print_modules() ("Modules linked in:")
    log_slub_bug: str = "tainted"         # "plain" ("BUG %s: %s") | "tainted" (3.3: "BUG %s (%s): %s")
    slab_bug_taints: bool = True          # 3.7: SLUB slab_bug / SLAB __slab_error add TAINT_BAD_PAGE
    warn_alloc_burst: int = 1             # (approx.) warn_alloc() reports per ratelimit interval
    fixmap_names: str = "4.15"            # "2.6" | "4.15": enum fixed_addresses order
    protnone_bit: int = 8                 # 2.6.29: _PAGE_BIT_PROTNONE is GLOBAL (8), was PSE (7)
    swap_l1tf_inversion: bool = True      # 4.19: PAE swap entries inverted (L1TF)
    swap_last_page_used: bool = True      # 2.6.34: sys_swapon() no longer loses the last page
    swp_entry_offset_bits: int = 26       # generic swp_entry_t offset bits: 27, 25 (3.5), 26 (4.20)
    oops_line: str = "page_fault"         # 5.0: "BUG: unable to handle page fault for address:"
    bad_pte_line: str = "bad_page_map"    # 2.6.29: "BUG: Bad page map in process"
    log_swap_info_get: str = "_swap_info_get"   # "swap_free" | "swap_info_get" (4.11) | "split" (5.12) (engine.kmsg_swap)
    log_bad_pte_file: str = "read_folio"  # print_bad_pte(): "symbol" | "file" (4.1) | "read_folio" (5.19)
    log_bad_pte_px: bool = True           # print_bad_pte()'s addr line with %px (5.4)
    log_ptr_checked: bool = True          # vsprintf pointer(): no NULL test first (5.2): "(null)", "0x0"
    log_swap_dup: str = "unchecked"       # fork: "swap_dup" | "get_swap_device" (5.1) | "get_swap_device_offset" (5.19) | "unchecked" (6.5)
    memparse_suffixes: str = "kmgtpe"     # lib/cmdline.c memparse(): K M G, T P E from 3.15
    memmap_strict: bool = True            # 2.6.27+: text after a memmap= range is -EINVAL, the map sanitised
    memmap_list: bool = True              # 3.9+: memmap=a,b,c (parse_memmap_one() per range)
    mem_zero_einval: bool = True          # 2.6.27+ (approx.): mem=0 is -EINVAL, ignored (userdef set)
    bad_pte_burst: int = 60               # 2.6.29: print_bad_pte() shows 60 reports a minute (0: no limit)
    swapents_bad_entry: bool = True       # 2.6.34: zap/fork count a bad swap entry in MM_SWAPENTS
    check_mm: str = "type"                # "none" | "idx" (3.4) | "type" (5.4): check_mm()'s Bad rss-counter line
    swap_bad_pte: bool = True             # 2.6.29: zap_pte_range() print_bad_pte()s a refused swap entry
    zap_bad_mapcount: str = "print_bad_pte"   # zapping a PTE whose page has no mapcount: "eeek" (BUG) | 2.6.29
    meminfo_format: str = "6.1"           # (approx.) "2.6.24" | "6.1" /proc/meminfo field list
    zoneinfo_format: str = "6.1"          # (approx.) "2.6.24" | "6.1" /proc/zoneinfo lines
    status_vmpin: bool = True             # 3.2: VmPin in /proc/pid/status
    status_rss_split: bool = True         # 4.5: RssAnon/RssFile/RssShmem
    mm_shmempages: bool = True            # 4.5: MM_SHMEMPAGES (before, shmem pages count as MM_FILEPAGES)
    status_vmswap: bool = True            # 2.6.34: VmSwap in /proc/pid/status
    vm_stat_data_vm: bool = True          # 4.5: mm->data_vm (VmData), exec_vm of any exec VMA
    memblock_topdown: bool = True         # (approx.) early allocations top-down below max_low_pfn
    log_free_initmem: str = "K"           # (approx.) "k_freed" | "K"
    log_nx_missing: bool = True           # (approx.) the non-PAE "NX protection missing" notice
    log_hash_linear: bool = True          # (approx.) ", linear)" in the hash table lines
    log_swiotlb: str = "area_num"         # (approx.) "mapped" | "area_num"


def _derived(version: tuple[int, ...], base: "Flavour", **over) -> "Flavour":
    """base with every versioned field set for version (engine.kversion.RULES)."""
    from .kversion import rule_values
    vals = rule_values(version)
    vals["zone_names"] = ("DMA", "Normal", "HighMem") + (("Movable",) if vals["zone_movable"] else ())
    vals["lowmem_reserve_ratio"] = (256, 32, 0, 0)[: len(vals["zone_names"])]
    vals["version"] = version
    vals.update(over)
    return replace(base, **vals)


_FL61 = Flavour(
    name="6.1", release="6.1.0-50-686", kernel_load=0x1000000,
    text_kb=(9327, 9423), rwdata_kb=(1246, 1265), rodata_kb=(3188, 3188),
    init_kb=(912, 928), bss_kb=(464, 476),
    nr_cpus_config=32, kmap_slots_per_cpu=16,
    # HOLE, DBGP, EARLYCON, APIC, 64 IO-APICs, PCIE_MCFG, GHES_IRQ, GHES_NMI
    fixmap_fixed_slots=1 + 1 + 1 + 1 + 64 + 1 + 2,
    fixmap_boot_slots=512, fixmap_boot_round=512, fixmap_tail_slots=1,
    cea_pages_per_cpu=40,
    vmalloc_start_rounded=False, vmalloc_param_adds_offset=True,
    maxmem_from_vmalloc_end=True, struct_page_size=40, reserve_low_1m=True,
    min_free_kbytes_max=262144, watermark_scale=True, thp=True, managed_pages=True,
    lowmem_reserve_ratio=(256, 32, 0, 0),
    zone_names=("DMA", "Normal", "HighMem", "Movable"),
    early_alloc_kb=(0, 0),  # 6.1 itemizes its memblock allocations (engine.memblock)
    percpu_pages_per_cpu=33, slab_default="slub",
    smp_alt_kb=32, initrd_kb=1048,  # the ground truth's busybox initramfs ("Freeing initrd memory: 1048K")
    # Debian 6.1 iomem/kcore: data ends 0x1d71000 / 0x1d8f000, .bss starts 0x1e72000 / 0x1e94000,
    # swapper_pg_dir 0xc1e74000 / 0xc1e98000, the read-only idt_table page 0x1e76000 / 0x1e9b000
    image_gap_pages=(29, 30), swapper_bss_page=(2, 4), idt_bss_page=(4, 7),
    pcpu_static_bytes=(103316, 104276),   # "percpu: Embedded 33 pages/cpu s103316 r0 d31852 u135168"
)

FLAVOURS: dict[str, Flavour] = {
    "6.1": _derived((6, 1), _FL61, struct_page_size=40, thp=True),
    # 2.6.24-19-generic (Ubuntu 8.04, field case 01): the image sizes of its "Memory:" line
    # and layout block (.text 0xc0100000-0xc0320474, .data -0xc041bdc4, .init 368 kB)
    "2.6": _derived((2, 6, 24), replace(
        _FL61, name="2.6", release="2.6.24", text_kb=(2177, 2177), rwdata_kb=(1006, 1006),
        rodata_kb=(0, 0), init_kb=(368, 368), bss_kb=(380, 388), nr_cpus_config=8,
        # other early allocations: before 2.6.35 engine.bootmem places each one (page 1, the
        # ACPI wakeup page, the SMP trampoline, the fixmap/pkmap page tables, the PAE kernel
        # PMD); this block is what later releases of the 2.6 family take
        early_alloc_kb=(24, 28), percpu_pages_per_cpu=8, smp_alt_kb=0, initrd_kb=0,
        text_bytes=0x220474, data_bytes=0xfb950, init_gap_pages=5),
        slab_default="slab", thp=False, fixmap_tail_slots=1, image_gap_pages=(0, 0),
        swapper_bss_page=(0, 0), idt_bss_page=(-1, -1)),
}

ALIASES = {"2.6": "2.6", "2.6.24": "2.6", "6.1": "6.1"}


def flavour_for(kernel: str) -> Flavour:
    """The flavour of a version string: an alias, or the rules applied to the nearest calibrated build."""
    from .kversion import parse_version
    kernel = str(kernel)
    if kernel in ALIASES:
        return FLAVOURS[ALIASES[kernel]]
    v = parse_version(kernel)
    if v == (2, 6, 24):
        return FLAVOURS["2.6"]
    if v[:2] == (6, 1):
        return replace(FLAVOURS["6.1"], release=kernel)
    base = FLAVOURS["2.6"] if v < (3, 0) else replace(
        FLAVOURS["6.1"], image_gap_pages=(0, 0), swapper_bss_page=(0, 0), idt_bss_page=(-1, -1),
        early_alloc_kb=(152, 205))
    sp = 40 if v >= (5, 0) else 32
    return _derived(v, replace(base, name=kernel, release=kernel), struct_page_size=sp,
                    thp=v >= (2, 6, 38))
