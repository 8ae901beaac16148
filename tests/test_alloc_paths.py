"""The engine's shortcuts do what the general code does.

* alloc_pages() tries the zonelist's first zone against its low watermark itself, for any
  order, before choose_zone() walks every zone and both watermarks: after thousands of random
  allocations and frees (and failures) on both kernels, a machine whose allocations all take
  the general path has the same free lists, mem_map, events and errors.
* PageTables.map_pages() (a boot's direct map) writes the page tables map_page() would.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

import engine
from engine.errors import KernelError
from engine.page_alloc import NO_ZONE
from engine.pgtable import PageTables
from engine.physmem import FrameStore

GFPS = ["GFP_KERNEL", "GFP_HIGHUSER", "GFP_DMA", "GFP_ATOMIC", "GFP_USER", "GFP_NOWAIT"]


def general_path_only(m) -> None:
    """alloc_pages() with no first zone to try: every request goes to choose_zone()."""
    for gfp in GFPS:
        try:
            z, low_at, zero, makers, (mask, zonelist, name, hot, first, classzone), pend, tr = \
                m.page_alloc.gfp_entry(gfp)
        except KernelError:
            continue                                # not a flag of this release
        m._gfp_fast[gfp] = (NO_ZONE, NO_ZONE.low_at[classzone], zero, None,
                            (mask, zonelist, name, frozenset(), None, classzone), pend, tr)


def state(m) -> tuple:
    mm = m.memmap
    return ([(z.name, z.free_pages, [z.free_list(o) for o in range(11)], dict(z.buddy_order))
             for z in m.zones], mm.owner.tobytes(), mm.refcount.tobytes(), list(m.kmsg))


@pytest.mark.parametrize("kernel", ["2.6", "6.1"])
def test_first_zone_shortcut_equals_the_general_path(kernel):
    fast = engine.Machine.boot(ram="128M", kernel=kernel)
    slow = engine.Machine.boot(ram="128M", kernel=kernel)
    general_path_only(slow)
    rng = random.Random(11)
    live: list[tuple[int, int]] = []
    outcomes = {"ok": 0, "failed": 0, "fallback": 0}
    for i in range(4000):
        if live and rng.random() < 0.3:
            pfn, order = live.pop(rng.randrange(len(live)))
            fast.free_pages(pfn, order)
            slow.free_pages(pfn, order)
            continue
        gfp, order = rng.choice(GFPS), rng.choice([0, 0, 1, 2, 3, 5, 6, 9, 10])
        got = []
        for m in (fast, slow):
            try:
                got.append(("ok", m.alloc_pages(gfp, order)))
            except KernelError as err:
                got.append(("error", type(err).__name__, str(err)))
            got.append(repr(m.events))
        assert got[:2] == got[2:], (i, gfp, order)
        if got[0][0] == "ok":
            live.append((got[0][1], order))
            outcomes["fallback" if "Fallback" in got[1] else "ok"] += 1
        else:
            outcomes["failed"] += 1
        if i % 500 == 0:
            assert state(fast) == state(slow), i
    assert state(fast) == state(slow)
    assert np.array_equal(fast.memmap.owner, slow.memmap.owner)
    fast.check()
    assert min(outcomes.values()) > 20, outcomes      # every kind of outcome was exercised


@pytest.mark.parametrize("kernel", ["2.6", "6.1"])
def test_free_pages_shortcut_equals_the_general_path(kernel):
    """free_pages() decides a lone block's place itself (no merge: the list head, or on 6.x
    the tail when buddy_merge_likely() holds); PageAllocator.free() goes through
    engine.buddy.free_one_page().  After random allocations of mixed orders and frees, both
    machines have the same free lists in the same order, events and mem_map."""
    fast = engine.Machine.boot(ram="128M", kernel=kernel)
    slow = engine.Machine.boot(ram="128M", kernel=kernel)
    rng = random.Random(17)
    live: list[tuple[int, int]] = []
    tails = 0
    for i in range(6000):
        if live and rng.random() < 0.45:
            pfn, order = live.pop(rng.randrange(len(live)))
            fast.free_pages(pfn, order)
            slow.page_alloc.free(pfn, order, slow.trace.begin())
            assert repr(fast.events) == repr(slow.events), i
            tails += any(pfn in z.free_tail[order] for z in fast.zones)
        else:
            order = rng.choice([0, 0, 0, 1, 2, 3])
            pfn = fast.alloc_pages("GFP_KERNEL", order)
            assert slow.alloc_pages("GFP_KERNEL", order) == pfn, i
            live.append((pfn, order))
        if i % 500 == 0:
            assert state(fast) == state(slow), i
    assert state(fast) == state(slow)
    fast.check()
    assert (tails > 20) == (kernel == "6.1"), tails     # 6.1 put lone blocks at the tail


@pytest.mark.parametrize("pae", [False, True])
def test_map_pages_writes_what_map_page_writes(pae):
    rng = random.Random(5 + pae)
    large = (2 << 20) if pae else (4 << 20)

    def tables():
        frames = FrameStore(1 << 36)
        nxt = iter(range(0x100, 0x1000))
        return frames, PageTables(frames, pae, lambda: next(nxt), maxphyaddr=36)
    for _ in range(40):
        f1, one = tables()
        f2, bulk = tables()
        for _ in range(3):
            base = rng.randrange(0xC0000000 // large, 0x100000000 // large) * large
            first = rng.randrange(large >> 12)
            n = rng.randrange(1, (large >> 12) - first + 1)
            va, pa = base + (first << 12), rng.randrange(1 << (24 if pae else 20)) << 12
            flags = [rng.choice([0x063, 0x061, 0x163, 0x067]) | (rng.choice([0, 1 << 63]) if pae else 0)
                     for _ in range(n)]
            for i, f in enumerate(flags):
                one.map_page(va + (i << 12), pa + (i << 12), f)
            bulk.map_pages(va, pa, flags)
        assert f1.frames == f2.frames and list(f1.frames) == list(f2.frames)
        assert one.owned == bulk.owned
    with pytest.raises(ValueError, match="not in one page table"):
        bulk.map_pages(0xC0000000 + large - 4096, 0, [0x63, 0x63])


@pytest.mark.parametrize("pae", [False, True])
def test_map_larges_writes_what_map_large_writes(pae):
    rng = random.Random(9 + pae)
    large = (2 << 20) if pae else (4 << 20)

    def tables():
        frames = FrameStore(1 << 36)
        nxt = iter(range(0x100, 0x1000))
        return frames, PageTables(frames, pae, lambda: next(nxt), maxphyaddr=36)
    kinds = set()
    for trial in range(30):
        f1, one = tables()
        f2, bulk = tables()
        blocker = 0xC0000000 + rng.randrange(64) * large    # a PDE that points to a page table
        for pt in (one, bulk):
            pt.map_page(blocker, 0x5000, 0x63)
        errors = []
        va = (0x40000000 + rng.randrange(1024) * large) % (1 << 32) if trial % 3 else 0xC0000000
        n = rng.randrange(1, min(700 if pae else 300, ((1 << 32) - va) // large + 1))
        pa = rng.randrange(1 << (35 - (21 if pae else 22))) * large
        flags = [rng.choice([0x1e3, 0x163, 0x1e1]) | (rng.choice([0, 1 << 63]) if pae else 0)
                 for _ in range(n)]
        for pt, many in ((one, False), (bulk, True)):
            try:
                if many:
                    pt.map_larges(va, pa, flags)
                else:
                    for i, f in enumerate(flags):
                        pt.map_large(va + i * large, pa + i * large, f)
            except ValueError as err:
                errors.append(str(err))
            else:
                errors.append(None)
        assert errors[0] == errors[1]
        assert f1.frames == f2.frames and list(f1.frames) == list(f2.frames)
        assert one.owned == bulk.owned
        kinds.add(errors[0] is None)
    assert kinds == {True, False}                   # runs that stopped at a page table, too


def test_a_watermark_changed_after_boot_holds_on_the_common_path():
    """alloc_pages()'s first test reads the zone's low watermark and protection as they are
    now (Zone.low_at follows watermark_low and lowmem_reserve), not as they were at boot."""
    import engine
    from engine.events import WatermarkCheck
    m = engine.Machine.boot(ram="1G", seed=1)
    normal = m.zones[1]
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    assert normal.contains(pfn)
    normal.watermark_low = normal.free_pages             # free - 0 <= low: below it
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    assert not normal.contains(pfn)
    assert any(type(e) is WatermarkCheck and e.zone == "Normal" for e in m.events)
    normal.watermark_low = 0
    assert normal.contains(m.alloc_pages("GFP_KERNEL", 0))
    normal.lowmem_reserve = [0, normal.free_pages, 0, 0]  # a new protection[] list
    assert not normal.contains(m.alloc_pages("GFP_KERNEL", 0))
    m.check()


def test_frees_alternating_between_zones():
    """free_pages() looks in the zone of the last block freed first: blocks of the three
    zones freed in turn (and a double free among them) end as they began."""
    import engine
    from engine.errors import BadFree
    m = engine.Machine.boot(ram="1G", seed=1)
    before = m.proc("/proc/buddyinfo")
    blocks = [(m.alloc_pages(gfp, order), order) for _ in range(20)
              for gfp, order in (("GFP_DMA", 0), ("GFP_KERNEL", 1), ("GFP_HIGHUSER", 0))]
    assert {m.zones[m.memmap.zone[p]].name for p, _ in blocks} == {"DMA", "Normal", "HighMem"}
    for pfn, order in blocks:
        m.free_pages(pfn, order)
    with pytest.raises(BadFree):
        m.free_pages(*blocks[-1])
    with pytest.raises(BadFree):
        m.free_pages(*blocks[0])
    assert m.proc("/proc/buddyinfo") == before
    m.check()


def test_hot_path_events_read_as_their_events():
    """alloc_pages()/free_pages() of the common case keep (maker, pfn) until read: read,
    they are the AllocPages/FreePages the general path builds, alone or inside another
    operation's list."""
    import engine
    from engine.events import AllocPages, FreePages
    m = engine.Machine.boot(ram="1G", seed=1)
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    assert m.events == [AllocPages("Normal", pfn, 0, "GFP_KERNEL", "pages")]
    m.alloc_pages("GFP_HIGHUSER", 0)                      # (may split a block)
    pfn3 = m.alloc_pages("GFP_HIGHUSER", 0)
    assert m.events == [AllocPages("HighMem", pfn3, 0, "GFP_HIGHUSER", "pages")]
    with m.trace as events:
        m.free_pages(pfn3, 0)
        m.free_pages(pfn, 0)
        assert events and all(type(e) is tuple for e in events)   # raw until read
    got = [(e.zone, e.pfn, e.order) for e in m.events if type(e) is FreePages]
    assert got == [("HighMem", pfn3, 0), ("Normal", pfn, 0)]


