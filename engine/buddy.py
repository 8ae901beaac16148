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
"""
from __future__ import annotations

from .events import AllocPages, FreePages, Merge, Split
from .physmem import OWNER_FREE, OWNER_NAMES, MemMap
from .zone import MAX_ORDER, Zone


def rmqueue(z: Zone, order: int, events: list | None) -> int:
    """__rmqueue_smallest() + expand(): returns the first pfn, or -1 if no block is free."""
    nxt, prv, bo, nr = z.next, z.prev, z.buddy_order, z.nr_free
    for current in range(order, MAX_ORDER):
        pfn = nxt[-1 - current]
        if pfn >= 0:
            break
    else:
        return -1
    # list_del of the head block
    n = nxt.pop(pfn)
    del prv[pfn]
    nxt[-1 - current] = n
    prv[n] = -1 - current
    del bo[pfn]
    nr[current] -= 1
    while current > order:                 # expand(): upper halves to the list heads
        current -= 1
        upper = pfn + (1 << current)
        s = -1 - current
        first = nxt[s]
        nxt[upper] = first
        prv[upper] = s
        prv[first] = upper
        nxt[s] = upper
        bo[upper] = current
        nr[current] += 1
        if events is not None:
            events.append((Split, z.name, pfn, current, upper))
    z.free_pages -= 1 << order
    return pfn


def free_one_page(z: Zone, pfn: int, order: int, to_tail: bool, events: list | None,
                  merge_likely: bool = True) -> tuple[int, int]:
    """__free_one_page(): merge with free buddies, then put the block on its list.

    6.x puts the block at the list *tail* when its next-higher buddy is free
    (buddy_merge_likely) so it stays free longer; 2.6 always uses the head.
    """
    z.free_pages += 1 << order
    bo = z.buddy_order
    start, end = z.start_pfn, z.start_pfn + z.spanned
    while order < MAX_ORDER - 1:
        buddy = pfn ^ (1 << order)
        if bo.get(buddy) != order or not (start <= buddy < end):
            break
        nxt, prv, nr = z.next, z.prev, z.nr_free
        n = nxt.pop(buddy)                  # list_del(buddy)
        p = prv.pop(buddy)
        nxt[p] = n
        prv[n] = p
        del bo[buddy]
        nr[order] -= 1
        merged = pfn & buddy
        if events is not None:
            events.append((Merge, z.name, pfn, buddy, order, merged))
        pfn = merged
        order += 1
    if not to_tail and merge_likely and order < MAX_ORDER - 2:
        higher = pfn & ~(1 << order)          # combined pfn at order + 1
        higher_buddy = higher ^ (1 << (order + 1))
        to_tail = bo.get(higher_buddy) == order + 1 and start <= higher_buddy < end
    nxt, prv = z.next, z.prev
    s = -1 - order
    if to_tail:
        last = prv[s]
        prv[pfn] = last
        nxt[pfn] = s
        nxt[last] = pfn
        prv[s] = pfn
    else:
        first = nxt[s]
        nxt[pfn] = first
        prv[pfn] = s
        prv[first] = pfn
        nxt[s] = pfn
    bo[pfn] = order
    z.nr_free[order] += 1
    return pfn, order


_FILL: dict[tuple[int, int], bytes] = {}


def _fill(owner: int, order: int) -> bytes:
    b = _FILL.get((owner, order))
    if b is None:
        b = _FILL[(owner, order)] = bytes([owner]) * (1 << order)
    return b


class BuddyAllocator:
    """The page allocator core over all zones, with mem_map bookkeeping.

    mem_map columns are written through memoryviews (30 ns a store instead of
    numpy's 80-350 ns): the allocator is the hottest path of the engine.
    """

    def __init__(self, zones: list[Zone], memmap: MemMap, merge_likely: bool) -> None:
        self.zones = zones
        self.memmap = memmap
        self.merge_likely = merge_likely
        # head pfn -> order of every block handed out by alloc_pages (for checks on free)
        self.allocated: dict[int, int] = {}
        self._views()

    def _views(self) -> None:
        self._owner = memoryview(self.memmap.owner)
        self._refcount = memoryview(self.memmap.refcount)
        self._zone = memoryview(self.memmap.zone)
        self._cow = self.memmap.cow_pfn      # before a memoryview store: copy-on-write

    def __getstate__(self):
        state = dict(self.__dict__)
        for view in ("_owner", "_refcount", "_zone", "_cow"):
            state.pop(view, None)
        return state

    def __setstate__(self, state) -> None:
        self.__dict__.update(state)
        self._views()

    def take(self, z: Zone, order: int, owner: int, gfp_name: str, events: list | None) -> int:
        pfn = rmqueue(z, order, events)
        if pfn < 0:
            return -1
        self._cow(pfn)
        if order:
            self._owner[pfn:pfn + (1 << order)] = _fill(owner, order)
        else:
            self._owner[pfn] = owner
        self._refcount[pfn] = 1
        self.allocated[pfn] = order
        if events is not None:
            events.append((AllocPages, z.name, pfn, order, gfp_name, OWNER_NAMES[owner]))
        return pfn

    def give_back(self, z: Zone, pfn: int, order: int, events: list | None) -> None:
        self._cow(pfn)
        if order:
            self._owner[pfn:pfn + (1 << order)] = _fill(OWNER_FREE, order)
        else:
            self._owner[pfn] = OWNER_FREE
        self._refcount[pfn] = 0
        del self.allocated[pfn]
        fpfn, forder = free_one_page(z, pfn, order, False, events, self.merge_likely)
        if events is not None:
            events.append((FreePages, z.name, pfn, order, fpfn, forder))
