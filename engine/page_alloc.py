"""The page allocator's policy (mm/page_alloc.c): zonelists, watermarks, fallback, frees.

The buddy lists themselves are engine.buddy (rmqueue/expand, __free_one_page) and
engine.zone (free_area, watermarks setup); this module is get_page_from_freelist(),
zone_watermark_ok(), __alloc_pages() and __free_pages() with the free_pages_check()
complaints.  ``Machine.alloc_pages``/``free_pages`` delegate here; the events of the
hottest path are raw tuples (engine.trace).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import physmem as pm
from .buddy import (ALLOC_CODE, ALLOCATED, BuddyAllocator, alloc_code_owner,
                    free_one_page, rmqueue, take_first)
from .errors import ConfigError, OutOfMemory
from .events import (AllocFail, AllocPages, AllocPagesAt, Fallback, FreePages,
                     WatermarkCheck)
from .gfp import GfpTable
from .kmsg_notes import note
from .physmem import OWNER_NAMES, OWNER_PAGES
from .zone import MAX_ORDER, NO_FAST, NO_ZONE, Zone

if TYPE_CHECKING:
    from .machine import Machine


class PageAllocator:
    """The zoned buddy allocator of one machine: ``m.page_alloc``.

    ``zones`` are all the kernel's zones (empty ones included), ``buddy`` the free lists
    and mem_map owner columns, ``gfp`` the flavour's GFP flag table."""

    def __init__(self, m: "Machine", zones: list[Zone], memmap, merge_likely: bool) -> None:
        self.m = m
        self.zones = zones
        self.gfp = GfpTable(m.config.flavour)
        self.buddy = BuddyAllocator(zones, memmap, merge_likely=merge_likely, trace=m.trace)
        self._zonelists: dict[int, tuple[list[Zone], int]] = {}
        self._fast: dict = {}
        self._failure_messages: dict[tuple, str] = {}      # (comm, order, mask) -> warn_alloc line
        self._gfp_zero = self.gfp.ZERO
        # orders whose watermark test alloc_pages() inlines: order 0; from 4.4 any order
        # (zone_watermark_fast() then only asks for a free block of that order or above)
        self._any_free_order = m.config.flavour.watermark_any_free_order
        self._hot_orders = MAX_ORDER if self._any_free_order else 1
        for z in zones:
            z.set_fast_orders(self._hot_orders)

    def zonelist(self, mask: int) -> tuple[list[Zone], int]:
        """(zonelist, classzone index) for a GFP mask: highest allowed zone first, then down
        (build_zonelists + gfp_zone)."""
        hit = self._zonelists.get(mask)
        if hit is None:
            high = self.gfp.high_zoneidx(mask, self.zones[2].present > 0)
            zl = [z for z in reversed(self.zones[: high + 1]) if z.present]
            hit = self._zonelists[mask] = (zl, high)
        return hit

    def watermark_ok(self, z: Zone, order: int, mark: int, classzone: int, alloc_high: bool,
                     alloc_harder: bool) -> bool:
        """zone_watermark_ok() of the flavour (mark and free counts in pages)."""
        mn = mark
        if alloc_high:
            mn -= mn // 2
        if alloc_harder:
            mn -= mn // 4
        free = z.free_pages - ((1 << order) - 1)
        if free <= mn + z.lowmem_reserve[classzone]:
            return False
        return not order or self._order_ok(z, order, free, mn)

    def _order_ok(self, z: Zone, order: int, free: int, mn: int) -> bool:
        """The order > 0 part of zone_watermark_ok(), once the free pages pass the mark."""
        if self._any_free_order:           # 4.4+: a free block of that order or above
            heads, tails = z.free_head, z.free_tail
            return any(heads[o] or tails[o] for o in range(order, MAX_ORDER))
        heads, tails = z.free_head, z.free_tail
        for o in range(order):             # 2.6.24: discount lower-order free pages
            free -= (len(heads[o]) + len(tails[o])) << o     # free_area[o].nr_free
            mn >>= 1
            if free <= mn:
                return False
        return True

    def choose_zone(self, mask: int, order: int, zonelist: list[Zone], classzone: int,
                    gfp_name: str, events) -> Zone:
        """__alloc_pages(): the first zone of the zonelist above its low watermark, then above
        its min watermark (ALLOC_HIGH/ALLOC_HARDER by the mask), whose free lists can give
        a 2^order block (once a zone passes its watermark, rmqueue() finds one).
        zone_watermark_ok() is inlined; the events are raw tuples (engine.trace).

        Raises ConfigError for an order outside 0..MAX_ORDER-1, OutOfMemory ("page
        allocation failure: order:N, mode:...") when no zone can give the block."""
        if not 0 <= order < MAX_ORDER:
            raise ConfigError(f"order: must be 0..10 (MAX_ORDER is 11), got {order}")
        gfp = self.gfp
        lower = (1 << order) - 1
        for mark_name in ("low", "min"):
            slow = mark_name == "min"
            alloc_high = slow and bool(mask & gfp.HIGH)
            alloc_harder = slow and (bool(mask & gfp.ATOMIC) if gfp.ATOMIC
                                     else not mask & gfp.WAIT)
            prev = None
            for z in zonelist:
                mark = mn = z.watermark_min if slow else z.watermark_low
                if alloc_high:
                    mn -= mn // 2
                if alloc_harder:
                    mn -= mn // 4
                reserve = z.lowmem_reserve[classzone]
                free = z.free_pages - lower
                if free > mn + reserve and (not order or self._order_ok(z, order, free, mn)):
                    if prev is not None and events is not None:
                        events.append((Fallback, prev.name, z.name))
                    return z
                if events is not None:
                    events.append((WatermarkCheck, z.name, mark_name, z.free_pages, mark + reserve))
                prev = z
        key = (self.m.comm, order, mask)
        msg = self._failure_messages.get(key)
        if msg is None:                    # (a repeat step may fail thousands of times)
            from .kmsg import alloc_failure_message
            msg = self._failure_messages[key] = alloc_failure_message(
                self.m.config.flavour, self.m.comm, order, mask, gfp.format(mask))
        if events is not None:
            events.append((AllocFail, order, gfp_name, msg))
        raise _alloc_failure(msg, mask, order, self.m.trace)

    def gfp_entry(self, gfp) -> tuple:
        """(first zone of the zonelist, or NO_ZONE, that zone's low_at row of the classzone
        (Zone.low_at: the row object, which keeps its identity), zero, the AllocPagesAt
        event makers of that zone by allocated code, (mask, zonelist, name, the orders for
        which alloc_pages() tries the first zone itself (a frozenset), first zone or None,
        classzone index), MemMap.pend, the machine's Trace) for a GFP argument (a str or an
        int), kept per argument: a mask is parsed once.  Raises ConfigError for a flag the
        release does not have.  (A checkpoint copies the entries with the machine: the trace is the
        copy's, pend mem_map's own, engine.checkpoint.)"""
        entry = self._fast.get(gfp)
        if entry is None:
            mask = self.gfp.parse(gfp)
            zonelist, classzone = self.zonelist(mask)
            name = gfp if isinstance(gfp, str) else hex(gfp)
            first = zonelist[0] if zonelist else None
            makers = None if first is None else tuple(    # [ALLOC_CODE[owner][order]]
                AllocPagesAt(first.name, code & 15, name, OWNER_NAMES[alloc_code_owner(code)])
                if code >= ALLOCATED and code & 15 < MAX_ORDER else None
                for code in range(ALLOC_CODE[-1][-1] + 1))
            hot = frozenset(range(self._hot_orders if zonelist else 0))
            z = NO_ZONE if first is None else first
            entry = (z, z.low_at[classzone], bool(mask & self._gfp_zero),
                     makers, (mask, zonelist, name, hot, first, classzone), self.buddy._pend,
                     self.m.trace)
            if type(gfp) is str or type(gfp) is int:
                self._fast[gfp] = entry
        return entry

    def free(self, pfn: int, order: int, events, expect_owner: int | None = pm.OWNER_PAGES) -> None:
        """__free_pages() with free_pages_check(): the block must be the head of an
        allocated block of that order owned by ``expect_owner`` (an OWNER_* code; None:
        any).  Raises BadFree ("BUG: Bad page state ...") otherwise, nothing changed.
        The events go to the running operation (``events`` is its list: m.trace)."""
        m = self.m
        z = None
        for zz in self.zones:
            if zz.start_pfn <= pfn < zz.start_pfn + zz.spanned:
                z = zz
                break
        if z is None:
            raise _bad_page(m, pfn, note("bad_page_not_ram", pfn=f"{pfn:#x}"))
        code = z.buddy_order.get(pfn)
        if code is None or code < ALLOCATED:
            mm = m.memmap
            if code is not None or mm.owner[pfn] == pm.OWNER_FREE:
                raise _bad_page(m, pfn, note("bad_page_double"))
            if mm.flags[pfn] & pm.PG_reserved:
                raise _bad_page(m, pfn, note("bad_page_reserved"))
            raise _bad_page(m, pfn, note("bad_page_not_head"))
        got = code & 15
        if got != order:
            raise _bad_page(m, pfn, note("bad_page_order", order=order, got=got))
        owner = alloc_code_owner(code)
        if expect_owner is not None and owner != expect_owner:
            raise _bad_page(m, pfn, note("bad_page_owner", owner=pm.OWNER_NAMES[owner]))
        _free_block(m, z, pfn, order)


