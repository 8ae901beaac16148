"""The slab layer of a Machine: every kmem_cache, the kmalloc size classes, kfree.

SLUB (6.1, mm/slab_common.c): kmalloc-8 ... kmalloc-8k in four families --
kmalloc-* (normal), kmalloc-cg-* (__GFP_ACCOUNT), kmalloc-rcl-* (__GFP_RECLAIMABLE)
and dma-kmalloc-* (GFP_DMA) -- created in that order; sizes up to 192 map through
``size_index[(size - 1) / 8]`` (so 65..96 -> kmalloc-96, 129..192 -> kmalloc-192),
larger ones to the next power of two; above 8192 ``kmalloc_large`` takes a compound
block of get_order(size) straight from the page allocator (accounted as unreclaimable
slab memory, as 6.1 does).

SLAB (2.6.24, mm/slab.c + kmalloc_sizes.h): general caches size-32 ... size-4194304
with 96 and 192 (a 32-byte L1 line) and a "(DMA)" twin of each; the first class that
fits is used; there is no page-allocator fallback (beyond 4 MB kmalloc returns NULL).
Off-slab management blocks come from these same general caches.

Both: kmalloc(0) returns ZERO_SIZE_PTR (0x10); kfree finds the cache from the
page (``virt_to_slab``), refuses double frees and pointers that are not object
starts with the kernel's debug words, and leaves the machine unchanged when it does.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import physmem as pm
from .config import byte_count
from .errors import BadFree, ConfigError, KernelError, OutOfMemory, shown
from .kmem_events import CacheCreate, CacheDestroy, KfreeLarge, KmallocLarge
from .kmsg import KernelMessage, printk
from .slub import SlubCache, get_order
from .slab_boot import (BOOT_CACHES_26, BOOT_CACHES_61, MIN_RAM_61, NON_PAE_ONLY_61,
                        PAE_ONLY_61, PAE_SIZES_61)
from .slab import ClassicCache

if TYPE_CHECKING:
    from .machine import Machine

ZERO_SIZE_PTR = 0x10
KMALLOC_MAX_SIZE = 4 << 20            # 1 << (MAX_ORDER - 1 + PAGE_SHIFT)
SLUB_MAX_CACHE = 8192                 # KMALLOC_MAX_CACHE_SIZE
# kmalloc index -> size (index 1 is 96, 2 is 192, n >= 3 is 2^n)
SIZE_OF_INDEX = {1: 96, 2: 192, **{i: 1 << i for i in range(3, 14)}}
SIZE_INDEX = (3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1, 7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2)
SLUB_TYPES = (("", "", ""), ("cg-", "", ""), ("rcl-", "", "r"), ("dma-", "GFP_DMA", ""))
SLAB_SIZES = (32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536,
              131072, 262144, 524288, 1048576, 2097152, 4194304)


def slub_kmalloc_name(prefix: str, size: int) -> str:
    tail = f"{size >> 10}k" if size >= 1024 else str(size)
    return f"dma-kmalloc-{tail}" if prefix == "dma-" else f"kmalloc-{prefix}{tail}"


def slub_index(size: int) -> int:
    """kmalloc_index() / size_index: the kmalloc index for 1 <= size <= 8192."""
    if size <= 192:
        return SIZE_INDEX[(size - 1) // 8]
    return (size - 1).bit_length()


class KmemCaches:
    """slab_caches and the kmalloc arrays of one machine (slotted, as its caches are)."""

    __slots__ = ("kind", "flavour", "cpus", "ram_pages", "ram", "pae", "caches", "slab_of",
                 "large", "large_of", "requested", "kmalloc_caches", "_dma", "_rcl", "_acct",
                 "_highmem", "_slab_bug", "_zero", "_gfp")

    def __init__(self, m: Machine) -> None:
        cfg = m.config
        self.kind = cfg.allocator
        self.flavour = fl = cfg.flavour
        self.cpus = cfg.cpus
        self.ram_pages = m.max_pfn
        self.ram = cfg.ram
        self.pae = cfg.pae
        self.caches: dict[str, object] = {}
        self.slab_of: dict[int, object] = {}       # pfn -> slab (every page of a slab)
        self.large: dict[int, tuple[int, int]] = {}    # head pfn -> (order, size)
        self.large_of: dict[int, int] = {}             # pfn -> head pfn of a large kmalloc
        self.requested: dict[int, int] = {}            # kmalloc'ed vaddr -> size asked for
        self.kmalloc_caches: dict[str, list] = {}      # family -> caches by index / class
        g = m.gfp.bits
        self._dma = g["__GFP_DMA"]
        self._rcl = g.get("__GFP_RECLAIMABLE", 0) if fl.kmalloc_rcl_caches else 0
        self._acct = g.get("__GFP_ACCOUNT", 0) if fl.kmalloc_cg_caches else 0
        self._highmem = g["__GFP_HIGHMEM"]
        # GFP_SLAB_BUG_MASK on i386: __GFP_DMA32 | __GFP_HIGHMEM (2.6.24 include/linux/gfp.h:97,
        # 6.1-rc7 mm/internal.h:36; rule kmalloc_large_fixes_gfp)
        self._slab_bug = g["__GFP_DMA32"] | g["__GFP_HIGHMEM"]
        self._zero = g["__GFP_ZERO"]
        self._gfp: dict[str, tuple] = {}
        if self.kind == "slub":
            self._boot_slub()
        else:
            self._boot_slab()

    # -- boot -------------------------------------------------------------------------
    def _new(self, name, object_size, align=0, flags="", gfp_extra="", kernel=True, early=False):
        if self.kind == "slub":
            c = SlubCache(name, object_size, align, flags, self.cpus, gfp_extra, kernel,
                          self.slab_of)
        else:
            c = ClassicCache(name, object_size, align, flags, self.cpus, gfp_extra, kernel,
                             self.slab_of, self.ram_pages, early, self.general_cache)
        self.caches[name] = c
        return c

    def _boot_slub(self) -> None:
        self._new("kmem_cache", 140, flags="h")
        self._new("kmem_cache_node", 32, flags="h")
        fl = self.flavour
        for prefix, extra, flags in SLUB_TYPES:
            if (prefix == "cg-" and not fl.kmalloc_cg_caches) or \
                    (prefix == "rcl-" and not fl.kmalloc_rcl_caches):
                continue
            arr = [None] * 14
            for i in (3, 4, 5, 6, 1, 7, 2, 8, 9, 10, 11, 12, 13):
                size = SIZE_OF_INDEX[i]
                align = size if size & (size - 1) == 0 else 8
                arr[i] = self._new(slub_kmalloc_name(prefix, size), size, align, flags, extra)
            self.kmalloc_caches[prefix] = arr
        for name, size, align, flags in BOOT_CACHES_61:
            if (self.pae and name in NON_PAE_ONLY_61) or self.ram < MIN_RAM_61.get(name, 0):
                continue
            if name == "anon_vma_chain" and not self.flavour.anon_vma_chain:
                continue                                  # 2.6.34 anon_vma_init() adds it
            self._new(name, PAE_SIZES_61.get(name, size) if self.pae else size, align, flags)
            if self.pae and name in PAE_ONLY_61:
                self._new(*PAE_ONLY_61[name])

    def _boot_slab(self) -> None:
        self._new("kmem_cache", 212, flags="h")
        old_names = self.flavour.kmalloc_cache_names == "size"
        normal, dma = [], []
        self.kmalloc_caches[""] = normal
        self.kmalloc_caches["dma-"] = dma
        for size in SLAB_SIZES:
            name = f"size-{size}" if old_names else f"kmalloc-{size}"
            early = size <= 64                  # the array-cache and kmem_list3 caches
            normal.append(self._new(name, size, flags="h", early=early))
            dname = f"{name}(DMA)" if old_names else f"dma-kmalloc-{size}"
            dma.append(self._new(dname, size, flags="h", gfp_extra="GFP_DMA", early=early))
        for name, size, align, flags in BOOT_CACHES_26:
            self._new(name, size, align, flags)
            if name == "anon_vma" and self.flavour.anon_vma_chain:   # 2.6.34 anon_vma_init()
                self._new("anon_vma_chain", 24, 0, "")    # vma, anon_vma, two list_heads

    def general_cache(self, size: int):
        """kmem_find_general_cachep(): the first general cache that holds size bytes."""
        for i, s in enumerate(SLAB_SIZES):
            if size <= s:
                return self.kmalloc_caches[""][i]
        raise KernelError(f"no general cache for {size} bytes")

    # -- kmalloc ------------------------------------------------------------------------
    def _gfp_info(self, m: Machine, gfp: str):
        hit = self._gfp.get(gfp)
        if hit is None:
            mask = m.gfp.parse(gfp)
            page_mask = mask & ~(self._slab_bug | self._zero)
            hit = (mask, m.gfp.format(page_mask) if page_mask != mask else gfp)
            self._gfp[gfp] = hit
        return hit

    def cache_for(self, size: int, mask: int):
        """kmalloc_slab(): the cache kmalloc(size, flags) uses, or None when too large."""
        if self.kind == "slub":
            if size > SLUB_MAX_CACHE:
                return None
            if mask & self._dma:
                fam = "dma-"
            elif mask & self._rcl:
                fam = "rcl-"
            elif mask & self._acct:
                fam = "cg-"
            else:
                fam = ""
            return self.kmalloc_caches[fam][slub_index(size)]
        fam = "dma-" if mask & self._dma else ""
        for i, s in enumerate(SLAB_SIZES):
            if size <= s:
                return self.kmalloc_caches[fam][i]
        return None

    def kmalloc(self, m: Machine, size: int | str, gfp: str, events, cpu: int = 0) -> int:
        size = byte_count(size, "kmalloc")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ConfigError(f"kmalloc: size must be a byte count, got {shown(size)}")
        if size == 0:
            return ZERO_SIZE_PTR
        mask, page_gfp = self._gfp_info(m, gfp)
        cache = self.cache_for(size, mask)
        self._check_gfp(m, mask, cache, cpu, events)
        if cache is None:
            va = self._kmalloc_large(m, size, page_gfp, events)
        else:
            va = cache.alloc(m, cpu, events, page_gfp)
            if mask & self._zero:
                m.frames.write(va - m.layout.page_offset, bytes(cache.object_size))
        self.requested[va] = size
        return va

    def _check_gfp(self, m: Machine, mask: int, cache, cpu: int, events) -> None:
        """GFP_SLAB_BUG_MASK's test where the release makes it: when a slab grows (cache_grow(),
        new_slab(): BUG_ON before 3.19, pr_emerg("gfp: %u") + BUG() before 4.8, then
        kmalloc_fix_flags()'s warning; rule slab_bad_gfp) and, from 5.9, in kmalloc_order() for a
        kmalloc() too large for the caches (``cache`` None; rule kmalloc_large_fixes_gfp).  The
        allocation itself takes the fixed flags (the large path and page_gfp always drop them)."""
        bad = mask & self._slab_bug
        fl = m.config.flavour
        if not bad or not (fl.kmalloc_large_fixes_gfp if cache is None else _must_grow(cache, cpu, self.kind)):
            return
        if fl.slab_bad_gfp != "warn":
            from .kmsg_bug import slab_bad_gfp
            raise slab_bad_gfp(m, self.kind, mask, bad)
        fixed = mask & ~bad                        # kmalloc_fix_flags(): pr_warn + dump_stack
        printk(m, "warning", (f"Unexpected gfp: {bad:#x} ({m.gfp.format(bad)}). Fixing up to gfp: "
                              f"{fixed:#x} ({m.gfp.format(fixed)}). Fix your code!",), events)

    def _kmalloc_large(self, m: Machine, size: int, gfp: str, events) -> int:
        if self.kind != "slub" or size > KMALLOC_MAX_SIZE:
            msg = (f"kmalloc: {size} bytes is more than KMALLOC_MAX_SIZE "
                   f"({KMALLOC_MAX_SIZE}); NULL returned")
            if events is not None:
                events.append(KernelMessage("warning", (msg,)))
            raise OutOfMemory(msg)
        order = get_order(size)
        pfn = m.alloc_pages(gfp + (" | __GFP_COMP" if order else ""), order, owner=pm.OWNER_SLAB)
        if order:
            m.memmap.flags[pfn] |= pm.PG_head
            m.memmap.flags[pfn + 1:pfn + (1 << order)] |= pm.PG_tail
            m.memmap.order[pfn] = order
        self.large[pfn] = (order, size)
        for p in range(pfn, pfn + (1 << order)):
            self.large_of[p] = pfn
        va = m.layout.page_offset + (pfn << 12)
        if events is not None:
            events.append(KmallocLarge(va, pfn, order, size))
        return va

    def find(self, m: Machine, vaddr: int, who: str):
        """virt_to_slab(): (slab, None) or (None, large head pfn); BadFree otherwise."""
        L = m.layout
        if not L.page_offset <= vaddr < L.high_memory:
            raise BadFree(f"{who}: object pointer 0x{vaddr:08x} is not a direct-map address "
                          f"(slab objects live in lowmem)")
        pfn = (vaddr - L.page_offset) >> 12
        slab = self.slab_of.get(pfn)
        if slab is not None:
            return slab, None
        head = self.large_of.get(pfn)
        if head is not None:
            return None, head
        if self.kind == "slab":                    # virt_to_cache() (engine.kmsg_bug)
            from .kmsg_bug import slab_kfree_nonslab
            raise slab_kfree_nonslab(m, vaddr, pfn)
        from .kmsg_bug import slub_kfree_nonslab
        raise slub_kfree_nonslab(m, vaddr, pfn)

    def kfree(self, m: Machine, vaddr: int, events, cpu: int = 0) -> None:
        if vaddr <= ZERO_SIZE_PTR:                 # ZERO_OR_NULL_PTR
            return
        slab, head = self.find(m, vaddr, "kfree")
        if slab is not None:
            cache = slab.cache
            idx = cache.check_free(m, slab, vaddr)
            cache.free(m, cpu, slab, idx, events)
        else:
            order, _ = self.large.pop(head)
            for p in range(head, head + (1 << order)):
                del self.large_of[p]
            m.memmap.flags[head:head + (1 << order)] &= 0xFFFF ^ (pm.PG_head | pm.PG_tail)
            m.memmap.order[head] = 0
            if events is not None:
                events.append(KfreeLarge(m.layout.page_offset + (head << 12), head, order))
            m.page_alloc.free(head, order, events, expect_owner=pm.OWNER_SLAB)
            vaddr = m.layout.page_offset + (head << 12)
        self.requested.pop(vaddr, None)

    # -- named caches --------------------------------------------------------------------------
    def get(self, name: str):
        c = self.caches.get(name)
        if c is None:
            raise ConfigError(f"kmem_cache {name!r}: no such cache (see m.slab_caches)")
        return c

    def create(self, m: Machine, name: str, size: int, align: int, flags: str, events) -> str:
        if not isinstance(name, str) or not name or len(name) > 64 or " " in name:
            raise ConfigError(f"kmem_cache_create: bad cache name {name!r}")
        if name in self.caches:
            raise ConfigError(f"kmem_cache_create: a cache named {name!r} already exists")
        size = byte_count(size, f"kmem_cache_create({name})")
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= KMALLOC_MAX_SIZE:
            raise ConfigError(f"kmem_cache_create({name}): size must be 1..{KMALLOC_MAX_SIZE}")
        if not isinstance(align, int) or align < 0 or align & (align - 1):
            raise ConfigError(f"kmem_cache_create({name}): align must be 0 or a power of two")
        fl = ""
        for part in (flags or "").split("|"):
            part = part.strip()
            if not part:
                continue
            key = {"SLAB_HWCACHE_ALIGN": "h", "SLAB_RECLAIM_ACCOUNT": "r",
                   "SLAB_TYPESAFE_BY_RCU": "o", "SLAB_CACHE_DMA": "d"}.get(part)
            if key is None:
                raise ConfigError(f"kmem_cache_create: unknown flag {part!r} (SLAB_HWCACHE_ALIGN,"
                                  f" SLAB_RECLAIM_ACCOUNT, SLAB_TYPESAFE_BY_RCU, SLAB_CACHE_DMA)")
            fl += key
        c = self._new(name, size, align, fl.replace("d", ""), "GFP_DMA" if "d" in fl else "",
                      kernel=False)
        if events is not None:
            events.append(CacheCreate(name, size, c.size, c.objects_per_slab, c.order))
        return name

    def destroy(self, m: Machine, name: str, events) -> None:
        c = self.get(name)
        if c.kernel:
            raise KernelError(f"kmem_cache_destroy {name}: the kernel's own cache cannot be "
                              f"destroyed")
        c.shutdown(m, events)
        del self.caches[name]
        if events is not None:
            events.append(CacheDestroy(name))

    def alloc(self, m: Machine, name: str, gfp: str, events, cpu: int = 0) -> int:
        c = self.get(name)
        mask, page_gfp = self._gfp_info(m, gfp)
        self._check_gfp(m, mask, c, cpu, events)
        va = c.alloc(m, cpu, events, page_gfp)
        if mask & self._zero:
            m.frames.write(va - m.layout.page_offset, bytes(c.object_size))
        return va

    def free(self, m: Machine, name: str, vaddr: int, events, cpu: int = 0) -> None:
        c = self.get(name)
        slab, head = self.find(m, vaddr, "kmem_cache_free")
        if slab is None or slab.cache is not c:
            other = slab.cache.name if slab is not None else "kmalloc_large"
            raise BadFree(f"cache_from_obj: Wrong slab cache. {name} but object is from {other}")
        idx = c.check_free(m, slab, vaddr)
        c.free(m, cpu, slab, idx, events)

    # -- accounting ----------------------------------------------------------------------------
    def pages(self) -> tuple[int, int]:
        """(reclaimable, unreclaimable) slab pages, large kmalloc blocks included."""
        rec = unrec = 0
        for c in self.caches.values():
            if c.reclaimable:
                rec += c.nr_pages
            else:
                unrec += c.nr_pages
        unrec += sum(1 << o for o, _ in self.large.values())
        return rec, unrec


def _must_grow(cache, cpu: int, kind: str) -> bool:
    """Whether allocating from cache now needs a new slab (new_slab() / cache_grow()): no
    object on this CPU's freelist or array cache, its slab or a partial (or free) slab."""
    if kind == "slub":
        slab = cache.cpu_slab[cpu]
        return not cache.cpu_free[cpu] and not (slab is not None and slab.free) and not cache.partial
    return not cache.ac[cpu] and not cache.slabs_partial and not cache.slabs_free


def warn_once(msg: str, site: str) -> BadFree:
    """A WARN_ON_ONCE() + pr_warn_once() report: logged the first time only (engine.kmsg
    keeps the sites that have warned).  Built here: a local in the raising frame would tie
    the exception and the frame in a cycle."""
    err = BadFree(msg)
    err.once = site
    return err
