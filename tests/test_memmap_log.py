"""The buddy allocator's deferred mem_map stores (engine.memmap_log): whenever mem_map is
read, owner and refcount are what storing them at each alloc_pages()/free_pages() gave."""
from __future__ import annotations

import random

import numpy as np
import pytest

import engine
from engine import memmap_log
from engine import physmem as pm


def _model_run(m, seed: int, n_ops: int):
    """Random allocations and frees, mem_map read after windows of 1..300 operations;
    yields (expected owner, expected refcount) at each read, from stores done in place."""
    rng = random.Random(seed)
    owner = np.array(m.memmap.owner)
    refcount = np.array(m.memmap.refcount)
    live: list[tuple[int, int]] = []
    window = 1
    for i in range(n_ops):
        if rng.random() < 0.5 or not live:
            order = rng.choice([0] * 6 + [1, 2, 3, 4, 6, 9])
            try:
                pfn = m.alloc_pages(rng.choice(["GFP_KERNEL", "GFP_HIGHUSER", "GFP_DMA"]), order)
            except engine.errors.OutOfMemory:
                continue
            live.append((pfn, order))
            owner[pfn:pfn + (1 << order)] = pm.OWNER_PAGES
            refcount[pfn] = 1
        else:
            j = rng.randrange(len(live))
            live[j], live[-1] = live[-1], live[j]
            pfn, order = live.pop()
            m.free_pages(pfn, order)
            owner[pfn:pfn + (1 << order)] = pm.OWNER_FREE
            refcount[pfn] = 0
        window -= 1
        if not window:
            window = rng.choice([1, 2, 5, 17, 40, 300])
            yield owner, refcount


@pytest.mark.parametrize("small", [0, 16, 10 ** 9], ids=["numpy", "mixed", "one-by-one"])
def test_deferred_stores_read_as_stores_in_place(monkeypatch, small):
    monkeypatch.setattr(memmap_log, "SMALL", small)
    m = engine.Machine.boot(ram="256M", seed=1)
    reads = 0
    for owner, refcount in _model_run(m, seed=3, n_ops=6000):
        assert np.array_equal(m.memmap.owner, owner)
        assert np.array_equal(m.memmap.refcount, refcount)
        reads += 1
    assert reads > 50
    m.check()


def test_a_split_keeps_the_refcount_a_free_stored():
    """A block freed, merged, then split by an allocation: the split-off half's head
    still reads refcount 0 (the free's store), not the count it had while allocated."""
    m = engine.Machine.boot(ram="256M", seed=1)
    a = m.alloc_pages("GFP_DMA", 6)
    b = m.alloc_pages("GFP_DMA", 6)
    assert b == a ^ 64                                # buddies
    assert m.memmap.refcount[b] == 1                  # read: applied
    m.free_pages(b, 6)
    m.free_pages(a, 6)                                # merges with b
    assert m.alloc_pages("GFP_DMA", 6) == a           # expand(): b split off again
    assert m.memmap.pend.get(b) is not None           # not applied yet
    assert m.memmap.refcount[b] == 0
    assert m.memmap.owner[b] == pm.OWNER_FREE and m.memmap.owner[a] == pm.OWNER_PAGES
    m.check()
