"""Events of user processes: VMAs, faults, copy-on-write, swap, context switches."""
from __future__ import annotations

from typing import NamedTuple

from .events import event


@event
class Spawn(NamedTuple):
    """exec of a program image: a new mm_struct, page directory and VMAs."""
    pid: int
    name: str
    cr3: int


@event
class ContextSwitch(NamedTuple):
    """switch_mm(): CR3 loaded with the next process's page directory (PDPT under PAE)."""
    prev: int | None
    next: int | None
    cr3: int


@event
class VmaCreate(NamedTuple):
    pid: int
    start: int
    end: int
    prot: str
    name: str | None


@event
class VmaExtend(NamedTuple):
    """An existing VMA grew to cover a new range (vma_merge / do_brk / expand_stack)."""
    pid: int
    start: int
    end: int
    old_start: int
    old_end: int


@event
class VmaMerge(NamedTuple):
    """Two neighbouring VMAs became one: [start, end) absorbed the one at ``joined``."""
    start: int
    end: int
    joined: int


@event
class VmaSplit(NamedTuple):
    pid: int
    start: int
    end: int
    at: int


@event
class VmaRemove(NamedTuple):
    pid: int
    start: int
    end: int


@event
class VmaProtect(NamedTuple):
    pid: int
    start: int
    end: int
    prot: str


@event
class BrkMove(NamedTuple):
    pid: int
    old: int
    new: int


@event
class MapPte(NamedTuple):
    """A user PTE was set: the page at pfn now backs vaddr."""
    pid: int
    vaddr: int
    pfn: int
    pte: int
    why: str            # "anonymous", "zero page", "cow copy", "cow reuse", "swap-in", ...


@event
class UnmapPte(NamedTuple):
    pid: int
    vaddr: int
    pfn: int


@event
class FreePgtable(NamedTuple):
    pid: int
    vaddr: int
    pfn: int


@event
class HandleFault(NamedTuple):
    """do_page_fault() ran for a #PF in user space and fixed it."""
    pid: int
    vaddr: int
    error_code: int
    how: str


@event
class CowBreak(NamedTuple):
    """do_wp_page(): a shared page was copied for the writer."""
    pid: int
    vaddr: int
    old_pfn: int
    new_pfn: int


@event
class CowReuse(NamedTuple):
    """do_wp_page(): the writer was the last user; the PTE just became writable."""
    pid: int
    vaddr: int
    pfn: int


@event
class Segv(NamedTuple):
    pid: int
    vaddr: int
    error_code: int
    message: str


@event
class Oops(NamedTuple):
    vaddr: int
    error_code: int
    message: str


@event
class Fork(NamedTuple):
    parent: int
    child: int
    shared_pages: int


@event
class Exit(NamedTuple):
    pid: int
    freed_pages: int
    freed_tables: int


@event
class SwapOut(NamedTuple):
    """shrink_page_list(): the page went to a swap slot; PTEs now hold the swap entry."""
    pfn: int
    slot: int
    ptes: int
    pte: int


@event
class SwapIn(NamedTuple):
    """do_swap_page(): the page came back from its slot (or the swap cache)."""
    pid: int
    vaddr: int
    slot: int
    pfn: int
    from_cache: bool


@event
class Referenced(NamedTuple):
    """Second chance: the Accessed bit was set, cleared now; the page stays."""
    pfn: int


@event
class Kswapd(NamedTuple):
    """kswapd woke because a zone fell below its low watermark."""
    zone: str
    free: int
    low: int
    high: int
    reclaimed: int


@event
class DriverFault(NamedTuple):
    """map_driver's nopage/fault handler: vmalloc address -> kernel page walk -> page."""
    pid: int
    vaddr: int
    kaddr: int
    pfn: int


@event
class OomKill(NamedTuple):
    """out_of_memory(): the victim (by badness) was killed and its memory freed."""
    pid: int
    comm: str
    points: int
    message: str
