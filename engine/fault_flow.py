"""The page-fault flow chart of one release, as data: what the fault-flow view draws.

A user #PF goes do_page_fault() -> find_vma() -> good_area (access check) ->
handle_mm_fault() -> handle_pte_fault() -> one of do_anonymous_page / do_fault /
do_swap_page / do_wp_page / a spurious fault, or to bad_area and SIGSEGV.  engine.fault
puts the nodes a fault went through on its HandleFault or Segv event (``path``); this
module names every node for a release:

* 2.6.24 (arch/x86/mm/fault_32.c do_page_fault(), mm/memory.c): do_linear_fault(),
  find_vma() through mm->mmap_cache then the rb-tree, no zero page on a read;
* 6.1 (arch/x86/mm/fault.c exc_page_fault() -> do_user_addr_fault(), mm/memory.c):
  do_fault() -> do_read_fault / do_cow_fault / do_shared_fault, wp_page_copy/_reuse,
  find_vma() through the maple tree mm->mm_mt.

Releases in between take the names of the nearer calibrated model (2.6.24 below 4.15,
6.1 from it; ``Chart.names_of`` says which) -- their own names are not checked.  The
read of untouched anonymous memory follows Flavour.anon_read_zero_page.
"""
from __future__ import annotations

from dataclasses import dataclass

from .flavour import Flavour


@dataclass(frozen=True)
class Node:
    """One box of the chart: ``code`` in the kernel's names, ``en``/``zh`` what it decides."""
    id: str
    parent: str          # the node it branches off ("" for the spine's first box)
    code: str
    en: str
    zh: str

    @property
    def code_zh(self) -> str:
        """``code`` for a zh reader: the kernel's identifiers kept, mmviz's words in Chinese."""
        return CODE_ZH.get(self.code, self.code)


@dataclass(frozen=True)
class Chart:
    names_of: str        # "2.6.24" or "6.1": whose function names these are
    source: str          # the arch fault handler's file
    nodes: tuple[Node, ...]

    def node(self, id: str) -> Node:
        """The node called ``id``; KeyError if this chart has none."""
        for n in self.nodes:
            if n.id == id:
                return n
        raise KeyError(id)

    def children(self, id: str) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.parent == id)


SPINE = ("entry", "find_vma", "good_area", "handle_mm_fault")
LEAVES = ("do_anonymous_page", "do_fault", "do_swap_page", "do_wp_page", "spurious")

