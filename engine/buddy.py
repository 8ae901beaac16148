"""The buddy allocator, after mm/page_alloc.c.

Per zone, free_area[0..10] holds free blocks of 2^order pages, each starting at
a pfn aligned to its size.  Allocation takes the *head* of the smallest
non-empty list at or above the requested order and ``expand()``s it: the upper
half of each split goes back on the lower list's head.  Freeing merges with the
buddy ``pfn ^ (1 << order)`` while that buddy is a free block of the same order
in the same zone.

Simplified (documented in the README): one free list per order -- the
migratetype lists of 2.6.24+ (UNMOVABLE/MOVABLE/RECLAIMABLE...) and pageblock
stealing are not modelled; buddyinfo sums those lists, so its counts keep their
meaning.  Per-CPU page lists (pcp) are not modelled: every order-0 page goes
straight to and from the buddy lists.

On the hot paths events are appended as raw tuples ``(EventClass, *fields)``;
``Machine.events`` turns them into event objects when they are read (a NamedTuple
costs ~0.5 us to build, a tuple ~0.05 us).

Each zone's ``buddy_order`` maps the head pfn of every block to its state: a free
block's order (PageBuddy + page_private in the kernel), or for a block handed out by
alloc_pages() an *allocated code* ``(owner + 1) << 4 | order`` (>= 16: never equal to
an order), so allocation and free each change one dict entry and free_pages_check()
reads the block's order and owner there (the kernel reads them from struct page).
"""
from __future__ import annotations

from .events import Merge, Split
from .physmem import OWNER_NAMES, MemMap
from .trace import Trace
from .zone import MAX_ORDER, Zone


def take_first(z: Zone, tail: dict, order: int) -> int:
    """list_del() of the head of free_area[order] when it is in free_tail (free_head empty).

    A dict keeps deleted keys' slots until it grows, and iteration starts over them: after
    as many takes as live keys the dict is rebuilt, so a take stays O(1) amortized."""
    pfn = next(iter(tail))
    del tail[pfn]
    n = z.tail_taken[order] = z.tail_taken[order] + 1
    if n > 64 and n > len(tail):
        z.free_tail[order] = dict(tail)
        z.tail_taken[order] = 0
    return pfn


ALLOCATED = 16                      # buddy_order values from here up: allocated blocks
# the allocated code of a block, per owner and order: (owner + 1) << 4 | order
ALLOC_CODE = tuple(tuple(((owner + 1) << 4) | order for order in range(MAX_ORDER))
                   for owner in range(len(OWNER_NAMES)))


def alloc_code_owner(code: int) -> int:
    """The OWNER_* code of an allocated code."""
    return (code >> 4) - 1


def rmqueue(z: Zone, order: int, events: list | None, pend: dict | None = None) -> int:
    """__rmqueue_smallest() + expand(): returns the first pfn, or -1 if no block is free.
    The block's buddy_order entry is left for the caller to mark allocated; each upper
    half split off goes into ``pend`` (MemMap.pend, engine.memmap_log): ``-1 - order``, or
    its order where a free of a block at that pfn is recorded (refcount 0 stays to store)."""
    heads, tails = z.free_head, z.free_tail
    for current in range(order, MAX_ORDER):
        head = heads[current]
        if head:
            pfn = head.popitem()[0]          # list_del of the head block
            break
        if tails[current]:
            pfn = take_first(z, tails[current], current)
            break
    else:
        return -1
    bo = z.buddy_order
    while current > order:                 # expand(): upper halves to the list heads
        current -= 1
        upper = z.pfns[pfn + (1 << current)]
        heads[current][upper] = None
        bo[upper] = current
        if pend is not None:                 # (a free recorded there keeps its refcount 0)
            pend[upper] = current if pend.get(upper, -1) >= 0 else -1 - current
        if events is not None:
            events.append((Split, z.name, pfn, current, upper))
    z.free_pages -= 1 << order
    return pfn


