"""Each zone's buddy_order holds every block head: free blocks by order, allocated blocks
by an allocated code (owner and order), and the hot path's events follow the trace."""
from __future__ import annotations

import random

import pytest

import engine
from engine import physmem as pm
from engine.buddy import ALLOCATED, alloc_code_owner
from engine.errors import BadFree, InvariantError


def test_an_allocated_block_is_its_heads_code_until_freed():
    m = engine.Machine.boot(ram="64M")
    z = m.zone("Normal")
    pfn = m.alloc_pages("GFP_KERNEL", 2, pm.OWNER_VMALLOC)
    code = z.buddy_order[pfn]
    assert code >= ALLOCATED and code & 15 == 2 and alloc_code_owner(code) == pm.OWNER_VMALLOC
    assert m.buddy.allocated_code(pfn) == code and m.buddy.allocated_order(pfn) == 2
    assert m.buddy.allocated[pfn] == 2
    assert m.buddy.allocated_order(pfn + 1) is None            # a tail page is no head
    assert list(m.memmap.owner[pfn:pfn + 4]) == [pm.OWNER_VMALLOC] * 4
    assert m.memmap.refcount[pfn] == 1
    before = m.proc("/proc/buddyinfo")
    with pytest.raises(BadFree, match="page belongs to vmalloc"):
        m.free_pages(pfn, 2)                                    # free_pages() frees "pages" only
    with pytest.raises(BadFree, match="freed with order 1, allocated with order 2"):
        m.page_alloc.free(pfn, 1, None, expect_owner=pm.OWNER_VMALLOC)
    assert m.proc("/proc/buddyinfo") == before and z.buddy_order[pfn] == code
    m.page_alloc.free(pfn, 2, None, expect_owner=pm.OWNER_VMALLOC)
    assert pfn not in m.buddy.allocated and m.buddy.allocated_code(pfn) is None
    assert m.memmap.owner[pfn] == pm.OWNER_FREE and m.memmap.refcount[pfn] == 0
    with pytest.raises(BadFree, match="double free"):
        m.page_alloc.free(pfn, 2, None, expect_owner=None)
    assert m.buddy.allocated_code(-1) is None and m.buddy.allocated_code(1 << 40) is None
    m.check()


def test_check_finds_a_mem_map_owner_that_is_not_the_blocks():
    m = engine.Machine.boot(ram="64M")
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    m.check()
    m.memmap.owner[pfn] = pm.OWNER_SLAB
    with pytest.raises(InvariantError, match="handed out to pages but mem_map says slab"):
        m.check()


@pytest.mark.parametrize("kernel", ["6.1", "2.6"])
def test_random_allocations_keep_heads_lists_and_mem_map_agreeing(kernel):
    m = engine.Machine.boot(ram="64M", kernel=kernel)
    rng = random.Random(7)
    model = dict(m.buddy.allocated)
    live: list[tuple[int, int]] = []
    for i in range(3000):
        if live and rng.random() < 0.5:
            pfn, order = live.pop(rng.randrange(len(live)))
            m.free_pages(pfn, order)
            del model[pfn]
        else:
            order = rng.choice((0, 0, 0, 1, 2, 3))
            pfn = m.alloc_pages("GFP_KERNEL", order)
            assert pfn not in model
            model[pfn] = order
            live.append((pfn, order))
        if i % 500 == 0:
            m.check()
    assert m.buddy.allocated == model
    for z in m.all_zones:                   # free heads are exactly the listed blocks
        listed = {p: o for o in range(11) for p in z.free_list(o)}
        assert {p: c for p, c in z.buddy_order.items() if c < ALLOCATED} == listed
    m.check()


def test_hot_path_events_follow_the_trace():
    m = engine.Machine.boot(ram="64M")
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    assert [e.kind for e in m.events] == ["AllocPages"] and m.trace.direct
    with m.trace as events:                 # inside another operation: into its list
        assert not m.trace.direct
        m.free_pages(pfn, 0)
        q = m.alloc_pages("GFP_KERNEL", 0)
    assert m.trace.direct
    assert [e.kind for e in m.events] == ["FreePages", "AllocPages"] and events is m.events
    m.trace.record = False                  # a replay keeps no events
    assert not m.trace.direct
    m.free_pages(q, 0)
    assert m.events is None
    m.trace.record = True
    assert m.trace.direct
    m.alloc_pages("GFP_KERNEL", 0)
    assert [e.kind for e in m.events] == ["AllocPages"]