# id, parent, 2.6.24 code, 6.1 code, en, zh
_ROWS = (
    ("entry", "", "do_page_fault()", "exc_page_fault() -> do_user_addr_fault()",
     "#PF: CR2 holds the address, the CPU pushed the error code",
     "#PF：CR2 中是出错地址，CPU 压入了错误码"),
    ("kernel_address", "entry", "address >= TASK_SIZE: bad_area_nosemaphore",
     "fault_in_kernel_space(): do_kern_addr_fault()",
     "a user access to a kernel address", "用户态访问内核地址"),
    ("find_vma", "entry", "find_vma(mm, address): mm->mmap_cache, else the rb-tree mm->mm_rb",
     "find_vma(mm, address): mt_find() in the maple tree mm->mm_mt",
     "the first VMA with vm_end > address", "找第一个 vm_end > address 的 VMA"),
    ("no_vma", "find_vma", "!vma, or below a VMA without VM_GROWSDOWN: goto bad_area",
     "!vma, or below a VMA without VM_GROWSDOWN: bad_area()",
     "no VMA covers the address (SEGV_MAPERR)", "没有 VMA 覆盖这个地址（SEGV_MAPERR）"),
    ("expand_stack", "find_vma", "VM_GROWSDOWN: expand_stack(vma, address)",
     "VM_GROWSDOWN: expand_stack(vma, address)",
     "below a stack VMA: it grows down to the page", "在栈 VMA 下方：栈向下扩展到这一页"),
    ("good_area", "find_vma", "good_area: switch (error_code & 3)",
     "good_area: access_error(error_code, vma)",
     "the access against vm_flags", "用 vm_flags 检查这次访问"),
    ("access_error", "good_area", "write without VM_WRITE, read of a present page, no "
     "VM_READ|VM_EXEC|VM_WRITE: goto bad_area", "access_error(): bad_area_access_error()",
     "the VMA forbids the access (SEGV_ACCERR)", "VMA 不允许这种访问（SEGV_ACCERR）"),
    ("bad_area", "", "bad_area: force_sig_info_fault(SIGSEGV)",
     "bad_area(): force_sig_fault(SIGSEGV)",
     "SIGSEGV; the kernel logs the segfault line", "SIGSEGV；内核记录 segfault 那一行"),
    ("handle_mm_fault", "good_area", "handle_mm_fault() -> handle_pte_fault()",
     "handle_mm_fault() -> __handle_mm_fault() -> handle_pte_fault()",
     "page-table levels allocated, then the PTE decides", "分配各级页表，再看 PTE 决定怎么处理"),
    ("do_anonymous_page", "handle_mm_fault", "pte_none, no vm_ops: do_anonymous_page()",
     "pte_none, vma_is_anonymous(): do_anonymous_page()",
     "empty PTE of anonymous memory", "匿名内存的空 PTE"),
    ("do_fault", "handle_mm_fault", "pte_none, vm_ops: do_linear_fault() -> __do_fault()",
     "do_fault() -> do_read_fault / do_cow_fault / do_shared_fault",
     "empty PTE of a file, shmem, [vdso] or driver VMA", "文件、shmem、[vdso] 或驱动 VMA 的空 PTE"),
    ("do_swap_page", "handle_mm_fault", "!pte_present, a swap entry: do_swap_page()",
     "!pte_present(): do_swap_page()", "the PTE holds a swap entry", "PTE 里是交换项"),
    ("do_wp_page", "handle_mm_fault", "write, !pte_write(): do_wp_page()",
     "FAULT_FLAG_WRITE, !pte_write(): do_wp_page()",
     "a write to a present read-only PTE", "写一个存在但只读的 PTE"),
    ("spurious", "handle_mm_fault", "otherwise: pte_mkyoung(), ptep_set_access_flags()",
     "otherwise: pte_mkyoung(), ptep_set_access_flags()",
     "the PTE was fine: A/D bits set, the TLB entry refreshed", "PTE 本来就没问题：设置 A/D 位，刷新 TLB 项"),
    # outcomes
    ("zero_page", "do_anonymous_page", "read: ZERO_PAGE, read-only", "read: my_zero_pfn(), "
     "pte_mkspecial, read-only", "read: the shared zero page, read-only", "读：映射共享的零页，只读"),
    ("zeroed_page_read", "do_anonymous_page", "read: alloc_zeroed_user_highpage_movable(), "
     "pte_mkdirty + maybe_mkwrite", "read: alloc_zeroed_user_highpage_movable()",
     "read: a zeroed page of its own, dirty, writable if VM_WRITE (no ZERO_PAGE in 2.6.24-2.6.31)",
     "读：分配自己的清零页，标脏，有 VM_WRITE 时可写（2.6.24-2.6.31 没有零页）"),
    ("zeroed_page", "do_anonymous_page", "write: alloc_zeroed_user_highpage_movable()",
     "write: alloc_zeroed_user_highpage_movable()",
     "write: a zeroed page, writable and dirty", "写：分配清零页，可写、脏"),
    ("file_page", "do_fault", "->fault / ->nopage: the file's page", "do_read_fault(): "
     "->fault, the file's page", "the file's page (mmviz: zero-filled, no page cache)",
     "文件的页（mmviz：填零的页，没有页缓存）"),
    ("file_cow", "do_fault", "private write: a copy of the file's page", "do_cow_fault(): "
     "a copy of the file's page", "a private write: an anonymous copy", "私有映射上的写：匿名副本"),
    ("shmem", "do_fault", "shmem_fault(): the shared object's page",
     "do_read_fault / do_shared_fault -> shmem_fault()",
     "shared anonymous memory: the shmem object's page", "共享匿名内存：shmem 对象里的页"),
    ("special", "do_fault", "[vdso]: install_special_mapping()'s page",
     "[vdso]/[vvar]: special_mapping_fault()", "the kernel's special page", "内核的特殊页"),
    ("driver", "do_fault", "map_driver's vm_ops->nopage", "the driver's vm_ops->fault",
     "the driver's handler gives the page", "由驱动的处理函数给出页"),
    ("swap_in", "do_swap_page", "lookup_swap_cache(), else read_swap_cache_async()",
     "lookup_swap_cache(), else swapin_readahead()",
     "the page comes back from swap (or the swap cache)", "页从交换区（或交换缓存）回来"),
    ("retry", "", "the PTE changed meanwhile: return, the access retries",
     "the PTE changed meanwhile: return, the access retries",
     "reclaim changed the PTE: the fault is retried", "回收改动了 PTE：重新缺页"),
    ("wp_shared", "do_wp_page", "VM_SHARED: the PTE made writable", "wp_page_shared()",
     "a shared mapping: the same page made writable", "共享映射：同一页改为可写"),
    ("cow_reuse", "do_wp_page", "reuse: the only user keeps the page",
     "wp_page_reuse(): the only user keeps the page",
     "copy-on-write: the last user reuses the page", "写时复制：最后一个用户直接复用该页"),
    ("cow_copy", "do_wp_page", "gotten: alloc_page_vma() + cow_user_page()",
     "wp_page_copy(): a new page, the old copied",
     "copy-on-write: the page is copied", "写时复制：复制这一页"),
    ("cow_zero", "do_wp_page", "ZERO_PAGE: alloc_zeroed_user_highpage_movable()",
     "wp_page_copy(): is_zero_pfn -> a zeroed page",
     "the zero page replaced by a zeroed page", "把零页换成一个清零的页"),
)