def _bad_page(m: "Machine", pfn: int, why: str):
    """engine.kmsg_page.bad_page(), imported when a free is refused (not by a step that
    frees well: scenarios.timeline's list of late imports)."""
    from .kmsg_page import bad_page
    return bad_page(m, pfn, why)


def _alloc_failure(msg: str, mask: int, order: int, trace=None) -> OutOfMemory:
    """The error, carrying the mask and order for the OOM killer (built in a function:
    a local in the raising frame would tie the exception and the frame in a cycle).
    alloc_pages() called on its own opens no bracket: its failure is reported here."""
    err = OutOfMemory(msg)
    err.gfp_mask, err.order = mask, order
    if trace is not None and not trace.depth and trace.on_failure is not None:
        trace.on_failure(err)                      # warn_alloc() (engine.kmsg)
    return err


_SIZES = tuple(1 << o for o in range(MAX_ORDER))          # pages in a block of each order
_TOP_ORDER = MAX_ORDER - 1
_PAGES_CODE = ALLOC_CODE[OWNER_PAGES][0]                   # + order: an alloc_pages() block
_UP = tuple(range(1, MAX_ORDER + 1))                        # [order]: order + 1 (a subscript
#                                                             costs less than an addition)


# -- Machine.alloc_pages / Machine.free_pages --------------------------------------------
# The hottest path of the engine (a lesson's ``repeat`` allocates thousands of pages):
# one function each, installed on Machine as its methods, with the trace bracket
# (Trace.begin), the common get_page_from_freelist() case and rmqueue() without a split
# inlined; events are raw tuples (engine.trace builds them on reading), and the mem_map
# stores (owner over the block, refcount of its head) one dict store in MemMap.pend,
# applied when mem_map is read (engine.memmap_log).

