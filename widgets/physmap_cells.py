"""The physical map's numbers: each frame's class, cells of frames counted per class (numpy),
and the frame ranges a step's events touched.  No drawing here (widgets/physmap.py)."""
from __future__ import annotations

from itertools import chain
from typing import Any, Iterable

import numpy as np

from engine.events import FreePages, FreeReserved, Merge, Reserve, Split

from .physmap_legend import FREE_BY_ZONE, NCLS, RUNTIME
from .stepview import derived


def frame_classes(memmap: Any, lo: int, hi: int) -> np.ndarray:
    """Class of each frame in [lo, hi): its owner, or "free <zone>" for free frames."""
    owner = memmap.owner[lo:hi].astype(np.int16)
    zone = np.clip(memmap.zone[lo:hi], 0, 2).astype(np.int16)
    return np.where(owner == 0, FREE_BY_ZONE + zone, owner)


def _range_of(cls: type) -> Any:
    """How an event of this class names its frames: a function (event, out list) -> None, or
    None for an event type with no frame in it (no ``pfn`` or ``paddr`` field)."""
    if issubclass(cls, Split):
        return lambda ev, out: out.append((ev.pfn, ev.pfn + (2 << ev.order)))
    if issubclass(cls, Merge):
        return lambda ev, out: out.append((ev.merged_pfn, ev.merged_pfn + (2 << ev.order)))
    if issubclass(cls, FreePages):
        return lambda ev, out: out.extend(((ev.pfn, ev.pfn + (1 << ev.order)),
                                           (ev.final_pfn, ev.final_pfn + (1 << ev.final_order))))
    if issubclass(cls, (Reserve, FreeReserved)):
        return lambda ev, out: out.append((ev.pfn, ev.pfn + ev.nr_pages))

    fields = getattr(cls, "__dataclass_fields__", None)
    if fields is not None and "pfn" not in fields and "paddr" not in fields:
        return None                                  # (WatermarkCheck, AllocFail, ...)

    def by_field(ev: Any, out: list) -> None:        # a pfn (and order) or a paddr, by name
        pfn = ev.get("pfn")
        if isinstance(pfn, int):
            order = ev.get("order", 0)
            out.append((pfn, pfn + (1 << (order if isinstance(order, int) else 0))))
            return
        paddr = ev.get("paddr")
        if isinstance(paddr, int):
            out.append((paddr >> 12, (paddr >> 12) + 1))
    return by_field


_RANGE_OF: dict[type, Any] = {}


def event_pfn_ranges(events: Iterable[Any]) -> list[tuple[int, int]]:
    """The frame ranges [lo, hi) an operation's events touched."""
    out: list[tuple[int, int]] = []
    table = _RANGE_OF
    for ev in events:
        f = table.get(type(ev), _range_of)
        if f is _range_of:                           # a class not seen before
            f = table[type(ev)] = _range_of(type(ev))
        if f is not None:
            f(ev, out)
    return out


def step_pfn_ranges(result: Any) -> list[tuple[int, int]]:
    """The frame ranges a step's events touched (:func:`event_pfn_ranges` of ``result.events``),
    worked out once per step result: the app's incremental redraw and the map's marks both
    need them.  [] for no step (position 0)."""
    if result is None:
        return []
    return derived(result, "pfn_ranges", lambda: event_pfn_ranges(result.events))


MANY = 64        # ranges: from here on, cells are found with numpy rather than one range each


def ranges_array(ranges: Any) -> np.ndarray:
    """Frame ranges [lo, hi) as an (N, 2) int64 array (a third of the time of
    ``np.asarray`` on a list of pairs: a heavy step names thousands)."""
    return np.fromiter(chain.from_iterable(ranges), dtype=np.int64,
                       count=2 * len(ranges)).reshape(-1, 2)


def covered_cells(lo: np.ndarray, hi: np.ndarray, n: int) -> np.ndarray:
    """Sorted indices of the cells in any [lo, hi) (cell numbers, clipped to [0, n))."""
    lo, hi = np.clip(lo, 0, n), np.clip(hi, 0, n)
    keep = lo < hi
    mark = np.bincount(lo[keep], minlength=n + 1) - np.bincount(hi[keep], minlength=n + 1)
    return np.flatnonzero(np.cumsum(mark[:n]) > 0)


RUNS_FROM = 1 << 16        # frames: fewer are counted frame by frame (less numpy set-up)


