"""Events of the kernel allocators: slab objects and slabs, kmalloc, vmalloc areas, kmaps.

Declared with ``events.event`` like the page allocator's, so panes can highlight
them and lessons can narrate them.  Addresses are virtual unless named ``pfn``/``paddr``.
"""
from __future__ import annotations

from .events import Addr, Event, Pfn, Reg, event


@event
class CacheCreate(Event):
    """kmem_cache_create(): geometry the allocator computed."""
    cache: str
    object_size: int
    size: int
    objects_per_slab: int
    order: int


@event
class CacheDestroy(Event):
    cache: str


@event
class SlabNew(Event):
    """allocate_slab() / cache_grow(): a slab taken from the page allocator."""
    cache: str
    pfn: Pfn
    order: int
    objects: int
    colour_off: int          # SLAB colouring offset in bytes (0 for SLUB)


@event
class SlabFree(Event):
    """discard_slab() / slab_destroy(): the slab's pages go back to the buddy allocator."""
    cache: str
    pfn: Pfn
    order: int


@event
class SlabMove(Event):
    """A slab changed list: "cpu", "partial", "full" or "free"."""
    cache: str
    pfn: Pfn
    from_list: str
    to_list: str


@event
class ObjAlloc(Event):
    tracepoint = "kmem_cache_alloc"
    cache: str
    vaddr: Addr
    pfn: Pfn                 # first frame of the slab holding the object
    index: int               # object number inside the slab
    path: str                # "cpu freelist", "array cache", "refill", "new slab", ...


@event
class ObjFree(Event):
    tracepoint = "kmem_cache_free"
    cache: str
    vaddr: Addr
    pfn: Pfn
    index: int
    path: str


@event
class ArrayRefill(Event):
    """cache_alloc_refill(): objects moved from slabs into a CPU's array cache."""
    cache: str
    cpu: int
    count: int


@event
class ArrayFlush(Event):
    """cache_flusharray(): the oldest objects of a full array cache go back to their slabs."""
    cache: str
    cpu: int
    count: int


@event
class KmallocLarge(Event):
    """kmalloc above the largest cache: a compound page block from the page allocator."""
    tracepoint = "kmalloc"
    vaddr: Addr
    pfn: Pfn
    order: int
    size: int


@event
class KfreeLarge(Event):
    tracepoint = "kfree"
    vaddr: Addr
    pfn: Pfn
    order: int


@event
class VmapAreaAlloc(Event):
    """A vmalloc area: [start, end) includes the guard page."""
    start: Addr
    end: Addr
    size: int
    caller: str


@event
class VmapAreaFree(Event):
    start: Addr
    end: Addr


@event
class KernelMapPte(Event):
    """A kernel PTE was set (vmalloc, kmap, kmap_atomic)."""
    vaddr: Addr
    paddr: Addr
    entry: Reg
    why: str


@event
class KernelUnmapPte(Event):
    vaddr: Addr
    paddr: Addr
    why: str


@event
class Kmap(Event):
    """kmap(): pkmap slot `slot` now has pkmap_count `count`."""
    pfn: Pfn
    vaddr: Addr
    slot: int
    count: int


@event
class Kunmap(Event):
    pfn: Pfn
    vaddr: Addr
    slot: int
    count: int


@event
class PkmapFlush(Event):
    """flush_all_zero_pkmaps(): slots with count 1 cleared, one TLB flush."""
    slots: tuple


@event
class KmapAtomic(Event):
    pfn: Pfn
    vaddr: Addr
    idx: int                 # FIX_KMAP_BEGIN + idx is the fixmap slot


@event
class KunmapAtomic(Event):
    vaddr: Addr
    idx: int


@event
class PdeSync(Event):
    """A kernel PDE copied from swapper_pg_dir into a process's page directory."""
    pid: int
    vaddr: Addr
    entry: Reg
    why: str           # "arch_sync_kernel_mappings" (6.x) or "vmalloc_fault" (2.6)
