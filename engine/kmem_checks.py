"""m.check() for the kernel allocators (added to m.extra_checks at boot).

Every slab object is in exactly one state and every freelist agrees with the bytes in
memory; slab counters equal their lists; every slab, large-kmalloc and vmalloc frame
is owned by exactly one of them and marked so in mem_map; every vmalloc page is
mapped exactly once; pkmap counts agree with the pkmap and fixmap PTEs.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import physmem as pm
from .errors import InvariantError

if TYPE_CHECKING:
    from .machine import Machine


def _fail(msg: str) -> None:
    raise InvariantError(msg)


def check_kalloc(m: Machine) -> None:
    kc = m.kmem
    owned: dict[int, str] = {}
    slab_pages = 0
    for c in kc.caches.values():
        c.check(m, _fail)
        for slab in c.slabs:
            for p in range(slab.pfn, slab.pfn + (1 << slab.order)):
                if p in owned:
                    _fail(f"frame {p:#x} belongs to slab of {c.name} and to {owned[p]}")
                owned[p] = f"slab of {c.name}"
            slab_pages += 1 << slab.order
    if slab_pages != len(kc.slab_of):
        _fail(f"slab: {len(kc.slab_of)} frames map to slabs but the caches hold {slab_pages}")
    large = 0
    for head, (order, _) in kc.large.items():
        if m.buddy.allocated_order(head) != order:
            _fail(f"kmalloc_large block {head:#x} is not an allocated order-{order} block")
        for p in range(head, head + (1 << order)):
            if p in owned or kc.large_of.get(p) != head:
                _fail(f"frame {p:#x} of a kmalloc_large block is owned twice or unmapped")
            owned[p] = "kmalloc_large"
        large += 1 << order
    if large != len(kc.large_of):
        _fail("kmalloc_large: page map and blocks disagree")
    for va in kc.requested:
        pfn = (va - m.layout.page_offset) >> 12
        if pfn not in kc.slab_of and pfn not in kc.large_of:
            _fail(f"kmalloc: object {va:#x} is recorded but its page is not a slab")
    n_slab_owner = int(np.count_nonzero(m.memmap.owner == pm.OWNER_SLAB))
    if n_slab_owner != slab_pages + large:
        _fail(f"mem_map: {n_slab_owner} frames owned by slab, the allocators hold "
              f"{slab_pages + large}")
    vframes = m.vmap.check(m, _fail)
    for p in vframes:
        if p in owned:
            _fail(f"frame {p:#x} is a vmalloc page and {owned[p]}")
    n_vm_owner = int(np.count_nonzero(m.memmap.owner == pm.OWNER_VMALLOC))
    if n_vm_owner != len(vframes):
        _fail(f"mem_map: {n_vm_owner} frames owned by vmalloc, the areas hold {len(vframes)}")
    m.highmem.check(m, _fail)
