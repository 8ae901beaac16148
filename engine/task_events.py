"""Events of user processes: VMAs, faults, copy-on-write, swap, context switches."""
from __future__ import annotations

from .events import Addr, Event, Pfn, Reg, event


@event
class Spawn(Event):
    """exec of a program image: a new mm_struct, page directory and VMAs."""
    tracepoint = "sched_process_exec"
    pid: int
    name: str
    cr3: Reg


@event
class ContextSwitch(Event):
    """switch_mm(): CR3 loaded with the next process's page directory (PDPT under PAE)."""
    tracepoint = "sched_switch"
    prev: int | None
    next: int | None
    cr3: Reg


@event
class VmaCreate(Event):
    pid: int
    start: Addr
    end: Addr
    prot: str
    name: str | None


@event
class VmaExtend(Event):
    """An existing VMA grew to cover a new range (vma_merge / do_brk / expand_stack)."""
    pid: int
    start: Addr
    end: Addr
    old_start: Addr
    old_end: Addr


@event
class VmaMerge(Event):
    """Two neighbouring VMAs became one: [start, end) absorbed the one at ``joined``."""
    start: Addr
    end: Addr
    joined: Addr


@event
class VmaSplit(Event):
    pid: int
    start: Addr
    end: Addr
    at: Addr


@event
class VmaRemove(Event):
    pid: int
    start: Addr
    end: Addr


@event
class VmaProtect(Event):
    pid: int
    start: Addr
    end: Addr
    prot: str


@event
class BrkMove(Event):
    pid: int
    old: Addr
    new: Addr


@event
class MapPte(Event):
    """A user PTE was set: the page at pfn now backs vaddr."""
    pid: int
    vaddr: Addr
    pfn: Pfn
    pte: Reg
    why: str            # "anonymous", "zero page", "cow copy", "cow reuse", "swap-in", ...


@event
class UnmapPte(Event):
    pid: int
    vaddr: Addr
    pfn: Pfn


@event
class FreePgtable(Event):
    pid: int
    vaddr: Addr
    pfn: Pfn


@event
class HandleFault(Event):
    """do_page_fault() ran for a #PF in user space and fixed it.  ``path``: the branches
    the kernel took, as engine.fault_flow node names (find_vma, good_area, ...)."""
    tracepoint = "page_fault_user"
    pid: int
    vaddr: Addr
    error_code: Reg
    how: str
    path: tuple[str, ...] = ()


@event
class CowBreak(Event):
    """do_wp_page(): a shared page was copied for the writer."""
    pid: int
    vaddr: Addr
    old_pfn: Pfn
    new_pfn: Pfn


@event
class CowReuse(Event):
    """do_wp_page(): the writer was the last user; the PTE just became writable."""
    pid: int
    vaddr: Addr
    pfn: Pfn


@event
class Segv(Event):
    """bad_area(): SIGSEGV for a user fault; ``path`` as in HandleFault."""
    tracepoint = "signal_generate"
    pid: int
    vaddr: Addr
    error_code: Reg
    message: str
    path: tuple[str, ...] = ()


@event
class Oops(Event):
    tracepoint = "page_fault_kernel"
    vaddr: Addr
    error_code: Reg
    message: str


@event
class Fork(Event):
    tracepoint = "sched_process_fork"
    parent: int
    child: int
    shared_pages: int


@event
class Exit(Event):
    tracepoint = "sched_process_exit"
    pid: int
    freed_pages: int
    freed_tables: int


@event
class SwapOut(Event):
    """shrink_page_list(): the page went to a swap slot; PTEs now hold the swap entry."""
    pfn: Pfn
    slot: int
    ptes: int
    pte: Reg


@event
class SwapIn(Event):
    """do_swap_page(): the page came back from its slot (or the swap cache)."""
    pid: int
    vaddr: Addr
    slot: int
    pfn: Pfn
    from_cache: bool


@event
class Referenced(Event):
    """Second chance: the Accessed bit was set, cleared now; the page stays."""
    pfn: Pfn


@event
class Kswapd(Event):
    """kswapd woke because a zone fell below its low watermark."""
    tracepoint = "mm_vmscan_kswapd_wake"
    zone: str
    free: int
    low: int
    high: int
    reclaimed: int


@event
class DriverFault(Event):
    """map_driver's nopage/fault handler: vmalloc address -> kernel page walk -> page."""
    pid: int
    vaddr: Addr
    kaddr: Addr
    pfn: Pfn


@event
class OomKill(Event):
    """out_of_memory(): the victim (by badness) was killed and its memory freed."""
    tracepoint = "mark_victim"
    pid: int
    comm: str
    points: int
    message: str