def alloc_pages(self: "Machine", gfp="GFP_KERNEL", order: int = 0, owner: int = OWNER_PAGES) -> int:
    """Take a block of 2^order contiguous frames from the buddy allocator.

    Args:
        gfp: a GFP mask, names joined by "|" ("GFP_KERNEL", "GFP_DMA | __GFP_ZERO"), or an int.
        order: log2 of the number of pages, 0..MAX_ORDER-1 (10).
        owner: the mem_map owner class the frames get (engine.physmem.OWNER_*).
    Returns:
        the pfn of the block's first frame.
    Raises:
        OutOfMemory: "insmod: page allocation failure: order:10, mode:0xcc0(GFP_KERNEL), nodemask=(null)".
        ConfigError: "order: must be 0..10 (MAX_ORDER is 11), got 11"
            "gfp: unknown flag 'X' ..." for a GFP name this release does not have.
    Kernel: mm/page_alloc.c alloc_pages() -> __alloc_pages() -> get_page_from_freelist() -> rmqueue()."""
    try:
        z, low_at, zero, makers, slow, pend, tr = self._gfp_fast[gfp]
    except KeyError:                               # first use of this argument
        z, low_at, zero, makers, slow, pend, tr = self.page_alloc.gfp_entry(gfp)
    # get_page_from_freelist(ALLOC_WMARK_LOW): the zonelist's first zone mostly passes its
    # watermark test (order 0; from 4.4 any order, which then only needs a block) and its
    # free_area[order] list has a block: rmqueue() without a split, and no event but ours.
    try:        # low + reserve + 2^order; NO_FAST for the other orders (Zone.low_at)
        low = low_at[order]                        # (z.low_at[classzone])
        head = z.free_head[order]
    except IndexError:                             # an order outside -11..10 (choose_zone()
        low = NO_FAST                              # raises ConfigError)
    if z.free_pages < low:
        return _alloc_slow(self, zero, slow, order, owner)
    if head:
        pfn = head.popitem()[0]                    # list_del() of the list's head
    elif z.free_tail[order]:                       # (the head is the first block added at the
        pfn = take_first(z, z.free_tail[order], order)      # tail: 6.x buddy_merge_likely)
    else:                                          # a split: rmqueue()'s expand()
        return _alloc_slow(self, zero, slow, order, owner)
    z.buddy_order[pfn] = code = ALLOC_CODE[owner][order]
    z.free_pages -= _SIZES[order]
    pend[pfn] = code                               # mem_map: owner, refcount 1 (MemMap.sync)
    if tr.direct:                                  # our only event: its maker and pfn until
        tr.current = makers[code]                  # read (AllocPagesAt: AllocPages(zone, pfn,
        tr.at = pfn                                # ...), engine.trace)
    else:                                          # inside another operation: its list
        tr.add((makers[code], pfn))
    if zero:
        _zero_frames(self, pfn, _SIZES[order])
    return pfn


