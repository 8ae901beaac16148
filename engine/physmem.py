"""Physical memory: mem_map (per-frame state in numpy arrays) and frame contents.

mem_map mirrors the kernel's ``struct page`` array, one row per pfn, but as
columns (numpy arrays) so that 16 M frames (64 GB PAE) cost a few bytes each
and views can bin them with vectorised reductions.  Frame *contents* are stored
sparsely: only frames that were written own a 4 KB buffer; every other frame
reads as zeros.
"""
from __future__ import annotations

import struct
from itertools import compress, repeat
from operator import is_, is_not

import numpy as np

try:
    from numpy.lib.array_utils import byte_bounds
except ImportError:                      # numpy < 2
    from numpy import byte_bounds

from . import memmap_log
from .page_types import PAGE_MASK, PAGE_SHIFT, PAGE_SIZE  # noqa: F401 (re-exported)

# page->flags bits we model (names after include/linux/page-flags.h)
PG_reserved = 1 << 0
PG_buddy = 1 << 1        # a page type in the kernel (PageBuddy); head of a free block
PG_slab = 1 << 2
PG_head = 1 << 3         # head of a compound page
PG_tail = 1 << 4
PG_highmem = 1 << 5      # derived from the zone, kept for fast masks
PG_lru = 1 << 6
PG_swapcache = 1 << 7
PG_dirty = 1 << 8
PG_referenced = 1 << 9
PG_pgtable = 1 << 10     # PageTable page type
PG_anon = 1 << 11        # PageAnon (mapping low bit in the kernel)

# who owns a frame (for the physical map's colours and for invariants)
OWNER_FREE = 0
OWNER_HOLE = 1          # not RAM / firmware-reserved (e820 holes, BIOS area)
OWNER_KERNEL = 2        # kernel image (text, rodata, data, bss)
OWNER_MEMMAP = 3        # the mem_map array itself
OWNER_BOOTMEM = 4       # other memblock reservations (hash tables, percpu, swiotlb, ...)
OWNER_PGTABLE = 5       # page-table pages
OWNER_PAGES = 6         # alloc_pages by a kernel caller
OWNER_SLAB = 7
OWNER_VMALLOC = 8
OWNER_USER = 9          # user anonymous pages
OWNER_PAGECACHE = 10
OWNER_NAMES = ("free", "hole", "kernel", "mem_map", "bootmem", "pgtable",
               "pages", "slab", "vmalloc", "user", "pagecache")


# mem_map is checkpointed in chunks of 4 K frames (16 MB of RAM, 52 KB of mem_map): a step
# that writes one frame makes a checkpoint copy one chunk, and a restore that copies it back
# makes the physical map recount 16 MB of frames, not a quarter of a 1 GB machine
CHUNK_SHIFT = 12
COLUMNS = ("zone", "flags", "order", "owner", "refcount", "mapcount")
# the columns' own slots (owner and refcount are read through properties: MemMap.sync)
_RAW = ("zone", "flags", "order", "_owner", "_refcount", "mapcount")


