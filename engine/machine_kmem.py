"""The Machine's kernel-memory API: slab/SLUB caches and kmalloc (engine.kmalloc), vmalloc
(engine.vmalloc) and kmap/kmap_atomic (engine.highmem), each a short delegation, as in
engine/machine.py (its other half: construction, the page allocator, the MMU, tasks).  A mixin
of :class:`engine.machine.Machine`, which gives it ``trace``, ``kmem``, ``vmap``, ``highmem``,
``layout`` and ``current_cpu``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .lifecycle import atomic

if TYPE_CHECKING:
    from .machine import Machine

DEFAULT_CALLER = "mmviz_init+0x1a/0x40 [mmviz]"


class KernelMemoryApi:
    """kmalloc, kmem_cache_*, vmalloc/vfree, kmap/kunmap, kmap_atomic/kunmap_atomic."""

    trace: Any
    kmem: Any
    vmap: Any
    highmem: Any
    layout: Any
    current_cpu: int

    # -- slab / SLUB and kmalloc (engine.kmalloc) ----------------------------------
    def kmalloc(self, size, gfp="GFP_KERNEL") -> int:
        """Allocate an object from the smallest kmalloc cache that holds size bytes (pages beyond
        the largest cache).

        Args:
            size: bytes (int, or a size string like "1K").
            gfp: a GFP mask, names joined by "|" ("GFP_KERNEL", "GFP_DMA | __GFP_ZERO"), or an int.
        Returns:
            the object's direct-map vaddr.
        Raises:
            OutOfMemory: "kmalloc: 67108864 bytes is more than KMALLOC_MAX_SIZE (4194304); NULL returned",
                or a page allocation failure.
            ConfigError: "kmalloc: size must be a byte count, got -1"
                "gfp: unknown flag 'X' ..." for a GFP name this release does not have.
        Kernel: mm/slab_common.c kmalloc() -> kmalloc_slab() / kmalloc_large()."""
        with self.trace as ev:
            return self.kmem.kmalloc(self, size, gfp, ev, self.current_cpu)

    def kzalloc(self, size, gfp="GFP_KERNEL") -> int:
        """kzalloc(): kmalloc with __GFP_ZERO."""
        return self.kmalloc(size, f"{gfp} | __GFP_ZERO")

    def kfree(self, vaddr: int) -> None:
        """Free a kmalloc'ed object (or a kmalloc_large block).

        Args:
            vaddr: the object's address as kmalloc returned it.
        Returns:
            None.
        Raises:
            BadFree: "BUG kmalloc-64 (Not tainted): Object already free (object 0x..., slab pfn 0x...)",
                "kfree: object pointer: 0x... (pfn 0x1 is not a slab page or a kmalloc_large block; ...)".
        Kernel: mm/slub.c / mm/slab.c kfree()."""
        with self.trace as ev:
            self.kmem.kfree(self, vaddr, ev, self.current_cpu)

    def ksize(self, vaddr: int) -> int:
        """The usable size of a kmalloc'ed object (its cache's object size)."""
        slab, head = self.kmem.find(self, vaddr, "ksize")
        if slab is not None:
            return slab.cache.object_size
        return 4096 << self.kmem.large[head][0]

    def kmem_cache_create(self, name: str, size: int | str, align: int = 0, flags: str = "") -> str:
        """Create a slab cache of objects of size bytes.

        Args:
            name: the cache's name as /proc/slabinfo prints it.
            size: object size in bytes, 1..4194304 (an int, or a size string like "1K").
            align: object alignment in bytes (0: the allocator's default).
            flags: SLAB_* flags as letters ("h" SLAB_HWCACHE_ALIGN, "r" SLAB_RECLAIM_ACCOUNT, ...).
        Returns:
            the cache's name.
        Raises:
            ConfigError: "kmem_cache_create: a cache named 'c' already exists",
                "kmem_cache_create(c): size must be 1..4194304".
        Kernel: mm/slab_common.c kmem_cache_create()."""
        with self.trace as ev:
            return self.kmem.create(self, name, size, align, flags, ev)

    def kmem_cache_alloc(self, name: str, gfp="GFP_KERNEL") -> int:
        """Allocate one object from a named cache.

        Args:
            name: the cache's name.
            gfp: a GFP mask, names joined by "|" ("GFP_KERNEL", "GFP_DMA | __GFP_ZERO"), or an int.
        Returns:
            the object's direct-map vaddr.
        Raises:
            ConfigError: "kmem_cache 'nope': no such cache (see m.slab_caches)"
                "gfp: unknown flag 'X' ..." for a GFP name this release does not have.
            OutOfMemory: when no new slab can be allocated.
        Kernel: mm/slub.c / mm/slab.c kmem_cache_alloc()."""
        with self.trace as ev:
            return self.kmem.alloc(self, name, gfp, ev, self.current_cpu)

    def kmem_cache_free(self, name: str, vaddr: int) -> None:
        """Free one object back to its cache.

        Args:
            name: the cache's name.
            vaddr: the object's address.
        Returns:
            None.
        Raises:
            BadFree: "cache_from_obj: Wrong slab cache. c but object is from kmalloc-64", or
                "Object already free".
            ConfigError: no such cache.
        Kernel: mm/slub.c / mm/slab.c kmem_cache_free()."""
        with self.trace as ev:
            self.kmem.free(self, name, vaddr, ev, self.current_cpu)

    def kmem_cache_destroy(self, name: str) -> None:
        """kmem_cache_destroy()."""
        with self.trace as ev:
            self.kmem.destroy(self, name, ev)

    @property
    def slab_caches(self) -> list:
        """Every kmem_cache, oldest first: name, object_size, size, objects_per_slab,
        order, slabs (each with pfn, base, objects, states(), freelist(), where)."""
        return list(self.kmem.caches.values())

    def slab_cache(self, name: str):
        """The kmem_cache of that name."""
        return self.kmem.get(name)

    def slab_of(self, vaddr: int):
        """The slab holding a direct-map address, or None."""
        L = self.layout
        if not L.page_offset <= vaddr < L.high_memory:
            return None
        return self.kmem.slab_of.get((vaddr - L.page_offset) >> 12)

    # -- vmalloc (engine.vmalloc) ----------------------------------------------------
    def vmalloc(self, size, caller: str | None = None) -> int:
        """Allocate size bytes, virtually contiguous in the vmalloc area, frame by frame (plus one
        guard page).  All or nothing: an OutOfMemory leaves the machine as it was.

        Args:
            size: bytes (int, or a size string like "64K").
            caller: the name /proc/vmallocinfo shows (default: the module that asked).
        Returns:
            the area's start vaddr.
        Raises:
            OutOfMemory: "insmod: vmalloc error: size 209715200, exceeds total pages, mode:0xcc0(GFP_KERNEL),
                nodemask=(null)", "vmap allocation for size N failed: use vmalloc=<size> to increase size".
            ConfigError: "vmalloc: size must be a byte count, got ...".
        Kernel: mm/vmalloc.c vmalloc() -> __vmalloc_node_range() (alloc_vmap_area, vmap_pages_range)."""
        def run(m: Machine) -> int:
            with m.trace as ev:
                return m.vmap.vmalloc(m, size, caller or DEFAULT_CALLER, ev)
        if isinstance(size, int) and not isinstance(size, bool) and 0 < size:
            nr = min(size >> 12, 1 << 20)
            return atomic(self, nr + (nr >> 10) + 4, run)
        return run(self)

    def vfree(self, vaddr: int) -> None:
        """Unmap and free a vmalloc area and its frames.

        Args:
            vaddr: the start address vmalloc returned.
        Returns:
            None.
        Raises:
            BadFree: "Trying to vfree() nonexistent vm area (0xf0000000)".
        Kernel: mm/vmalloc.c vfree() -> __vunmap()."""
        with self.trace as ev:
            self.vmap.vfree(self, vaddr, ev)

    @property
    def vmap_areas(self) -> list:
        """The vmalloc areas in address order: start, end, size (incl. guard), pages, caller."""
        return list(self.vmap.areas)

    # -- highmem (engine.highmem) ------------------------------------------------------
    def kmap(self, pfn: int) -> int:
        """Map a page into the kernel's address space for as long as needed (a pkmap slot for a
        highmem page; a lowmem page already has its direct-map address).

        Args:
            pfn: the page's frame number.
        Returns:
            the vaddr of the mapping.
        Raises:
            ConfigError: "kmap: N is not the pfn of a RAM page".
        Kernel: mm/highmem.c kmap() -> kmap_high() -> map_new_virtual()."""
        with self.trace as ev:
            return self.highmem.kmap(self, pfn, ev)

    def kunmap(self, pfn: int) -> None:
        """Drop one kmap of a page (the pkmap slot is reused after the next flush).

        Args:
            pfn: the page's frame number.
        Returns:
            None.
        Raises:
            BadFree: "kernel BUG at mm/highmem.c: kunmap_high: page 0x38000 is not kmapped".
        Kernel: mm/highmem.c kunmap() -> kunmap_high()."""
        with self.trace as ev:
            self.highmem.kunmap(self, pfn, ev)

    def kmap_atomic(self, pfn: int, km_type: str | None = None) -> int:
        """Map a page in a per-CPU fixmap slot (stack order from 2.6.37; a km_type slot before).

        Args:
            pfn: the page's frame number.
            km_type: the slot name (KM_USER0, ...) on releases before 2.6.37.
        Returns:
            the vaddr of the mapping.
        Raises:
            KernelOops: "kernel BUG at mm/highmem.c: kmap_local_idx_push: more than KM_MAX_IDX (16) nested
                atomic kmaps" (2.6.37-5.10: include/linux/highmem.h kmap_atomic_idx_push, KM_TYPE_NR),
                or the slot is already mapped.
            ConfigError: "kmap_atomic: unknown km_type ..." (2.6.24).
        Kernel: arch/x86/mm/highmem_32.c kmap_atomic() (kmap_local_page on 5.11+)."""
        with self.trace as ev:
            return self.highmem.kmap_atomic(self, pfn, km_type, self.current_cpu, ev)

    def kunmap_atomic(self, vaddr: int) -> None:
        """Unmap an atomic kmap (the most recent one first, from 2.6.37).

        Args:
            vaddr: the address kmap_atomic returned.
        Returns:
            None.
        Raises:
            KernelOops: "kernel BUG at arch/x86/mm/highmem_32.c:70!" (CONFIG_DEBUG_HIGHMEM's BUG_ON of an
                address that is no atomic kmap, before 5.11) or "kernel BUG at mm/highmem.c:478!" (none left).
            BadFree: "WARNING: CPU: 0 PID: 0 at mm/highmem.c:609 kunmap_local_indexed" (not the most recent
                one, 2.6.37 on) and mmviz's notes; every case in engine.kmsg_bug.kunmap_bad().  Nothing changes.
        Kernel: arch/x86/mm/highmem_32.c kunmap_atomic() (kunmap_local on 5.11+)."""
        with self.trace as ev:
            self.highmem.kunmap_atomic(self, vaddr, self.current_cpu, ev)

    @property
    def pkmap_count(self) -> tuple:
        """pkmap_count[] of every pkmap slot."""
        return tuple(self.highmem.count)

    @property
    def last_pkmap_nr(self) -> int:
        """Where the next kmap starts looking for a free slot."""
        return self.highmem.last_pkmap_nr
