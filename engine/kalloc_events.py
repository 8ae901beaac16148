"""Events of the kernel allocators: slab objects and slabs, kmalloc, vmalloc areas, kmaps.

Registered with ``events.event`` like the page allocator's, so panes can highlight
them and lessons can narrate them.  Addresses are virtual unless named ``pfn``/``paddr``.
"""
from __future__ import annotations

from typing import NamedTuple

from .events import event


@event
class CacheCreate(NamedTuple):
    """kmem_cache_create(): geometry the allocator computed."""
    cache: str
    object_size: int
    size: int
    objects_per_slab: int
    order: int


@event
class CacheDestroy(NamedTuple):
    cache: str


@event
class SlabNew(NamedTuple):
    """allocate_slab() / cache_grow(): a slab taken from the page allocator."""
    cache: str
    pfn: int
    order: int
    objects: int
    colour_off: int          # SLAB colouring offset in bytes (0 for SLUB)


@event
class SlabFree(NamedTuple):
    """discard_slab() / slab_destroy(): the slab's pages go back to the buddy allocator."""
    cache: str
    pfn: int
    order: int


@event
class SlabMove(NamedTuple):
    """A slab changed list: "cpu", "partial", "full" or "free"."""
    cache: str
    pfn: int
    from_list: str
    to_list: str


@event
class ObjAlloc(NamedTuple):
    cache: str
    vaddr: int
    pfn: int                 # first frame of the slab holding the object
    index: int               # object number inside the slab
    path: str                # "cpu freelist", "array cache", "refill", "new slab", ...


@event
class ObjFree(NamedTuple):
    cache: str
    vaddr: int
    pfn: int
    index: int
    path: str


@event
class ArrayRefill(NamedTuple):
    """cache_alloc_refill(): objects moved from slabs into a CPU's array cache."""
    cache: str
    cpu: int
    count: int


@event
class ArrayFlush(NamedTuple):
    """cache_flusharray(): the oldest objects of a full array cache go back to their slabs."""
    cache: str
    cpu: int
    count: int


@event
class KmallocLarge(NamedTuple):
    """kmalloc above the largest cache: a compound page block from the page allocator."""
    vaddr: int
    pfn: int
    order: int
    size: int


@event
class KfreeLarge(NamedTuple):
    vaddr: int
    pfn: int
    order: int


@event
class VmapAreaAlloc(NamedTuple):
    """A vmalloc area: [start, end) includes the guard page."""
    start: int
    end: int
    size: int
    caller: str


@event
class VmapAreaFree(NamedTuple):
    start: int
    end: int


@event
class KernelMapPte(NamedTuple):
    """A kernel PTE was set (vmalloc, kmap, kmap_atomic)."""
    vaddr: int
    paddr: int
    entry: int
    why: str


@event
class KernelUnmapPte(NamedTuple):
    vaddr: int
    paddr: int
    why: str


@event
class Kmap(NamedTuple):
    """kmap(): pkmap slot `slot` now has pkmap_count `count`."""
    pfn: int
    vaddr: int
    slot: int
    count: int


@event
class Kunmap(NamedTuple):
    pfn: int
    vaddr: int
    slot: int
    count: int


@event
class PkmapFlush(NamedTuple):
    """flush_all_zero_pkmaps(): slots with count 1 cleared, one TLB flush."""
    slots: tuple


@event
class KmapAtomic(NamedTuple):
    pfn: int
    vaddr: int
    idx: int                 # FIX_KMAP_BEGIN + idx is the fixmap slot


@event
class KunmapAtomic(NamedTuple):
    vaddr: int
    idx: int


@event
class KernelMessage(NamedTuple):
    """A line the kernel would print (warnings, allocation failures)."""
    text: str


@event
class PdeSync(NamedTuple):
    """A kernel PDE copied from swapper_pg_dir into a process's page directory."""
    pid: int
    vaddr: int
    entry: int
    why: str           # "arch_sync_kernel_mappings" (6.x) or "vmalloc_fault" (2.6)
