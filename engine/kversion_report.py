"""Kernel versions as data, part 2b: the releases where the kernel's reports of a bad page,
a bad swap entry, a bad kfree() and a bad kunmap_atomic() change -- bad_page()'s page dump,
print_bad_pte(), swap_info_get(), SLAB's debug BUG_ON()s and the kmap slot checks.  Each
:class:`engine.kversion.Rule` names the Flavour field, the value before and after, and the
source line on each side of the change; engine.kmsg_page, engine.kmsg_swap and
engine.kmsg_bug format the lines.  engine.kversion_log splices these into MESSAGE_RULES.
"""
from __future__ import annotations

from .kversion import Rule, V

REPORT_RULES: tuple[Rule, ...] = (
    # bad_page()'s report and its page dump (engine.kmsg_page)
    Rule("log_bad_page", V("2.6.29"), "quoted", "pfn",
         "2.6.24 mm/page_alloc.c:225-228 bad_page() \"Bad page state in process '%s'\" \"page:%p flags:0x%0*lx "
         "mapping:%p mapcount:%d count:%d\" \"Trying to fix it up, but a reboot is needed\" \"Backtrace:\" "
         "(2.6.28 l.226-233 the same) -> 2.6.29 l.250-255 \"BUG: Bad page state in process %s  pfn:%05lx\" "
         "\"page:%p flags:%p count:%d mapcount:%d mapping:%p index:%lx\""),
    Rule("log_bad_page", V("2.6.34"), "pfn", "dump_page",
         "2.6.33.3 mm/page_alloc.c:267 the page line -> 2.6.34 l.292 dump_page(): l.5256 \"page:%p count:%d "
         "mapcount:%d mapping:%p index:%#lx\", l.5230 dump_page_flags() \"page flags: %#lx(\" + the names "
         "(3.13.0 l.6463 the same)"),
    Rule("log_bad_page", V("3.14"), "dump_page", "reason",
         "3.13.0 mm/page_alloc.c:332 dump_page(page) -> 3.14.1 l.332 dump_page_badflags(page, reason, "
         "bad_flags): l.6555 \"page dumped because: %s\", l.6557 \"bad because of flags:\" + the flags"),
    Rule("log_bad_page", V("3.18"), "reason", "debug_c",
         "3.14.1 mm/page_alloc.c \"page flags: %#lx(\" -> 3.18.30 mm/debug.c:60 dump_flags() \"flags: %#lx(\" "
         "(3.15-3.17 not checked)"),
    Rule("log_bad_page", V("4.5"), "debug_c", "compound",
         "4.4.1 mm/debug.c:85 -> 4.5.0 l.86 pr_cont(\" compound_mapcount: %d\") after a compound page's line"),
    Rule("log_bad_page", V("4.6"), "compound", "pGp",
         "4.5.0 mm/debug.c:93 dump_flags(), \"bad because of flags:\" -> 4.6.2 l.53 \"flags: %#lx(%pGp)\", no "
         "bad-flags line; free_pages_check() \"nonzero _count\" -> \"nonzero _refcount\" (page_ref)"),
    Rule("log_bad_page", V("4.15"), "pGp", "px",
         "4.13.4 mm/debug.c:52 \"page:%p ... mapping:%p\" -> 4.15.0 l.53 \"page:%px ... mapping:%px\" (the raw "
         "address while %p is hashed; 4.14 not checked)"),
    Rule("log_bad_page", V("5.2"), "px", "refcount",
         "4.19.0 mm/debug.c:66 \"page:%px count:%d\" -> 5.2.1 l.70 \"page:%px refcount:%d\" (5.0, 5.1 not checked)"),
    Rule("log_bad_page", V("5.9"), "refcount", "pfn_line",
         "5.8.1 mm/debug.c:89 \"page:%px refcount:%d mapcount:%d mapping:%p \" -> 5.9.1 l.98 \"page:%p refcount:%d "
         "mapcount:%d mapping:%p index:%#lx pfn:%#lx\" (hashed %p; a compound page's \"head:\" line)"),
    Rule("log_bad_page", V("5.17"), "pfn_line", "pGp_fields",
         "5.16.16 mm/debug.c:165 \"%sflags: %#lx(%pGp)%s\" -> 5.17.0 l.119 \"%sflags: %pGp%s\": %pGp prints the "
         "value, the names and the fields (6.1.0 mm/debug.c:93/115/133, lib/vsprintf.c:2019-2043 \"zone=1\")"),
    Rule("bad_page_modules", V("3.2"), False, True,
         "3.1.3 mm/page_alloc.c:321 dump_stack() right after the dump -> 3.2.7 l.321 print_modules() first "
         "(\"Modules linked in:\"; 6.1.0 l.718 the same)"),
    Rule("log_null_ptr", V("2.6.29"), "zeros", "null",
         "2.6.28 lib/vsprintf.c:600 pointer(): NULL printed as a number, 00000000 -> 2.6.29 l.668-669 "
         "\"(null)\"; from 4.15 dump_page() prints %px (00000000), 5.7.14 l.801 ptr_to_id() NULL unhashed"),
    Rule("log_null_ptr", V("2.6.37"), "null", "padded",
         "2.6.34 lib/vsprintf.c:976 \"(null)\" unpadded -> 2.6.37 l.993 padded to a pointer's width "
         "(\"  (null)\" on 32-bit)"),
    Rule("page_flags_layout", V("2.6.26"), "2.6.20", "2.6.26",
         "2.6.24 include/linux/page-flags.h #define PG_compound 14, PG_swapcache 15, PG_buddy 19 -> enum pageflags "
         "with PAGEFLAGS_EXTENDED PG_head 13, PG_tail 14, PG_swapcache 15, PG_buddy 18 (2.6.27.57, 2.6.28, "
         "2.6.29.4; 2.6.26 not checked). Simplified (engine.kmsg_page): mmviz encodes the flags it keeps "
         "(reserved, slab, lru, swapcache, dirty, referenced, head/tail, buddy) and the zone at bit 30; the "
         "others print clear, page->mapping NULL, page->index 0; dump_page()'s raw: (4.10+) and head: "
         "(5.9+) lines are left out; with SPARSEMEM the address is still mem_map + pfn"),
    Rule("page_flags_layout", V("2.6.30"), "2.6.26", "2.6.30",
         "2.6.29.4 enum pageflags -> 2.6.30 PG_private_2 after PG_private: head 14, tail 15, swapcache 16, buddy 19"),
    Rule("page_flags_layout", V("2.6.38"), "2.6.30", "2.6.38",
         "2.6.37 enum pageflags PG_buddy 19 -> 2.6.39.3 none: PageBuddy is page->_mapcount (2.6.38 not checked)"),
    Rule("page_flags_layout", V("4.4"), "2.6.38", "4.4",
         "4.1.19 enum pageflags PG_tail 15 -> 4.4.1 none: PageTail is compound_head's bit 0"),
    Rule("page_flags_layout", V("4.10"), "4.4", "4.10",
         "4.9 enum pageflags slab 7, reserved 10, head 14, swapcache 15 -> 4.10.0 PG_waiters 7: slab 8, reserved "
         "11, head 15, PG_swapcache = PG_owner_priv_1 (9, printed \"owner_priv_1\")"),
    Rule("page_flags_layout", V("5.0"), "4.10", "5.0",
         "4.19.0 enum pageflags referenced 2 ... -> 5.4.0 PG_error after PG_waiters: referenced 1, dirty 3, lru 4, "
         "slab 9, owner_priv_1 10, reserved 12, head 16 (6.1.0 the same; 5.0-5.3 not checked)"),
    Rule("page_buddy_mapcount", V("2.6.38"), 0, -127,
         "PageBuddy: 2.6.37 the PG_buddy flag -> 2.6.39.3 include/linux/mm.h:413 PAGE_BUDDY_MAPCOUNT_VALUE (-128) in "
         "_mapcount, page_mapcount() -127 (2.6.38 not checked)"),
    Rule("page_buddy_mapcount", V("4.18"), -127, -128,
         "4.17.0 include/linux/page-flags.h:672 PAGE_BUDDY_MAPCOUNT_VALUE -> 4.18.0 l.699-702 page_type PAGE_TYPE_BASE "
         "0xf0000000, PG_buddy 0x80 cleared from -1: _mapcount -129, page_mapcount() -128"),
    # print_bad_pte()'s lines after "BUG: Bad page map" (engine.kmsg_pte)
    Rule("log_bad_pte_file", V("4.1"), "symbol", "file",
         "2.6.29 mm/memory.c:423-434 \"addr:%p vm_flags:%08lx anon_vma:%p mapping:%p index:%lx\", then "
         "print_symbol(KERN_ALERT \"vma->vm_ops->fault: %s\\n\") if vma->vm_ops and \"vma->vm_file->f_op->mmap: "
         "%s\" if vma->vm_file (2.6.34 l.515-526, 3.1.3 l.718-729; 3.10.4 l.708-713 printk(\"%pSR\"), the same "
         "text; 4.0.5 l.689-699) -> 4.1.19 l.693 pr_alert(\"file:%pD fault:%pf mmap:%pf readpage:%pf\\n\") always "
         "(4.4.0 l.694, 4.19 l.787, 5.0.4 l.521; 5.4.214 l.535 %ps, the same text)"),
    Rule("log_bad_pte_file", V("5.19"), "file", "read_folio",
         "5.17 mm/memory.c:558 \"readpage:%ps\" (mapping->a_ops->readpage) -> 5.19.0 l.561 \"read_folio:%ps\" "
         "(6.1.0 l.562, 6.8.0 l.531; 5.18 not checked)"),
    Rule("log_bad_pte_px", V("5.4"), False, True,
         "4.19 mm/memory.c:785 \"addr:%p ... anon_vma:%p mapping:%p\" (hashed from 4.15: 4.15.18 l.787) -> "
         "5.4.214 l.533 \"addr:%px vm_flags:%08lx anon_vma:%px mapping:%px index:%lx\" (Kefeng Wang, \"mm: do "
         "not hash address in print_bad_pte()\", Aug 2019; 6.1.0 l.560)"),
    Rule("log_ptr_checked", V("5.2"), False, True,
         "5.0.4 lib/vsprintf.c:1962 pointer(): if (!ptr && *fmt != 'K' && *fmt != 'x') \"(null)\" padded to a "
         "pointer's width, for %pD and %pf too -> 5.4.214 l.2155 no such test: l.911-912 file_dentry_name() "
         "check_pointer() \"(null)\", l.957-959 symbol_string() of NULL \"0x0\" (\"vsprintf: Prevent crash "
         "when dereferencing invalid pointers\"; 5.1-5.3 not checked)"),
    # freeing a swap entry that names no used slot: swap_info_get()'s complaint (engine.kmsg_swap)
    Rule("log_swap_info_get", V("4.11"), "swap_free", "swap_info_get",
         "2.6.24 mm/swapfile.c:257-266 swap_info_get() printk(KERN_ERR \"swap_free: %s%08lx\\n\", Bad_file, "
         "entry.val) (4.10.0 l.765 pr_err the same) -> 4.11.0 l.907 \"swap_info_get: %s%08lx\\n\" (5.11.0 "
         "l.1167 the same)"),
    Rule("log_swap_info_get", V("5.12"), "swap_info_get", "split",
         "5.11.0 mm/swapfile.c:1167 \"swap_info_get: \" -> 5.12.9 l.1173-1179 pr_err(\"%s: %s%08lx\\n\", "
         "__func__, ...) in __swap_info_get() (bad file, unused file, bad offset) and _swap_info_get() "
         "(unused offset) (5.17.0 l.1124/1153 the same)"),
    Rule("log_swap_info_get", V("5.19"), "split", "_swap_info_get",
         "5.17.0 mm/swapfile.c:1124 __swap_info_get() + l.1153 _swap_info_get() -> 5.19.0 l.1128 one "
         "_swap_info_get() printing all four (6.1.0 l.1132-1161: \"_swap_info_get: Bad swap file entry "
         "%08lx\"); 5.18 not checked"),
    Rule("swap_bad_pte", V("2.6.29"), False, True,
         "2.6.24 mm/memory.c:692 zap_pte_range() free_swap_and_cache(pte_to_swp_entry(ptent)), its "
         "result unused: the complaint only, no taint -> 2.6.29 l.841-842 if (unlikely(!free_swap_and_cache"
         "(...))) print_bad_pte(vma, addr, ptent, NULL) (\"BUG: Bad page map in process\", dump_stack(), "
         "add_taint(TAINT_BAD_PAGE)); 2.6.28 l.775 as 2.6.24; 6.1.0 l.1494-1495 the same as 2.6.29"),
    Rule("bad_pte_burst", V("2.6.29"), 0, 60,
         "mm/memory.c print_bad_pte(): 2.6.28 l.378-381 \"Bad pte = ...\" always -> 2.6.29 l.386-408 "
         "static resume/nr_shown/nr_unshown: \"Allow a burst of 60 reports, then keep quiet for that "
         "minute\": the 61st report within 60 * HZ of the burst's first returns before printing (and "
         "before add_taint()), counted in nr_unshown; the next one after the minute first prints "
         "\"BUG: Bad page map: %lu messages suppressed\" (6.1.0 l.529-550 the same). Simplified: mmviz has "
         "no clock; the reports of one operation share a minute and the next operation starts a new one "
         "(engine.kmsg_pte.bad_pte_ratelimit)"),
    Rule("swapents_bad_entry", V("2.6.34"), False, True,
         "MM_SWAPENTS (\"mm: count swap usage\", 2.6.34; 2.6.33.3 mm/memory.c:891 has no counter): "
         "zap_pte_range() takes rss[MM_SWAPENTS]-- for every entry that is no non_swap_entry() before "
         "free_swap_and_cache() looks at it, so a swap entry naming no used slot lowers it too "
         "(2.6.34 mm/memory.c:976-978, 3.3.8 l.1201-1213, 6.1.0 l.1489-1494), and copy_one_pte() counts the "
         "copy of one in the child (2.6.34 l.676: swap_duplicate()'s -EINVAL is not -ENOMEM, the copy "
         "goes on); get_mm_counter() reads a negative counter as 0 (SPLIT_RSS_COUNTING)"),
    Rule("check_mm", V("3.4"), "none", "idx",
         "kernel/fork.c check_mm() at mmdrop: printk(KERN_ALERT \"BUG: Bad rss-counter state \" "
         "\"mm:%p idx:%d val:%ld\") per counter left non-zero (3.4.2 l.517-526; none in 3.3.8)"),
    Rule("check_mm", V("5.4"), "idx", "type",
         "kernel/fork.c check_mm(): \"mm:%p idx:%d val:%ld\" (5.3.1 l.653) -> pr_alert(\"BUG: Bad "
         "rss-counter state mm:%p type:%s val:%ld\", ..., resident_page_types[i], x) (5.4.214 l.664, "
         "6.1.0 l.759)"),
    Rule("zap_bad_mapcount", V("2.6.29"), "eeek", "print_bad_pte",
         "zapping a PTE whose page has no mapping to lose (a free frame, a hole, a kernel page): "
         "zap_pte_range() -> page_remove_rmap() takes _mapcount below -1 (2.6.24 mm/memory.c:643 "
         "vm_normal_page() tests pfn_valid() only, l.681 page_remove_rmap()): 2.6.20-2.6.28 mm/rmap.c "
         "printk(KERN_EMERG \"Eeek! page_mapcount(page) went negative! (%d)\"), \"  page pfn = %lx\", "
         "\"  page->flags = %lx\", \"  page->count = %x\", \"  page->mapping = %p\", print_symbol(\"  "
         "vma->vm_ops = %s\") and, with vm_ops / vm_file, its nopage/fault and f_op->mmap lines, then BUG() "
         "(2.6.24 l.619-631, 2.6.26 l.658-669, 2.6.28 l.714-725) -> 2.6.29 mm/memory.c:825-827 "
         "page_remove_rmap(page); if (page_mapcount(page) < 0) print_bad_pte(vma, addr, ptent, page) "
         "(\"badpage: replace page_remove_rmap Eeek and BUG\", Hugh Dickins)"),
    # fork's copy_one_pte() duplicating such an entry: swap_duplicate()'s complaint (engine.kmsg_swap)
    Rule("log_swap_dup", V("5.1"), "swap_dup", "get_swap_device",
         "2.6.24 mm/swapfile.c:1755 swap_duplicate() printk(KERN_ERR \"swap_dup: %s%08lx\\n\", Bad_file, "
         "entry.val) for a type past nr_swapfiles only, an offset past the area or an unused slot refused "
         "silently (2.6.34 l.2181 __swap_duplicate(), 3.10.4 l.2269, 4.19 l.3431 pr_err, 5.0.4 l.3425 the same); "
         "copy_one_pte() copies the entry whatever it returns (2.6.24 mm/memory.c:438, 2.6.34 l.665) -> 5.4.214 "
         "l.3403 p = get_swap_device(entry), l.1282 pr_err(\"%s: %s%08lx\\n\", __func__, Bad_file, ...) "
         "(\"mm, swap: fix race between swapoff and some swap operations\"; 5.1-5.3 not checked; 5.17 l.1291)"),
    Rule("log_swap_dup", V("5.19"), "get_swap_device", "get_swap_device_offset",
         "5.17 mm/swapfile.c:1287 offset >= si->max: goto put_out, silent -> 5.19.0 l.1269/1277 put_out: "
         "pr_err(\"%s: %s%08lx\\n\", __func__, Bad_offset, ...) (6.1.0 l.1273/1281; 5.18 not checked)"),
    Rule("log_swap_dup", V("6.5"), "get_swap_device_offset", "unchecked",
         "6.1.0 mm/swapfile.c:3283 __swap_duplicate() p = get_swap_device(entry) -> 6.8.0 l.3280 p = "
         "swp_swap_info(entry), no check and no message (Huang Ying, \"swap: remove get/put_swap_device() in "
         "__swap_duplicate()\", May 2023; 6.2-6.7 not checked): a bad type is a NULL dereference, an offset "
         "past the area a read past swap_map; mmviz logs nothing"),
    # SLAB's kfree() of a bad pointer (engine.kmsg_bug; the BUG lines per tree in SLAB_LINES)
    Rule("slab_kfree_nonslab", V("3.7"), "bug", "unchecked",
         "kfree() of a page that is no slab, SLAB: 2.6.24 mm/slab.c:591 page_get_cache() BUG_ON(!PageSlab(page)) "
         "(3.5 l.505 the same; \"kfree_debugcheck: bad ptr\" was removed before 2.6.24, Pekka Enberg, Jan 2007) "
         "-> 3.7.2 l.520 VM_BUG_ON (CONFIG_DEBUG_VM only), 3.14.1 none: the kernel goes on with a garbage cache "
         "(mmviz refuses, note only). A pointer inside a slab that is no object's start: cache_free_debugcheck() "
         "BUG_ON(objnr >= cachep->num) / BUG_ON(objp != index_to_obj()) in every release (2.6.24 l.2902-2903, "
         "6.1.0 l.2707-2708)"),
    Rule("slab_kfree_nonslab", V("5.4"), "unchecked", "warn",
         "4.19.0 mm/slab.h virt_to_cache() returns page->slab_cache unchecked -> 5.4.0 l.473 WARN_ONCE(!PageSlab"
         "(page), \"%s: Object is not a Slab page!\\n\", __func__) and kfree() returns on NULL (mm/slab.c:3748-"
         "3749; 6.1.0 mm/slab.h:625; 4.20-5.3 not checked)"),
    # kunmap_atomic() of an address that is no atomic kmap (engine.kmsg_bug; lines per tree in KMAP_LINES)
    Rule("log_kunmap_atomic", V("2.6.37"), "kunmap_atomic", "__kunmap_atomic",
         "2.6.24 arch/x86/mm/highmem_32.c:54 kunmap_atomic(kvaddr, type): not the type's slot -> (DEBUG_HIGHMEM) "
         "l.69-70 BUG_ON(vaddr < PAGE_OFFSET) / BUG_ON(vaddr >= high_memory) (2.6.32.2 l.71-72) -> 2.6.37 l.69 "
         "__kunmap_atomic(): in the FIX_KMAP slots l.81 WARN_ON_ONCE(vaddr != __fix_to_virt(FIX_KMAP_BEGIN + idx)) "
         "then the most recent slot is unmapped, include/linux/highmem.h:101 kmap_atomic_idx_pop() BUG_ON(idx < 0); "
         "outside them l.94-95 the BUG_ONs"),
    Rule("log_kunmap_atomic", V("5.8"), "__kunmap_atomic", "kunmap_atomic_high",
         "5.4.0 arch/x86/mm/highmem_32.c:72 __kunmap_atomic() -> 5.8.1 l.33 kunmap_atomic_high() (l.45 WARN_ON_ONCE, "
         "l.59-60 BUG_ON, include/linux/highmem.h:204; 5.10.0 the same; 5.5-5.7 not checked)"),
    Rule("log_kunmap_atomic", V("5.11"), "kunmap_atomic_high", "kunmap_local_indexed",
         "5.10.0 arch/x86/mm/highmem_32.c:33 -> 5.11.0 mm/highmem.c:553 kunmap_local_indexed(): outside the slots "
         "l.572-573 WARN_ON_ONCE(addr < PAGE_OFFSET) and return; l.579 WARN_ON_ONCE(addr != ...); l.446 "
         "kmap_local_idx_pop() BUG_ON(idx < 0), not a debug option (6.1.0 l.583/602-603/609/478)"),
)
