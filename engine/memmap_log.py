"""The buddy allocator's mem_map stores, deferred until mem_map is read.

alloc_pages() and free_pages() set two columns of mem_map for every block they hand out
or take back: ``owner`` over the block's frames and ``refcount`` of its head.  A numpy
item store costs ~0.1-0.3 us and a ``memoryview`` one still ~0.1 us, each after a
copy-on-write test: ~40 % of a buddy operation.  So the allocator records the block in
``MemMap.pend`` instead (one dict store: head pfn -> code), and :func:`replay` applies
what the stores would have left before anything reads or writes those columns or
checkpoints mem_map (``MemMap.owner``/``refcount`` are properties that call
``MemMap.sync``): every reader sees the values the stores in place gave.

``code`` is, for a head pfn, what was done last to a block starting there:

* an allocated code ``(owner + 1) << 4 | order`` (>= 16, engine.buddy): handed out --
  the owner over its frames, refcount 1 at its head;
* the order of a block taken back (0..15): free over its frames, refcount 0 at its head;
* ``-1 - order`` for the upper half expand() split off a free block (rmqueue()): free
  over its frames, its head's refcount untouched (expand() stores nothing in the kernel;
  mmviz records the half so that replay knows those frames were touched) -- or its order
  (as for a free) where a free at that head was recorded, whose refcount 0 must stay.

Why the last code per head is enough (each flush starts from mem_map as the stores left
it): a frame any recorded block covered ends allocated exactly when the last recorded
block covering it was handed out, and then that block is still allocated and its head's
last code is that allocation (a later free of it would be recorded at the same head; a
block allocated before the recording is disjoint from every recorded one).  A frame whose
covering block at a head is later split away from that head is covered by the split-off
half recorded then.  So: free over every recorded free block, then each still-allocated
block's owner over it; refcount 1 at the heads whose last code is an allocation, 0 at
those whose last code is a free.
"""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

import numpy as np

from . import physmem as pm      # (physmem imports this module: names read at call time)

if TYPE_CHECKING:
    from .physmem import MemMap

SMALL = 16              # blocks replayed one by one (memoryview stores); more: numpy


def replay(mm: "MemMap", pend: dict) -> None:
    """Apply the stores ``pend`` stands for to mm's owner and refcount columns, copying
    a chunk a checkpoint still shares before its first store; ``pend`` is emptied first."""
    n = len(pend)
    if n == 1:                                  # (a loop that frees and reads, page by page)
        _store(mm, *pend.popitem())
    elif n <= SMALL:
        todo = sorted(pend.items(), key=_allocated_last)
        pend.clear()
        for pfn, code in todo:
            _store(mm, pfn, code)
    else:
        heads = np.frombuffer(struct.pack(f"{n}q", *pend), dtype=np.int64)
        codes = np.frombuffer(struct.pack(f"{n}q", *pend.values()), dtype=np.int64)
        pend.clear()
        _replay_numpy(mm, heads, codes)


def _allocated_last(item: tuple[int, int]) -> bool:
    return item[1] >= 16


# the owner byte of every frame of a 2^order block, per owner and order (one slice store)
_FILLS = [[bytes([owner]) * (1 << order) for order in range(11)] for owner in range(16)]


def _store(mm: "MemMap", pfn: int, code: int) -> None:
    """One block's stores, through memoryviews."""
    if mm.watch[pfn >> pm.CHUNK_SHIFT]:         # a checkpoint shares the chunk: copy it first
        mm._copy_out(pfn >> pm.CHUNK_SHIFT)     # (an aligned block never crosses a chunk)
    if code >= 16:
        order = code & 15
        mm._owner_mv[pfn:pfn + (1 << order)] = _FILLS[(code >> 4) - 1][order]
        mm._refcount_mv[pfn] = 1
    elif code >= 0:
        mm._owner_mv[pfn:pfn + (1 << code)] = _FILLS[pm.OWNER_FREE][code]
        mm._refcount_mv[pfn] = 0
    else:
        mm._owner_mv[pfn:pfn + (1 << (-1 - code))] = _FILLS[pm.OWNER_FREE][-1 - code]


def _replay_numpy(mm: "MemMap", heads: np.ndarray, codes: np.ndarray) -> None:
    """The same at once (column __setitem__ copies the chunks a checkpoint shares): the
    refcounts of the heads, then free over every frame of the blocks taken back or split
    off, then each allocated block's owner over its frames."""
    alloc = codes >= 16
    stored = codes >= 0
    mm._refcount[heads[stored]] = alloc[stored]
    orders = np.where(stored, codes & 15, ~codes)           # (~code: -1 - code)
    if orders.any():                                        # block by block, frame by frame
        size = 1 << orders
        heads = _frames(heads, size)
        alloc = np.repeat(alloc, size)
        codes = np.repeat(codes, size)
    mm._owner[heads[~alloc]] = pm.OWNER_FREE
    mm._owner[heads[alloc]] = (codes[alloc] >> 4) - 1


def _frames(heads: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Every frame of the blocks (heads, pages in each), block after block."""
    first = np.repeat(np.cumsum(size) - size, size)
    return np.repeat(heads, size) + (np.arange(len(first)) - first)
