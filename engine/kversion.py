"""Kernel versions as data: every version-dependent rule of layout, zones and the boot log.

``kernel=`` accepts a version ("2.6.24", "2.6.31", "3.5", "3.16", "4.9", "4.19", "5.10",
"6.1", ...).  Each :class:`Rule` names one Flavour field, the value before and after
the release that changed it, and the kernel source (file, function, or commit) that
says so.  ``"2.6"`` and ``"6.1"`` stay aliases of 2.6.24 and of Debian's 6.1.

A sublevel counts: "4.4" and "4.4.0" are mainline 4.4, "4.4.11" a stable release, which
also takes the changes a rule lists as backported to its stable series (``Rule.stable``: the
first checked stable release of each series that carries it).

Range: 2.6.20 to 6.12 (i386 kernels).  Rules marked "(field)" were pinned by the
boot logs in shared/field/ rather than by a source line read here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ConfigError

OLDEST, NEWEST = (2, 6, 20), (6, 12)


@dataclass(frozen=True)
class Rule:
    field: str
    since: tuple[int, ...]       # first release with the new value
    before: object
    after: object
    source: str
    # stable releases that carry the change as a backport, the first checked one of each stable
    # series (e.g. (4, 4, 11)): release v of that series from there on has the new value too
    stable: tuple[tuple[int, ...], ...] = ()

    def applies(self, v: tuple[int, ...]) -> bool:
        """True if release v has the new value: v >= since, or v is a stable release of a
        series in ``stable`` at or after its backport ("4.4" and "4.4.0" are mainline 4.4; a
        2.6 series has three numbers: 2.6.32.y)."""
        n = 3 if v[:2] == (2, 6) else 2
        return v >= self.since or any(v[:n] == s[:n] and v >= s for s in self.stable)


def V(s: str) -> tuple[int, ...]:
    return tuple(int(x) for x in s.split("."))


# Behaviour switches of the subsystems (page allocator, GFP, slab, faults, vmalloc, highmem,
# processes) and of the kernel's messages and /proc formats.  "(approx.)" marks a release
# mmviz has not pinned to a commit: the value changes at 4.15, where mmviz's two calibrated
# models (2.6.24 and 6.1) part, and the exact release in between is not checked.
APPROX = V("4.15")
BEHAVIOUR_RULES: tuple[Rule, ...] = (
    # -- page allocator and GFP ----------------------------------------------
    Rule("buddy_merge_likely", V("2.6.35"), False, True,
         "mm/page_alloc.c __free_one_page: a block whose buddy's buddy is free goes to the list's "
         "tail (commit 6dda9d55bf54)"),
    Rule("watermark_any_free_order", V("4.4"), False, True,
         "mm/page_alloc.c __zone_watermark_ok: order > 0 only needs a free block of that order, no "
         "lower-order discount (commit 97a16fc82a7c)"),
    Rule("get_free_pages_strips_highmem", APPROX, False, True,
         "mm/page_alloc.c __get_free_pages: VM_BUG_ON(gfp_mask & __GFP_HIGHMEM) -> "
         "alloc_pages(gfp_mask & ~__GFP_HIGHMEM) (approx.)"),
    # the GFP names and bits (engine.gfp.LAYOUTS, one layout per change): read in the
    # include/linux/gfp.h (6.0+: gfp_types.h) of the trees on both sides of each change
    Rule("gfp_layout", V("2.6.31"), "2.6.24", "2.6.31",
         "include/linux/gfp.h: __GFP_MOVABLE 0x100000u (2.6.24 l.52, 2.6.29 l.52) -> 0x08u, a zone "
         "modifier (2.6.32.69 l.28): GFP_HIGHUSER_MOVABLE 0x1200d2 -> 0x200da (release approx.: "
         "between the 2.6.29 and 2.6.32.69 trees; 2.6.31's gfp_zone() table)"),
    Rule("gfp_layout", V("2.6.38"), "2.6.31", "2.6.38",
         "include/linux/gfp.h: ___GFP_NO_KSWAPD 0x400000u, ___GFP_OTHER_NODE 0x800000u, GFP_TRANSHUGE "
         "(2.6.39.3 l.37-38, 86-87, 114; none in 2.6.34; transparent hugepages, merged in 2.6.38)"),
    Rule("gfp_layout", V("3.2"), "2.6.38", "3.2",
         "include/linux/gfp.h: ___GFP_WRITE 0x1000000u (3.3.8 l.39, 89; none in 3.1.3; \"mm: try to "
         "distribute dirty pages fairly across zones\", release approx.)"),
    Rule("gfp_layout", V("3.6"), "3.2", "3.6",
         "include/linux/gfp.h: ___GFP_MEMALLOC 0x2000u (3.10.4 l.26, 78; none in 3.5.0; \"mm: "
         "introduce __GFP_MEMALLOC\", swap over NFS, release approx.)"),
    Rule("gfp_layout", V("4.4"), "3.6", "4.4",
         "include/linux/gfp.h: __GFP_WAIT renamed __GFP_RECLAIM = ___GFP_DIRECT_RECLAIM 0x400000u | "
         "___GFP_KSWAPD_RECLAIM 0x2000000u; ___GFP_ATOMIC 0x80000u; ___GFP_RECLAIMABLE 0x80000u -> 0x10u; "
         "no __GFP_NO_KSWAPD; GFP_KERNEL 0xd0 -> 0x24000c0, GFP_ATOMIC __GFP_HIGH|__GFP_ATOMIC|"
         "__GFP_KSWAPD_RECLAIM (4.4.0 l.23-38, 103, 147-148, 236-249; commits d0164adc89f6, "
         "71baba4b92dc \"mm, page_alloc: rename __GFP_WAIT to __GFP_RECLAIM\")"),
    Rule("gfp_layout", V("4.5"), "4.4", "4.5",
         "include/linux/gfp.h: ___GFP_ACCOUNT 0x100000u, GFP_KERNEL_ACCOUNT (4.8.15 l.38, 87, 248; "
         "none in 4.4.0; commit a9bb7e620efd)"),
    Rule("gfp_layout", V("4.8"), "4.5", "4.8",
         "include/linux/gfp.h: GFP_TRANSHUGE_LIGHT, GFP_TRANSHUGE = GFP_TRANSHUGE_LIGHT | "
         "__GFP_DIRECT_RECLAIM (4.8.15 l.259-261; 4.4.0 l.249 had no _LIGHT; release approx.: between "
         "the 4.4.0 and 4.8.15 trees)"),
    Rule("gfp_layout", V("4.10"), "4.8", "4.10",
         "include/linux/gfp.h: no ___GFP_OTHER_NODE, ___GFP_WRITE 0x1000000u -> 0x800000u, "
         "___GFP_KSWAPD_RECLAIM 0x2000000u -> 0x1000000u: GFP_KERNEL 0x14000c0 (4.9.0 l.41-43 -> "
         "4.10.17 l.40-42; commit 41b6167e8f74 \"mm: get rid of __GFP_OTHER_NODE\")"),
    Rule("gfp_layout", V("4.13"), "4.10", "4.13",
         "include/linux/gfp.h: __GFP_REPEAT -> __GFP_RETRY_MAYFAIL, the same bit 0x400u (4.15.18 l.28, "
         "187; commit dcda9b04713c)"),
    Rule("gfp_layout", V("4.14"), "4.13", "4.14",
         "include/linux/gfp.h: no GFP_TEMPORARY (4.10.17 l.245; none in 4.15.18; \"mm: treewide: "
         "remove GFP_TEMPORARY allocation flag\", release approx.)"),
    Rule("gfp_layout", V("4.15"), "4.14", "4.15",
         "include/linux/gfp.h: no ___GFP_COLD 0x100u (none in 4.15.18; Mel Gorman's \"mm: Remove "
         "__GFP_COLD\", Oct 2017)"),
    Rule("gfp_layout", V("4.18"), "4.15", "4.18",
         "include/linux/gfp.h: ___GFP_WRITE 0x100u, ___GFP_DIRECT_RECLAIM 0x200000u, "
         "___GFP_KSWAPD_RECLAIM 0x400000u: GFP_KERNEL 0x6000c0 (4.15.18 l.39-41 -> 4.19.0 l.27, "
         "40-41; \"mm: save two stranding bit in gfp_mask\", May 2018; release approx.: between the "
         "4.15.18 and 4.19.0 trees)"),
    Rule("gfp_layout", V("5.1"), "4.18", "5.1",
         "include/linux/gfp.h: bits shuffled, GFP_KERNEL 0xcc0, GFP_ATOMIC 0xa20 (4.19.0 l.27-41 -> "
         "5.3.1 l.27-41; \"mm: shuffle GFP_* flags\", Jan 2019; release approx.: between the 4.19.0 "
         "and 5.3.1 trees)"),
    Rule("gfp_layout", V("5.14"), "5.1", "5.14",
         "include/linux/gfp.h: ___GFP_ZEROTAGS 0x800000u, ___GFP_SKIP_KASAN_POISON 0x1000000u (no "
         "#ifdef), GFP_HIGHUSER_MOVABLE | __GFP_SKIP_KASAN_POISON = 0x1100cca (5.14.2 l.56-57, 450; "
         "5.17-rc5 the same; none in 5.3.1; release approx.)"),
    Rule("gfp_layout", V("5.18"), "5.14", "5.18",
         "include/linux/gfp.h: the KASAN bits only #ifdef CONFIG_KASAN_HW_TAGS, 0 on i386: "
         "GFP_HIGHUSER_MOVABLE 0x100cca again (5.19.0 l.57-64; 5.17-rc5 l.57 unconditional; "
         "release approx.)"),
    Rule("gfp_layout", V("6.3"), "5.18", "6.3",
         "include/linux/gfp_types.h: __GFP_ATOMIC removed, GFP_ATOMIC = __GFP_HIGH|__GFP_KSWAPD_RECLAIM "
         "(6.1-rc7 gfp_types.h:34, 138, 332 -> 6.8.0 l.326, no ___GFP_ATOMIC; commit 2973d8229b78)"),
    Rule("gfp_layout", V("6.8"), "6.3", "6.8",
         "include/linux/gfp_types.h: GFP_NOWAIT (__GFP_KSWAPD_RECLAIM | __GFP_NOWARN) (6.8.0 l.329; "
         "\"gfp: Include __GFP_NOWARN in GFP_NOWAIT\", Nov 2023)"),
    # -- slab ------------------------------------------------------------------
    Rule("kmalloc_cache_names", V("3.9"), "size", "kmalloc",
         "mm/slab.c general caches \"size-N\", \"size-N(DMA)\" -> mm/slab_common.c "
         "create_kmalloc_caches \"kmalloc-N\", \"dma-kmalloc-N\" (common kmalloc caches; approx. release)"),
    Rule("kmalloc_rcl_caches", V("4.20"), False, True,
         "mm/slab_common.c kmalloc-rcl-N for __GFP_RECLAIMABLE (commit 1291523f2c1d)"),
    Rule("kmalloc_cg_caches", V("5.14"), False, True,
         "mm/slab_common.c kmalloc-cg-N for __GFP_ACCOUNT (commit 494c1dfe855e)"),
    # -- user faults, brk, mmap, exec ------------------------------------------
    Rule("stack_guard_gap_pages", V("4.12"), 0, 256,
         "mm/mmap.c stack_guard_gap = 256 pages (commit 1be7107fbe18); the one-page guard of "
         "2.6.36-4.11 is not modelled"),
    Rule("anon_read_zero_page", V("2.6.24"), True, False,
         "mm/memory.c do_anonymous_page: a read fault allocates a zeroed page too, mapped "
         "pte_mkdirty + maybe_mkwrite (\"remove ZERO_PAGE\", commit 557ed1fa2620)"),
    Rule("anon_read_zero_page", V("2.6.32"), False, True,
         "mm/memory.c do_anonymous_page: a read maps my_zero_pfn() (\"mm: reinstate ZERO_PAGE\", "
         "commit a13ea5b75964)"),
    Rule("vma_index", V("3.15"), "mmap_cache", "vmacache",
         "mm/mmap.c find_vma: mm->mmap_cache -> per-thread vmacache (commit 615d6e8756c8)"),
    Rule("vma_index", V("6.1"), "vmacache", "maple", "mm_types.h: maple_tree mm_mt replaces mmap, "
         "mm_rb and the vmacache (commits d4af56c5c7c6, 763ecb035029, 7964cf8caa4d)"),
    Rule("brk_min_start_brk", V("2.6.26"), False, True,
         "mm/mmap.c sys_brk: lower bound mm->end_code -> mm->start_brk without CONFIG_COMPAT_BRK "
         "(commit 4cc6028d4040)"),
    Rule("brk_vma_only", V("6.1"), False, True,
         "mm/mmap.c do_brk_flags(brkvma): grows only the brk VMA, no vma_merge with any neighbour "
         "(commit 2e7ce7d354f2, maple tree)"),
    Rule("mprotect_exclusive_writable", V("6.0"), False, True,
         "mm/mprotect.c change_pte_range: an exclusive anonymous page gets its write bit back at once "
         "(commit 64fe24a3e05e; approx. release)"),
    Rule("mmap_topdown_default", APPROX, False, True,
         "arch/x86/mm/mmap.c arch_pick_mmap_layout: real i386 kernels default to top-down since 2.6.9; "
         "mmviz shows the seed articles' legacy layout (0x40000000 up) before 4.15 (approx.)"),
    Rule("mmap_legacy_randomized", APPROX, False, True,
         "arch/x86/mm/mmap.c mmap_legacy_base: TASK_UNMAPPED_BASE + mmap_rnd() for ia32 too (approx.)"),
    Rule("elf_brk_page_aligned", APPROX, False, True,
         "fs/binfmt_elf.c set_brk: mm->start_brk = mm->brk = ELF_PAGEALIGN(end) (approx.)"),
    Rule("stack_initial_pages", APPROX, 21, 33,
         "fs/exec.c setup_arg_pages: stack_expand = 128 KB beyond the argument page (approx.)"),
        Rule("maps_vvar_vdso", APPROX, False, True,
         "arch/x86/entry/vdso/vma.c map_vdso: [vvar] and [vdso] VMAs (approx.; page counts are 6.1's)"),
    Rule("maps_anon_pgoff_zero", APPROX, False, True,
         "fs/proc/task_mmu.c show_map_vma: offset 0 for anonymous VMAs (approx.)"),
    Rule("oom_badness_rss", V("2.6.36"), False, True,
         "mm/oom_kill.c oom_badness: rss + swap + page tables instead of total_vm with children "
         "(commit a63d83f427fb)"),
    Rule("oom_tie_picks_later", APPROX, False, True,
         "mm/oom_kill.c oom_evaluate_task: points < chosen_points skips, so a tie picks the later task (approx.)"),
    Rule("oom_reaper", V("4.6"), False, True, "mm/oom_kill.c oom_reaper (commit aac453635549)"),

    # -- vmalloc, highmem, kernel page tables ----------------------------------
    Rule("vmalloc_sync_eager", V("5.8"), False, True,
         "arch/x86/mm/fault.c vmalloc_fault (lazy) -> mm/vmalloc.c arch_sync_kernel_mappings for "
         "PGTBL_PMD_MODIFIED (commit 86cf69f1d893)"),
    Rule("vmap_fail_message", V("2.6.28"), "get_vm_area", "alloc_vmap_area",
         "mm/vmalloc.c: \"allocation failed: out of vmalloc space\" -> \"vmap allocation for size %lu "
         "failed\" (commit db64fe02258f, rewrite of the vmap layer)"),
    Rule("vfree_flush_ceiling", V("3.15"), False, True,
         "arch/x86/mm/tlb.c flush_tlb_kernel_range: INVLPG each page up to "
         "tlb_single_page_flush_ceiling, else a full flush (Dave Hansen's TLB flush rework; approx. release)"),
    Rule("meminfo_vmalloc_used", V("4.4"), "area_bytes", "zero",
         "fs/proc/meminfo.c VmallocUsed/VmallocChunk print 0 (commit a5ad88ce8c7f)"),
    Rule("meminfo_vmalloc_used", V("5.3"), "zero", "pages",
         "fs/proc/meminfo.c VmallocUsed = vmalloc_nr_pages() (commit 97105f0ab7b8)"),
    Rule("meminfo_vmalloc_chunk", V("4.4"), True, False,
         "fs/proc/meminfo.c VmallocChunk: 0 (commit a5ad88ce8c7f)"),
    Rule("kmap_atomic_stack", V("2.6.37"), False, True,
         "mm/highmem.c kmap_atomic_idx_push: a per-CPU stack of slots, no km_type (commit 3e4d3af501cc)"),
    Rule("kmap_local", V("5.11"), False, True,
         "2.6.37-5.10 include/linux/highmem.h kmap_atomic_idx_push: BUG_ON(idx >= KM_TYPE_NR), "
         "arch/x86/mm/highmem_32.c __kunmap_atomic -> mm/highmem.c kmap_local_idx_push: BUG_ON(idx >= "
         "KM_MAX_IDX), kunmap_local_indexed (\"highmem: Provide generic variant of kmap_atomic*\")"),
    Rule("pti", V("4.19"), False, True,
         "arch/x86/mm/pti.c on x86-32 (PAE only: PAGE_TABLE_ISOLATION depends on X86_PAE): kernel "
         "entries lose _PAGE_GLOBAL (Joerg Roedel's 32-bit PTI)"),
    Rule("fixmap_names", V("4.15"), "2.6", "4.15",
         "arch/x86/include/asm/fixmap.h enum fixed_addresses order (see fixmap_fixed_slots)"),
    Rule("protnone_bit", V("2.6.29"), 7, 8,
         "arch/x86/include/asm/pgtable_types.h _PAGE_BIT_PROTNONE: _PAGE_BIT_PSE (7) -> "
         "_PAGE_BIT_GLOBAL (8); the non-PAE swap offset starts above it"),
    Rule("swap_l1tf_inversion", V("4.19"), False, True,
         "arch/x86/include/asm/pgtable-3level.h: PAE swap entries with the offset inverted, type in "
         "bits 63..59 (\"x86/speculation/l1tf: Protect swap entries against L1TF\")"),
    Rule("swap_last_page_used", V("2.6.34"), False, True,
         "mm/swapfile.c sys_swapon: 2.6.32.2 l.1955/1993 maxpages = last_page, nr_good_pages = "
         "last_page - nr_badpages - 1 (the last page is lost) -> 2.6.34 l.1959/1987 maxpages = "
         "last_page + 1, nr_good_pages = maxpages - 1 (2.6.33.3 still maxpages = last_page)"),
    Rule("swp_entry_offset_bits", V("3.5"), 27, 25,
         "3.4.2 include/linux/swapops.h:18 SWP_TYPE_SHIFT(e) (sizeof(e.val) * 8 - MAX_SWAPFILES_SHIFT) (3.1.3 "
         "l.17 and 3.3.8 l.17 the same, though 3.1's \"mm: let swap use exceptional entries\" already shifts "
         "the entry for shmem's radix tree) -> 3.5.0 l.19-20 ((sizeof(e.val) * 8) - (MAX_SWAPFILES_SHIFT + "
         "RADIX_TREE_EXCEPTIONAL_SHIFT)) (Hugh Dickins, \"swap: fix shmem swapping when more than 8 areas\", "
         "June 2012; 3.10.4 l.19-20 the same)"),
    Rule("swp_entry_offset_bits", V("4.20"), 25, 26,
         "include/linux/swapops.h SWP_TYPE_SHIFT = BITS_PER_XA_VALUE - MAX_SWAPFILES_SHIFT "
         "(\"xarray: Replace exceptional entries\")"),
    # -- /proc and the boot log ----------------------------------------------------
    Rule("meminfo_format", APPROX, "2.6.24", "6.1",
         "fs/proc/meminfo.c meminfo_proc_show field list: 2.6.24's before 4.15, 6.1's after (approx.)"),
    Rule("zoneinfo_format", APPROX, "2.6.24", "6.1",
         "mm/vmstat.c zoneinfo_show_print: 2.6.24's lines before 4.15, 6.1's after (approx.)"),
    Rule("status_vmpin", V("3.2"), False, True,
         "fs/proc/task_mmu.c task_mem VmPin (\"mm: distinguish between mlocked and pinned pages\")"),
    Rule("status_rss_split", V("4.5"), False, True, "fs/proc/task_mmu.c task_mem RssAnon/RssFile/RssShmem: not in 4.4.1, in 4.5"),
    Rule("mm_shmempages", V("4.5"), False, True,
         "include/linux/mm_types.h: MM_SHMEMPAGES (index 3) added with mm_counter_file() (commit "
         "eca56ff906bd, \"mm, shmem: add internal shmem resident memory accounting\", 4.5); before, "
         "do_set_pte()/zap_pte_range() count every page that is not anonymous, shmem's too, in "
         "MM_FILEPAGES: check_mm()'s idx:0, the OOM report's file-rss"),
    Rule("vm_stat_data_vm", V("4.5"), False, True,
         "mm/mmap.c vm_stat_account(): shared_vm (every file VMA), exec_vm (file, exec, not "
         "write), stack_vm and VmData = total_vm - shared_vm - stack_vm (fs/proc/task_mmu.c "
         "task_mem) -> mm->data_vm, exec_vm of any exec non-write VMA (commit 84638335900f, "
         "\"mm: rework virtual memory accounting\", 4.5)"),
    Rule("status_vmswap", V("2.6.34"), False, True, "fs/proc/task_mmu.c task_mem VmSwap: not in 2.6.33.3, in 2.6.34"),
    Rule("memblock_topdown", APPROX, False, True,
         "early allocations: bootmem bottom-up from MAX_DMA_ADDRESS -> memblock top-down below "
         "max_low_pfn (x86 memblock since 2.6.35; mmviz switches at 4.15, approx.)"),
    Rule("log_free_initmem", APPROX, "k_freed", "K",
         "\"Freeing unused kernel memory: %luk freed\" -> free_reserved_area \"Freeing %s memory: %ldK\" (approx.)"),
    Rule("log_nx_missing", APPROX, False, True,
         "arch/x86/mm/setup_nx.c x86_report_nx on a non-PAE kernel (approx.)"),
    Rule("log_hash_linear", APPROX, False, True,
         "mm/page_alloc.c alloc_large_system_hash: \"(order: %d, %lu bytes, linear)\" (approx.)"),
    Rule("log_swiotlb", V("6.0"), "mapped", "area_num",
         "kernel/dma/swiotlb.c swiotlb_init_remap(): \"software IO TLB: area num %d.\" at mem_init, "
         "\"mapped [mem ...]\" later from swiotlb_print_info() (commit 20347fca71a3, \"swiotlb: split "
         "up the global swiotlb lock\")"),
)


from .kversion_boot import MEMINIT_RULES  # noqa: E402  (needs Rule and V above)
from .kversion_log import MESSAGE_RULES  # noqa: E402  (needs Rule and V above)
from .kversion_mm import MM_RULES  # noqa: E402
BEHAVIOUR_RULES = BEHAVIOUR_RULES + MM_RULES

RULES: tuple[Rule, ...] = (
    # -- the virtual layout --------------------------------------------------
    Rule("kernel_load", V("2.6.31"), 0x100000, 0x1000000,
         "arch/x86/Kconfig PHYSICAL_START default 0x1000000 (commit ceefccc9, 2.6.31); "
         "distributions kept 1 MB for a while (case 04: Ubuntu 2.6.31 .text at 0xc0100000)"),
    Rule("vmalloc_start_rounded", V("2.6.28"), True, False,
         "include/asm-x86/pgtable_32.h VMALLOC_START ((high_memory + 2*VMALLOC_OFFSET-1) & "
         "~(VMALLOC_OFFSET-1)) -> arch/x86/include/asm/pgtable_32.h high_memory + VMALLOC_OFFSET (field: case 04)"),
    Rule("maxmem_from_vmalloc_end", V("2.6.28"), False, True,
         "page_32.h MAXMEM (-__PAGE_OFFSET - __VMALLOC_RESERVE) -> pgtable_32_types.h "
         "MAXMEM (VMALLOC_END - PAGE_OFFSET - __VMALLOC_RESERVE) (field: cases 04, 05)"),
    Rule("vmalloc_param_adds_offset", V("2.6.28"), False, True,
         "setup_32.c parse_vmalloc: __VMALLOC_RESERVE = memparse() -> pgtable_32.c parse_vmalloc: "
         "memparse() + VMALLOC_OFFSET"),
    Rule("fixmap_boot_slots", V("2.6.25"), 16, 256,
         "include/asm-x86/fixmap_32.h NR_FIX_BTMAPS 16 -> 64 * FIX_BTMAPS_NESTING 4 (commit "
         "a8efa1cd51d6, \"x86: increase the number of boot-mappings\"; FIX_BTMAPS_SLOTS from 2.6.28)"),
    Rule("fixmap_boot_slots", V("4.12"), 256, 512, "fixmap.h FIX_BTMAPS_SLOTS 8 (REFERENCE §2.4)"),
    Rule("fixmap_boot_round", V("2.6.25"), 0, 512,
         "include/asm-x86/fixmap_32.h FIX_BTMAP_END = __end_of_permanent_fixed_addresses + 512 - "
         "(__end_of_permanent_fixed_addresses & 511) (commit d701fda8601f, \"x86: fix "
         "early_ioremap()/btmap\"), so the block never crosses a PMD"),
    Rule("fixmap_boot_round", V("2.6.27"), 512, 256,
         "include/asm-x86/fixmap_32.h FIX_BTMAP_END ... + 256 - (... & 255) (commit 48fe4a76e27d, "
         "\"x86: i386: reduce boot fixmap space\"); rounded only when the block straddles a page "
         "table from 2.6.34 (rule fixmap_boot_round_always)"),
    Rule("fixmap_boot_round", V("4.12"), 256, 512, "fixmap.h: 512-slot btmap block"),
    Rule("fixmap_boot_round_always", V("2.6.34"), True, False,
         "arch/x86/include/asm/fixmap.h FIX_BTMAP_END = __end_of_permanent_fixed_addresses + 256 - "
         "(__end_of_permanent_fixed_addresses & 255) whatever the slot count -> rounded up only if "
         "(end ^ (end + TOTAL_FIX_BTMAPS - 1)) & -PTRS_PER_PTE (commit 499a5f1efa0b, \"x86: Lift "
         "restriction on the location of FIX_BTMAP_*\"); with 226 permanent slots a PAE 2.6.3x "
         "PKMAP_BASE is 0xffa00000 and lowmem 889 MB, not 0xffc00000 and 891 MB (REFERENCE §2.5 LOG-E)"),
    Rule("pkmap_base_from", V("4.12"), "boot_start", "fixaddr_start",
         "highmem.h PKMAP_BASE ((FIXADDR_BOOT_START - ...) -> (FIXADDR_START - ...)"),
    Rule("pkmap_base_from", V("4.15"), "fixaddr_start", "cea",
         "pgtable_32_types.h CPU_ENTRY_AREA_BASE below the fixmap, PKMAP_BASE below it (PTI, 4.15)"),
    Rule("cea_from_tot_start", V("4.19"), False, True,
         "pgtable_32_areas.h CPU_ENTRY_AREA_BASE from FIXADDR_TOT_START (4.19)"),
    Rule("ldt_remap", V("4.19"), False, True,
         "pgtable_32_areas.h LDT_BASE_ADDR = (CPU_ENTRY_AREA_BASE - PAGE_SIZE) & PMD_MASK (32-bit PTI, 4.19)"),
    Rule("kmap_slots_per_cpu", V("2.6.31"), 13, 19,
         "arch/x86/include/asm/kmap_types.h D(13) KM_TYPE_NR (2.6.30 still) -> include/asm-generic/"
         "kmap_types.h D(19) KM_TYPE_NR, KM_SYNC_ICACHE .. KM_NMI_PTE added (commit e4c9dd0fbad6, "
         "\"kmap_types: make most arches use generic header file\", 2.6.31)"),
    Rule("kmap_slots_per_cpu", V("3.4"), 19, 20, "arch/x86/include/asm/kmap_types.h #define KM_TYPE_NR 20"),
    Rule("kmap_slots_per_cpu", V("5.11"), 20, 16, "include/asm-generic/kmap_size.h KM_MAX_IDX 16 (kmap_local)"),
    Rule("fixmap_fixed_slots", V("2.6.28"), 76, 74,
         "fixmap.h enum fixed_addresses (field: case 04, 226 slots with NR_CPUS 8)"),
    Rule("fixmap_fixed_slots", V("4.15"), 74, 71,
         "fixmap.h: FIX_VDSO/FIX_RO_IDT/TEXT_POKE gone; HOLE DBGP EARLYCON APIC 64xIO_APIC PCIE_MCFG GHES x2"),
    Rule("cea_pages_per_cpu", V("4.15"), 0, 40, "pgtable_32_types.h CPU_ENTRY_AREA_PAGES (NR_CPUS * 40)"),
    Rule("nr_cpus_max", V("2.6.26"), 255, 512,
         "arch/x86/Kconfig NR_CPUS: \"Maximum number of CPUs (2-255)\" range 2 255 (2.6.24) -> MAXSMP and "
         "range 2 512 if SMP && !MAXSMP (approx. release)"),
    Rule("nr_cpus_max", V("4.15"), 512, 64,
         "arch/x86/Kconfig NR_CPUS: range 2 64 if SMP && X86_32 && X86_BIGSMP (8 without X86_BIGSMP; "
         "later as NR_CPUS_RANGE_END), so that NR_CPUS * CPU_ENTRY_AREA_PAGES fits below the fixmap "
         "(approx. release: with the 32-bit cpu_entry_area)"),
    Rule("realmode_pages", V("3.4"), 0, 4,
         "arch/x86/realmode/init.c set_real_mode_permissions(): the trampoline's header and rodata "
         "RO+NX, its text RO+X, the rest RW (6.1 ground truth: 0x9b000 RO NX, 0x9c000 RO X)"),
    Rule("direct_map_whole_pmds", V("2.6.27"), True, False,
         "arch/x86/mm/init_32.c kernel_physical_mapping_init(pgd_base) (2.6.24, 2.6.26): with PSE every "
         "lowmem PMD is one large page, PDE 768 too (2.6.26's MTRR test 'pgd_idx == 0' never holds) and the "
         "last one reaches past max_low_pfn -> init_memory_mapping(): the first PMD (MTRRs) and the tail "
         "below max_low_pfn in 4 KB pages (approx. release)"),
    Rule("kernel_exec_from_page_offset", V("2.6.38"), True, False,
         "arch/x86/mm/init_32.c is_kernel_text(): PAGE_OFFSET <= addr <= __init_end executable, whole "
         "PMDs when large -> from _text, and mark_nxdata_nx() sets NX from _etext (commit 5bd5a452662b, "
         "\"x86: Add NX protection for kernel data\")"),
    Rule("rodata_ro", V("2.6.25"), False, True,
         "arch/x86/Kconfig.debug DEBUG_RODATA: no default in 2.6.24 (\"If in doubt, say N\"), default y "
         "in 2.6.26; mark_rodata_ro() makes text and rodata read-only, splitting their large pages "
         "(approx. release; always on from 4.6)"),
    Rule("brk_pgt_pages", V("3.9"), 0, 6,
         "arch/x86/mm/init.c RESERVE_BRK(early_pgt_alloc, INIT_PGT_BUF_SIZE), 6 pages: alloc_low_pages() "
         "takes the first kernel page tables from .brk after .bss (approx. release)"),
    # -- memory map and zones ------------------------------------------------
    Rule("one_active_range", V("2.6.28"), True, False,
         "setup_32.c zone_sizes_init: add_active_range(0, 0, highend_pfn) -> "
         "e820_register_active_regions() (field: case 04 has three ranges)"),
    Rule("nonpae_4g_clamp", V("2.6.28"), "max_pfn", "e820_end",
         "setup_32.c find_max_low_pfn: max_pfn = MAX_NONPAE_PFN -> e820_end_of_ram_pfn(limit)"),
    Rule("e820_low_reserved_kb", V("2.6.36"), 0, 64,
         "arch/x86/Kconfig X86_RESERVE_LOW default 64 (commit 9ea77bdb): "
         "\"e820: update [mem 0x00000000-0x0000ffff] usable ==> reserved\" (case 05)"),
    Rule("e820_low_reserved_kb", V("5.13"), 64, 4,
         "setup.c trim_bios_range only page 0; the low 1 MB memblock-reserved (commit a799c2bd)"),
    Rule("reserve_low_1m", V("5.13"), False, True,
         "arch/x86/realmode/init.c reserve_real_mode: memblock_reserve(0, SZ_1M) (commit f1d4d47c5851)"),
    Rule("memmap_page_align", V("2.6.25"), False, True,
         "mm/page_alloc.c free_area_init_core: memmap_pages = PAGE_ALIGN(size * sizeof(struct page)) "
         ">> PAGE_SHIFT (2.6.24 truncates: case 01 HighMem 2284)"),
    Rule("managed_pages", V("3.9"), False, True,
         "mm/page_alloc.c: 3.8.13 free_area_init_core zone->present_pages = freesize (realsize less the "
         "memmap) and __setup_per_zone_wmarks, nr_free_zone_pages, setup_per_zone_lowmem_reserve, "
         "zone_batchsize on present_pages (managed_pages, commit 9feedc9d831e, is only counted) -> "
         "3.9.6 present_pages = realsize and all four on zone->managed_pages (Jiang Liu's "
         "managed_pages series)"),
    Rule("zone_movable", V("2.6.23"), False, True,
         "include/linux/mmzone.h ZONE_MOVABLE (commit 2a1e274acf0b)"),
    Rule("pcp_hot_cold", V("2.6.25"), True, False,
         "mm/page_alloc.c setup_pageset: pcp[0] hot, pcp[1] cold -> one list (commit 3dfa5721f12c)"),
    Rule("pcp_batch_cap_kb", V("4.18"), 512, 1024,
         "mm/page_alloc.c zone_batchsize: \"no more than 1/2 of a meg\" -> a meg (commit d8a759b57035)"),
    Rule("watermark_scale", V("4.6"), False, True,
         "mm/page_alloc.c __setup_per_zone_wmarks watermark_scale_factor (commit 795ae7a0de6b)"),
    Rule("min_free_kbytes_max", V("5.7"), 65536, 262144,
         "mm/page_alloc.c init_per_zone_wmark_min clamp 256 MB (commit 59d336bdf693)"),
    Rule("thp", V("2.6.38"), False, True, "mm/huge_memory.c set_recommended_min_free_kbytes (THP)"),
    Rule("struct_page_size", V("5.0"), 32, 40,
         "include/linux/mm_types.h: 32 bytes on 2.6-4.x i386 builds (cases 01, 04, 05, 08), 40 on "
         "Debian 6.1 686 (VMCOREINFO SIZE(page)=40); really a build input: config struct_page_size"),
    # -- the boot log --------------------------------------------------------
    Rule("log_e820", V("2.6.31"), "dash", "dash_modified",
         "e820.c: \" BIOS-e820: %016Lx - %016Lx\" and the \"modified:\" dump after sanitising"),
    Rule("log_e820", V("3.4"), "dash_modified", "mem",
         "e820.c: \"BIOS-e820: [mem %#018Lx-%#018Lx]\" (Bjorn Helgaas' [mem] format, 3.4)"),
    Rule("log_zone_ranges", V("2.6.28"), "dec", "hex",
         "page_alloc.c free_area_init_nodes: \"%-8s %8lu -> %8lu\" -> \"%0#10lx -> %0#10lx\" (case 04)"),
    Rule("log_zone_ranges", V("3.4"), "hex", "mem32", "page_alloc.c: \"[mem %0#10lx-%0#10lx]\" (case 05)"),
    Rule("log_zone_ranges", V("3.12"), "mem32", "mem64", "page_alloc.c: \"[mem %#018Lx-%#018Lx]\""),
    Rule("log_add_active_range", V("2.6.25"), True, False,
         "page_alloc.c add_active_range: KERN_DEBUG \"Entering add_active_range(%d, %lu, %lu) ...\""),
    Rule("log_highmem_init", V("2.6.27"), False, True,
         "arch/x86/mm/init_32.c add_highpages_with_active_regions: \"Initializing HighMem for node\""),
    Rule("log_memmap_block", V("5.0"), True, False,
         "page_alloc.c free_area_init_core: \"%s zone: %lu pages used for memmap\" / LIFO batch become "
         "pr_debug (approx. release; absent from the 6.1 ground truth)"),
    Rule("log_memory_line", V("3.11"), "old", "new", "mm/page_alloc.c mem_init_print_info (commit 7ee3d4e8cd56)"),
    Rule("log_layout_block", V("5.11"), True, False,
         "arch/x86/mm/init_32.c mem_init: \"virtual kernel memory layout:\" no longer printed "
         "(\"x86/mm/init/32: Stop printing the virtual memory layout\"; approx. release)"),
    Rule("log_movable_start", V("3.12"), "Movable zone start PFN for each node", "Movable zone start for each node",
         "page_alloc.c free_area_init_nodes"),
    Rule("log_initmem_setup", V("4.20"), False, True, "mm/page_alloc.c: \"Initmem setup node\""),
    Rule("log_unavailable", V("5.9"), False, True,
         "mm/page_alloc.c init_unavailable_range: \"pages in unavailable ranges\""),
    Rule("log_last_pfn", V("2.6.28"), False, True, "e820.c e820_end_pfn: \"last_pfn = %#lx max_arch_pfn = %#lx\""),
    Rule("log_memmap_zero", V("2.6.28"), True, False,
         "page_alloc.c free_area_init_core: \"if (memmap_pages) printk\" (field: 2.6.24 prints "
         "\"Movable zone: 0 pages used for memmap\", 2.6.31 does not)"),
    Rule("highmem_memmap_counted", V("5.0"), True, False,
         "page_alloc.c free_area_init_core: \"if (!is_highmem_idx(j))\" around the memmap subtraction "
         "(approx. release; 3.5 subtracts, 6.1 does not)"),
    Rule("log_low_ram", V("2.6.28"), False, True,
         "arch/x86/mm/init_32.c setup_bootmem_allocator/initmem_init: \"  mapped low ram\", \"  low ram\" "
         "(field: case 04)"),
    Rule("log_highmem_param", V("2.6.30"), "old", "msg",
         "highmem= that cannot be honoured: 2.6.24 arch/x86/kernel/setup_32.c find_max_low_pfn "
         "\"only %luMB highmem pages available, ignoring highmem size of %uMB.\", \"highmem size "
         "specified (%uMB) is bigger than pages available (%luMB)!.\", \"highmem size %uMB results in "
         "smaller than 64MB lowmem, ignoring it.\" -> arch/x86/mm/init_32.c MSG_HIGHMEM_TOO_SMALL "
         "\"... of %luMB!\", MSG_HIGHMEM_TOO_BIG \"highmem size (%luMB) is bigger than pages available "
         "(%luMB)!\", MSG_LOWMEM_TOO_SMALL \"highmem size (%luMB) results in <64MB lowmem, ignoring "
         "it!\" (lowmem_pfn_init/highmem_pfn_init; release approx.)"),
    Rule("log_init_memory_mapping", V("2.6.28"), "", "dash",
         "arch/x86/mm/init.c init_memory_mapping: \"init_memory_mapping: %016lx-%016lx\" (case 04)"),
    Rule("log_init_memory_mapping", V("3.4"), "dash", "mem32",
         "init.c: \"init_memory_mapping: [mem %#010lx-%#010lx]\" (case 05)"),
    Rule("log_init_memory_mapping", V("4.0"), "mem32", "",
         "init.c: demoted to KERN_DEBUG-only builds (approx.; absent from the 6.1 ground truth)"),
    Rule("log_last_pfn_prefix", V("3.4"), "", "e820: ",
         "e820.c: printk(KERN_INFO \"e820: last_pfn = ...\") (case 05)"),
    Rule("log_last_pfn_prefix", V("4.14"), "e820: ", "",
         "e820.c rewrite: pr_info(\"last_pfn = %#lx max_arch_pfn = %#lx\") (6.1 ground truth)"),
    Rule("log_percpu_prefix", V("3.0"), "", "setup_percpu: ",
         "arch/x86/kernel/setup_percpu.c pr_fmt (approx.; case 04 has none, case 05 has it)"),
    Rule("log_movable_init", V("5.11"), False, True,
         "arch/x86/mm/highmem_32.c set_highmem_pages_init: \"Initializing Movable for node\" (6.1 ground truth)"),
    Rule("slab_default", V("2.6.23"), "slab", "slub", "init/Kconfig: SLUB default (the 2.6 alias keeps SLAB)"),
) + MEMINIT_RULES + MESSAGE_RULES + BEHAVIOUR_RULES


# The permanent fixmap slot count (fixmap.h enum fixed_addresses: the kmap slots, KM_TYPE_NR or
# KM_MAX_IDX per CPU, plus the config-dependent others) checked against a real kernel of the
# release; for every other release the fixmap_fixed_slots rules above are an estimate, said on
# screen (engine.layout Layout.fixmap_estimated), unless a boot log's fixmap line gives it.
FIXMAP_CHECKED: dict[tuple[int, ...], str] = {
    (2, 6, 24): "field case 01, Ubuntu 2.6.24-19 (NR_CPUS 8): fixmap 0xfff4b000 - 0xfffff000 (720 kB)",
    (2, 6, 31): "field case 04, Ubuntu 2.6.31-20 (NR_CPUS 8): fixmap 0xfff1d000 - 0xfffff000 (904 kB)",
    (3, 5): "field case 05, Ubuntu 3.5.0-43 PAE (NR_CPUS 8): fixmap 0xfff15000 - 0xfffff000 (936 kB)",
    (6, 1): "ground truth, Debian 6.1.0-50 (NR_CPUS 32): the kcore page-table walk of the fixmap",
}


def fixmap_checked(v: tuple[int, ...]) -> str:
    """The check behind release v's fixmap slot count, or '' (an estimate)."""
    while len(v) > 2 and v[-1] == 0:
        v = v[:-1]
    return FIXMAP_CHECKED.get(tuple(v), "")