@pytest.mark.parametrize("kernel", ["2.6", "6.1"])
def test_orders_outside_0_to_10_fail_on_the_common_path(kernel):
    """alloc_pages()'s own test indexes Zone.low_at by the order: orders -1..-11 (read from the
    list's end), -12..-22, 11..21 and beyond still raise ConfigError and change nothing."""
    from engine.errors import ConfigError
    m = engine.Machine.boot(ram="128M", kernel=kernel)
    m.alloc_pages("GFP_KERNEL", 0)                      # the GFP entry exists
    before = state(m), m.proc("/proc/buddyinfo")
    for order in (-1, -5, -11, -12, -22, -23, -40, 11, 15, 21, 22, 100):
        with pytest.raises(ConfigError, match=f"got {order}$"):
            m.alloc_pages("GFP_KERNEL", order)
    assert (state(m), m.proc("/proc/buddyinfo")) == before
    m.check()


def test_a_restored_or_trial_machine_allocates_into_its_own_mem_map_and_trace():
    """alloc_pages()'s per-GFP entries hold mem_map's pending stores and the trace: after a
    checkpoint is restored, and on a trial copy, an allocation shows in that machine's
    mem_map and events."""
    from engine import checkpoint
    from engine.events import AllocPages
    from engine.physmem import OWNER_PAGES
    m = engine.Machine.boot(ram="128M", seed=1)
    m.alloc_pages("GFP_KERNEL", 0)                      # the entry exists before the save
    ck = checkpoint.save(m)
    for _ in range(5):
        m.alloc_pages("GFP_KERNEL", 1)
    checkpoint.restore(m, ck)
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    assert m.memmap.owner[pfn] == OWNER_PAGES and m.memmap.refcount[pfn] == 1
    assert [(type(e), e.pfn) for e in m.events] == [(AllocPages, pfn)]
    m.free_pages(pfn, 0)
    m.check()
    trial = checkpoint.trial_copy(m)
    undo = m.memmap.undo_point()
    pfn = trial.alloc_pages("GFP_KERNEL", 0)
    assert trial.memmap.owner[pfn] == OWNER_PAGES
    assert [(type(e), e.pfn) for e in trial.events] == [(AllocPages, pfn)]
    m.memmap.undo(undo)


def test_a_deep_copied_machine_allocates_into_its_own_mem_map():
    """copy.deepcopy of a machine (a test's seed machine): the copy's GFP entries hold the
    copy's mem_map pending stores, whether the entries or mem_map are copied first."""
    import copy

    from engine.physmem import OWNER_FREE, OWNER_PAGES
    m = engine.Machine.boot(ram="128M", seed=1)
    pfn = m.alloc_pages("GFP_KERNEL", 0)                # a store still pending in m
    for first in (None, "_gfp_fast"):
        src = m
        if first:                                        # the entries before mem_map
            src = object.__new__(type(m))
            src.__dict__.update({first: m.__dict__[first]}, **{k: v for k, v in m.__dict__.items()
                                                                if k != first})
        c = copy.deepcopy(src)
        got = c.alloc_pages("GFP_KERNEL", 0)
        assert c.memmap.owner[got] == OWNER_PAGES and c.memmap.owner[pfn] == OWNER_PAGES
        c.free_pages(got, 0)
        assert c.memmap.owner[got] == OWNER_FREE
        c.check()
    assert m.memmap.owner[pfn] == OWNER_PAGES
    m.check()
