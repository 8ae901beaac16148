"""mmviz's own notes in a kernel error's text: a bracketed line after the kernel's lines
("[double free: the page is already free]"), never logged (engine.kmsg.failure_lines() drops
them), shown in the user's language (note_zh()); the kernel's own lines stay English."""
from __future__ import annotations

# mmviz's own notes in a kernel error's text: in brackets, never logged (failure_lines() drops
# them), shown in the user's language (note_zh()); the kernel's own lines stay English
NOTES = {
    "vmalloc_pages": (
        "[vmalloc() returned NULL after {got} of {total} pages; this kernel logs nothing: "
        "__vmalloc_area_node() passes __GFP_NOWARN to warn_alloc()]",
        "[vmalloc() 分到 {total} 页中的 {got} 页后返回 NULL；这个内核什么也不打印："
        "__vmalloc_area_node() 给 warn_alloc() 传了 __GFP_NOWARN]"),
    "vmalloc_size": (
        "[vmalloc({size}) returned NULL: more pages than the machine has; this kernel logs nothing more]",
        "[vmalloc({size}) 返回 NULL：页数比机器的内存还多；这个内核不再打印别的]"),
    "vmalloc_area": (
        "[vmalloc({size}) returned NULL: no room in the vmalloc area; this kernel logs nothing more]",
        "[vmalloc({size}) 返回 NULL：vmalloc 区没有足够的空间；这个内核不再打印别的]"),
    "vmalloc_zero": (
        "[vmalloc(0) returned NULL: PAGE_ALIGN(0) is 0 bytes; this kernel logs nothing]",
        "[vmalloc(0) 返回 NULL：PAGE_ALIGN(0) 是 0 字节；这个内核什么也不打印]"),
    "warn_on_once": (
        "[WARN_ON_ONCE(!size): vmalloc(0) returns NULL; the WARNING is printed the first time only]",
        "[WARN_ON_ONCE(!size)：vmalloc(0) 返回 NULL；这条 WARNING 只在第一次打印]"),
    "bad_page_not_ram": ("[pfn {pfn} is not a RAM page]", "[pfn {pfn} 不是内存页]"),
    "page_dump": (
        "[the page dump shows the flags mmviz keeps, at this kernel's bit numbers; mapping and index "
        "are not modelled (NULL, 0)]",
        "[页面转储只含 mmviz 记录的标志，按这个内核的位号编码；mapping 和 index 没有模拟（NULL、0）]"),
    "page_dump_raw": (
        "[the page dump shows the flags mmviz keeps, at this kernel's bit numbers; mapping and index "
        "are not modelled (NULL, 0), nor dump_page()'s raw: lines]",
        "[页面转储只含 mmviz 记录的标志，按这个内核的位号编码；mapping 和 index 没有模拟（NULL、0），"
        "dump_page() 的 raw: 行也没有]"),
    "bad_page_double": ("[double free: the page is already free]", "[重复释放：这一页已经是空闲的]"),
    "bad_page_reserved": ("[the page is reserved]", "[这一页是保留页]"),
    "bad_page_not_head": ("[not the first page of an allocated block]", "[不是某个已分配块的第一页]"),
    "bad_page_order": ("[freed with order {order}, allocated with order {got}]",
                       "[释放时的阶是 {order}，分配时的阶是 {got}]"),
    "bad_page_owner": ("[the page belongs to {owner}]", "[这一页属于 {owner}]"),
    "pkmap_count_zero": ("[pkmap_count would reach 0]", "[pkmap_count 会减到 0]"),
    "slab_highmem": ("[gfp {gfp}: {bad} is in GFP_SLAB_BUG_MASK: slab pages cannot be highmem or asked with "
                     "__GFP_DMA32]",
                     "[gfp {gfp}：{bad} 属于 GFP_SLAB_BUG_MASK：slab 页不能来自高端内存，也不能用 __GFP_DMA32 申请]"),
    "eeek": ("[the PTE at {va} maps pfn {pfn}, whose page has no mapping to lose: page_remove_rmap() took "
             "its mapcount below zero]",
             "[{va} 处的 PTE 映射 pfn {pfn}，而这个页并没有可撤销的映射：page_remove_rmap() 把它的 mapcount "
             "减到了零以下]"),
    "oom_eeek": ("[the OOM killer's victim {pid} ({comm}) meets this BUG() in its exit; the kernel's "
                 "allocation then waits for it forever: mmviz fails the operation and changes nothing]",
                 "[OOM killer 选中的进程 {pid}（{comm}）在退出时遇到这个 BUG()；内核里发起分配的任务随后"
                 "会一直等它退出：mmviz 让这个操作失败，什么也不改变]"),
    "kfree_not_slab": ("[pfn {pfn} is not a slab page]", "[pfn {pfn} 不是 slab 页]"),
    "kfree_free_pages": (
        "[pfn {pfn} is not a slab page; this kernel checks it only with CONFIG_DEBUG_VM (VM_BUG_ON_PAGE): "
        "kfree() calls __free_pages() on it, which frees the page if that was its last reference; mmviz "
        "refuses the free and leaves the machine as it was]",
        "[pfn {pfn} 不是 slab 页；这个内核只在 CONFIG_DEBUG_VM 下检查（VM_BUG_ON_PAGE）：kfree() 对它调用 "
        "__free_pages()，如果这是最后一个引用，这一页就被释放了；mmviz 拒绝这次释放，让机器保持原样]"),
    "kfree_put_page": (
        "[pfn {pfn} is not a slab page; this kernel does not check it: kfree() calls put_page() on it, "
        "which frees the page if that was its last reference; mmviz refuses the free and leaves the "
        "machine as it was]",
        "[pfn {pfn} 不是 slab 页；这个内核不检查：kfree() 对它调用 put_page()，如果这是最后一个引用，"
        "这一页就被释放了；mmviz 拒绝这次释放，让机器保持原样]"),
    "not_object_start": ("[cache `{cache}': not the start of an object]", "[缓存 `{cache}'：不是对象的起始地址]"),
    "redzone_unmodelled": (
        "[before this BUG_ON, DEBUG_SLAB's verify_redzone_free() checks the words next to the pointer "
        "and may print \"slab error\" lines: mmviz does not model object contents]",
        "[在这个 BUG_ON 之前，DEBUG_SLAB 的 verify_redzone_free() 会检查指针旁边的字，可能打印 "
        "\"slab error\" 行：mmviz 没有模拟对象的内容]"),
    "kfree_unchecked": (
        "[pfn {pfn} is not a slab page; this kernel does not check it and goes on with a garbage "
        "cache pointer; mmviz refuses the free and leaves the machine as it was]",
        "[pfn {pfn} 不是 slab 页；这个内核不检查，拿着一个无效的缓存指针继续执行；mmviz 拒绝这次释放，"
        "让机器保持原样]"),
    "bug_line_from": ("[the line number is {tree}'s, the nearest release mmviz checked]",
                      "[行号取自 {tree}，即 mmviz 核对过的最近版本]"),
    "bug_refused": (
        "[the kernel kills the task after this BUG(); mmviz fails the operation and leaves the "
        "machine as it was]",
        "[内核在这个 BUG() 之后会杀死当前任务；mmviz 让这次操作失败，机器保持原样]"),
    "debug_highmem": ("[this check is CONFIG_DEBUG_HIGHMEM's; without it the kernel says nothing]",
                      "[这项检查来自 CONFIG_DEBUG_HIGHMEM；没有它内核什么也不打印]"),
    "kunmap_ignored": (
        "[{addr} is not in the kmap_local slots: kunmap_local_indexed() returns and unmaps nothing]",
        "[{addr} 不在 kmap_local 槽位里：kunmap_local_indexed() 直接返回，什么也不解除]"),
    "kunmap_empty": ("[a WARNING at {warn} comes first; no atomic kmap is left to unmap]",
                     "[之前先有一条 {warn} 的 WARNING；已经没有原子映射可以解除]"),
    "kunmap_top": (
        "[the kernel goes on to unmap the most recent slot, {top}; mmviz leaves the machine as it was]",
        "[内核接着会解除最近的槽位 {top}；mmviz 让机器保持原样]"),
    "unmap_reverse": ("[unmap in reverse order: the last kmap_atomic first]",
                      "[要按相反的顺序解除映射：最后一个 kmap_atomic 先解除]"),
    "redzone_object": ("[object {obj}]", "[对象 {obj}]"),
    "large_kmalloc_free": (
        "[the kernel goes on to __free_pages() the page: its count drops and it is freed at zero (a "
        "reserved page fails with \"Bad page state\"); mmviz leaves the machine as it was]",
        "[内核接着对这一页调用 __free_pages()：引用计数减一，减到 0 时释放（保留页会报 "
        "\"Bad page state\"）；mmviz 让机器保持原样]"),
}


def note(key: str, **values: object) -> str:
    """mmviz's bracketed note ``key`` (NOTES) in English, as the engine's messages carry it."""
    return NOTES[key][0].format(**values)


def note_zh(line: str) -> str | None:
    """The Chinese of a bracketed note :func:`note` wrote, its values kept; None if ``line``
    is no note."""
    import re
    for en, zh in NOTES.values():
        pattern = "".join(f"(?P<{part[1:-1]}>.+?)" if part.startswith("{") else re.escape(part)
                          for part in re.split(r"(\{\w+\})", en))
        found = re.fullmatch(pattern, line)
        if found:
            return zh.format(**found.groupdict())
    return None
