"""The buddy allocator keys its tables with one int object per pfn (Zone.pfns): a lookup
that finds the object it looks up skips comparing two equal ints."""
from __future__ import annotations

import random

import engine
from engine.zone import PFN_OBJECTS_CAP, pfn_objects


def churn(m, gfp: str, n: int, seed: int) -> None:
    rng = random.Random(seed)
    live: list[tuple[int, int]] = []
    for _ in range(n):
        if live and rng.random() < 0.45:
            m.free_pages(*live.pop(rng.randrange(len(live))))
        else:
            order = rng.choice([0, 0, 0, 1, 2, 3, 5])
            live.append((m.alloc_pages(gfp, order), order))


def test_block_heads_are_the_zones_pfn_objects():
    """After allocations, splits, frees and merges every key of buddy_order and of the free
    lists is the zone's object for that pfn, and alloc_pages() returns those objects."""
    m = engine.Machine.boot(ram="1G", seed=1)
    churn(m, "GFP_KERNEL", 6000, 3)
    for z in m.zones:
        keys = [*z.buddy_order, *(k for d in z.free_head + z.free_tail for k in d)]
        assert keys and all(z.pfns[k] is k for k in keys), z.name
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    assert m.zones[1].pfns[pfn] is pfn
    m.check()


def test_past_the_cap_the_pfns_are_a_range():
    """A zone ending past PFN_OBJECTS_CAP gets equal ints, not shared objects: a 2G machine's
    HighMem allocates and frees as before (the free lists and block heads stay consistent)."""
    assert pfn_objects(PFN_OBJECTS_CAP + 2048) == range(PFN_OBJECTS_CAP + 2048)
    small = pfn_objects(4096)
    assert type(small) is tuple and all(small[i] == i for i in range(4096))
    m = engine.Machine.boot(ram="2G", seed=1)
    high = m.zones[2]
    assert type(high.pfns) is range
    before = m.proc("/proc/buddyinfo")
    churn(m, "GFP_HIGHUSER", 3000, 5)
    m.check()
    assert m.proc("/proc/buddyinfo") != before


def test_a_deep_copy_shares_the_pfn_objects():
    """copy.deepcopy of a machine copies its zones' tables, not Zone.pfns (one int object
    per pfn, shared by every machine: copying it would cost a pass over 2^18 ints)."""
    import copy
    m = engine.Machine.boot(ram="1G", seed=1)
    churn(m, "GFP_KERNEL", 500, 7)
    c = copy.deepcopy(m)
    for z, zc in zip(m.zones, c.zones):
        assert zc is not z and zc.pfns is z.pfns
        assert zc.buddy_order == z.buddy_order and zc.buddy_order is not z.buddy_order
    churn(c, "GFP_KERNEL", 500, 8)
    c.check()
    m.check()