def _alloc_slow(self: "Machine", zero: bool, slow: tuple, order: int, owner: int) -> int:
    """alloc_pages() past its common case: a split, a watermark or an empty list sends it down
    the zonelist (choose_zone(): min watermark, fallback events, the failure report)."""
    mask, zonelist, name, hot, z, classzone = slow
    events = self.trace.begin()
    pfn = -1
    if order in hot:
        size = _SIZES[order]
        if z.free_pages >= z.low_at[classzone][order]:     # zone_watermark_ok(low)
            pfn = rmqueue(z, order, events, self.buddy._pend)
        if pfn < 0:
            z = self.page_alloc.choose_zone(mask, order, zonelist, classzone, name, events)
            pfn = rmqueue(z, order, events, self.buddy._pend)
    else:               # the first zone above its low watermark (zone_watermark_ok() of that
        if z is not None and 0 <= order < MAX_ORDER:  # order: as choose_zone() tries it first),
            size = _SIZES[order]                      # or every zone, both watermarks
            free = z.free_pages - size
            if free >= z.watermark_low + z.lowmem_reserve[classzone] and \
                    self.page_alloc._order_ok(z, order, free + 1, z.watermark_low):
                pfn = rmqueue(z, order, events, self.buddy._pend)
        if pfn < 0:
            z = self.page_alloc.choose_zone(mask, order, zonelist, classzone, name, events)
            pfn = rmqueue(z, order, events, self.buddy._pend)
            size = _SIZES[order]
    z.buddy_order[pfn] = code = ALLOC_CODE[owner][order]    # (rmqueue() counted the pages)
    self.buddy._pend[pfn] = code                   # mem_map: owner, refcount 1 (MemMap.sync)
    ev = (AllocPages, z.name, pfn, order, name, OWNER_NAMES[owner])
    if events is not None:
        events.append(ev)
    if zero:
        _zero_frames(self, pfn, size)
    return pfn


def _zero_frames(m: "Machine", pfn: int, size: int) -> None:
    """__GFP_ZERO: clear_highpage() of every frame of the block."""
    for p in range(pfn, pfn + size):
        m.frames.zero_frame(p)


def _store(b: BuddyAllocator, pfn: int, code: int) -> None:
    """mem_map's owner column over a block and its head's refcount, deferred
    (engine.memmap_log): ``code`` is an allocated code, or a freed block's order."""
    b._pend[pfn] = code


