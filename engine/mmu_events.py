"""Events of the MMU: page-walk steps, Accessed/Dirty updates, TLB traffic, #PF.

Small, slotted, serialisable (``dataclasses.asdict``).  Widgets highlight from them,
lessons narrate them.  ``tlb`` names one of the four P6 TLB arrays: "itlb", "itlb_large",
"dtlb", "dtlb_large".
"""
from __future__ import annotations

from dataclasses import asdict, dataclass


class _MmuEvent:
    """``kind`` and ``describe()`` like every other engine event."""
    __slots__ = ()

    @property
    def kind(self) -> str:
        return type(self).__name__

    def _asdict(self) -> dict:
        return asdict(self)  # type: ignore[call-overload]

    def describe(self) -> str:
        parts = []
        for k, v in asdict(self).items():  # type: ignore[call-overload]
            if isinstance(v, int) and not isinstance(v, bool) and (
                    "addr" in k or k in ("vaddr", "entry", "old", "new", "paddr")):
                parts.append(f"{k}={v:#x}")
            else:
                parts.append(f"{k}={v!r}")
        return f"{self.kind}({', '.join(parts)})"


@dataclass(slots=True)
class WalkStep(_MmuEvent):
    """One paging-structure entry read by the walker (the value as read)."""
    level: str              # "PDPTE", "PDE", "PTE"
    table_paddr: int        # physical address of the table (PD, PT or PDPT)
    index: int              # entry index within the table
    entry_paddr: int        # physical address of the entry
    entry: int              # the entry's value before any A/D update


@dataclass(slots=True)
class SetAccessedDirty(_MmuEvent):
    """The walker set A (and D) in an entry, as a CPU does with a locked OR."""
    level: str
    entry_paddr: int
    old: int
    new: int


@dataclass(slots=True)
class PageFault(_MmuEvent):
    """#PF raised: the error code the CPU pushes, CR2 = vaddr."""
    vaddr: int
    error_code: int
    reason: str


@dataclass(slots=True)
class TlbLookup(_MmuEvent):
    vaddr: int
    access: str             # "read", "write", "exec"
    user: bool


@dataclass(slots=True)
class TlbHit(_MmuEvent):
    vaddr: int
    tlb: str
    set_index: int
    way: int
    paddr: int


@dataclass(slots=True)
class TlbMiss(_MmuEvent):
    vaddr: int
    reason: str             # "not cached", "clean entry: write must set D", "permission"


@dataclass(slots=True)
class TlbFill(_MmuEvent):
    tlb: str
    set_index: int
    way: int
    vpn: int                # vaddr >> page shift of that TLB (12, 21 or 22)
    pfn: int                # paddr >> 12 of the page (frame) start
    page_size: int
    rw: bool
    user: bool
    nx: bool
    dirty: bool
    global_: bool


@dataclass(slots=True)
class TlbEvict(_MmuEvent):
    tlb: str
    set_index: int
    vpn: int
    pfn: int
    page_size: int
    reason: str             # "lru", "refill", "invlpg", "fault"


@dataclass(slots=True)
class TlbFlush(_MmuEvent):
    scope: str              # "all", "nonglobal" (CR3 reload), "invlpg"
    vaddr: int | None
    dropped: int            # how many entries went away
