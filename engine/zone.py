"""Zones: DMA, Normal, HighMem (+ Movable, always empty here), watermarks, lowmem_reserve."""
from __future__ import annotations

from copy import deepcopy
from math import isqrt

from .events import FreePagesAt

ZONE_NAMES = ("DMA", "Normal", "HighMem", "Movable")
MAX_ORDER = 11                      # orders 0..10
# Zone.low_at's threshold of the orders alloc_pages() does not test itself: free_pages
# never reach it (a one-digit int: the comparison stays the interpreter's fast int one)
NO_FAST = (1 << 30) - 1
# pfn_objects(): one int object per pfn below this, shared by all machines (~36 bytes a pfn)
PFN_OBJECTS_CAP = 1 << 18
_pfn_objects: tuple = ()


def pfn_objects(end: int) -> tuple | range:
    """The int objects 0..end-1 the buddy allocator keys its tables with, one object per
    value shared by every machine (a tuple, grown as needed): a dict finds a key that *is*
    the object looked up without comparing the two ints, about a third of a lookup.  Past
    PFN_OBJECTS_CAP a range (equal ints, new objects: the tables work the same, slower)."""
    global _pfn_objects
    if end > PFN_OBJECTS_CAP:
        return range(end)
    have = len(_pfn_objects)
    if have < end:
        _pfn_objects = _pfn_objects + tuple(range(have, end))
    return _pfn_objects


class Zone:
    """struct zone: the pfn span, page counts, watermarks and the buddy free lists.

    Slotted: the buddy allocator's hot path reads and writes a zone's attributes several
    times per call, and an instance whose ``__dict__`` was ever read (a checkpoint's copy
    reads every object's) loses CPython 3.11's fast attribute access for good -- the
    allocator ran 20-26 % slower on every machine a timeline had checkpointed."""

    __slots__ = ("idx", "name", "start_pfn", "spanned", "pfns", "present", "managed",
                 "_lowmem_reserve", "watermark_min", "fast_orders", "_watermark_low",
                 "watermark_high", "free_pages", "free_head", "free_tail", "tail_taken",
                 "buddy_order", "freed_at", "low_at")

    def __init__(self, idx: int, start_pfn: int, end_pfn: int) -> None:
        self.idx = idx
        self.name = ZONE_NAMES[idx]
        self.start_pfn = start_pfn
        self.spanned = end_pfn - start_pfn
        # buddy pfns are these objects ([pfn]); up to the end rounded up to 2^MAX_ORDER,
        # which holds every buddy of a block of the zone
        self.pfns = pfn_objects(-(-end_pfn >> MAX_ORDER) << MAX_ORDER)
        self.present = 0
        self.managed = 0
        self._lowmem_reserve: list[int] = [0, 0, 0, 0]
        self.watermark_min = 0
        self.fast_orders = MAX_ORDER    # orders 0..fast_orders-1: alloc_pages() tests them itself
        self.watermark_low = 0
        self.watermark_high = 0
        # buddy state (owned by engine.buddy): the free page count; each free_area[order]
        # list as two insertion-ordered dicts of pfns -- free_head[order] holds the
        # blocks list_add()ed (the list's head is its *last* key), free_tail[order]
        # those list_add_tail()ed (in list order) -- so the list is
        # reversed(free_head) + free_tail; and buddy_order, every block head's state: the
        # PageBuddy/page_private order of a free block's first page, or for a block
        # alloc_pages() handed out its allocated code (owner + 1) << 4 | order, >= 16
        # (engine.buddy.ALLOCATED), so one dict entry changes per allocation and free.
        self.free_pages = 0
        self.free_head: list[dict[int, None]] = [{} for _ in range(MAX_ORDER)]
        self.free_tail: list[dict[int, None]] = [{} for _ in range(MAX_ORDER)]
        self.tail_taken = [0] * MAX_ORDER     # head pops out of free_tail since it was compacted
        self.buddy_order: dict[int, int] = {}
        # free_pages()'s event of a block that merged with nothing, per order (engine.events)
        self.freed_at = tuple(FreePagesAt(self.name, o) for o in range(MAX_ORDER))

    # alloc_pages()'s watermark test, zone_watermark_ok(low) of order 0 (mm/page_alloc.c):
    # free - (2^order - 1) <= low + lowmem_reserve[classzone] fails, i.e. free < low_at[c][order];
    # low_at[c] has 2 * MAX_ORDER entries: NO_FAST for the orders from fast_orders up and
    # after order 10, so that orders -1..-11 (indexed from the end) fail the test too
    @property
    def watermark_low(self) -> int:
        return self._watermark_low

    @watermark_low.setter
    def watermark_low(self, pages: int) -> None:
        self._watermark_low = pages
        self._low_at()

    @property
    def lowmem_reserve(self) -> list[int]:
        """protection[] per classzone (assign a new list: the thresholds follow it)."""
        return self._lowmem_reserve

    @lowmem_reserve.setter
    def lowmem_reserve(self, pages: list[int]) -> None:
        self._lowmem_reserve = pages
        self._low_at()

    def _low_at(self) -> None:
        """low_at from the watermark, the reserves and fast_orders.  A row keeps its identity
        (its values are replaced in place): alloc_pages()'s entry per GFP argument holds
        the row of its classzone (engine.page_alloc.PageAllocator.gfp_entry)."""
        low, fast = self._watermark_low, self.fast_orders
        rows = [[low + r + (1 << o) if o < fast else NO_FAST for o in range(MAX_ORDER)]
                + [NO_FAST] * MAX_ORDER for r in self._lowmem_reserve]
        try:
            have = self.low_at
        except AttributeError:                   # (__init__)
            have = None
        if have is None or len(have) != len(rows):
            self.low_at = rows
            return
        for row, new in zip(have, rows):
            row[:] = new

    def set_fast_orders(self, n: int) -> None:
        """The orders (0..n-1) whose low watermark test alloc_pages() makes itself, the
        release's (engine.page_alloc): the others always get NO_FAST in low_at."""
        self.fast_orders = n
        self._low_at()

    def __deepcopy__(self, memo) -> "Zone":
        """copy.deepcopy: pfns (pfn_objects(), shared by every machine) is not copied."""
        memo[id(self.pfns)] = self.pfns
        new = memo[id(self)] = Zone.__new__(Zone)
        for k in Zone.__slots__:
            setattr(new, k, deepcopy(getattr(self, k), memo))
        return new

    @property
    def end_pfn(self) -> int:
        return self.start_pfn + self.spanned

    @property
    def is_highmem(self) -> bool:
        return self.idx == 2

    @property
    def populated(self) -> bool:
        return self.present > 0

    @property
    def nr_free(self) -> list[int]:
        """free_area[order].nr_free for order 0..10 (counted from the lists: a new list)."""
        return [len(h) + len(t) for h, t in zip(self.free_head, self.free_tail)]

    @property
    def free_area(self) -> list[int]:
        """free_area[order].nr_free for order 0..10."""
        return self.nr_free

    def free_list(self, order: int) -> list[int]:
        """The pfns on free_area[order], head first (the next one handed out first)."""
        return [*reversed(self.free_head[order]), *self.free_tail[order]]

    def contains(self, pfn: int) -> bool:
        return self.start_pfn <= pfn < self.start_pfn + self.spanned

    def __repr__(self) -> str:
        return (f"Zone({self.name}, start_pfn={self.start_pfn:#x}, spanned={self.spanned}, "
                f"present={self.present}, managed={self.managed}, free={self.free_pages})")