def free_pages(self: "Machine", pfn: int, order: int = 0) -> None:
    """Give a block of 2^order frames back; it merges with its free buddies.

    Args:
        pfn: the block's first frame (as alloc_pages returned it).
        order: log2 of the number of pages, as allocated.
    Returns:
        None.
    Raises:
        BadFree: "BUG: Bad page state in process insmod  pfn:01d71" and the page dump of the
            release (before 2.6.29 "Bad page state in process 'insmod'", the page line and two
            fixed lines; engine.kmsg_page), then mmviz's notes on lines of their own: what the
            dump leaves out, "[double free: the page is already free]", "[freed with order 0, allocated
            with order 1]", ... (engine.kmsg_notes.NOTES).
    Kernel: mm/page_alloc.c __free_pages() -> __free_one_page()."""
    b = self.buddy
    z = b.hint                                     # the zone of the last block freed
    bo = z.buddy_order                             # (its block heads only)
    try:                                           # (a subscript costs less than .get())
        code = bo[pfn]
    except KeyError:                               # another zone's, or no block head
        code = None
    if code != _PAGES_CODE + order:                # or not such a block
        return _free_other(self, pfn, order)
    b._pend[pfn] = order                           # mem_map: free, refcount 0 (MemMap.sync)
    size = _SIZES[order]
    # (the probes below look up new ints, not Zone.pfns' shared objects: a found key is then
    # compared, but the 2 MB tuple and the int objects it points to, read for the hash, were
    # a cache miss each once the tables outgrew the caches: 6 % of an alloc/free pair from
    # 40,000 live blocks, none from a few hundred, bench_buddy_ratio --live)
    if bo.get(pfn ^ size) == order and order < _TOP_ORDER:
        return _free_merge(self, z, pfn, order)    # merges: __free_one_page()
    z.free_pages += size                           # __free_one_page() without a merge
    # buddy_merge_likely(): is the buddy of the pair's order+1 block free at order+1?  Its
    # pfn is min(pfn, buddy) ^ 2 << order, here (pfn | size) ^ size ^ 2 << order in one
    # xor (BuddyAllocator.likely_key; where the release or the order has no
    # buddy_merge_likely(): min(pfn, buddy), never such a block)
    if bo.get((pfn | size) ^ b.likely_key[order]) == _UP[order]:
        z.free_tail[order][pfn] = None
    else:
        z.free_head[order][pfn] = None
    bo[pfn] = order
    tr = b.trace                                   # (self.trace: a slower dict lookup)
    if tr.direct:                                  # our only event: its maker and pfn until
        tr.current = z.freed_at[order]             # read (FreePagesAt: FreePages(zone, pfn,
        tr.at = pfn                                # ...), engine.trace)
    else:
        tr.add((z.freed_at[order], pfn))


def _free_other(self: "Machine", pfn: int, order: int) -> None:
    """free_pages() of a block outside the zone it tried first (mem_map's zone column
    says which): that zone is tried first from now on; else free_pages_check() says why."""
    b = self.buddy
    try:
        z = b.zones[b._zone[pfn]]
    except IndexError:                             # not a frame of mem_map
        return _free_checked(self, pfn, order)
    if z is b.hint or z.buddy_order.get(pfn) != _PAGES_CODE + order:
        return _free_checked(self, pfn, order)
    b.hint = z
    return free_pages(self, pfn, order)


def _free_checked(self: "Machine", pfn: int, order: int) -> None:
    """free_pages() of a block that is not the head of an order-``order`` alloc_pages() block:
    PageAllocator.free() finds the zone again and raises BadFree with the reason."""
    self.page_alloc.free(pfn, order, self.trace.begin())


def _free_block(m: "Machine", z: Zone, pfn: int, order: int) -> None:
    """__free_pages() of a checked block: mem_map back to free, __free_one_page()."""
    _store(m.buddy, pfn, order)
    _free_merge(m, z, pfn, order)


def _free_merge(m: "Machine", z: Zone, pfn: int, order: int) -> None:
    """__free_one_page() (merges) of a block whose mem_map is free again, and the
    FreePages event."""
    events = m.trace.begin()
    fpfn, forder = free_one_page(z, pfn, order, False, events, m.buddy.merge_likely)
    if events is not None:
        events.append((FreePages, z.name, pfn, order, fpfn, forder))
