"""SLUB, after mm/slub.c of 6.1: kmem_cache geometry, per-CPU slabs, partial lists.

Geometry is the kernel's: ``calculate_alignment`` (SLAB_HWCACHE_ALIGN with a 32-byte
cache line, ARCH_SLAB_MINALIGN 8), ``calculate_sizes`` (the free pointer in the
middle of a free object, or after it for caches with a constructor or
SLAB_TYPESAFE_BY_RCU), ``calculate_order`` with min_objects = 4 * (fls(cpus) + 1),
slub_max_order 3, and min_partial = clamp(ilog2(size) / 2, 5, 10).

Objects: a slab's free objects form a singly linked list through the free pointer
*inside each free object*; those pointers are written as real bytes into the slab's
frames, so ``m.read_phys`` shows them.  The CPU slab's list is ``c->freelist``
(lockless fast path); frees into other slabs go to ``slab->freelist``.  A full slab
is on no list (as without SLUB debugging); a slab that gains a free object goes to
the tail of the node's partial list; an empty slab is discarded once the node already
holds ``min_partial`` partial slabs.

Simplified (visible in the views): no per-CPU partial lists (CONFIG_SLUB_CPU_PARTIAL
off), no freelist randomisation or pointer hardening (objects start in address order
and the pointers are plain), no cache merging (each kmem_cache_create makes its own
cache), one NUMA node.
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from . import physmem as pm
from .errors import BadFree, KernelError
from .kmem_events import ObjAlloc, ObjFree, SlabFree, SlabMove, SlabNew

from .page_types import PAGE_SIZE

if TYPE_CHECKING:
    from .machine import Machine
CACHE_LINE = 32              # "SLUB: HWalign=32" on the ground truth's CPU
ARCH_SLAB_MINALIGN = 8       # __alignof__(unsigned long long) on i386
SLUB_MAX_ORDER = 3           # PAGE_ALLOC_COSTLY_ORDER
MAX_OBJS_PER_PAGE = 32767
USED, FREE, CPU = 0, 1, 2    # object states: in use, on slab->freelist, on a CPU list
STATE_NAMES = ("used", "free", "cpu")
# a cache's ``gen`` takes the next number whenever alloc(), free() or shutdown() may change
# it: two equal gens mean the same state (engine.checkpoint_kmem copies only caches whose
# gen moved since a checkpoint)
CACHE_GEN = itertools.count(1)


def get_order(size: int) -> int:
    return max(0, (size - 1) >> 12).bit_length()


def calculate_alignment(hwcache: bool, align: int, size: int) -> int:
    if hwcache:
        ralign = CACHE_LINE
        while size <= ralign // 2:
            ralign //= 2
        align = max(align, ralign)
    align = max(align, ARCH_SLAB_MINALIGN)
    return (align + 3) & ~3


def slab_order(size: int, min_objects: int, max_order: int, fract: int) -> int:
    if (PAGE_SIZE // size) > MAX_OBJS_PER_PAGE:
        return get_order(size * MAX_OBJS_PER_PAGE) - 1
    order = get_order(min_objects * size)
    while order <= max_order:
        slab_size = PAGE_SIZE << order
        if slab_size % size <= slab_size // fract:
            break
        order += 1
    return order


def calculate_order(size: int, cpus: int) -> int:
    min_objects = 4 * (cpus.bit_length() + 1)
    min_objects = min(min_objects, (PAGE_SIZE << SLUB_MAX_ORDER) // size)
    while min_objects > 1:
        fraction = 16
        while fraction >= 4:
            order = slab_order(size, min_objects, SLUB_MAX_ORDER, fraction)
            if order <= SLUB_MAX_ORDER:
                return order
            fraction //= 2
        min_objects -= 1
    order = slab_order(size, 1, SLUB_MAX_ORDER, 1)
    if order <= SLUB_MAX_ORDER:
        return order
    return slab_order(size, 1, 10, 1)


def slab_pages_alloc(m: Machine, gfp: str, order: int, events, compound: bool = True) -> int:
    """alloc_pages for a slab; SLUB's are compound (PG_head/PG_tail, PG_slab on the
    head), classic SLAB marks every page PG_slab."""
    comp = compound and order
    pfn = m.alloc_pages(gfp + (" | __GFP_COMP" if comp else ""), order, owner=pm.OWNER_SLAB)
    fl = m.memmap.flags
    if comp:
        fl[pfn] |= pm.PG_slab | pm.PG_head
        fl[pfn + 1:pfn + (1 << order)] |= pm.PG_tail
        m.memmap.order[pfn] = order
    else:
        fl[pfn:pfn + (1 << order)] |= pm.PG_slab
    return pfn


def slab_pages_free(m: Machine, pfn: int, order: int, events) -> None:
    fl = m.memmap.flags
    n = 1 << order
    fl[pfn:pfn + n] &= 0xFFFF ^ (pm.PG_slab | pm.PG_head | pm.PG_tail)
    m.memmap.order[pfn] = 0
    m.page_alloc.free(pfn, order, events, expect_owner=pm.OWNER_SLAB)


def slab_bug_line(m: Machine, cache: str, text: str) -> str:
    """slab_bug()'s line (mm/slub.c): "BUG <cache> (<print_tainted()>): <text>" from 3.3, "BUG
    <cache>: <text>" before (rule log_slub_bug); the taint is the one before this report
    (slab_bug() prints, then the report adds TAINT_BAD_PAGE: engine.taint)."""
    if m.config.flavour.log_slub_bug == "plain":
        return f"BUG {cache}: {text}"
    from .taint import print_tainted
    return f"BUG {cache} ({print_tainted(m)}): {text}"


class SlubSlab:
    """struct slab of SLUB: one compound page block cut into objects."""

    __slots__ = ("cache", "pfn", "order", "base", "objects", "free", "state", "where", "frozen")

    def __init__(self, cache, pfn: int, base: int) -> None:
        self.cache = cache
        self.pfn = pfn
        self.order = cache.order
        self.base = base
        self.objects = cache.objects
        self.free: list[int] = []          # slab->freelist; the head is free[-1]
        self.state = bytearray(self.objects)
        self.where = "new"
        self.frozen = False

    @property
    def inuse(self) -> int:
        """slab->inuse: objects not on slab->freelist (a CPU slab's c->freelist counts)."""
        return self.objects - len(self.free)

    @property
    def used(self) -> int:
        """Objects handed out to callers."""
        return self.state.count(USED)

    def obj_vaddr(self, idx: int) -> int:
        return self.base + idx * self.cache.size

    def freelist(self) -> list[int]:
        """slab->freelist in list order (head first)."""
        return self.free[::-1]

    def states(self) -> list[str]:
        return [STATE_NAMES[s] for s in self.state]


class SlubCache:
    """struct kmem_cache of SLUB, with one node and per-CPU slabs."""

    allocator = "slub"
    # slotted (kmalloc's hot path reads a cache's attributes on every call; see
    # engine.zone.Zone: a checkpoint must not cost the live cache its fast access)
    __slots__ = ("name", "object_size", "flags", "align", "offset", "size", "order", "objects",
                 "min_partial", "reclaimable", "gfp_extra", "kernel", "partial", "full",
                 "cpu_slab", "cpu_free", "slab_of", "nr_slabs", "nr_objs", "gen")

    def __init__(self, name: str, object_size: int, align: int = 0, flags: str = "",
                 cpus: int = 1, gfp_extra: str = "", kernel: bool = False,
                 slab_of: dict | None = None) -> None:
        self.name = name
        self.object_size = object_size
        self.flags = flags
        self.align = calculate_alignment("h" in flags, align, object_size)
        size = (object_size + 3) & ~3
        if "o" in flags:                   # ctor / SLAB_TYPESAFE_BY_RCU: pointer after
            self.offset = size
            size += 4
        else:
            self.offset = (object_size // 2) & ~3
        size = (size + self.align - 1) & ~(self.align - 1)
        self.size = size
        self.order = calculate_order(size, cpus)
        self.objects = (PAGE_SIZE << self.order) // size
        self.min_partial = min(10, max(5, (size.bit_length() - 1) // 2))
        self.reclaimable = "r" in flags
        self.gfp_extra = gfp_extra         # allocflags: GFP_DMA, __GFP_RECLAIMABLE
        self.kernel = kernel               # created by the kernel; cannot be destroyed
        self.partial: list[SlubSlab] = []  # node partial list, head first
        self.full: list[SlubSlab] = []     # not tracked by the kernel; kept for the views
        self.cpu_slab: list[SlubSlab | None] = [None] * cpus
        self.cpu_free: list[list[int]] = [[] for _ in range(cpus)]
        self.slab_of = slab_of if slab_of is not None else {}
        self.nr_slabs = 0
        self.nr_objs = 0
        self.gen = next(CACHE_GEN)

    # -- views --------------------------------------------------------------------
    @property
    def objects_per_slab(self) -> int:
        return self.objects

    @property
    def pages_per_slab(self) -> int:
        return 1 << self.order

    @property
    def slabs(self) -> list[SlubSlab]:
        cpu = [s for s in self.cpu_slab if s is not None]
        return cpu + self.partial + self.full

    def cpu_freelist(self, cpu: int = 0) -> list[int]:
        return self.cpu_free[cpu][::-1]

    @property
    def nr_pages(self) -> int:
        return self.nr_slabs << self.order

    def slabinfo(self) -> tuple[int, int, int, int, int, int]:
        """(active_objs, num_objs, objsize, objperslab, pagesperslab, num_slabs) as
        get_slabinfo() computes them: only free objects on partial slabs are free."""
        nr_free = sum(len(s.free) for s in self.partial)
        return (self.nr_objs - nr_free, self.nr_objs, self.size, self.objects,
                1 << self.order, self.nr_slabs)

    def active_slabs(self) -> int:
        """/proc/slabinfo's <active_slabs>: get_slabinfo() reports every slab (nr_slabs)."""
        return self.nr_slabs

    def tunables(self) -> tuple[int, int, int]:
        return 0, 0, 0

    # -- the free pointer, as bytes in the frames ---------------------------------
    def _set_fp(self, m: Machine, slab: SlubSlab, idx: int, nxt: int | None) -> None:
        pa = (slab.pfn << 12) + idx * self.size + self.offset
        m.frames.write_u32(pa, 0 if nxt is None else slab.base + nxt * self.size)

    def read_fp(self, m: Machine, slab: SlubSlab, idx: int) -> int:
        return m.frames.read_u32((slab.pfn << 12) + idx * self.size + self.offset)

    # -- allocation ---------------------------------------------------------------
    def _new_slab(self, m: Machine, gfp: str, events) -> SlubSlab:
        gfp = f"{gfp} | {self.gfp_extra}" if self.gfp_extra else gfp
        pfn = slab_pages_alloc(m, gfp, self.order, events)
        slab = SlubSlab(self, pfn, m.layout.page_offset + (pfn << 12))
        n = slab.objects
        for i in range(n):                 # object i -> i + 1 -> ... -> NULL
            self._set_fp(m, slab, i, i + 1 if i + 1 < n else None)
        slab.free = list(range(n - 1, -1, -1))
        slab.state[:] = bytes([FREE]) * n
        for p in range(pfn, pfn + (1 << self.order)):
            self.slab_of[p] = slab
        self.nr_slabs += 1
        self.nr_objs += n
        if events is not None:
            events.append(SlabNew(self.name, pfn, self.order, n, 0))
        return slab

    def _freeze(self, cpu: int, slab: SlubSlab, events) -> None:
        """The slab becomes this CPU's slab; its freelist moves to c->freelist."""
        if events is not None:
            events.append(SlabMove(self.name, slab.pfn, slab.where, "cpu"))
        slab.where = "cpu"
        slab.frozen = True
        self.cpu_slab[cpu] = slab
        self.cpu_free[cpu] = slab.free
        for i in slab.free:
            slab.state[i] = CPU
        slab.free = []

    def _refill(self, m: Machine, cpu: int, gfp: str, events) -> str:
        """___slab_alloc(): find objects for an empty c->freelist."""
        slab = self.cpu_slab[cpu]
        if slab is not None:
            if slab.free:                  # get_freelist(): objects freed remotely
                self._freeze(cpu, slab, events)
                return "slab freelist"
            slab.frozen = False            # full: unfrozen, on no list
            slab.where = "full"
            self.full.append(slab)
            self.cpu_slab[cpu] = None
            if events is not None:
                events.append(SlabMove(self.name, slab.pfn, "cpu", "full"))
        if self.partial:                   # get_partial_node(): first partial slab
            self._freeze(cpu, self.partial.pop(0), events)
            return "partial slab"
        self._freeze(cpu, self._new_slab(m, gfp, events), events)
        return "new slab"

    def alloc(self, m: Machine, cpu: int, events, gfp: str = "GFP_KERNEL") -> int:
        self.gen = next(CACHE_GEN)
        fl = self.cpu_free[cpu]
        path = "cpu freelist"
        if not fl:
            path = self._refill(m, cpu, gfp, events)
            fl = self.cpu_free[cpu]
        idx = fl.pop()
        slab = self.cpu_slab[cpu]
        slab.state[idx] = USED
        va = slab.base + idx * self.size
        if events is not None:
            events.append(ObjAlloc(self.name, va, slab.pfn, idx, path))
        return va

    # -- freeing ------------------------------------------------------------------
    def check_free(self, m: Machine, slab: SlubSlab, vaddr: int) -> int:
        """free_consistency_checks(): the object index, or BadFree with SLUB's words: slab_err()
        "Invalid object pointer 0x%p" (printk's %p, engine.kmsg.kptr) or object_err() "Object
        already free", in slab_bug()'s "BUG <cache> (<print_tainted()>): ..." (slab_bug_line)."""
        off = vaddr - slab.base
        if off % self.size or not 0 <= off < self.objects * self.size:
            from .kmsg import kptr
            raise BadFree(slab_bug_line(m, self.name, f"Invalid object pointer 0x{kptr(m, vaddr)}"))
        idx = off // self.size
        if slab.state[idx] != USED:
            raise BadFree(slab_bug_line(m, self.name, f"Object already free "
                                        f"(object 0x{vaddr:08x}, slab pfn {slab.pfn:#x})"))
        return idx

    def free(self, m: Machine, cpu: int, slab: SlubSlab, idx: int, events) -> None:
        self.gen = next(CACHE_GEN)
        va = slab.base + idx * self.size
        if slab is self.cpu_slab[cpu]:     # do_slab_free() fast path
            fl = self.cpu_free[cpu]
            self._set_fp(m, slab, idx, fl[-1] if fl else None)
            fl.append(idx)
            slab.state[idx] = CPU
            if events is not None:
                events.append(ObjFree(self.name, va, slab.pfn, idx, "cpu freelist"))
            return
        was_full = not slab.free           # __slab_free()
        self._set_fp(m, slab, idx, slab.free[-1] if slab.free else None)
        slab.free.append(idx)
        slab.state[idx] = FREE
        if events is not None:
            events.append(ObjFree(self.name, va, slab.pfn, idx, "slab freelist"))
        if slab.frozen:
            return                         # another CPU's slab
        if len(slab.free) == slab.objects and len(self.partial) >= self.min_partial:
            (self.full if was_full else self.partial).remove(slab)
            self._discard(m, slab, events)
            return
        if was_full:
            self.full.remove(slab)
            self.partial.append(slab)      # add_partial(..., DEACTIVATE_TO_TAIL)
            slab.where = "partial"
            if events is not None:
                events.append(SlabMove(self.name, slab.pfn, "full", "partial"))

    def _discard(self, m: Machine, slab: SlubSlab, events) -> None:
        for p in range(slab.pfn, slab.pfn + (1 << slab.order)):
            del self.slab_of[p]
        self.nr_slabs -= 1
        self.nr_objs -= slab.objects
        if events is not None:
            events.append(SlabFree(self.name, slab.pfn, slab.order))
        slab_pages_free(m, slab.pfn, slab.order, events)
        slab.where = "freed"

    def _deactivate(self, m: Machine, cpu: int, events) -> None:
        """deactivate_slab(): c->freelist goes back into the slab, which is unfrozen."""
        slab = self.cpu_slab[cpu]
        if slab is None:
            return
        fl = self.cpu_free[cpu]
        for idx in reversed(fl):           # keep the chain order: cpu list, then slab list
            self._set_fp(m, slab, idx, slab.free[-1] if slab.free else None)
            slab.free.append(idx)
            slab.state[idx] = FREE
        self.cpu_free[cpu] = []
        self.cpu_slab[cpu] = None
        slab.frozen = False
        if len(slab.free) == slab.objects and len(self.partial) >= self.min_partial:
            self._discard(m, slab, events)
            return
        to = "partial" if slab.free else "full"
        (self.partial if slab.free else self.full).append(slab)
        slab.where = to
        if events is not None:
            events.append(SlabMove(self.name, slab.pfn, "cpu", to))

    def shutdown(self, m: Machine, events) -> None:
        """__kmem_cache_shutdown(): flush the CPU slabs, free every empty slab."""
        self.gen = next(CACHE_GEN)
        if any(s.used for s in self.slabs):
            n = sum(s.used for s in self.slabs)
            raise KernelError(slab_bug_line(m, self.name, f"Objects remaining in {self.name} on "
                                            f"__kmem_cache_shutdown() ({n} in use)") + "; "
                              f"kmem_cache_destroy {self.name}: Slab cache still has objects")
        for cpu in range(len(self.cpu_slab)):
            self._deactivate(m, cpu, events)
        for slab in list(self.partial):
            self.partial.remove(slab)
            self._discard(m, slab, events)

    # -- consistency ----------------------------------------------------------------
    def check(self, m: Machine, fail) -> None:
        seen = set()
        total = 0
        for cpu, slab in enumerate(self.cpu_slab):
            if slab is None:
                if self.cpu_free[cpu]:
                    fail(f"{self.name}: cpu {cpu} has a freelist but no slab")
                continue
            if slab.where != "cpu" or not slab.frozen:
                fail(f"{self.name}: cpu slab {slab.pfn:#x} is marked {slab.where}")
            self._check_chain(m, slab, self.cpu_free[cpu], CPU, fail)
        for lst, name in ((self.partial, "partial"), (self.full, "full")):
            for slab in lst:
                if slab.where != name or slab.frozen:
                    fail(f"{self.name}: slab {slab.pfn:#x} on the {name} list is {slab.where}")
                if name == "full" and slab.free:
                    fail(f"{self.name}: full slab {slab.pfn:#x} has free objects")
                if name == "partial" and not slab.free:
                    fail(f"{self.name}: partial slab {slab.pfn:#x} has no free object")
        for slab in self.slabs:
            if id(slab) in seen:
                fail(f"{self.name}: slab {slab.pfn:#x} is on two lists")
            seen.add(id(slab))
            total += slab.objects
            self._check_chain(m, slab, slab.free, FREE, fail)
            n_state = slab.state.count(FREE) + slab.state.count(CPU)
            cpu_len = len(self.cpu_free[self.cpu_slab.index(slab)]) if slab.frozen else 0
            if n_state != len(slab.free) + cpu_len:
                fail(f"{self.name}: slab {slab.pfn:#x}: {n_state} objects marked free but "
                     f"{len(slab.free) + cpu_len} on freelists")
            for p in range(slab.pfn, slab.pfn + (1 << slab.order)):
                if self.slab_of.get(p) is not slab:
                    fail(f"{self.name}: frame {p:#x} of slab {slab.pfn:#x} not mapped to it")
                if m.memmap.owner[p] != pm.OWNER_SLAB:
                    fail(f"{self.name}: frame {p:#x} of slab {slab.pfn:#x} is not owned by slab")
            if not m.memmap.flags[slab.pfn] & pm.PG_slab:
                fail(f"{self.name}: slab {slab.pfn:#x} lacks PG_slab")
        if len(seen) != self.nr_slabs or total != self.nr_objs:
            fail(f"{self.name}: nr_slabs={self.nr_slabs} nr_objs={self.nr_objs} but the "
                 f"lists hold {len(seen)} slabs with {total} objects")

    def _check_chain(self, m: Machine, slab, lst, state, fail) -> None:
        """Each list entry is marked `state` and the in-memory pointers spell the list."""
        for pos, idx in enumerate(lst):
            if slab.state[idx] != state:
                fail(f"{self.name}: object {idx} of slab {slab.pfn:#x} is on a freelist "
                     f"but marked {STATE_NAMES[slab.state[idx]]}")
            want = 0 if pos == 0 else slab.base + lst[pos - 1] * self.size
            if self.read_fp(m, slab, idx) != want:
                fail(f"{self.name}: free pointer of object {idx} in slab {slab.pfn:#x} "
                     f"reads {self.read_fp(m, slab, idx):#x}, expected {want:#x}")
        if len(set(lst)) != len(lst):
            fail(f"{self.name}: an object is twice on a freelist of slab {slab.pfn:#x}")