class _Column(np.ndarray):
    """A mem_map column that copies a checkpointed chunk before a store changes it.

    Every numpy store (``col[i] = v``, ``col[a:b] |= f``, ``np.add.at(col, idx, 1)``)
    goes through :meth:`__setitem__` or :meth:`__array_ufunc__`, which tell the MemMap
    which chunks (``CHUNK_SHIFT``) are about to change (:meth:`MemMap.cow`).  Stores through a
    ``memoryview`` (the buddy allocator's deferred stores, engine.memmap_log) copy first themselves.
    """

    def __array_finalize__(self, obj) -> None:
        self._mm = getattr(obj, "_mm", None)
        self._root = getattr(obj, "_root", None)

    def _chunks(self, key) -> range | list[int]:
        n = len(self._root)
        if self is not self._root:                      # a view (or a copy) of a column
            lo, hi = byte_bounds(self)
            base = self._root.__array_interface__["data"][0]
            size = self.itemsize
            if hi <= base or lo >= base + n * size:
                return ()                               # a copy: not mem_map
            return range(max(0, lo - base) // size >> CHUNK_SHIFT,
                          ((min(hi, base + n * size) - base) // size - 1 >> CHUNK_SHIFT) + 1)
        if isinstance(key, (int, np.integer)):
            return (int(key) % n >> CHUNK_SHIFT,)
        if isinstance(key, slice):
            start, stop, step = key.indices(n)
            if (stop - start) * step <= 0:
                return ()
            last = start + ((stop - start - (1 if step > 0 else -1)) // step) * step
            a, b = min(start, last), max(start, last)
            return range(a >> CHUNK_SHIFT, (b >> CHUNK_SHIFT) + 1)
        if key is Ellipsis or key is None:
            return range(((n - 1) >> CHUNK_SHIFT) + 1)
        idx = np.asarray(key)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        if idx.size == 0:
            return ()
        # the distinct chunks, in order (np.unique would import numpy.ma: ~10 ms the first time)
        return np.flatnonzero(np.bincount((idx.ravel().astype(np.int64) % n) >> CHUNK_SHIFT)).tolist()

    def __setitem__(self, key, value) -> None:
        mm = self._mm
        if mm is not None and mm.watched:               # (0 unless a checkpoint shares one)
            mm.cow(self._chunks(key))
        np.ndarray.__setitem__(self, key, value)

    def fill(self, value) -> None:
        self[...] = value

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kw):
        if method == "at" and isinstance(inputs[0], _Column) and inputs[0]._mm is not None:
            inputs[0]._mm.cow(inputs[0]._chunks(inputs[1]))
        args = [x.view(np.ndarray) if isinstance(x, _Column) else x for x in inputs]
        if out is not None:
            for o in out:
                if isinstance(o, _Column) and o._mm is not None:
                    o._mm.cow(o._chunks(Ellipsis))
            kw["out"] = tuple(o.view(np.ndarray) if isinstance(o, _Column) else o for o in out)
        result = getattr(ufunc, method)(*args, **kw)
        if out is not None and ufunc.nout == 1:
            return out[0]                               # in-place operators keep the column
        return result


class _Chunk:
    """One checkpointed chunk: ``data`` (a tuple of column slices) or None while the
    live chunk still equals it (copied at the first store: copy-on-write)."""

    __slots__ = ("data",)

    def __init__(self) -> None:
        self.data: tuple | None = None


class MemMap:
    """Per-frame state: zone, flags, order, owner, refcount, mapcount.

    Checkpoints are copy-on-write: :meth:`snapshot` costs no copy; a chunk is copied
    when a store is about to change it; :meth:`restore` copies back (``np.copyto``
    into the same arrays) only the chunks that differ.

    The buddy allocator's owner/refcount stores wait in ``pend`` (engine.memmap_log) until
    :attr:`owner` or :attr:`refcount` is read, or mem_map is checkpointed (:meth:`sync`).
    """

    __slots__ = ("nr_pfns", "zone", "flags", "order", "_owner", "_refcount", "mapcount",
                 "nr_chunks", "frozen", "watch", "watched", "tracking", "pend", "_owner_mv",
                 "_refcount_mv", "__weakref__")

    def __init__(self, nr_pfns: int) -> None:
        self.nr_pfns = nr_pfns
        self.pend: dict[int, int] = {}   # deferred buddy stores: head pfn -> code (engine.memmap_log)
        # np.zeros is lazily backed by the OS: untouched frames cost no RSS.
        self.zone = self._column(np.full(nr_pfns, -1, dtype=np.int8))      # -1: no zone (hole)
        self.flags = self._column(np.zeros(nr_pfns, dtype=np.uint16))
        self.order = self._column(np.zeros(nr_pfns, dtype=np.int8))       # buddy / compound order of a head
        self.owner = self._column(np.zeros(nr_pfns, dtype=np.uint8))
        self.refcount = self._column(np.zeros(nr_pfns, dtype=np.int32))
        self.mapcount = self._column(np.zeros(nr_pfns, dtype=np.int32))   # kernel stores -1 for "unmapped"; we store 0
        self.nr_chunks = ((nr_pfns - 1) >> CHUNK_SHIFT) + 1 if nr_pfns else 0
        # frozen[c]: the checkpoint chunk the live chunk c equals (None: changed since);
        # watch[c] = 1 while frozen[c] is set (a store must copy or drop it); the same
        # list for the object's life (the buddy allocator keeps it).  ``tracking`` is
        # False until the first snapshot, so a machine never checkpointed pays nothing on
        # numpy stores.
        self.frozen: list[_Chunk | None] = [None] * self.nr_chunks
        self.watch = [0] * self.nr_chunks   # a list: the hot path reads it (a list index is the cheapest)
        self.watched = 0                    # sum(watch): at 0 numpy stores look for no chunk
        self.tracking = False

    def _column(self, arr: np.ndarray) -> _Column:
        col = arr.view(_Column)
        col._mm, col._root = self, col
        return col

    @property
    def owner(self) -> _Column:
        """Who owns each frame (OWNER_*), the buddy allocator's stores applied."""
        if self.pend:
            memmap_log.replay(self, self.pend)
        return self._owner

    @owner.setter
    def owner(self, col: _Column) -> None:
        self._owner, self._owner_mv = col, memoryview(col)

    @property
    def refcount(self) -> _Column:
        """page->_count of each frame, the buddy allocator's stores applied."""
        if self.pend:
            memmap_log.replay(self, self.pend)
        return self._refcount

    @refcount.setter
    def refcount(self, col: _Column) -> None:
        self._refcount, self._refcount_mv = col, memoryview(col)

    def sync(self) -> None:
        """Apply the buddy allocator's pending owner/refcount stores (engine.memmap_log)."""
        if self.pend:
            memmap_log.replay(self, self.pend)

    def columns(self) -> tuple[np.ndarray, ...]:
        """The six columns as plain arrays (stores through them are not tracked)."""
        self.sync()
        return self._raw_columns()

    def _raw_columns(self) -> tuple[np.ndarray, ...]:
        """The columns as they are in memory (no pending store applied)."""
        return tuple(getattr(self, c).view(np.ndarray) for c in _RAW)

    # -- copy-on-write checkpoints --------------------------------------------------------
    def cow(self, chunks) -> None:
        """Chunks about to be written: copy those a checkpoint still shares with us."""
        if not self.tracking or not self.watched:
            return
        watch = self.watch
        for c in chunks:
            if watch[c]:
                self._copy_out(c)

    def _copy_out(self, c: int) -> None:
        ch = self.frozen[c]
        if ch is not None and ch.data is None:
            lo, hi = c << CHUNK_SHIFT, min(self.nr_pfns, (c + 1) << CHUNK_SHIFT)
            ch.data = tuple(col[lo:hi].copy() for col in self._raw_columns())
        self.frozen[c] = None
        if self.watch[c]:
            self.watch[c] = 0
            self.watched -= 1

    def snapshot(self) -> tuple[_Chunk, ...]:
        """A checkpoint of every column: shares every chunk, copies none now."""
        self.sync()
        self.tracking = True
        frozen, watch = self.frozen, self.watch
        for c in self._changed():
            frozen[c] = _Chunk()
            watch[c] = 1
        self.watched = sum(watch)
        return tuple(frozen)

    def _changed(self) -> list[int]:
        """The chunks no checkpoint shares (frozen[c] is None), in order; the scan runs in C
        (16 M frames at 64 GB PAE are 4,096 chunks)."""
        return list(compress(range(self.nr_chunks), map(is_, self.frozen, repeat(None))))

    def restore(self, snap: tuple[_Chunk, ...]) -> list[int]:
        """Make the columns equal ``snap`` again, in place; returns the chunks copied back."""
        self.sync()
        self.tracking = True
        frozen, watch = self.frozen, self.watch
        changed = []
        cols = None
        for c in compress(range(self.nr_chunks), map(is_not, frozen, snap)):
            want = snap[c]
            cur = frozen[c]
            if cur is not None and cur.data is None:    # another checkpoint still reads us
                self._copy_out(c)
            if want.data is None:
                raise RuntimeError(f"mem_map chunk {c}: checkpoint lost its copy")
            cols = cols or self._raw_columns()
            lo = c << CHUNK_SHIFT
            for col, part in zip(cols, want.data):
                np.copyto(col[lo:lo + len(part)], part)
            frozen[c] = want
            watch[c] = 1                                # the next store must drop it
            changed.append(c)
        self.watched = sum(watch)
        return changed

    def undo_point(self) -> tuple:
        """A snapshot for stores that will be undone (:meth:`undo`): what a trial run
        changes is copied chunk by chunk, as for a checkpoint."""
        fresh = self._changed()
        return self.snapshot(), fresh, self.tracking

    def undo(self, point: tuple) -> list[int]:
        """Put the columns back as they were at :meth:`undo_point`; the chunks no checkpoint
        shared before it are no longer watched.  Returns the chunks copied back."""
        snap, fresh, tracking = point
        changed = self.restore(snap)
        frozen, watch = self.frozen, self.watch
        for c in fresh:
            frozen[c] = None
            watch[c] = 0
        self.watched = sum(watch)
        self.tracking = tracking
        return changed

    def chunk_range(self, c: int) -> tuple[int, int]:
        """[lo, hi) pfns of chunk c."""
        return c << CHUNK_SHIFT, min(self.nr_pfns, (c + 1) << CHUNK_SHIFT)

    def __deepcopy__(self, memo) -> "MemMap":
        new = MemMap.__new__(MemMap)
        memo[id(self)] = new
        # the copy's pend: the one copy of ours (alloc_pages()'s GFP entries hold it too),
        # empty as the columns are copied with our stores applied
        pend = memo.get(id(self.pend))
        if pend is None:
            pend = memo[id(self.pend)] = {}
        pend.clear()
        new.nr_pfns, new.nr_chunks, new.pend = self.nr_pfns, self.nr_chunks, pend
        for name, col in zip(COLUMNS, self.columns()):
            setattr(new, name, new._column(col.copy()))
        new.frozen = [None] * self.nr_chunks
        new.watch, new.watched, new.tracking = [0] * self.nr_chunks, 0, False
        return new

    def __reduce__(self):
        return (_memmap_from_columns, (self.nr_pfns, self.columns()))


def _memmap_from_columns(nr_pfns: int, cols) -> MemMap:
    m = MemMap(0)
    m.nr_pfns, m.nr_chunks = nr_pfns, ((nr_pfns - 1) >> CHUNK_SHIFT) + 1 if nr_pfns else 0
    for name, col in zip(COLUMNS, cols):
        setattr(m, name, m._column(np.array(col)))
    m.frozen = [None] * m.nr_chunks
    m.watch = [0] * m.nr_chunks
    m.watched = 0
    return m


class FrameStore:
    """Sparse contents of physical memory, addressed by physical address."""

    __slots__ = ("frames", "limit")

    def __init__(self, limit: int) -> None:
        self.frames: dict[int, bytearray] = {}
        self.limit = limit            # exclusive physical address limit

    def _frame(self, pfn: int) -> bytearray:
        buf = self.frames.get(pfn)
        if buf is None:
            buf = self.frames[pfn] = bytearray(PAGE_SIZE)
        return buf

    def read(self, paddr: int, length: int) -> bytes:
        out = bytearray()
        while length > 0:
            pfn, off = paddr >> PAGE_SHIFT, paddr & (PAGE_SIZE - 1)
            n = min(length, PAGE_SIZE - off)
            buf = self.frames.get(pfn)
            out += buf[off:off + n] if buf is not None else bytes(n)
            paddr += n
            length -= n
        return bytes(out)

    def write(self, paddr: int, data: bytes) -> None:
        pos = 0
        while pos < len(data):
            pfn, off = paddr >> PAGE_SHIFT, paddr & (PAGE_SIZE - 1)
            n = min(len(data) - pos, PAGE_SIZE - off)
            self._frame(pfn)[off:off + n] = data[pos:pos + n]
            paddr += n
            pos += n

    def read_u32(self, paddr: int) -> int:
        buf = self.frames.get(paddr >> PAGE_SHIFT)
        if buf is None:
            return 0
        return struct.unpack_from("<I", buf, paddr & (PAGE_SIZE - 1))[0]

    def write_u32(self, paddr: int, value: int) -> None:
        struct.pack_into("<I", self._frame(paddr >> PAGE_SHIFT), paddr & (PAGE_SIZE - 1), value)

    def read_u64(self, paddr: int) -> int:
        buf = self.frames.get(paddr >> PAGE_SHIFT)
        if buf is None:
            return 0
        return struct.unpack_from("<Q", buf, paddr & (PAGE_SIZE - 1))[0]

    def write_u64(self, paddr: int, value: int) -> None:
        struct.pack_into("<Q", self._frame(paddr >> PAGE_SHIFT), paddr & (PAGE_SIZE - 1), value)

    def zero_frame(self, pfn: int) -> None:
        """clear_page(): the frame reads as zeros again (and costs nothing)."""
        self.frames.pop(pfn, None)

    def copy_frame(self, dst_pfn: int, src_pfn: int) -> None:
        """copy_page()."""
        src = self.frames.get(src_pfn)
        if src is None:
            self.frames.pop(dst_pfn, None)
        else:
            self.frames[dst_pfn] = bytearray(src)

    def written_pfns(self) -> list[int]:
        return sorted(self.frames)