def parse_version(s) -> tuple[int, ...]:
    """'2.6.24-19-generic' -> (2, 6, 24); '6.1.0-rc7' -> (6, 1, 0).  ConfigError if unreadable."""
    # ASCII digits only (not "２.６"); a fourth number is a 2.6 stable release (2.6.32.69)
    m = re.match(r"^\s*([0-9]+)\.([0-9]+)(?:\.([0-9]+)(?:\.([0-9]+))?)?(?=$|[-+~_\s])", str(s))
    if not m:
        raise ConfigError(f"kernel: {s!r} is not a version; mmviz models i386 releases "
                          f"2.6.20 .. 6.12 (2.6 and 6.1 are aliases; e.g. 2.6.24, 3.16, 4.19)")
    v = tuple(int(x) for x in m.groups() if x is not None)
    if v[:2] == (2, 6) and len(v) < 3:
        v = (2, 6, 24)
    if len(v) > 3 and v[:2] != (2, 6):
        raise ConfigError(f"kernel: {s!r} is not a version; mmviz models i386 releases "
                          f"2.6.20 .. 6.12 (2.6 and 6.1 are aliases; e.g. 2.6.24, 3.16, 4.19)")
    if v < OLDEST or v[:2] > NEWEST:
        raise ConfigError(f"kernel: {s!r} is outside the modelled range 2.6.20 .. 6.12 "
                          f"(2.6 and 6.1 are aliases; e.g. 2.6.24, 3.16, 4.19)")
    if v[0] == 2 and v[:2] != (2, 6):
        raise ConfigError(f"kernel: {s!r} is not an i386 2.6 or later kernel")
    return v


def rule_values(v: tuple[int, ...]) -> dict[str, object]:
    """The value of every versioned field for release v (later rules win)."""
    out: dict[str, object] = {}
    for r in RULES:
        if r.field not in out:
            out[r.field] = r.before
        if r.applies(v):
            out[r.field] = r.after
    return out


def rules_for(field: str) -> list[Rule]:
    return [r for r in RULES if r.field == field]

