"""The kernel allocators on the Machine: slab/SLUB caches and kmalloc, vmalloc, kmap."""
from __future__ import annotations


class KallocMixin:
    """m.kmalloc/kfree, m.kmem_cache_*, m.vmalloc/vfree, m.kmap/kunmap, m.kmap_atomic/kunmap_atomic."""

    def _init_kalloc(self) -> None:
        """Called by Machine.__init__ after the MMU is up."""
