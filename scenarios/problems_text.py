"""The prose of the quiz problems' printed state, in English and Chinese (the numbers,
tables and kernel files a problem prints are the same in both languages)."""
from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "walk.head": ("x86 32-bit paging, {split}; 4 KB pages; bit 0 of an entry = present.",
                  "x86 32 位分页，{split}；4 KB 页；表项的第 0 位是存在位（P）。"),
    "walk.split": ("10/10/12 (4-byte entries)", "10/10/12（4 字节表项）"),
    "walk.split.pae": ("2/9/9/12 (PAE, 8-byte entries)", "2/9/9/12（PAE，8 字节表项）"),
    "walk.mem": ("Physical memory (all other words are 0):", "物理内存（其余的字都是 0）："),
    "buddy.head": ("ZONE_{zone} free_area (pfns, head of each list first; the allocator takes the head, "
                   "a split keeps the lower half and puts the upper half at the head of the list below; "
                   "a freed block merges with its buddy (pfn ^ 2^order) while that buddy is free):",
                   "ZONE_{zone} 的 free_area（页框号，每条链表从表头列起；分配器取表头的块，拆分时留下低半块，"
                   "把高半块放到低一阶链表的表头；释放的块只要它的伙伴（pfn ^ 2^order）空闲，就与之合并）："),
    "buddy.order": ("  order {order:2d}: {pfns}", "  {order:2d} 阶：{pfns}"),
    "buddy.tail": ("Operations run in this order; each question is about the state the previous ones left.",
                   "操作按所列顺序执行；每个问题问的都是前面的操作留下的状态。"),
    "slab.head": ("SLUB (6.1). kmem_cache_create(\"quiz_cache\", {size}, 0, 0, NULL): /proc/slabinfo line:",
                  "SLUB（6.1）。kmem_cache_create(\"quiz_cache\", {size}, 0, 0, NULL) 之后，/proc/slabinfo "
                  "里的这一行："),
    "slab.cols": ("  (columns: name active_objs num_objs objsize objperslab pagesperslab ...)",
                  "  （各列：name active_objs num_objs objsize objperslab pagesperslab ……）"),
    "slab.first": ("The first object was just allocated at {first:#x}; a new slab hands out its\n"
                   "objects in address order, objsize apart (a kernel built with\n"
                   "CONFIG_SLAB_FREELIST_RANDOM, as distributions build 6.1, shuffles each new slab's\n"
                   "free list; mmviz's SLUB does not); kmalloc caches: kmalloc-8, -16, -32, -64,\n"
                   "-96, -128, -192, -256, -512, -1k, -2k, -4k, -8k (the smallest that fits).",
                   "第一个对象刚刚分配在 {first:#x}；新的 slab 按地址顺序发放对象，相邻两个相隔 objsize"
                   "（按发行版的做法打开 CONFIG_SLAB_FREELIST_RANDOM 的 6.1 内核会打乱新 slab 的空闲链表；"
                   "mmviz 的 SLUB 不打乱）。\n"
                   "kmalloc 缓存有 kmalloc-8、-16、-32、-64、-96、-128、-192、-256、-512、-1k、-2k、-4k、-8k"
                   "（取装得下的最小一个）。"),
    "wm.head": ("Linux 2.6.24, {ram}{pae}. Zones (free pages, watermarks, lowmem_reserve):",
                "Linux 2.6.24，{ram}{pae}。各管理区（空闲页数、水位线、lowmem_reserve）："),
    "wm.pae": (", PAE", "，PAE"),
    "wm.zonelists": ("Zonelists: GFP_HIGHUSER HighMem, Normal, DMA; GFP_KERNEL and GFP_ATOMIC Normal, DMA.",
                     "后备列表（zonelist）：GFP_HIGHUSER 依次为 HighMem、Normal、DMA；GFP_KERNEL 和 GFP_ATOMIC "
                     "依次为 Normal、DMA。"),
    "wm.nohigh": ("This machine has no HighMem (all its RAM is lowmem). Zonelists: GFP_HIGHUSER, "
                  "GFP_KERNEL and GFP_ATOMIC Normal, DMA.",
                  "这台机器没有 HighMem（内存全是低端内存）。后备列表（zonelist）：GFP_HIGHUSER、GFP_KERNEL "
                  "和 GFP_ATOMIC 都依次为 Normal、DMA。"),
    "wm.rule": ("zone_watermark_ok(): a zone serves an order-k request if free - (2^k - 1) > "
                "mark + lowmem_reserve[class]\n"
                "(class = the zonelist's first zone: DMA 0, Normal 1, HighMem 2) and, for each j < k, "
                "with the free pages\n"
                "in blocks of order <= j also taken away, what is left is > mark >> (j+1). "
                "The zonelist is tried with\n"
                "mark = low, then again with mark = min; GFP_ATOMIC's second pass lowers min by "
                "min/2, then by a quarter\n"
                "of what is left (ALLOC_HIGH, ALLOC_HARDER; integer division). The zone takes the "
                "smallest free block >= k.\n"
                "Free blocks per order (/proc/buddyinfo):",
                "zone_watermark_ok()：管理区能满足 k 阶请求的条件是 free - (2^k - 1) > mark + "
                "lowmem_reserve[class]\n"
                "（class 是后备列表的第一个管理区：DMA 0、Normal 1、HighMem 2），并且对每个 j < k，"
                "再扣掉 j 阶及以下的空闲页后，\n"
                "剩下的仍然 > mark >> (j+1)。先用 mark = low 把后备列表试一遍，再用 mark = min 试一遍；"
                "GFP_ATOMIC 第二遍先把\n"
                "min 减去 min/2，再减去剩下部分的四分之一（ALLOC_HIGH、ALLOC_HARDER；整数除法）。"
                "管理区取不小于 k 阶的最小空闲块。\n"
                "各阶空闲块数（/proc/buddyinfo）："),
    "vma.head": ("/proc/1/maps of the process (find_vma(): the first VMA ending above the address;\n"
                 "the address is inside only if it is also >= its start):",
                 "进程的 /proc/1/maps（find_vma() 找第一个结束地址大于该地址的 VMA；\n"
                 "只有该地址同时 >= 它的起始地址，才算落在里面）："),
}


def ram_text(nbytes: int) -> str:
    """A machine's RAM as the problems print it: 1 GB, 160 MB (else in KB)."""
    for unit, name in ((1 << 30, "GB"), (1 << 20, "MB")):
        if nbytes % unit == 0:
            return f"{nbytes // unit} {name}"
    return f"{nbytes >> 10} KB"


def text(key: str, zh: bool = False, **values) -> list[str]:
    """The lines of one piece of prose in English or Chinese, with ``values`` filled in."""
    return TEXT[key][1 if zh else 0].format(**values).split("\n")


def both(key: str, **values) -> tuple[list[str], list[str]]:
    """(English lines, Chinese lines) of one piece of prose."""
    return text(key, False, **values), text(key, True, **values)
