"""The lessons' glossary, English and Chinese, with the kernel identifier of each term.

Chinese terms follow the usual textbook choices: 管理区 for a zone (as in the Chinese
edition of *Understanding the Linux Kernel*) and 虚拟内存区域/线性区 for a VMA, so the two
never collide; 永久内核映射区 (pkmap) versus 固定映射区 (fixmap).
"""
from __future__ import annotations

from typing import NamedTuple


class Term(NamedTuple):
    en: str
    zh: str
    ident: str          # the kernel's name for it (struct, function, constant)
    gloss_en: str
    gloss_zh: str

    def other_name(self, lang: str) -> str:
        """The term in the other language, or "" in zh where the zh term already holds the
        English one (阶（order）, TLB（快表）): it is not said twice."""
        if lang == "zh":
            return "" if self.en.lower() in self.zh.lower() else self.en
        return self.zh

    def zh_heading(self) -> str:
        """The zh term with the English one in brackets, once: a zh term that already ends
        in brackets takes it inside them (内存管理区（管理区，zone）, not （管理区）（zone））."""
        other = self.other_name("zh")
        if not other:
            return self.zh
        if self.zh.endswith("）"):
            return f"{self.zh[:-1]}，{other}）"
        return f"{self.zh}（{other}）"


GLOSSARY: tuple[Term, ...] = (
    Term("page frame", "页框", "struct page, pfn",
         "4 KB of physical memory; pfn = physical address >> 12", "4 KB 的物理内存；页框号 pfn = 物理地址 >> 12"),
    Term("zone", "内存管理区（管理区）", "struct zone; ZONE_DMA/NORMAL/HIGHMEM",
         "a range of physical memory with its own free lists and watermarks",
         "一段物理内存，有自己的空闲链表和水位线"),
    Term("node", "节点", "pg_data_t",
         "a memory bank and its nearby CPUs (NUMA); a PC has one", "一块内存及离它最近的 CPU（NUMA）；PC 只有一个"),
    Term("GFP mask", "GFP 掩码", "gfp_t: GFP_KERNEL, GFP_ATOMIC, __GFP_HIGHMEM",
         "which zones an allocation may use and whether it may sleep", "分配可以用哪些管理区、能否睡眠"),
    Term("watermark", "水位线", "zone->pages_min/low/high (6.1: _watermark[])",
         "free-page levels that wake kswapd (low) or stop allocations (min)",
         "空闲页数的界线：低于 low 唤醒 kswapd，低于 min 拒绝普通分配"),
    Term("order", "阶（order）", "free_area[order]", "a buddy block of 2^order pages", "2^order 个页组成的伙伴块"),
    Term("buddy allocator", "伙伴系统", "__alloc_pages(), __free_one_page()",
         "splits and merges power-of-two blocks of frames", "按 2 的幂拆分、合并页框块"),
    Term("migratetype", "迁移类型", "MIGRATE_UNMOVABLE/MOVABLE/RECLAIMABLE",
         "one free list per order and type (since 2.6.24); mmviz keeps one", "每一阶按类型各一条空闲链表（2.6.24 起）；mmviz 只有一条"),
    Term("per-CPU page list", "每 CPU 页链表", "per_cpu_pages (pcp)",
         "freed small pages wait here before reaching the buddy lists", "释放的小页先在这里，成批回到伙伴链表"),
    Term("slab / cache", "slab / 缓存", "struct kmem_cache, kmem_cache_alloc()",
         "pages cut into equal objects; kmalloc uses a set of them", "把页切成大小相同的对象；kmalloc 用的是一组这样的缓存"),
    Term("slab colouring", "slab 着色", "colour_off (mm/slab.c)",
         "SLAB shifts each slab's objects by a cache line", "SLAB 让每个 slab 的对象错开一个缓存行"),
    Term("direct map (lowmem)", "直接映射区（低端内存）", "PAGE_OFFSET, __pa(), __va()",
         "RAM mapped at PAGE_OFFSET + physical address, up to high_memory",
         "物理内存映射在 PAGE_OFFSET + 物理地址处，直到 high_memory"),
    Term("high memory", "高端内存", "ZONE_HIGHMEM, high_memory",
         "RAM above the direct map: no permanent kernel address", "直接映射区之外的内存：没有常驻的内核地址"),
    Term("vmalloc area", "vmalloc 区", "VMALLOC_START, vmalloc(), struct vm_struct",
         "virtually contiguous buffers made of scattered frames", "由分散的页框拼成的虚拟连续缓冲区"),
    Term("permanent kernel mapping", "永久内核映射区（pkmap）", "PKMAP_BASE, kmap()",
         "long-lived mappings of highmem pages; kmap may sleep", "高端页的长期映射；kmap 可能睡眠"),
    Term("fixmap", "固定映射区（fixmap）", "FIXADDR_TOP, __fix_to_virt(), kmap_atomic()",
         "compile-time slots at the top of the address space", "地址空间顶端、编译时确定的槽位"),
    Term("temporary mapping", "临时映射", "kmap_atomic() (2.6.24), kmap_local_page() (6.1)",
         "a per-CPU / per-task fixmap slot for a short access", "短时访问用的每 CPU / 每任务 fixmap 槽位"),
    Term("page directory / PDE", "页目录 / 页目录项", "pgd_t, mm->pgd, swapper_pg_dir",
         "top-level table, located by CR3", "最高一级的页表，由 CR3 指出"),
    Term("page table / PTE", "页表 / 页表项", "pte_t, pte_offset_kernel()",
         "maps one 4 KB page: frame number and flag bits", "映射一个 4 KB 页：页框号加标志位"),
    Term("TLB", "TLB（快表）", "flush_tlb_*(), invlpg",
         "the CPU's cache of translations", "CPU 缓存的地址翻译结果"),
    Term("page fault", "缺页异常", "do_page_fault(), #PF error code",
         "an exception (not an interrupt) raised on a failed translation", "地址翻译失败时产生的异常（不是中断）"),
    Term("VMA", "虚拟内存区域（线性区）", "struct vm_area_struct, find_vma()",
         "a range of a process's addresses with one set of permissions", "进程地址空间中权限相同的一段"),
    Term("memory descriptor", "内存描述符", "struct mm_struct (mm->mmap, 6.1 mm->mm_mt)",
         "a process's VMAs and page directory", "进程的全部 VMA 和它的页目录"),
    Term("program break", "program break（brk 指针，即堆顶）", "mm->brk, sys_brk(), do_brk()",
         "the end of the heap; malloc grows it", "堆的当前末尾；malloc 通过它扩展堆"),
    Term("demand paging", "请求调页", "handle_mm_fault()",
         "frames are given at the first access, not at mmap/brk", "页框在第一次访问时才分配，而不是在 mmap/brk 时"),
    Term("copy-on-write", "写时复制", "do_wp_page()",
         "fork shares pages read-only; the first write copies", "fork 后只读共享，第一次写时才复制"),
    Term("ASLR", "地址空间布局随机化", "randomize_va_space, PF_RANDOMIZE",
         "stack, mmap base and brk move on every run (since 2.6.12)", "栈、mmap 基址和 brk 每次运行都不同（2.6.12 起）"),
    Term("swap entry", "交换项", "swp_entry_t, pte_to_swp_entry()",
         "a not-present PTE holding the swap area and slot", "不在内存的 PTE 里保存交换区号和槽位号"),
    Term("swap cache", "交换缓存", "add_to_swap(), swapper_space",
         "pages in transit between memory and swap", "在内存与交换区之间往返的页"),
    Term("virtual memory", "虚拟内存", "(the whole mechanism)",
         "per-process addresses translated by page tables; not the same as swap",
         "每个进程的地址由页表翻译；不等于交换区"),
)


def lines(lang: str = "en") -> list[str]:
    """The glossary as text lines: term, the other language's term, identifier, gloss."""
    out = []
    for t in GLOSSARY:
        if lang == "zh":
            out.append(f"{t.zh_heading()}  [{t.ident}]  {t.gloss_zh}")
        else:
            out.append(f"{t.en} ({t.zh})  [{t.ident}]  {t.gloss_en}")
    return out