# the code lines' own words in Chinese (function, field and flag names stay as the kernel spells them)
CODE_ZH = {
    "address >= TASK_SIZE: bad_area_nosemaphore": "address >= TASK_SIZE：bad_area_nosemaphore",
    "fault_in_kernel_space(): do_kern_addr_fault()": "fault_in_kernel_space()：do_kern_addr_fault()",
    "find_vma(mm, address): mm->mmap_cache, else the rb-tree mm->mm_rb":
        "find_vma(mm, address)：先查 mm->mmap_cache，再查红黑树 mm->mm_rb",
    "find_vma(mm, address): mt_find() in the maple tree mm->mm_mt":
        "find_vma(mm, address)：在 maple 树 mm->mm_mt 中 mt_find()",
    "!vma, or below a VMA without VM_GROWSDOWN: goto bad_area":
        "!vma，或在不带 VM_GROWSDOWN 的 VMA 下方：goto bad_area",
    "!vma, or below a VMA without VM_GROWSDOWN: bad_area()":
        "!vma，或在不带 VM_GROWSDOWN 的 VMA 下方：bad_area()",
    "VM_GROWSDOWN: expand_stack(vma, address)": "VM_GROWSDOWN：expand_stack(vma, address)",
    "good_area: switch (error_code & 3)": "good_area：switch (error_code & 3)",
    "good_area: access_error(error_code, vma)": "good_area：access_error(error_code, vma)",
    "write without VM_WRITE, read of a present page, no VM_READ|VM_EXEC|VM_WRITE: goto bad_area":
        "写却没有 VM_WRITE、读一个存在的页、没有 VM_READ|VM_EXEC|VM_WRITE：goto bad_area",
    "access_error(): bad_area_access_error()": "access_error()：bad_area_access_error()",
    "bad_area: force_sig_info_fault(SIGSEGV)": "bad_area：force_sig_info_fault(SIGSEGV)",
    "bad_area(): force_sig_fault(SIGSEGV)": "bad_area()：force_sig_fault(SIGSEGV)",
    "pte_none, no vm_ops: do_anonymous_page()": "pte_none，没有 vm_ops：do_anonymous_page()",
    "pte_none, vma_is_anonymous(): do_anonymous_page()": "pte_none，vma_is_anonymous()：do_anonymous_page()",
    "pte_none, vm_ops: do_linear_fault() -> __do_fault()": "pte_none，有 vm_ops：do_linear_fault() -> __do_fault()",
    "!pte_present, a swap entry: do_swap_page()": "!pte_present，是交换项：do_swap_page()",
    "!pte_present(): do_swap_page()": "!pte_present()：do_swap_page()",
    "write, !pte_write(): do_wp_page()": "写，!pte_write()：do_wp_page()",
    "FAULT_FLAG_WRITE, !pte_write(): do_wp_page()": "FAULT_FLAG_WRITE，!pte_write()：do_wp_page()",
    "otherwise: pte_mkyoung(), ptep_set_access_flags()": "其他情况：pte_mkyoung()、ptep_set_access_flags()",
    "read: ZERO_PAGE, read-only": "读：ZERO_PAGE，只读",
    "read: my_zero_pfn(), pte_mkspecial, read-only": "读：my_zero_pfn()，pte_mkspecial，只读",
    "read: alloc_zeroed_user_highpage_movable(), pte_mkdirty + maybe_mkwrite":
        "读：alloc_zeroed_user_highpage_movable()，pte_mkdirty + maybe_mkwrite",
    "read: alloc_zeroed_user_highpage_movable()": "读：alloc_zeroed_user_highpage_movable()",
    "write: alloc_zeroed_user_highpage_movable()": "写：alloc_zeroed_user_highpage_movable()",
    "->fault / ->nopage: the file's page": "->fault / ->nopage：文件的页",
    "do_read_fault(): ->fault, the file's page": "do_read_fault()：->fault，文件的页",
    "private write: a copy of the file's page": "私有映射上的写：文件页的副本",
    "do_cow_fault(): a copy of the file's page": "do_cow_fault()：文件页的副本",
    "shmem_fault(): the shared object's page": "shmem_fault()：共享对象的页",
    "[vdso]: install_special_mapping()'s page": "[vdso]：install_special_mapping() 装入的页",
    "[vdso]/[vvar]: special_mapping_fault()": "[vdso]/[vvar]：special_mapping_fault()",
    "map_driver's vm_ops->nopage": "map_driver 的 vm_ops->nopage",
    "the driver's vm_ops->fault": "驱动的 vm_ops->fault",
    "lookup_swap_cache(), else read_swap_cache_async()": "lookup_swap_cache()，否则 read_swap_cache_async()",
    "lookup_swap_cache(), else swapin_readahead()": "lookup_swap_cache()，否则 swapin_readahead()",
    "the PTE changed meanwhile: return, the access retries": "PTE 在此期间被改动：返回，重新访问",
    "VM_SHARED: the PTE made writable": "VM_SHARED：PTE 改为可写",
    "reuse: the only user keeps the page": "reuse：唯一的使用者保留这一页",
    "wp_page_reuse(): the only user keeps the page": "wp_page_reuse()：唯一的使用者保留这一页",
    "gotten: alloc_page_vma() + cow_user_page()": "gotten：alloc_page_vma() + cow_user_page()",
    "wp_page_copy(): a new page, the old copied": "wp_page_copy()：分配新页，复制旧页",
    "ZERO_PAGE: alloc_zeroed_user_highpage_movable()": "ZERO_PAGE：alloc_zeroed_user_highpage_movable()",
    "wp_page_copy(): is_zero_pfn -> a zeroed page": "wp_page_copy()：is_zero_pfn -> 清零的页",
}

def chart(flavour: Flavour) -> Chart:
    """The flow chart for ``flavour``'s release (engine.fault's HandleFault.path names its nodes)."""
    old = flavour.version < (4, 15)
    read_leaf = "zero_page" if flavour.anon_read_zero_page else "zeroed_page_read"
    nodes = tuple(Node(i, parent, c24 if old else c61, en, zh)
                  for i, parent, c24, c61, en, zh in _ROWS
                  if i not in ("zero_page", "zeroed_page_read") or i == read_leaf)
    if old and flavour.version >= (2, 6, 25):
        nodes = tuple(n if n.id != "entry" else Node(n.id, n.parent, "do_page_fault()", n.en, n.zh)
                      for n in nodes)
    source = "arch/x86/mm/fault_32.c" if flavour.version < (2, 6, 25) else "arch/x86/mm/fault.c"
    return Chart("2.6.24" if old else "6.1", source, nodes)
