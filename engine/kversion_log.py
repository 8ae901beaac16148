"""Kernel versions as data, part 2: the releases where the kernel's failure messages change
(segfault lines, the page-allocation-failure line, vmalloc's warnings).  Each
:class:`engine.kversion.Rule` names the Flavour field, the value before and after, and
the source line on each side of the change; engine.kmsg formats the lines.
"""
from __future__ import annotations

from .kversion import APPROX, Rule, V
from .kversion_report import REPORT_RULES

MESSAGE_RULES: tuple[Rule, ...] = (
    Rule("log_segfault", V("2.6.25"), "eip", "ip",
         "2.6.24 arch/x86/mm/fault_32.c:477 \"%s[%d]: segfault at %08lx eip %08lx esp %08lx error %lx\" -> "
         "unified arch/x86/mm/fault.c (2.6.26 l.808) \"... ip %08lx sp %08lx error %lx\" + print_vma_addr(\" in \")"),
    Rule("log_segfault_cpu", V("6.1"), False, True,
         "6.1 arch/x86/mm/fault.c:812 show_signal_msg: \" likely on CPU %d (core %d, socket %d)\" "
         "(commit c926087eb385)"),
    # oopses and bad PTEs
    Rule("oops_line", V("2.6.26"), "virtual_address", "paging_request",
         "2.6.24 arch/x86/mm/fault_32.c:546 \"BUG: unable to handle kernel NULL pointer dereference\" / "
         "\"paging request\" + \" at virtual address %08lx\" -> 2.6.26 arch/x86/mm/fault.c:401 "
         "show_fault_oops \" at %08lx\" (2.6.25 not checked)"),
    Rule("oops_line", V("5.0"), "paging_request", "page_fault",
         "arch/x86/mm/fault.c show_fault_oops: \"unable to handle kernel paging request at\" -> "
         "\"unable to handle page fault for address:\", below PAGE_SIZE \"BUG: kernel NULL pointer "
         "dereference, address:\" (\"x86/fault: Decode page fault OOPSes better\")"),
    Rule("log_dump_stack", V("3.10"), "pid_comm", "cpu_pid_comm",
         "2.6.24 arch/x86/kernel/traps_32.c dump_stack(): \"Pid: %d, comm: %.20s %s %s %.*s\" -> "
         "lib/dump_stack.c dump_stack_print_info() \"CPU: %d PID: %d Comm: %.20s %s %s %.*s\" (commit "
         "196779b9b4ce, \"dump_stack: consolidate dump_stack() implementations and unify their output\")"),
    Rule("warn_alloc_burst", APPROX, 10, 1,
         "2.6.24 mm/page_alloc.c printk_ratelimit() (5 s, burst 10), 3.0 warn_alloc_failed() nopage_rs "
         "DEFAULT_RATELIMIT_INTERVAL/BURST (5 s, 10) -> 6.1 warn_alloc() nopage_rs (10*HZ, 1) (approx.)"),
    Rule("log_ptr_hashed", V("4.15"), False, True,
         "lib/vsprintf.c pointer(): plain %p prints the address (\"%08lx\"-style, no 0x) -> ptr_to_id(), a "
         "siphash of it under a boot-time key (commit ad67b74d2469, \"printk: hash addresses printed with "
         "%p\"); engine.kmsg.kptr"),
    Rule("bad_pte_line", V("2.6.29"), "bad_pte", "bad_page_map",
         "mm/memory.c print_bad_pte: \"Bad pte = ...\" -> \"BUG: Bad page map in process\" (Hugh Dickins' "
         "badpage series)"),
    # Checked against the mm/page_alloc.c and mm/vmalloc.c of released trees: 2.6.24, 2.6.39.3,
    # 3.0.1, 3.1.3, 3.14.1, 3.18.30, 4.4.1, 4.5, 4.6.2, 4.8.15, 4.9, 4.10, 4.11, 4.19, 5.7.14,
    # 5.8.1, 5.9.1, 5.10, 5.12.9, 5.14.2, 5.15.16, 5.17, 5.19, 6.1-rc7, 6.1.158, 6.3.8.
    Rule("log_alloc_failure", V("3.0"), "dot", "colon",
         "2.6.24 mm/page_alloc.c:1633 (2.6.39.3 l.2194) \"%s: page allocation failure. order:%d, mode:0x%x\" -> "
         "3.0.1 warn_alloc_failed() l.1771 \"%s: page allocation failure: order:%d, mode:0x%x\" "
         "(\"mm: break out page allocation warning code\", 3.0)"),
    Rule("log_alloc_failure", V("4.6"), "colon", "names",
         "4.5 mm/page_alloc.c:2693 \"mode:0x%x\" -> 4.6.2 l.2824 \"mode:%#x(%pGg)\" (the flag names)"),
    Rule("log_alloc_failure", V("4.11"), "names", "nodemask",
         "4.10 warn_alloc() \", mode:%#x(%pGg)\\n\" -> 4.11 mm/page_alloc.c:3125 \", mode:%#x(%pGg), nodemask=\" "
         "(6.1 l.4357 the same)"),
    # vmalloc() running out of pages: what __vmalloc_area_node() prints (its page allocations
    # carry __GFP_NOWARN from 3.0 on, so the page allocator's own line is printed only before)
    Rule("log_vmalloc_failure", V("3.0"), "page_alloc", "allocated",
         "2.6.39.3 mm/vmalloc.c:1565 alloc_page(gfp_mask), no message of its own -> 3.0.1 l.1584 "
         "warn_alloc_failed(\"vmalloc: allocation failure, allocated %ld of %ld bytes\\n\") and the page "
         "allocator's call with __GFP_NOWARN (\"mm: print vmalloc() state after allocation failures\", 3.0)"),
    Rule("log_vmalloc_failure", V("4.9"), "allocated", "warn_alloc",
         "4.8.15 mm/vmalloc.c:1651 warn_alloc_failed (two lines) -> 4.9 l.1650 warn_alloc(): one line "
         "\"%s: vmalloc: allocation failure, allocated %ld of %ld bytes, mode:...\""),
    Rule("log_vmalloc_failure", V("5.10"), "warn_alloc", "silent",
         "5.9.1 mm/vmalloc.c:2416 alloc_mask = gfp_mask | __GFP_NOWARN -> 5.10 l.2470 gfp_mask |= __GFP_NOWARN "
         "before warn_alloc(gfp_mask, ...), which therefore returns at once: nothing is printed"),
    Rule("log_vmalloc_failure", V("5.17"), "silent", "vmalloc_error",
         "5.15.16 mm/vmalloc.c:2930 the text with the __GFP_NOWARN mask -> 5.17 l.2979 warn_alloc(orig_gfp_mask, "
         "\"vmalloc error: size %lu, page order %u, failed to allocate pages\")"),
    Rule("log_vmalloc_failure", V("5.18"), "vmalloc_error", "silent",
         "5.17 mm/vmalloc.c:2928/2979 warn_alloc(orig_gfp_mask, ...) -> 5.18.12 l.2974/3013 gfp_mask |= "
         "__GFP_NOWARN, then warn_alloc(gfp_mask, ...) (5.19 l.2972/3011, 6.1-rc7 l.3020/3059, 6.1.158 "
         "l.3048/3089 the same; 5.18.0 itself not checked)"),
    Rule("log_vmalloc_failure", V("6.3"), "silent", "vmalloc_error",
         "6.1.158 mm/vmalloc.c:3048 gfp_mask |= __GFP_NOWARN -> 6.3.8 l.3051 (commit 80b1d8fdfad1 \"mm: vmalloc: correct use of __GFP_NOWARN mask in "
         "__vmalloc_area_node()\")"),
    # the mask warn_alloc names: vmalloc() passes GFP_KERNEL | __GFP_HIGHMEM until "use
    # __GFP_HIGHMEM implicitly"; 6.3 adds __GFP_HIGHMEM to gfp_mask before the warning
    Rule("vmalloc_warn_highmem", V("4.12"), True, False,
         "4.11 mm/vmalloc.c:1824 vmalloc(): GFP_KERNEL | __GFP_HIGHMEM -> 4.12.0 l.1846-1849 "
         "__vmalloc_node_flags(size, NUMA_NO_NODE, GFP_KERNEL), __vmalloc_area_node() adding "
         "__GFP_HIGHMEM per page (alloc_mask; 4.13.4 l.1675 highmem_mask, 4.19 l.1869 the same)"),
    Rule("vmalloc_warn_highmem", V("6.3"), False, True,
         "6.1.158 mm/vmalloc.c:3089 warns with vmalloc()'s GFP_KERNEL -> 6.3.8 l.3012 gfp_mask |= __GFP_HIGHMEM "
         "before warn_alloc() (commit 80b1d8fdfad1)"),
    # vmalloc() of more pages than the machine has, or with no room left in the vmalloc area:
    # __vmalloc_node_range()'s own warning (the caller's mask, never __GFP_NOWARN)
    # vmalloc(0) takes the same branch as "more pages than the machine has" until 5.14, which
    # returns at WARN_ON_ONCE(!size) first (engine.kmsg.vmalloc_zero_message)
    Rule("log_vmalloc_range", V("3.2"), "none", "bytes",
         "3.1.3 mm/vmalloc.c:1627 __vmalloc_node_range: if (!size || ...) return NULL silently -> 3.2.7 "
         "l.1627 goto fail, l.1656 warn_alloc_failed(\"vmalloc: allocation failure: %lu bytes\\n\") "
         "(3.3.8 l.1683 and 3.14.1 l.1663 the same)"),
    Rule("log_vmalloc_range", V("5.14"), "bytes", "vmalloc_error",
         "5.12.9 mm/vmalloc.c:2568 if (!size || ...) goto fail, l.2592 \"vmalloc: allocation failure: %lu "
         "bytes\" -> 5.14.2 l.2923 if (WARN_ON_ONCE(!size)) return NULL, l.2927/2960 "
         "\"vmalloc error: size %lu, exceeds total pages\" / \"..., vm_struct allocation failed\" "
         "(6.1.0 l.3140, 6.1.158 l.3170 the same) (release approx.: 5.13 or 5.14; no 5.13 tree found)"),
    # -- out_of_memory() -> dump_header(): "<comm> invoked oom-killer: ..." (engine.oom_kill) -----
    Rule("oom_header", V("2.6.32"), "2.6.24", "2.6.32",
         "mm/oom_kill.c: 2.6.24/2.6.30 \"%s invoked oom-killer: gfp_mask=0x%x, order=%d, oomkilladj=%d\" "
         "-> 2.6.32.67 \"..., oom_adj=%d\" (oom_adj moved to signal_struct, commit 28b83c5193e7)"),
    Rule("oom_header", V("2.6.36"), "2.6.32", "2.6.36",
         "mm/oom_kill.c dump_header: \"..., oom_adj=%d, oom_score_adj=%d\" (badness rewrite, commit "
         "a63d83f427fb; 2.6.36, 2.6.39.3 and 3.5 checked)"),
    Rule("oom_header", V("3.7"), "2.6.36", "3.7",
         "mm/oom_kill.c dump_header: 3.6.0 and 3.6.5 l.430-431 \"gfp_mask=0x%x, order=%d, oom_adj=%d, "
         "oom_score_adj=%d\" -> 3.7.2 l.430-431 \"gfp_mask=0x%x, order=%d, oom_score_adj=%d\", no oom_adj "
         "(3.8.13 l.382-383 \"%hd\", 4.5.7 the same)"),
    Rule("oom_header", V("4.6"), "3.7", "4.6",
         "mm/oom_kill.c dump_header: \"gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd\" (the flag "
         "names; 4.5.7 -> 4.6.2, 4.7.4 the same)"),
    Rule("oom_header", V("4.9"), "4.6", "4.9",
         "mm/oom_kill.c dump_header: 4.8.15 l.402 \"gfp_mask=%#x(%pGg), order=%d, ...\" -> 4.9 l.408 "
         "\", nodemask=%*pbl\" of oc->nodemask or the cpuset's mems_allowed: \"nodemask=0\" (4.10 l.408 "
         "the same)"),
    Rule("oom_header", V("4.11"), "4.9", "4.11",
         "mm/oom_kill.c dump_header: 4.10 l.408 nodemask_pr_args(nm) -> 4.11 l.409-416 \"nodemask=\", "
         "then pr_cont(\"%*pbl\") or pr_cont(\"(null)\") without a nodemask, then pr_cont(\",  order=%d, "
         "oom_score_adj=%hd\") with two spaces (4.12.0, 4.13.4 l.409-416, 4.14.177 l.410-416 the same)"),
    Rule("oom_header", V("4.15"), "4.11", "4.15",
         "mm/oom_kill.c dump_header: 4.14.177 l.416 \",  order=\" -> 4.15.0 l.429 one printk \"..., "
         "nodemask=%*pbl, order=%d, oom_score_adj=%hd\" of nodemask_pr_args(oc->nodemask): \"(null)\" "
         "without a nodemask, one space (4.15.18 l.431, 4.16.13 l.429, 4.17.0 and 4.18.0 l.424, 4.19 "
         "l.433 the same)"),
    Rule("oom_header", V("4.20"), "4.15", "4.20",
         "mm/oom_kill.c dump_header: \"gfp_mask=%#x(%pGg), order=%d, oom_score_adj=%hd\"; the nodemask "
         "goes to dump_oom_summary()'s \"oom-kill:constraint=...\" line (commit ef8444ea01d7; 4.19 -> 5.0.1)"),
    # -- oom_kill_process() and oom_badness(): the kill lines and the score (engine.oom_kill) ----
    Rule("oom_kill_process", V("2.6.36"), "2.6.24", "2.6.36",
         "mm/oom_kill.c: 2.6.24/2.6.32 \"%s: kill process %d (%s) score %li or a child\" + \"Killed "
         "process %d (%s)\" -> 2.6.36/2.6.39.3 \"%s: Kill process %d (%s) score %d or sacrifice child\" + "
         "\"Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB\", the child (own mm) "
         "with the highest oom_badness() sacrificed; oom_badness = (rss + nr_ptes + swap) * 1000 / "
         "totalpages - 30 for CAP_SYS_ADMIN, 1..1000 (commit a63d83f427fb)"),
    Rule("oom_kill_process", V("3.5"), "2.6.36", "3.5",
         "mm/oom_kill.c oom_badness: pages, adj -30 * (totalpages / 1000) for CAP_SYS_ADMIN, at least "
         "1; select_bad_process *ppoints = chosen_points * 1000 / totalpages (commit a7f638f999ff; 3.5 "
         "checked, 3.8.13 and 4.0.5 the same)"),
    Rule("oom_kill_process", V("4.5"), "3.5", "4.5",
         "mm/oom_kill.c: \"Killed process ... file-rss:%lukB, shmem-rss:%lukB\" (commit eca56ff906bd; "
         "4.4.11 -> 4.5.7)"),
    Rule("oom_kill_process", V("4.17"), "4.5", "4.17",
         "mm/oom_kill.c oom_badness: no 3% bonus for CAP_SYS_ADMIN (commit d46078b28889; 4.16.13 l.231 "
         "has_capability_noaudit(p, CAP_SYS_ADMIN) -> 4.17.0 none; 4.19 none)"),
    Rule("oom_kill_process", V("4.20"), "4.17", "4.20",
         "mm/oom_kill.c dump_oom_summary(): \"oom-kill:constraint=%s,nodemask=%*pbl\" + cpuset + memcg "
         "+ \",task=%s,pid=%d,uid=%d\" before the kill lines (commit ef8444ea01d7; 5.0.1)"),
    Rule("oom_kill_process", V("5.2"), "4.20", "5.2",
         "mm/oom_kill.c: no child sacrificed, no \"Kill process\" line (commit bbbe48029720, \"mm, "
         "oom: remove 'prefer children over parent' heuristic\"): 5.0.1 l.968 \"%s: Kill process %d (%s) "
         "score %u or sacrifice child\" + l.877 \"Killed process ...\" -> 5.2.1 l.879 __oom_kill_process() "
         "\"%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB\" "
         "(\"Out of memory\") of the victim itself (5.3.1 l.887 the same) (release approx.: 5.1 or 5.2, "
         "no 5.1 tree found)"),
    Rule("oom_kill_process", V("5.4"), "5.2", "5.4",
         "mm/oom_kill.c __oom_kill_process: 5.3.1 l.887 \"..., shmem-rss:%lukB\\n\" -> 5.4.0 l.887 "
         "\"..., shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%hd\""),
    Rule("oom_dump_tasks", V("2.6.36"), "off", "2.6.36",
         "mm/oom_kill.c sysctl_oom_dump_tasks: 2.6.35.3 l.34 \"int sysctl_oom_dump_tasks;\" (0; 2.6.32.67 "
         "l.33, 2.6.34 l.34 the same; 2.6.24 has no dump_tasks) -> 2.6.36 l.37 \"= 1\": \"[ pid ]   uid  "
         "tgid total_vm      rss cpu oom_adj oom_score_adj name\" (l.362)"),
    Rule("oom_dump_tasks", V("3.6"), "2.6.36", "3.6",
         "mm/oom_kill.c dump_tasks: 3.5 l.384 \"... rss cpu oom_adj oom_score_adj name\" -> 3.6.0 l.399 "
         "\"... rss nr_ptes swapents oom_score_adj name\", l.415 \"[%5d] %5d %5d %8lu %8lu %7lu %8lu"
         "         %5d %s\" (3.6.5, 3.7.2 the same; 3.8.13 l.351, l.367 \"%5hd\")"),
    Rule("oom_dump_tasks", V("4.0"), "3.6", "4.0",
         "mm/oom_kill.c dump_tasks: \"... nr_ptes nr_pmds swapents ...\" (commit dc6c9a35b66b; 3.19.8 -> "
         "4.0.5)"),
    Rule("oom_dump_tasks", V("4.15"), "4.0", "4.15",
         "mm/oom_kill.c dump_tasks: 4.14.177 l.380 \"... rss nr_ptes nr_pmds swapents ...\" -> 4.15.0 "
         "l.400 \"[ pid ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\", "
         "l.419 \"[%5d] %5d %5d %8lu %8lu %8ld %8lu         %5hd %s\" (mm_pgtables_bytes(); 4.15.18, "
         "4.16.13, 4.17.0 and 4.18.0 l.395 the same)"),
    Rule("oom_dump_tasks", V("4.19"), "4.15", "4.19",
         "mm/oom_kill.c dump_tasks: 4.18.0 l.395 \"[ pid ]   uid ...\" -> 4.19 l.403-404 \"Tasks state "
         "(memory values in pages):\", \"[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents "
         "oom_score_adj name\", l.420 \"[%7d] ...\""),
    # -- show_mem() / show_free_areas(): the Mem-Info block of an OOM report (engine.show_mem) --
    # checked: 2.6.24 .. 2.6.33 (mainline tags), 2.6.30, 2.6.32.67, 3.5, 3.6.0, 3.6.5, 3.7.2,
    # 3.8.13, 3.9.6, 3.10.4, 3.11, 3.12.0, 3.13.0, 3.19.8, 4.0.5, 4.1.19, 4.4.11, 4.5.7, 4.6.2,
    # 4.7.4, 4.9, 4.11, 4.12.0, 4.13.4, 4.14.177, 4.19, 5.0.1, 5.8.1, 5.10, 5.11, 5.12.9, 5.14.2,
    # 5.15.55, 5.19, 6.0.1, 6.1.0
    Rule("show_free_areas", V("2.6.25"), "2.6.24", "2.6.25",
         "mm/page_alloc.c show_free_areas: \"%ld total pagecache pages\" (commit e6f3602d2c58, \"Include "
         "count of pagecache pages in show_mem() output\"); mm/swap_state.c show_swap_cache_info: "
         "\"Swap cache: add %lu, delete %lu, find %lu/%lu, race %lu+%lu\" -> without \"race\" (commit "
         "bb63be0a091c); v2.6.24 -> v2.6.25 tags"),
    Rule("show_free_areas", V("2.6.26"), "2.6.25", "2.6.26",
         "arch/x86/mm/pgtable_32.c show_mem: v2.6.25 l.39 \"Free swap:       %6ldkB\" removed (commit "
         "1415d160c7f7, \"x86: Remove redundant display of free swap space in show_mem()\"; v2.6.26)"),
    Rule("show_free_areas", V("2.6.27"), "2.6.26", "2.6.27",
         "lib/show_mem.c generic show_mem() (commits 454c63b02e53, 8dad322f5449): \"Mem-Info:\", \"%lu "
         "pages RAM\"/\"pages HighMem\"/\"pages reserved\" for arch/x86/mm/pgtable_32.c \"Mem-info:\", "
         "\"%d pages of RAM\"; show_swap_cache_info \"%lu pages in swap cache\", \"Swap cache stats: add "
         "%lu, delete %lu, find %lu/%lu\" (commit 2c97b7fc0d8c); v2.6.26 -> v2.6.27 tags"),
    Rule("show_free_areas", V("2.6.28"), "2.6.27", "2.6.28",
         "split LRU (commit 4f98a2fee8ac): \"Active:%lu inactive:%lu ...\" and zone \" active:%lukB "
         "inactive:%lukB\" -> \"Active_anon:%lu active_file:%lu inactive_anon:%lu\", zone active_anon/"
         "inactive_anon/active_file/inactive_file/unevictable (v2.6.27 l.1865 -> v2.6.28 l.1883)"),
    Rule("show_free_areas", V("2.6.32"), "2.6.28", "2.6.32",
         "mm/page_alloc.c show_free_areas: isolated_anon/isolated_file, slab_reclaimable/"
         "slab_unreclaimable, shmem (commits a731286de620, 4b02108ac1b3); zone isolated(anon) "
         "isolated(file) ... mlocked dirty writeback mapped shmem slab_* kernel_stack pagetables unstable "
         "bounce writeback_tmp (2.6.30 -> 2.6.32.67; 3.5 the same)"),
    Rule("show_free_areas", V("3.7"), "2.6.32", "3.7",
         "mm/page_alloc.c show_free_areas: 3.6.0/3.6.5 (l.2850, l.2881) none -> 3.7.2 l.2915 \" free_cma:%lu\" and "
         "zone l.2965 \" free_cma:%lukB\" (NR_FREE_CMA_PAGES)"),
    Rule("show_free_areas", V("3.8"), "3.7", "3.8",
         "mm/page_alloc.c show_free_areas: zone \" managed:%lukB\" (3.7.2 l.2953 present only -> 3.8.13 "
         "l.3046; commit 9feedc9d831e) and show_migration_types() after each \"N*4kB\" (3.8.13 l.3127)"),
    Rule("show_free_areas", V("3.13"), "3.8", "3.13",
         "lib/show_mem.c: 3.12.0 l.57 \"%lu pages HighMem\" -> 3.13.0 l.43 \"%lu pages HighMem/MovableOnly\" "
         "(3.13.10, 3.14.1 l.40 the same)"),
    Rule("show_free_areas", V("4.1"), "3.13", "4.1",
         "mm/page_alloc.c show_free_areas: the per-CPU \"CPU %4d: hi:%5d, btch:%4d usd:%4d\" lines -> "
         "\" free:%lu free_pcp:%lu free_cma:%lu\" last, zone \" free_pcp:%lukB local_pcp:%ukB\" (commit "
         "d1bfcdb8ce0e; 4.0.5 -> 4.1.19)"),
    Rule("show_free_areas", V("4.8"), "4.1", "4.8",
         "node-based LRU (Mel Gorman, commit 599d0c954f91): a \"Node %d active_anon:%lukB ... "
         "all_unreclaimable? %s\" line; zone: writepending, no isolated/dirty/writeback/mapped/shmem/"
         "unstable/writeback_tmp/pages_scanned/all_unreclaimable (4.7.4 -> 4.9)"),
    Rule("show_free_areas", V("4.12"), "4.8", "4.12",
         "mm/page_alloc.c show_free_areas: node line without \" pages_scanned:%lu\" (4.11 l.4512 -> 4.12.0 "
         "l.4546-4565; NR_PAGES_SCANNED removed)"),
    Rule("show_free_areas", V("4.13"), "4.12", "4.13",
         "slab statistics to the node (commit 385386cff4c6): no slab_* in the zone line (4.12.0 "
         "l.4617-4618 -> 4.13.4 none; 4.14.177, 4.19 and 5.0.1 the same)"),
    Rule("show_free_areas", V("5.5"), "4.13", "5.5",
         "mm/page_alloc.c: zone \" reserved_highatomic:%luKB\" (commit e47b346aba08; 5.0.1 -> 5.8.1)"),
    Rule("show_free_areas", V("5.8"), "5.5", "5.8",
         "NR_UNSTABLE_NFS removed (commit 8d92890bd6b8): no \"unstable\" (5.0.1 -> 5.8.1)"),
    Rule("show_free_areas", V("5.9"), "5.8", "5.9",
         "kernel stacks counted per node (commit 991e7673859e): \" kernel_stack:%lukB\" moves from the "
         "zone line to the node line (5.8.1 -> 5.10)"),
    Rule("show_free_areas", V("5.11"), "5.9", "5.11",
         "page tables counted per node (commit f0c0c115fb81): \" pagetables:%lukB\" moves to the node "
         "line (5.10 -> 5.15.55)"),
    Rule("show_free_areas", V("5.15"), "5.11", "5.15",
         "mm/page_alloc.c: \" kernel_misc_reclaimable:%lu\" in the global block (5.11.0 and 5.12.9 and "
         "5.14.2 none -> 5.15.55 l.5899; 5.15.0 itself not checked)"),
    Rule("show_free_areas", V("5.16"), "5.15", "5.16",
         "mm/page_alloc.c: zone \" boost:%lukB\" after free (commit a6ea8b5b9f1c; 5.15.55 -> 6.1.0)"),
    Rule("show_free_areas", V("6.0"), "5.16", "6.0",
         "mm/swap_state.c show_swap_cache_info: 5.19 l.77 \"Swap cache stats: add %lu, delete %lu, find "
         "%lu/%lu\" -> 6.0.1 none (commit 442701e7058b)"),
    Rule("show_free_areas", V("6.1"), "6.0", "6.1",
         "\" sec_pagetables:%lu\" (NR_SECONDARY_PAGETABLE, commit ebc97a52b5d6): 6.0.1 show_free_areas "
         "l.6083 none -> 6.1.0 __show_free_areas l.6114 and node l.6167; mm/oom_kill.c dump_header: "
         "6.0.1 l.464 show_mem(SHOW_MEM_FILTER_NODES, oc->nodemask), every zone -> 6.1.0 l.464 "
         "__show_mem(..., gfp_zone(oc->gfp_mask)): no zone above the allocation's"),
    # -- build_all_zonelists() ----------------------------------------------------
    Rule("log_zonelist_order", V("2.6.23"), False, True,
         "page_alloc.c build_all_zonelists \"Built %i zonelists in %s order.\" (zonelist order selection, 2.6.23)"),
    Rule("log_zonelist_mobility", V("2.6.24"), False, True,
         "page_alloc.c build_all_zonelists \", mobility grouping %s\" (grouping pages by mobility, 2.6.24)"),
    Rule("log_zonelist_order", V("4.14"), True, False,
         "page_alloc.c build_all_zonelists \"in Zone order\" (ZONELIST_ORDER_ZONE removed, commit c9bff3eebc09)"),
    # failures the kernel reports as an oops or a warning (engine.kmsg.failure_lines)
    Rule("slab_bad_gfp", V("3.19"), "bug", "gfp_bug",
         "2.6.24 mm/slab.c:2772 cache_grow() BUG_ON(flags & GFP_SLAB_BUG_MASK), mm/slub.c:1086 new_slab() the "
         "same (3.10.4 mm/slab.c:2771, mm/slub.c:1351) -> 4.0.5 mm/slab.c:2593-2595 if (unlikely(flags & "
         "GFP_SLAB_BUG_MASK)) { pr_emerg(\"gfp: %u\\n\", flags & GFP_SLAB_BUG_MASK); BUG(); } (mm/slub.c:1418-1420; "
         "\"slab: improve checking for invalid gfp_flags\", Nov 2014; 3.11-3.18 not checked; the lines per tree "
         "in engine.kmsg_bug.GROW_LINES)"),
    Rule("slab_bad_gfp", V("4.8"), "gfp_bug", "warn",
         "4.4.0 mm/slab.c:2605-2607 pr_emerg(\"gfp: %u\") + BUG() (mm/slub.c:1530-1532) -> 4.8.15 mm/slab.c:2690-"
         "2693 \"Unexpected gfp: %#x (%pGg). Fixing up to gfp: %#x (%pGg). Fix your code!\" + dump_stack() "
         "(mm/slub.c:1625-1628; 4.9.0 the same; \"slab: do not panic on invalid gfp_mask\"; 6.1 mm/slab_common.c "
         "kmalloc_fix_flags(); 4.5-4.7 not checked)"),
    Rule("kmalloc_large_fixes_gfp", V("5.9"), False, True,
         "GFP_SLAB_BUG_MASK is __GFP_DMA32|__GFP_HIGHMEM|~__GFP_BITS_MASK in every checked tree (2.6.24 "
         "include/linux/gfp.h:97, 4.4.0 mm/internal.h:34, 6.1-rc7 l.36, 6.8.0 l.36), tested where a slab grows; a "
         "kmalloc() too large for the caches goes to the page allocator unchecked: 5.8.1 mm/slab_common.c:1340-"
         "1346 kmalloc_order() alloc_pages(flags | __GFP_COMP) -> 5.9.1 l.832-833 if (unlikely(flags & "
         "GFP_SLAB_BUG_MASK)) flags = kmalloc_fix_flags(flags) (\"Unexpected gfp\" + dump_stack(); 6.1-rc7 "
         "mm/slab_common.c:1092 __kmalloc_large_node() the same)"),
    Rule("log_die_header", V("4.15"), "space", "flags",
         "arch/x86/kernel/dumpstack.c __die(): \"%s: %04lx [#%d] \" + \"PREEMPT \" \"SMP \" -> "
         "__die_header() \"%s: %04lx [#%d]%s%s%s%s%s\" (\" PREEMPT\", \" SMP\", \" PTI\"/\" NOPTI\") "
         "(approx. release)"),
    Rule("log_pf_lines", V("5.0"), False, True,
         "arch/x86/mm/fault.c show_fault_oops(): \"#PF: %s %s in %s mode\" and \"#PF: error_code(0x%04lx) - %s\" "
         "(\"x86/fault: Decode page fault OOPSes better\", with the \"BUG: kernel NULL pointer dereference\" wording)"),
    Rule("kfree_nonslab", V("2.6.28"), "put_page", "bug",
         "SLUB kfree() of a page that is no slab: 2.6.24 mm/slub.c:2600-2601 if (unlikely(!PageSlab(page))) "
         "{ put_page(page); return; } unchecked (2.6.26 l.2760 the same; mmviz refuses, note only) -> 2.6.28 "
         "l.2743 BUG_ON(!PageCompound(page)) (2.6.27 not checked; 5.10.13 l.4136 the same; the lines per tree "
         "in engine.kmsg_bug.KFREE_LINES)"),
    Rule("kfree_nonslab", V("5.14"), "bug", "unchecked",
         "5.11.4 mm/slub.c:4132 kfree() BUG_ON(!PageCompound(page)) (5.10.13 l.4136) -> 5.14.2 l.3246 "
         "free_nonslab_page() VM_BUG_ON_PAGE(!PageCompound(page), page), nothing without CONFIG_DEBUG_VM, then "
         "__free_pages(page, order) (5.15.55 l.3527 the same; \"slub: fix unreclaimable slab stat for bulk "
         "free\"; 5.12-5.13 not checked; mmviz refuses, note only)"),
    Rule("kfree_nonslab", V("5.17"), "unchecked", "warn",
         "5.15.55 mm/slub.c:3527 VM_BUG_ON_PAGE -> 5.17-rc5 l.3542 free_large_kmalloc() (static inline in "
         "kfree) WARN_ON_ONCE(order == 0) + pr_warn_once(\"object pointer: 0x%p\\n\") (\"slub: add back check "
         "for free nonslab objects\"; 5.16 not checked; 5.19.0 l.3569; 6.1-rc7 mm/slab_common.c:923; 6.8.0 "
         "mm/slub.c:4371; the lines per tree in engine.kmsg_bug.WARN_LINES)"),
    # -- print_tainted() (kernel/panic.c): the flags after "Tainted: ", in bit order, one
    # character each (engine.taint); checked in the mirrored trees' kernel/panic.c
    Rule("taint_flags", V("2.6.23"), "PFSRMBU", "PFSRMBUD",
         "kernel/panic.c print_tainted() \"Tainted: %c%c%c%c%c%c%c\" (TAINT_USER 'U', 2006) -> 2.6.24 "
         "l.163-171 \"Tainted: %c%c%c%c%c%c%c%c\" ... tainted & TAINT_DIE ? 'D' : ' ' (\"Report that "
         "kernel is tainted if there was an OOPS\"; release approx.: 2.6.20-2.6.23 not checked)"),
    Rule("taint_flags", V("2.6.26"), "PFSRMBUD", "PFSRMBUDAW",
         "2.6.24 kernel/panic.c:163 eight %c -> 2.6.26 l.202-212 ten: TAINT_OVERRIDDEN_ACPI_TABLE 'A', "
         "TAINT_WARN 'W' (release approx.: 2.6.25 not checked, no nine-flag format found)"),
    Rule("taint_flags", V("2.6.28"), "PFSRMBUDAW", "PFSRMBUDAWC",
         "2.6.27.57 kernel/panic.c:166-176 ten %c -> 2.6.28 l.146-157 tnts[] table, { TAINT_CRAP, 'C', ' ' } "
         "(drivers/staging)"),
    Rule("taint_flags", V("2.6.35"), "PFSRMBUDAWC", "PFSRMBUDAWCI",
         "2.6.34 kernel/panic.c:180 tnts[] ends at TAINT_CRAP -> 2.6.35.3 l.182 "
         "{ TAINT_FIRMWARE_WORKAROUND, 'I', ' ' }"),
    Rule("taint_flags", V("3.2"), "PFSRMBUDAWCI", "PFSRMBUDAWCIO",
         "3.1.3 kernel/panic.c:179 tnts[] ends at TAINT_FIRMWARE_WORKAROUND -> 3.2.7 l.184 "
         "{ TAINT_OOT_MODULE, 'O', ' ' }"),
    Rule("taint_flags", V("3.15"), "PFSRMBUDAWCIO", "PFSRMBUDAWCIOE",
         "3.14.1 kernel/panic.c:212 tnts[] ends at TAINT_OOT_MODULE -> 3.18.30 l.238 "
         "{ TAINT_UNSIGNED_MODULE, 'E', ' ' } (module signing; release approx.)"),
    Rule("taint_flags", V("3.17"), "PFSRMBUDAWCIOE", "PFSRMBUDAWCIOEL",
         "3.18.30 kernel/panic.c:239 { TAINT_SOFTLOCKUP, 'L', ' ' } (\"panic: add TAINT_SOFTLOCKUP\", "
         "2014; release approx.)"),
    Rule("taint_flags", V("4.0"), "PFSRMBUDAWCIOEL", "PFSRMBUDAWCIOELK",
         "3.19.8 kernel/panic.c:228 tnts[] ends at TAINT_SOFTLOCKUP -> 4.0.5 l.229 "
         "{ TAINT_LIVEPATCH, 'K', ' ' } (livepatch)"),
    Rule("taint_flags", V("4.15"), "PFSRMBUDAWCIOELK", "PFSRMBUDAWCIOELKXT",
         "4.14.177 kernel/panic.c:329 taint_flags[] ends at TAINT_LIVEPATCH -> 4.19 l.328-329 "
         "[ TAINT_AUX ] = { 'X', ' ', true }, [ TAINT_RANDSTRUCT ] = { 'T', ' ', true } (release "
         "approx.: 4.15-4.18 not checked)"),
    Rule("taint_flags", V("6.0"), "PFSRMBUDAWCIOELKXT", "PFSRMBUDAWCIOELKXTN",
         "5.19 kernel/panic.c:430 taint_flags[] ends at TAINT_RANDSTRUCT -> 6.1.0 l.428 "
         "[ TAINT_TEST ] = { 'N', ' ', true } (KUnit; release approx.); 6.1.0 l.439 print_tainted(), "
         "6.3.8 the same 19"),
    Rule("taint_verbose", V("6.11"), False, True,
         "lib/dump_stack.c dump_stack_print_info(): if (get_taint()) printk(\"%s%s\\n\", log_lvl, "
         "print_tainted_verbose()) -> \"Tainted: [B]=BAD_PAGE, [W]=WARN\" (\"kernel/panic: add verbose "
         "logging of kernel taints in backtraces\", posted 31 May 2024; release approx.)"),
    Rule("log_dump_stack", V("6.11"), "cpu_pid_comm", "cpu_uid_pid_comm",
         "lib/dump_stack.c dump_stack_print_info(): \"%sCPU: %d PID: %d Comm: %.20s %s%s %s %.*s\" -> "
         "\"%sCPU: %d UID: %u PID: %d ...\" (the effective UID; \"lib/dump_stack: report process UID in "
         "dump_stack_print_info()\", on the same lib/dump_stack.c as taint_verbose; release approx.)"),
    *REPORT_RULES,  # bad page, bad swap entry, bad kfree(), bad kunmap_atomic() (engine.kversion_report)
    # SLUB's and SLAB's debug reports: the taint in slab_bug()'s line, and their add_taint()
    Rule("log_slub_bug", V("3.3"), "plain", "tainted",
         "3.2.7 mm/slub.c:573 slab_bug() \"BUG %s: %s\" -> 3.3.8 l.575 \"BUG %s (%s): %s\" with "
         "print_tainted() (6.1.0 l.860 pr_err the same)"),
    Rule("slab_bug_taints", V("3.7"), False, True,
         "3.5 and 3.6.0 mm/slub.c and mm/slab.c: no add_taint() -> 3.7.2 mm/slub.c:568 slab_bug() and "
         "mm/slab.c:807 __slab_error() add_taint(TAINT_BAD_PAGE) after the report (3.8.13 l.565 / l.882 "
         "the same); 5.17 moves it to object_err()/slab_err() (6.1.0 l.931/963)"),
)
