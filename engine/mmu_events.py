"""Events of the MMU: page-walk steps, Accessed/Dirty updates, TLB traffic, #PF.

Events like every other engine event (engine.events: frozen, slotted, hex by field type).  Widgets highlight from them,
lessons narrate them.  ``tlb`` names one of the four P6 TLB arrays: "itlb", "itlb_large",
"dtlb", "dtlb_large".
"""
from __future__ import annotations

from .events import Addr, Event, Pfn, Reg, event


@event
class WalkStep(Event):
    """One paging-structure entry read by the walker (the value as read)."""
    level: str              # "PDPTE", "PDE", "PTE"
    table_paddr: Addr       # physical address of the table (PD, PT or PDPT)
    index: int              # entry index within the table
    entry_paddr: Addr       # physical address of the entry
    entry: Reg              # the entry's value before any A/D update


@event
class SetAccessedDirty(Event):
    """The walker set A (and D) in an entry, as a CPU does with a locked OR."""
    level: str
    entry_paddr: Addr
    old: Reg
    new: Reg


@event
class PageFault(Event):
    """#PF raised: the error code the CPU pushes, CR2 = vaddr."""
    vaddr: Addr
    error_code: Reg
    reason: str


@event
class TlbLookup(Event):
    vaddr: Addr
    access: str             # "read", "write", "exec"
    user: bool


@event
class TlbHit(Event):
    vaddr: Addr
    tlb: str
    set_index: int
    way: int
    paddr: Addr


@event
class TlbMiss(Event):
    vaddr: Addr
    reason: str             # "not cached", "clean entry: write must set D", "permission"


@event
class TlbFill(Event):
    tlb: str
    set_index: int
    way: int
    vpn: Pfn                # vaddr >> page shift of that TLB (12, 21 or 22)
    pfn: Pfn                # paddr >> 12 of the page (frame) start
    page_size: int
    rw: bool
    user: bool
    nx: bool
    dirty: bool
    global_: bool


@event
class TlbEvict(Event):
    tlb: str
    set_index: int
    vpn: Pfn
    pfn: Pfn
    page_size: int
    reason: str             # "lru", "refill", "invlpg", "fault"


@event
class TlbFlush(Event):
    tracepoint = "tlb_flush"
    scope: str              # "all", "nonglobal" (CR3 reload), "invlpg"
    vaddr: Addr | None
    dropped: int            # how many entries went away
