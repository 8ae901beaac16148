"""m.check(): every invariant of the machine's state, each failure naming itself."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import physmem as pm
from .buddy import ALLOCATED, alloc_code_owner
from .errors import InvariantError
from .zone import MAX_ORDER

if TYPE_CHECKING:
    from .machine import Machine


def _fail(msg: str) -> None:
    raise InvariantError(msg)


def check_buddy(m: Machine) -> None:
    mm = m.memmap
    for z in m.all_zones:
        if not z.present:
            if z.free_pages or any(z.nr_free):
                _fail(f"zone {z.name}: empty zone has free pages")
            continue
        cover = np.zeros(z.spanned, dtype=np.int16)
        total = 0
        seen = 0
        for order in range(MAX_ORDER):
            lst = z.free_list(order)
            if len(lst) != z.nr_free[order]:
                _fail(f"zone {z.name}: free_area[{order}].nr_free={z.nr_free[order]} "
                      f"but the list holds {len(lst)} blocks")
            for pfn in lst:
                seen += 1
                if z.buddy_order.get(pfn) != order:
                    _fail(f"zone {z.name}: block {pfn:#x} on list {order} has buddy order "
                          f"{z.buddy_order.get(pfn)}")
                if pfn & ((1 << order) - 1):
                    _fail(f"zone {z.name}: free block {pfn:#x} of order {order} is not aligned")
                if not (z.start_pfn <= pfn and pfn + (1 << order) <= z.end_pfn):
                    _fail(f"zone {z.name}: free block {pfn:#x} order {order} leaves the zone")
                cover[pfn - z.start_pfn: pfn - z.start_pfn + (1 << order)] += 1
                total += 1 << order
                if order < MAX_ORDER - 1:
                    b = pfn ^ (1 << order)
                    if z.buddy_order.get(b) == order and z.contains(b):
                        _fail(f"zone {z.name}: free buddies {min(pfn, b):#x} and {max(pfn, b):#x} "
                              f"of order {order} were left unmerged")
        heads = sum(1 for code in z.buddy_order.values() if code < ALLOCATED)
        if seen != heads:
            _fail(f"zone {z.name}: {heads} PageBuddy heads but {seen} listed blocks")
        if total != z.free_pages:
            _fail(f"zone {z.name}: free_pages={z.free_pages} but the lists hold {total} pages")
        if cover.max(initial=0) > 1:
            bad = int(np.argmax(cover > 1)) + z.start_pfn
            _fail(f"zone {z.name}: frame {bad:#x} is in two free blocks")
        owner = mm.owner[z.start_pfn:z.end_pfn]
        is_free = owner == pm.OWNER_FREE
        if not np.array_equal(is_free, cover == 1):
            diff = int(np.argmax(is_free != (cover == 1))) + z.start_pfn
            _fail(f"zone {z.name}: frame {diff:#x} is marked "
                  f"{pm.OWNER_NAMES[int(mm.owner[diff])]} but "
                  f"{'is' if cover[diff - z.start_pfn] else 'is not'} inside a free block")
        reserved = (mm.flags[z.start_pfn:z.end_pfn] & pm.PG_reserved) != 0
        if np.any(reserved & is_free):
            _fail(f"zone {z.name}: a reserved frame is on a free list")
        held = sum(1 << (code & 15) for code in z.buddy_order.values() if code >= ALLOCATED)
        if z.managed != z.free_pages + held:
            _fail(f"zone {z.name}: managed={z.managed} but free {z.free_pages} + allocated "
                  f"{held} = {z.free_pages + held}")
    owner = mm.owner
    for z in m.all_zones:
        for pfn, code in z.buddy_order.items():
            if code >= ALLOCATED and owner[pfn] != alloc_code_owner(code):
                _fail(f"allocated block {pfn:#x} was handed out to "
                      f"{pm.OWNER_NAMES[alloc_code_owner(code)]} but mem_map says "
                      f"{pm.OWNER_NAMES[int(owner[pfn])]}")
    for pfn, order in m.buddy.allocated.items():
        blk = mm.owner[pfn:pfn + (1 << order)]
        if np.any(blk == pm.OWNER_FREE) or np.any(blk == pm.OWNER_HOLE):
            _fail(f"allocated block {pfn:#x} order {order} has a frame marked free or hole")
        if mm.refcount[pfn] < 1:
            _fail(f"allocated block {pfn:#x} has refcount {mm.refcount[pfn]}")


CHECKS = [check_buddy]


def check_machine(m: Machine) -> None:
    for fn in CHECKS + list(m.extra_checks):
        fn(m)
