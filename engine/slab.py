"""Classic SLAB, after mm/slab.c of 2.6.24: bufctl free lists, colouring, array caches.

Geometry (``kmem_cache_create`` / ``calculate_slab_order`` / ``cache_estimate``):
objects aligned to a word or, with SLAB_HWCACHE_ALIGN, to the 32-byte cache line;
the management block (``struct slab``, 28 bytes on i386, plus one 4-byte
``kmem_bufctl_t`` per object) lives at the start of the slab for objects smaller
than 512 bytes ("on-slab") and in an object of a general cache otherwise
("off-slab", moved back on-slab when the leftover space can hold it); the order
grows until the waste is at most 1/8 (or 1 page with less than 32 MB of RAM);
leftover space is used for colouring: slab n starts its objects ``colour_next *
cache_line`` bytes later, cycling through ``colour`` offsets.

Free objects of a slab form the bufctl list: ``slab->free`` is the first free
index, ``bufctl[i]`` the next one, BUFCTL_END the end; ``struct slab`` and the
bufctl array are written as real bytes.  Every CPU has an array cache (``limit``
and ``batchcount`` from ``enable_cpucache``): allocations pop its newest entry and
refill it with up to ``batchcount`` objects from partial then free slabs (growing
the cache when none is left); frees push onto it, and a full array first gives its
``batchcount`` oldest entries back to their slabs (``free_block``), destroying
empty slabs beyond ``free_limit``.

Simplified: no shared array cache (the sharedfactor column still shows 8 on SMP),
no alien caches, no periodic ``cache_reap`` draining, one node.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import BadFree, KernelError
from .kmem_events import ArrayFlush, ArrayRefill, ObjAlloc, ObjFree, SlabFree, SlabMove, SlabNew
from .page_types import PAGE_SIZE
from .slub import CACHE_GEN, CPU, FREE, STATE_NAMES, USED, slab_pages_alloc, slab_pages_free

if TYPE_CHECKING:
    from .machine import Machine

CACHE_LINE = 32                # L1_CACHE_BYTES of a 686 kernel
SIZEOF_SLAB = 28               # struct slab on i386 (2.6.24)
BUFCTL = 4                     # kmem_bufctl_t is unsigned int
BUFCTL_END = 0xFFFFFFFF
KMALLOC_MAX_ORDER = 10
BATCHREFILL_LIMIT = 16


def cache_estimate(order: int, size: int, align: int, off_slab: bool) -> tuple[int, int]:
    """(objects, left_over) for a slab of 2^order pages."""
    slab_size = PAGE_SIZE << order
    if off_slab:
        return slab_size // size, slab_size % size
    nr = (slab_size - SIZEOF_SLAB) // (size + BUFCTL)

    def mgmt(n):
        return (SIZEOF_SLAB + n * BUFCTL + align - 1) & ~(align - 1)
    if mgmt(nr) + nr * size > slab_size:
        nr -= 1
    return nr, slab_size - nr * size - mgmt(nr)


class ClassicSlab:
    """struct slab: a block of 2^order pages, its colour offset and bufctl list."""

    __slots__ = ("cache", "pfn", "order", "base", "colouroff", "s_mem", "mgmt", "objects",
                 "free", "bufctl", "state", "where")

    def __init__(self, cache, pfn: int, base: int) -> None:
        self.cache, self.pfn, self.order, self.base = cache, pfn, cache.order, base
        self.objects = cache.num
        self.free = 0
        self.bufctl = list(range(1, self.objects)) + [BUFCTL_END]
        self.state = bytearray([FREE]) * self.objects
        self.where = "free"
        self.colouroff = self.s_mem = self.mgmt = 0

    @property
    def inuse(self) -> int:
        """slab->inuse: objects not on the bufctl list (array-cache objects count)."""
        return self.objects - self.state.count(FREE)

    @property
    def used(self) -> int:
        return self.state.count(USED)

    def obj_vaddr(self, idx: int) -> int:
        return self.s_mem + idx * self.cache.size

    def freelist(self) -> list[int]:
        out, i = [], self.free
        while i != BUFCTL_END and len(out) <= self.objects:
            out.append(i)
            i = self.bufctl[i]
        return out

    def states(self) -> list[str]:
        return [STATE_NAMES[s] for s in self.state]


class ClassicCache:
    """struct kmem_cache of 2.6.24 SLAB, one node."""

    allocator = "slab"
    # slotted, as engine.slub.SlubCache is
    __slots__ = ("name", "object_size", "flags", "align", "size", "num", "order", "off_slab",
                 "slab_size", "colour_off", "colour", "colour_next", "slabp_cache", "limit",
                 "batchcount", "shared", "free_limit", "reclaimable", "gfp_extra", "kernel",
                 "ac", "touched", "slabs_full", "slabs_partial", "slabs_free", "free_objects",
                 "slab_of", "gen")

    def __init__(self, name: str, object_size: int, align: int = 0, flags: str = "",
                 cpus: int = 1, gfp_extra: str = "", kernel: bool = False,
                 slab_of: dict | None = None, ram_pages: int = 1 << 18,
                 early: bool = False, general=None) -> None:
        self.name, self.object_size, self.flags = name, object_size, flags
        size = (object_size + 3) & ~3
        if "h" in flags:
            ralign = CACHE_LINE
            while size <= ralign // 2:
                ralign //= 2
        else:
            ralign = 4
        self.align = align = max(ralign, align)
        off_slab = size >= (PAGE_SIZE >> 3) and not early
        size = (size + align - 1) & ~(align - 1)
        self.size = size
        break_order = 1 if ram_pages > (32 << 20) >> 12 else 0
        self.num = self.order = left = 0
        for order in range(KMALLOC_MAX_ORDER + 1):
            num, rem = cache_estimate(order, size, align, off_slab)
            if not num:
                continue
            if off_slab and num > (size - SIZEOF_SLAB) // BUFCTL:
                break
            self.num, self.order, left = num, order, rem
            if "r" in flags or order >= break_order or left * 8 <= (PAGE_SIZE << order):
                break
        if not self.num:
            raise KernelError(f"kmem_cache_create: couldn't create cache {name}.")
        slab_size = (self.num * BUFCTL + SIZEOF_SLAB + align - 1) & ~(align - 1)
        if off_slab and left >= slab_size:
            off_slab = False
            left -= slab_size
        if off_slab:
            slab_size = self.num * BUFCTL + SIZEOF_SLAB
        self.off_slab, self.slab_size = off_slab, slab_size
        self.colour_off = max(CACHE_LINE, align)
        self.colour = left // self.colour_off
        self.colour_next = 0
        self.slabp_cache = general(slab_size) if off_slab else None
        if size > 131072:
            limit = 1
        elif size > PAGE_SIZE:
            limit = 8
        elif size > 1024:
            limit = 24
        elif size > 256:
            limit = 54
        else:
            limit = 120
        self.limit, self.batchcount = limit, (limit + 1) // 2
        self.shared = 8 if size <= PAGE_SIZE and cpus > 1 else 0
        self.free_limit = (1 + cpus) * self.batchcount + self.num
        self.reclaimable = "r" in flags
        self.gfp_extra, self.kernel = gfp_extra, kernel
        self.ac: list[list[int]] = [[] for _ in range(cpus)]   # array_cache entries (vaddrs)
        self.touched = [False] * cpus
        self.slabs_full: list[ClassicSlab] = []
        self.slabs_partial: list[ClassicSlab] = []
        self.slabs_free: list[ClassicSlab] = []
        self.free_objects = 0
        self.slab_of = slab_of if slab_of is not None else {}
        self.gen = next(CACHE_GEN)              # see engine.slub.CACHE_GEN

    # -- views ----------------------------------------------------------------------
    objects_per_slab = property(lambda self: self.num)
    pages_per_slab = property(lambda self: 1 << self.order)
    offset = 0

    @property
    def slabs(self) -> list[ClassicSlab]:
        return self.slabs_full + self.slabs_partial + self.slabs_free

    @property
    def nr_pages(self) -> int:
        return len(self.slabs) << self.order

    def cpu_freelist(self, cpu: int = 0) -> list[int]:
        return list(reversed(self.ac[cpu]))

    def slabinfo(self) -> tuple[int, int, int, int, int, int]:
        active = len(self.slabs_full) * self.num + sum(s.inuse for s in self.slabs_partial)
        nslabs = len(self.slabs)
        return active, nslabs * self.num, self.size, self.num, 1 << self.order, nslabs

    def active_slabs(self) -> int:
        return len(self.slabs_full) + len(self.slabs_partial)

    def tunables(self) -> tuple[int, int, int]:
        return self.limit, self.batchcount, self.shared

    # -- struct slab and bufctl as bytes -----------------------------------------------
    def _write_mgmt(self, m: Machine, slab: ClassicSlab, idx: int | None = None) -> None:
        pa = slab.mgmt - m.layout.page_offset
        fr = m.frames
        fr.write_u32(pa + 16, slab.inuse)
        fr.write_u32(pa + 20, slab.free)
        if idx is not None:
            fr.write_u32(pa + SIZEOF_SLAB + idx * BUFCTL, slab.bufctl[idx])

    def read_bufctl(self, m: Machine, slab: ClassicSlab, idx: int) -> int:
        return m.frames.read_u32(slab.mgmt - m.layout.page_offset + SIZEOF_SLAB + idx * BUFCTL)

    # -- growing and shrinking ---------------------------------------------------------
    def _grow(self, m: Machine, cpu: int, gfp: str, events) -> None:
        """cache_grow(): a new slab at the next colour, on the free list."""
        offset = self.colour_next * self.colour_off
        self.colour_next += 1
        if self.colour_next >= self.colour:
            self.colour_next = 0
        gfp = f"{gfp} | {self.gfp_extra}" if self.gfp_extra else gfp
        pfn = slab_pages_alloc(m, gfp, self.order, events, compound=False)
        slab = ClassicSlab(self, pfn, m.layout.page_offset + (pfn << 12))
        if self.off_slab:
            try:
                slab.mgmt = self.slabp_cache.alloc(m, cpu, events, gfp)
            except Exception:
                slab_pages_free(m, pfn, self.order, events)
                raise
            slab.colouroff = offset
        else:
            slab.mgmt = slab.base + offset
            slab.colouroff = offset + self.slab_size
        slab.s_mem = slab.base + slab.colouroff
        pa = slab.mgmt - m.layout.page_offset
        m.frames.write_u32(pa + 8, slab.colouroff)
        m.frames.write_u32(pa + 12, slab.s_mem)
        for i in range(self.num):
            m.frames.write_u32(pa + SIZEOF_SLAB + i * BUFCTL, slab.bufctl[i])
        self._write_mgmt(m, slab)
        for p in range(pfn, pfn + (1 << self.order)):
            self.slab_of[p] = slab
        self.slabs_free.append(slab)
        self.free_objects += self.num
        if events is not None:
            events.append(SlabNew(self.name, pfn, self.order, self.num, offset))

    def _destroy_slab(self, m: Machine, cpu: int, slab: ClassicSlab, events) -> None:
        for p in range(slab.pfn, slab.pfn + (1 << slab.order)):
            del self.slab_of[p]
        if events is not None:
            events.append(SlabFree(self.name, slab.pfn, slab.order))
        slab_pages_free(m, slab.pfn, slab.order, events)
        if self.off_slab:
            mslab = self.slab_of_mgmt(slab)
            idx = (slab.mgmt - mslab.s_mem) // self.slabp_cache.size
            self.slabp_cache.free(m, cpu, mslab, idx, events)
        slab.where = "freed"

    def slab_of_mgmt(self, slab: ClassicSlab) -> ClassicSlab:
        return self.slabp_cache.slab_of[(slab.mgmt - (slab.base - (slab.pfn << 12))) >> 12]

    def _move(self, slab: ClassicSlab, to: str, events, head: bool = True) -> None:
        lists = {"full": self.slabs_full, "partial": self.slabs_partial, "free": self.slabs_free}
        lists[slab.where].remove(slab)
        (lists[to].insert(0, slab) if head else lists[to].append(slab))
        if events is not None and slab.where != to:
            events.append(SlabMove(self.name, slab.pfn, slab.where, to))
        slab.where = to

    # -- allocation ----------------------------------------------------------------------
    def _refill(self, m: Machine, cpu: int, gfp: str, events) -> str:
        """cache_alloc_refill()."""
        ac = self.ac[cpu]
        path = "refill"
        while True:
            batch = self.batchcount
            if not self.touched[cpu] and batch > BATCHREFILL_LIMIT:
                batch = BATCHREFILL_LIMIT
            moved = 0
            while batch > 0:
                lst = self.slabs_partial or self.slabs_free
                if not lst:
                    break
                slab = lst[0]
                while slab.inuse < self.num and batch > 0:
                    idx = slab.free
                    slab.free = slab.bufctl[idx]
                    slab.state[idx] = CPU
                    ac.append(slab.s_mem + idx * self.size)
                    batch -= 1
                    moved += 1
                self._write_mgmt(m, slab)
                self._move(slab, "full" if slab.free == BUFCTL_END else "partial", events)
            self.free_objects -= moved
            if moved and events is not None:
                events.append(ArrayRefill(self.name, cpu, moved))
            if ac:
                return path
            self._grow(m, cpu, gfp, events)
            path = "new slab"

    def alloc(self, m: Machine, cpu: int, events, gfp: str = "GFP_KERNEL") -> int:
        self.gen = next(CACHE_GEN)
        ac = self.ac[cpu]
        path = "array cache"
        if not ac:
            path = self._refill(m, cpu, gfp, events)
        self.touched[cpu] = True
        va = ac.pop()
        slab = self.slab_of[(va - m.layout.page_offset) >> 12]
        idx = (va - slab.s_mem) // self.size
        slab.state[idx] = USED
        if events is not None:
            events.append(ObjAlloc(self.name, va, slab.pfn, idx, path))
        return va

    # -- freeing ---------------------------------------------------------------------------
    def check_free(self, m: Machine, slab: ClassicSlab, vaddr: int) -> int:
        off = vaddr - slab.s_mem
        if off % self.size or not 0 <= off < self.num * self.size:
            from .kmsg_notes import note
            from .kmsg_bug import slab_not_an_object
            raise slab_not_an_object(m, self.name, vaddr, off, self.size, self.num)
        idx = off // self.size
        if slab.state[idx] != USED:
            from .kmsg_notes import note
            raise BadFree(f"slab error in verify_redzone_free(): cache `{self.name}': "
                          f"double free detected\n" + note("redzone_object", obj=f"0x{vaddr:08x}"))
        return idx

    def free(self, m: Machine, cpu: int, slab: ClassicSlab, idx: int, events) -> None:
        """__cache_free(): onto the CPU's array cache, flushing it first when full."""
        self.gen = next(CACHE_GEN)
        ac = self.ac[cpu]
        if len(ac) >= self.limit:
            batch = ac[:self.batchcount]
            del ac[:self.batchcount]
            if events is not None:
                events.append(ArrayFlush(self.name, cpu, len(batch)))
            self._free_block(m, cpu, batch, events)
        va = slab.s_mem + idx * self.size
        ac.append(va)
        slab.state[idx] = CPU
        if events is not None:
            events.append(ObjFree(self.name, va, slab.pfn, idx, "array cache"))

    def _free_block(self, m: Machine, cpu: int, objs: list[int], events) -> None:
        po = m.layout.page_offset
        for va in objs:
            slab = self.slab_of[(va - po) >> 12]
            idx = (va - slab.s_mem) // self.size
            slab.bufctl[idx] = slab.free          # slab_put_obj()
            slab.free = idx
            slab.state[idx] = FREE
            self._write_mgmt(m, slab, idx)
            self.free_objects += 1
            if slab.inuse == 0:
                if self.free_objects > self.free_limit:
                    self.free_objects -= self.num
                    {"full": self.slabs_full, "partial": self.slabs_partial,
                     "free": self.slabs_free}[slab.where].remove(slab)
                    self._destroy_slab(m, cpu, slab, events)
                else:
                    self._move(slab, "free", events)
            else:
                self._move(slab, "partial", events, head=False)

    def shutdown(self, m: Machine, events) -> None:
        """__cache_shrink() for kmem_cache_destroy: drain the arrays, free every slab."""
        self.gen = next(CACHE_GEN)
        n = sum(s.used for s in self.slabs)
        if n:
            raise KernelError(f"slab error in kmem_cache_destroy(): cache `{self.name}': "
                              f"Can't free all objects ({n} in use)")
        for cpu, ac in enumerate(self.ac):
            objs = list(ac)
            ac.clear()
            self._free_block(m, cpu, objs, events)
        for slab in list(self.slabs_free):
            self.slabs_free.remove(slab)
            self.free_objects -= self.num
            self._destroy_slab(m, 0, slab, events)

    # -- consistency -------------------------------------------------------------------
    def check(self, m: Machine, fail) -> None:
        in_ac = {va for ac in self.ac for va in ac}
        if len(in_ac) != sum(len(ac) for ac in self.ac):
            fail(f"{self.name}: an object is twice in the array caches")
        free = 0
        for name, lst in (("full", self.slabs_full), ("partial", self.slabs_partial),
                          ("free", self.slabs_free)):
            for slab in lst:
                if slab.where != name:
                    fail(f"{self.name}: slab {slab.pfn:#x} on {name} list is marked {slab.where}")
                fl = slab.freelist()
                n_free = slab.state.count(FREE)
                if len(fl) != n_free or any(slab.state[i] != FREE for i in fl):
                    fail(f"{self.name}: slab {slab.pfn:#x}: bufctl list {fl} does not match "
                         f"the {n_free} free objects")
                want = {"full": 0, "free": slab.objects}.get(name)
                if (want is not None and n_free != want) or (
                        name == "partial" and not 0 < n_free < slab.objects):
                    fail(f"{self.name}: slab {slab.pfn:#x} with {n_free} free objects is on "
                         f"the {name} list")
                for i in range(slab.objects):
                    if slab.state[i] == CPU and slab.s_mem + i * self.size not in in_ac:
                        fail(f"{self.name}: object {i} of {slab.pfn:#x} marked cached but "
                             f"is in no array cache")
                for i in fl:
                    if self.read_bufctl(m, slab, i) != slab.bufctl[i]:
                        fail(f"{self.name}: bufctl[{i}] of slab {slab.pfn:#x} in memory "
                             f"differs from the list")
                for p in range(slab.pfn, slab.pfn + (1 << slab.order)):
                    if self.slab_of.get(p) is not slab:
                        fail(f"{self.name}: frame {p:#x} is not mapped to its slab")
                free += n_free
        if free != self.free_objects:
            fail(f"{self.name}: free_objects={self.free_objects} but slabs hold {free}")
        n_cpu = sum(s.state.count(CPU) for s in self.slabs)
        if n_cpu != len(in_ac):
            fail(f"{self.name}: {len(in_ac)} objects in array caches, {n_cpu} marked so")
