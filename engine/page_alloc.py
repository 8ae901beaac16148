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
from .buddy import BuddyAllocator, _fill, free_one_page, rmqueue
from .errors import BadFree, ConfigError, OutOfMemory
from .events import AllocFail, AllocPages, Fallback, FreePages, WatermarkCheck
from .gfp import GfpTable
from .physmem import OWNER_NAMES
from .physmem import OWNER_PAGES as _OWNER_PAGES
from .zone import MAX_ORDER, Zone

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
        self.buddy = BuddyAllocator(zones, memmap, merge_likely=merge_likely)
        self._zonelists: dict[int, tuple[list[Zone], int]] = {}
        self._fast: dict = {}
        self._gfp_zero = self.gfp.ZERO
        self._order_fast = m.config.flavour.watermark_any_free_order   # order > 0 on the fast path too

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
        free = z.free_pages - ((1 << order) - 1)
        mn = mark
        if alloc_high:
            mn -= mn // 2
        if alloc_harder:
            mn -= mn // 4
        if free <= mn + z.lowmem_reserve[classzone]:
            return False
        if not order:
            return True
        if self.m.config.flavour.watermark_any_free_order:
            return any(z.nr_free[o] for o in range(order, len(z.nr_free)))
        for o in range(order):             # 2.6.24: discount lower-order free pages
            free -= z.nr_free[o] << o
            mn >>= 1
            if free <= mn:
                return False
        return True

    def slow_alloc(self, mask: int, order: int, owner: int, gfp_name: str, events) -> int:
        """__alloc_pages(): the low, then the min watermark over the zonelist.

        Raises ConfigError for an order outside 0..MAX_ORDER-1, OutOfMemory ("page
        allocation failure: order:N, mode:...") when no zone can give the block."""
        if not 0 <= order < MAX_ORDER:
            raise ConfigError(f"order: must be 0..10 (MAX_ORDER is 11), got {order}")
        gfp = self.gfp
        zonelist, classzone = self.zonelist(mask)
        for mark_name in ("low", "min"):
            slow = mark_name == "min"
            alloc_high = slow and bool(mask & gfp.HIGH)
            alloc_harder = slow and (bool(mask & gfp.ATOMIC) if gfp.ATOMIC
                                     else not mask & gfp.WAIT)
            prev = None
            for z in zonelist:
                mark = z.watermark_low if not slow else z.watermark_min
                if not self.watermark_ok(z, order, mark, classzone, alloc_high, alloc_harder):
                    if events is not None:
                        events.append(WatermarkCheck(z.name, mark_name, z.free_pages,
                                                     mark + z.lowmem_reserve[classzone]))
                    prev = z
                    continue
                if prev is not None and events is not None:
                    events.append(Fallback(prev.name, z.name))
                pfn = self.buddy.take(z, order, owner, gfp_name, events)
                if pfn >= 0:
                    if mask & gfp.ZERO:
                        for p in range(pfn, pfn + (1 << order)):
                            self.m.frames.zero_frame(p)
                    return pfn
                prev = z
        from .kmsg import alloc_failure_message
        msg = alloc_failure_message(self.m.config.flavour, self.m.comm, order, mask,
                                    gfp.format(mask))
        if events is not None:
            events.append(AllocFail(order, gfp_name, msg))
        raise _alloc_failure(msg, mask, order)

    def _fast_entry(self, gfp) -> tuple:
        """(mask, zonelist, classzone, name, no_fast) for a GFP argument, cached per string."""
        mask = self.gfp.parse(gfp)
        zonelist, classzone = self.zonelist(mask)
        name = gfp if isinstance(gfp, str) else hex(gfp)
        entry = (mask, zonelist, classzone, name, bool(mask & self._gfp_zero))
        if isinstance(gfp, str):
            self._fast[gfp] = entry
        return entry

    def alloc_pages(self, gfp, order: int, owner: int, events) -> int:
        """alloc_pages(): pfn of the first frame of a free 2^order block (see Machine)."""
        fast = self._fast.get(gfp) if gfp.__class__ is str else None
        if fast is None:
            fast = self._fast_entry(gfp)
        mask, zonelist, classzone, name, no_fast = fast
        if not no_fast and (order == 0 or self._order_fast) and 0 <= order < MAX_ORDER:
            # get_page_from_freelist() fast path: the first zone of the zonelist whose free
            # pages stay above its low mark (+ lowmem_reserve); 6.x checks order > 0 the same
            # way, then only asks for a non-empty free_area[o >= order] (rmqueue finds it)
            mark = len(events) if events is not None else 0
            prev = None
            for z in zonelist:
                if z.free_pages - ((1 << order) - 1) > z.watermark_low + z.lowmem_reserve[classzone]:
                    if prev is not None and events is not None:
                        events.append((Fallback, prev.name, z.name))
                    # BuddyAllocator.take() inlined: this is the hottest path of the engine
                    pfn = rmqueue(z, order, events)
                    if pfn < 0:
                        break
                    b = self.buddy
                    b._cow(pfn)
                    if order:
                        b._owner[pfn:pfn + (1 << order)] = _fill(owner, order)
                    else:
                        b._owner[pfn] = owner
                    b._refcount[pfn] = 1
                    b.allocated[pfn] = order
                    if events is not None:
                        events.append((AllocPages, z.name, pfn, order, name, OWNER_NAMES[owner]))
                    return pfn
                if events is not None:
                    events.append((WatermarkCheck, z.name, "low", z.free_pages,
                                   z.watermark_low + z.lowmem_reserve[classzone]))
                prev = z
            if events is not None:
                self.m.trace.truncate(events, mark)
        return self.slow_alloc(mask, order, owner, name, events)

    def free_pages(self, pfn: int, order: int, events) -> None:
        """__free_pages() of a block alloc_pages gave (see Machine.free_pages)."""
        b = self.buddy
        if b.allocated.get(pfn) == order and b._owner[pfn] == _OWNER_PAGES:
            z = self.zones[b._zone[pfn]]
            b._cow(pfn)
            if order:
                b._owner[pfn:pfn + (1 << order)] = _fill(0, order)
            else:
                b._owner[pfn] = 0                      # OWNER_FREE
            b._refcount[pfn] = 0
            del b.allocated[pfn]
            fpfn, forder = free_one_page(z, pfn, order, False, events, b.merge_likely)
            if events is not None:
                events.append((FreePages, z.name, pfn, order, fpfn, forder))
            return
        self.free(pfn, order, events)

    def free(self, pfn: int, order: int, events, expect_owner: int | None = pm.OWNER_PAGES) -> None:
        """__free_pages() with free_pages_check(): the block must be the head of an
        allocated block of that order owned by ``expect_owner`` (an OWNER_* code; None:
        any).  Raises BadFree ("BUG: Bad page state ...") otherwise, nothing changed."""
        m = self.m
        got = self.buddy.allocated.get(pfn)
        z = None
        for zz in self.zones:
            if zz.start_pfn <= pfn < zz.start_pfn + zz.spanned:
                z = zz
                break
        if z is None:
            raise BadFree(f"BUG: Bad page state: pfn:{pfn:#x} is not a RAM page")
        if got is None:
            mm = m.memmap
            if pfn in z.buddy_order or mm.owner[pfn] == pm.OWNER_FREE:
                raise BadFree(f"BUG: Bad page state in process {m.comm}  pfn:{pfn:05x} "
                              f"(double free: the page is already free)")
            if mm.flags[pfn] & pm.PG_reserved:
                raise BadFree(f"BUG: Bad page state in process {m.comm}  pfn:{pfn:05x} "
                              f"(page is reserved)")
            raise BadFree(f"BUG: Bad page state in process {m.comm}  pfn:{pfn:05x} "
                          f"(not the first page of an allocated block)")
        if got != order:
            raise BadFree(f"BUG: Bad page state in process {m.comm}  pfn:{pfn:05x} "
                          f"(freed with order {order}, allocated with order {got})")
        if expect_owner is not None and self.buddy._owner[pfn] != expect_owner:
            raise BadFree(f"BUG: Bad page state in process {m.comm}  pfn:{pfn:05x} "
                          f"(page belongs to {pm.OWNER_NAMES[int(m.memmap.owner[pfn])]})")
        self.buddy.give_back(z, pfn, order, events)


def _alloc_failure(msg: str, mask: int, order: int) -> OutOfMemory:
    """The error, carrying the mask and order for the OOM killer (built in a function:
    a local in the raising frame would tie the exception and the frame in a cycle)."""
    err = OutOfMemory(msg)
    err.gfp_mask, err.order = mask, order
    return err