def free_one_page(z: Zone, pfn: int, order: int, to_tail: bool, events: list | None,
                  merge_likely: bool = True) -> tuple[int, int]:
    """__free_one_page(): merge with free buddies, then put the block on its list.

    6.x puts the block at the list *tail* when its next-higher buddy is free
    (buddy_merge_likely) so it stays free longer; 2.6 always uses the head.
    The block's own buddy_order entry (an allocated code) is replaced or dropped.
    """
    z.free_pages += 1 << order
    bo = z.buddy_order          # this zone's blocks only: no zone test needed
    pfns = z.pfns               # (the tables' keys are these objects: Zone.pfns)
    pfn = pfns[pfn]
    if pfn in bo:
        del bo[pfn]
    while order < MAX_ORDER - 1:
        buddy = pfns[pfn ^ (1 << order)]
        if bo.get(buddy) != order:
            break
        head = z.free_head[order]             # list_del(buddy)
        if buddy in head:
            del head[buddy]
        else:
            del z.free_tail[order][buddy]
            z.tail_taken[order] += 1
        del bo[buddy]
        merged = pfn if pfn < buddy else buddy        # pfn & buddy
        if events is not None:
            events.append((Merge, z.name, pfn, buddy, order, merged))
        pfn = merged
        order += 1
    if not to_tail and merge_likely and order < MAX_ORDER - 2:
        higher = pfn & ~(1 << order)          # combined pfn at order + 1
        higher_buddy = higher ^ (1 << (order + 1))
        to_tail = bo.get(pfns[higher_buddy]) == order + 1
    if to_tail:
        z.free_tail[order][pfn] = None
    else:
        z.free_head[order][pfn] = None
    bo[pfn] = order
    return pfn, order


class BuddyAllocator:
    """The buddy state over all zones besides the zones' free lists and block heads: a
    memoryview of mem_map's zone column (which zone a freed frame is in) and mem_map's
    deferred owner/refcount stores (``_pend``: MemMap.pend, engine.memmap_log).
    The allocation and free paths that use them are engine.page_alloc's alloc_pages()
    and free_pages() (the engine's hottest path)."""

    # (slotted as engine.zone.Zone is: free_pages() reads hint, _pend, likely_key and trace)
    __slots__ = ("zones", "memmap", "merge_likely", "likely_below", "likely_key", "hint",
                 "trace", "_zone", "_pend")

    def __init__(self, zones: list[Zone], memmap: MemMap, merge_likely: bool, trace: Trace) -> None:
        self.zones = zones
        self.trace = trace                   # the machine's (engine.trace)
        self.memmap = memmap
        self.merge_likely = merge_likely
        # orders below this: a freed block buddy_merge_likely() may put at the list's tail
        self.likely_below = MAX_ORDER - 2 if merge_likely else 0
        # per order, what turns pfn | 2^order into the buddy of the order+1 block that pfn
        # and its buddy make ((pfn | 2^order) ^ 2^order is min(pfn, buddy), that block's
        # pfn): 2^order ^ 2 << order below likely_below; else 2^order, which gives
        # min(pfn, buddy) itself, never a free block of order + 1 (pfn is an allocated
        # block's head, the buddy below it no free block covering it)
        self.likely_key = tuple((1 << o) ^ (2 << o if o < self.likely_below else 0)
                                for o in range(MAX_ORDER))
        # the zone free_pages() looks in first: the one its last block was in (the largest
        # populated zone until then)
        self.hint = max(zones, key=lambda z: z.present)
        self._views()

    @property
    def allocated(self) -> dict[int, int]:
        """head pfn -> order of every block handed out by alloc_pages (a new dict, built
        from the zones' buddy_order: for one block use :meth:`allocated_order`)."""
        return {pfn: code & 15 for z in self.zones for pfn, code in z.buddy_order.items()
                if code >= ALLOCATED}

    def allocated_order(self, pfn: int) -> int | None:
        """The order of the allocated block whose head is ``pfn``, None if it is not one."""
        code = self.allocated_code(pfn)
        return None if code is None else code & 15

    def allocated_code(self, pfn: int) -> int | None:
        """The allocated code ``(owner + 1) << 4 | order`` of the block whose head is
        ``pfn``, None if it is not the head of an allocated block."""
        if not 0 <= pfn < len(self._zone) or self._zone[pfn] < 0:
            return None
        code = self.zones[self._zone[pfn]].buddy_order.get(pfn)
        return code if code is not None and code >= ALLOCATED else None

    def _views(self) -> None:
        mm = self.memmap
        self._zone = memoryview(mm.zone)
        self._pend = mm.pend                 # head pfn -> code per block (MemMap.sync applies them)

    def __getstate__(self):
        """Every slot but the views of mem_map (rebuilt by __setstate__)."""
        return {k: getattr(self, k) for k in self.__slots__ if k not in ("_zone", "_pend")}

    def __setstate__(self, state) -> None:
        for k, v in state.items():
            setattr(self, k, v)
        self._views()