class CellCounts:
    """Per cell, how many of its frames are in each class."""

    def __init__(self, memmap: Any, max_pfn: int, ncells: int) -> None:
        self.max_pfn = max_pfn
        self.per = max(1, -(-max_pfn // max(1, ncells)))
        self.ncells = -(-max_pfn // self.per)
        self.counts = np.zeros((self.ncells, NCLS), dtype=np.int32)
        self._recount(memmap, 0, self.ncells)
        self.shown = self._classes(self.counts)

    def _recount(self, memmap: Any, c0: int, c1: int) -> None:
        """Count cells c0..c1-1 again from mem_map: a few cells frame by frame, many (a whole
        binning) by runs of frames of one class."""
        if (c1 - c0) * self.per < RUNS_FROM:
            self._count_frames(memmap, c0, c1)
        else:
            self._count_runs(memmap, c0, c1)

    def _count_frames(self, memmap: Any, c0: int, c1: int) -> None:
        lo, hi = c0 * self.per, min(self.max_pfn, c1 * self.per)
        cls = frame_classes(memmap, lo, hi)
        # lo == c0 * per: cell k's frames are the k-th run of ``per`` (int32 keys, no division)
        key = np.repeat(np.arange(c1 - c0, dtype=np.int32) * NCLS, self.per)[:hi - lo] + cls
        self.counts[c0:c1] = np.bincount(key, minlength=(c1 - c0) * NCLS).reshape(c1 - c0, NCLS)

    def _count_runs(self, memmap: Any, c0: int, c1: int) -> None:
        """The counts by runs: a frame's class changes only where its owner or its zone does,
        and mem_map is long runs (a machine just booted: a few thousand runs in 16 M frames),
        so the work is one pass of comparisons, then per run, not per frame (a whole binning
        at 64 GB: 61 -> 11 ms, at 4 GB 9 -> 1.2 ms)."""
        per, n = self.per, c1 - c0
        lo, hi = c0 * per, min(self.max_pfn, c1 * per)
        owner, zone = memmap.owner[lo:hi], memmap.zone[lo:hi]
        edge = np.flatnonzero((owner[1:] != owner[:-1]) | (zone[1:] != zone[:-1])) + 1
        start = np.concatenate((np.zeros(1, np.int64), edge))          # runs [start, end)
        end = np.concatenate((edge, np.full(1, hi - lo, np.int64)))
        cls = np.where(owner[start] == 0, FREE_BY_ZONE + np.clip(zone[start], 0, 2).astype(np.int64),
                       owner[start].astype(np.int64))
        first, last = start // per, (end - 1) // per                   # cells (lo == c0 * per)
        one = first == last
        # a run inside one cell; else its part in its first and its last cell, and the
        # cells between (whole: per frames each) through a difference array down the cells
        keys = np.concatenate((first[one] * NCLS + cls[one], first[~one] * NCLS + cls[~one],
                               last[~one] * NCLS + cls[~one]))
        sizes = np.concatenate((end[one] - start[one], (first[~one] + 1) * per - start[~one],
                                end[~one] - last[~one] * per))
        counts = np.bincount(keys, weights=sizes, minlength=n * NCLS).reshape(n, NCLS)
        spans = ~one & (last - first > 1)
        if spans.any():
            diff = np.zeros(((n + 1) * NCLS,), np.int64)
            np.add.at(diff, (first[spans] + 1) * NCLS + cls[spans], per)
            np.add.at(diff, last[spans] * NCLS + cls[spans], -per)
            counts = counts + np.cumsum(diff.reshape(n + 1, NCLS), axis=0)[:n]
        self.counts[c0:c1] = counts

    @staticmethod
    def _classes(counts: np.ndarray) -> np.ndarray:
        """Shown class: the biggest run-time owner if any frame has one, else the majority."""
        runtime = counts[:, RUNTIME]
        has = runtime.sum(axis=1) > 0
        return np.where(has, RUNTIME[runtime.argmax(axis=1)], counts.argmax(axis=1)).astype(np.int8)

    def update(self, memmap: Any, ranges: list[tuple[int, int]]) -> set[int]:
        """Recount the cells of these frame ranges, runs of adjacent cells at once; return
        the cells whose shown class changed."""
        if len(ranges) >= MANY:
            a = ranges_array(ranges)
            lo, hi = np.maximum(a[:, 0], 0), np.minimum(a[:, 1], self.max_pfn)
            ok = lo < hi
            order = covered_cells(lo[ok] // self.per, (hi[ok] - 1) // self.per + 1,
                                  self.ncells).tolist()
        else:
            cells: set[int] = set()
            for lo, hi in ranges:
                lo, hi = max(0, lo), min(self.max_pfn, hi)
                if lo < hi:
                    cells.update(range(lo // self.per, (hi - 1) // self.per + 1))
            order = sorted(cells)
        changed: set[int] = set()
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and order[j + 1] == order[j] + 1:
                j += 1
            c0, c1 = order[i], order[j] + 1
            self._recount(memmap, c0, c1)
            new = self._classes(self.counts[c0:c1])
            diff = np.flatnonzero(new != self.shown[c0:c1])
            self.shown[c0:c1] = new
            changed.update((diff + c0).tolist())
            i = j + 1
        return changed
