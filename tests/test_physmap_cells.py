"""The physical map finds the cells of many frame ranges with numpy: the same cells as one
range at a time, for ranges inside, across and outside the machine's frames."""
from __future__ import annotations

import random

import numpy as np
import pytest

from widgets.physmap import MANY, CellCounts, PhysicalMap, covered_cells, event_pfn_ranges


def cells_one_by_one(ranges, per, n):
    out = set()
    for lo, hi in ranges:
        if lo < hi:
            out.update(range(max(0, lo // per), min(n, (hi - 1) // per + 1)))
    return out


def test_covered_cells_equals_range_by_range():
    rnd = random.Random(13)
    for _ in range(200):
        per, n = rnd.randint(1, 40), rnd.randint(1, 300)
        ranges = []
        for _ in range(rnd.randint(0, 3 * MANY)):
            lo = rnd.randint(-2 * per, n * per + 3 * per)
            ranges.append((lo, lo + rnd.randint(-3, 5 * per)))
        a = np.asarray(ranges, dtype=np.int64).reshape(-1, 2)
        ok = a[:, 0] < a[:, 1]
        got = covered_cells(a[ok, 0] // per, (a[ok, 1] - 1) // per + 1, n).tolist()
        assert got == sorted(cells_one_by_one(ranges, per, n))


class _MemMap:
    def __init__(self, n):
        rnd = np.random.default_rng(13)
        self.owner = rnd.integers(0, 5, n).astype(np.int8)
        self.zone = rnd.integers(0, 3, n).astype(np.int8)


def test_many_ranges_recount_the_same_cells_as_few():
    max_pfn = 5000
    mm = _MemMap(max_pfn)
    rnd = random.Random(7)
    ranges = [(lo, lo + rnd.randint(1, 40)) for lo in (rnd.randint(-50, max_pfn + 50)
                                                         for _ in range(3 * MANY))]
    a, b = CellCounts(mm, max_pfn, 300), CellCounts(mm, max_pfn, 300)
    mm.owner[:] = np.random.default_rng(1).integers(0, 5, max_pfn)
    changed_many = a.update(mm, ranges)
    changed_few: set[int] = set()
    for i in range(0, len(ranges), MANY // 2):        # below MANY: the range-by-range path
        changed_few |= b.update(mm, ranges[i:i + MANY // 2])
    assert changed_many == changed_few
    assert (a.counts == b.counts).all() and (a.shown == b.shown).all()


def test_cells_of_many_ranges():
    pm = PhysicalMap()
    mm = _MemMap(5000)
    pm.cells = CellCounts(mm, 5000, 300)
    rnd = random.Random(3)
    ranges = [(lo, lo + rnd.randint(-2, 60)) for lo in (rnd.randint(-80, 5100) for _ in range(2 * MANY))]
    assert pm._cells_of(ranges) == cells_one_by_one(ranges, pm.cells.per, pm.cells.ncells)


def test_event_ranges_by_class():
    from engine import Machine
    m = Machine.boot(ram="64M")
    events: list = []
    pfns = []
    for o in (0, 3, 1):
        pfns.append(m.alloc_pages("GFP_KERNEL", o))
        events += m.events
    for o, p in zip((0, 3, 1), pfns):
        m.free_pages(p, o)
        events += m.events
    got = event_pfn_ranges(events)
    assert len(got) >= len(events) // 2 and event_pfn_ranges(events) == got   # the table, warm
    for pfn, o in zip(pfns, (0, 3, 1)):
        assert any(lo <= pfn and pfn + (1 << o) <= hi for lo, hi in got)


def counts_frame_by_frame(mm, max_pfn, per, ncells):
    """Each frame's class added to its cell, one frame at a time."""
    from widgets.physmap_cells import frame_classes
    from widgets.physmap_legend import NCLS
    out = np.zeros((ncells, NCLS), dtype=np.int64)
    for pfn, cls in enumerate(frame_classes(mm, 0, max_pfn).tolist()):
        out[pfn // per, cls] += 1
    return out


@pytest.mark.parametrize("runs_from", [0, 1 << 60])
def test_cells_counted_by_runs_equal_frame_by_frame(runs_from, monkeypatch):
    """CellCounts counts runs of frames of one class (many cells) or frames (a few); on
    memory in long runs, in short runs and frame by frame different, whole and recounted in
    part, its counts are each frame's."""
    from widgets import physmap_cells
    monkeypatch.setattr(physmap_cells, "RUNS_FROM", runs_from)
    rnd = np.random.default_rng(5)
    for trial in range(60):
        n = int(rnd.integers(1, 3000))
        mm = _MemMap(n)
        run = int(rnd.choice([1, 2, 7, 64, 1000]))           # mean length of a run
        cuts = np.sort(rnd.integers(0, n, max(1, n // run)))
        mm.owner[:] = np.repeat(rnd.integers(0, 12, len(cuts) + 1), np.diff(np.r_[0, cuts, n]))
        mm.zone[:] = np.repeat([0, 1, 2], np.diff(np.r_[0, np.sort(rnd.integers(0, n, 2)), n]))
        mm.zone[rnd.integers(0, n, 3)] = -1                   # frames outside every zone
        cc = CellCounts(mm, n, int(rnd.integers(1, 400)))
        assert (cc.counts == counts_frame_by_frame(mm, n, cc.per, cc.ncells)).all(), trial
        lo = int(rnd.integers(0, n))
        mm.owner[lo:lo + int(rnd.integers(1, 200))] = rnd.integers(0, 12)
        cc.update(mm, [(lo, lo + 200)])
        assert (cc.counts == counts_frame_by_frame(mm, n, cc.per, cc.ncells)).all(), trial
