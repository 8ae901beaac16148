"""The kernel allocators on the Machine: slab/SLUB caches and kmalloc, vmalloc, kmap.

State lives in three objects created at boot (no page is allocated at boot: the
caches exist empty, so the page allocator's state after boot is unchanged):
``m.kmem`` (kmalloc.KmemCaches: every kmem_cache, SLUB or classic SLAB by
``config.allocator``), ``m.vmap`` (vmalloc.Vmalloc) and ``m.highmem``
(highmem.Highmem).  Each public call starts a fresh ``m.events`` list holding
everything it did, page-allocator and TLB events included; errors are raised
before anything changes.
"""
from __future__ import annotations

from .kalloc_checks import check_kalloc
from .kalloc_procfs import kalloc_meminfo, kalloc_node_stats
from .highmem import Highmem
from .kmalloc import ZERO_SIZE_PTR, KmemCaches
from .vmalloc import Vmalloc

DEFAULT_CALLER = "mmviz_init+0x1a/0x40 [mmviz]"


class KallocMixin:
    """m.kmalloc/kfree, m.kmem_cache_*, m.vmalloc/vfree, m.kmap/kunmap, m.kmap_atomic/kunmap_atomic."""

    ZERO_SIZE_PTR = ZERO_SIZE_PTR

    def _init_kalloc(self) -> None:
        """Called by Machine.__init__ after the MMU is up."""
        self.kmem = KmemCaches(self)
        self.vmap = Vmalloc()
        self.highmem = Highmem(self)
        self.current_cpu = 0                 # smp_processor_id() for per-CPU structures
        self.extra_checks.append(check_kalloc)
        self.meminfo_hooks.append(kalloc_meminfo)
        self.node_stat_hooks.append(kalloc_node_stats)

    def _kev(self):
        self.events = []
        return self.events if self.record_events else None

    def _done(self, events) -> None:
        self.events = events if events is not None else []

    # -- slab ---------------------------------------------------------------------
    def kmalloc(self, size, gfp="GFP_KERNEL") -> int:
        """kmalloc(): an object of the smallest kmalloc cache that fits (or pages)."""
        ev = self._kev()
        va = self.kmem.kmalloc(self, size, gfp, ev, self.current_cpu)
        self._done(ev)
        return va

    def kzalloc(self, size, gfp="GFP_KERNEL") -> int:
        return self.kmalloc(size, f"{gfp} | __GFP_ZERO")

    def kfree(self, vaddr: int) -> None:
        ev = self._kev()
        self.kmem.kfree(self, vaddr, ev, self.current_cpu)
        self._done(ev)

    def ksize(self, vaddr: int) -> int:
        """The usable size of a kmalloc'ed object (its cache's object size)."""
        slab, head = self.kmem.find(self, vaddr, "ksize")
        if slab is not None:
            return slab.cache.object_size
        return 4096 << self.kmem.large[head][0]

    def kmem_cache_create(self, name: str, size: int, align: int = 0, flags: str = "") -> str:
        ev = self._kev()
        r = self.kmem.create(self, name, size, align, flags, ev)
        self._done(ev)
        return r

    def kmem_cache_alloc(self, name: str, gfp="GFP_KERNEL") -> int:
        ev = self._kev()
        va = self.kmem.alloc(self, name, gfp, ev, self.current_cpu)
        self._done(ev)
        return va

    def kmem_cache_free(self, name: str, vaddr: int) -> None:
        ev = self._kev()
        self.kmem.free(self, name, vaddr, ev, self.current_cpu)
        self._done(ev)

    def kmem_cache_destroy(self, name: str) -> None:
        ev = self._kev()
        self.kmem.destroy(self, name, ev)
        self._done(ev)

    @property
    def slab_caches(self) -> list:
        """Every kmem_cache, oldest first: name, object_size, size, objects_per_slab,
        order, slabs (each with pfn, base, objects, states(), freelist(), where)."""
        return list(self.kmem.caches.values())

    def slab_cache(self, name: str):
        return self.kmem.get(name)

    def slab_of(self, vaddr: int):
        """The slab holding a direct-map address, or None."""
        L = self.layout
        if not L.page_offset <= vaddr < L.high_memory:
            return None
        return self.kmem.slab_of.get((vaddr - L.page_offset) >> 12)

    # -- vmalloc ------------------------------------------------------------------
    def vmalloc(self, size, caller: str | None = None) -> int:
        """vmalloc(): page-granular, virtually contiguous, backed frame by frame.
        All or nothing: OutOfMemory leaves the machine as it was (engine.lifecycle)."""
        from .lifecycle import atomic
        if isinstance(size, int) and not isinstance(size, bool) and 0 < size:
            nr = min(size >> 12, 1 << 20)
            return atomic(self, nr + (nr >> 10) + 4, lambda m: m._vmalloc(size, caller))
        return self._vmalloc(size, caller)

    def _vmalloc(self, size, caller):
        ev = self._kev()
        va = self.vmap.vmalloc(self, size, caller or DEFAULT_CALLER, ev)
        self._done(ev)
        return va

    def vfree(self, vaddr: int) -> None:
        ev = self._kev()
        self.vmap.vfree(self, vaddr, ev)
        self._done(ev)

    @property
    def vmap_areas(self) -> list:
        """The vmalloc areas in address order: start, end, size (incl. guard), pages, caller."""
        return list(self.vmap.areas)

    # -- highmem ------------------------------------------------------------------
    def kmap(self, pfn: int) -> int:
        ev = self._kev()
        va = self.highmem.kmap(self, pfn, ev)
        self._done(ev)
        return va

    def kunmap(self, pfn: int) -> None:
        ev = self._kev()
        self.highmem.kunmap(self, pfn, ev)
        self._done(ev)

    def kmap_atomic(self, pfn: int, km_type: str | None = None) -> int:
        """kmap_atomic(); km_type (KM_USER0, ...) only on the 2.6 flavour."""
        ev = self._kev()
        va = self.highmem.kmap_atomic(self, pfn, km_type, self.current_cpu, ev)
        self._done(ev)
        return va

    def kunmap_atomic(self, vaddr: int) -> None:
        ev = self._kev()
        self.highmem.kunmap_atomic(self, vaddr, self.current_cpu, ev)
        self._done(ev)

    @property
    def pkmap_count(self) -> tuple:
        return tuple(self.highmem.count)

    @property
    def last_pkmap_nr(self) -> int:
        return self.highmem.last_pkmap_nr