def calculate_min_free_kbytes(lowmem_kbytes: int, clamp_max: int) -> int:
    """int_sqrt(lowmem_kbytes * 16), clamped (mm/page_alloc.c)."""
    return max(128, min(isqrt(lowmem_kbytes * 16), clamp_max))


def recommended_min_free_kbytes(nr_lowmem_zones: int, pageblock_nr_pages: int,
                                nr_free_buffer_pages: int) -> int:
    """khugepaged's set_recommended_min_free_kbytes() (mm/khugepaged.c, 6.1)."""
    migrate_pcptypes = 3
    rec = pageblock_nr_pages * nr_lowmem_zones * 2
    rec += pageblock_nr_pages * nr_lowmem_zones * migrate_pcptypes * migrate_pcptypes
    rec = min(rec, nr_free_buffer_pages // 20)
    return rec << 2


def watermark_size_of(flavour, early: dict[str, int] | None):
    """A zone's size as the watermark code reads it: managed pages (present before 3.9),
    plus the pages freed between mem_init() and the initcall (early, by zone name)."""
    if not flavour.managed_pages:
        return lambda z: z.present
    extra = early or {}
    return lambda z: z.managed + extra.get(z.name, 0)


def setup_per_zone_wmarks(zones: list[Zone], min_free_kbytes: int, flavour,
                          early: dict[str, int] | None = None) -> None:
    """__setup_per_zone_wmarks() of the flavour (REFERENCE §5); early: pages per zone name
    already freed when the initcall runs but not yet in z.managed."""
    pages_min = min_free_kbytes >> 2
    size_of = watermark_size_of(flavour, early)
    # is_highmem(ZONE_MOVABLE) holds when movable_zone is HighMem, i.e. HighMem is populated
    movable_high = len(zones) > 2 and zones[2].present > 0
    is_high = lambda z: z.is_highmem or (z.idx == 3 and movable_high)
    lowmem_pages = sum(size_of(z) for z in zones if not is_high(z) and z.idx < 3)
    for z in zones:
        size = size_of(z)
        tmp = pages_min * size // lowmem_pages if lowmem_pages else 0
        if is_high(z):
            wmin = max(32, min(size // 1024, 128))
        else:
            wmin = tmp
        if flavour.watermark_scale:
            d = max(tmp >> 2, size * 10 // 10000)      # watermark_scale_factor = 10
            z.watermark_min, z.watermark_low, z.watermark_high = wmin, wmin + d, wmin + 2 * d
        else:
            z.watermark_min = wmin
            z.watermark_low = wmin + (tmp >> 2)
            z.watermark_high = wmin + (tmp >> 1)


def setup_per_zone_lowmem_reserve(zones: list[Zone], ratios: tuple[int, ...], flavour,
                                  early: dict[str, int] | None = None) -> None:
    """setup_per_zone_lowmem_reserve(): lower zone i keeps sum(managed of i+1..j)/ratio[i] for j
    (early as for setup_per_zone_wmarks)."""
    size_of = watermark_size_of(flavour, early)
    nr = len(zones)
    for i, lower in enumerate(zones):
        reserve = [0] * nr
        ratio = ratios[i] if i < len(ratios) else 0
        acc = 0
        for j in range(i + 1, nr):
            acc += size_of(zones[j])
            reserve[j] = acc // ratio if ratio and size_of(lower) else 0
        lower.lowmem_reserve = reserve                 # (a new list: Zone.low_at follows)


class _NoZone:
    """The first zone alloc_pages() (engine.page_alloc) tries for a GFP argument whose
    zonelist is empty: its test always fails (every order NO_FAST), so choose_zone()
    reports the failure."""
    free_pages = 0
    low_at = ((NO_FAST,) * (2 * MAX_ORDER),) * 4
    free_head = ()


NO_ZONE = _NoZone()
