"""Physical memory: mem_map (per-frame state in numpy arrays) and frame contents.

mem_map mirrors the kernel's ``struct page`` array, one row per pfn, but as
columns (numpy arrays) so that 16 M frames (64 GB PAE) cost a few bytes each
and views can bin them with vectorised reductions.  Frame *contents* are stored
sparsely: only frames that were written own a 4 KB buffer; every other frame
reads as zeros.
"""
from __future__ import annotations

import struct

import numpy as np

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
PAGE_MASK = ~(PAGE_SIZE - 1)

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


class MemMap:
    """Per-frame state: zone, flags, order, owner, refcount, mapcount."""

    __slots__ = ("nr_pfns", "zone", "flags", "order", "owner", "refcount", "mapcount")

    def __init__(self, nr_pfns: int) -> None:
        self.nr_pfns = nr_pfns
        # np.zeros is lazily backed by the OS: untouched frames cost no RSS.
        self.zone = np.full(nr_pfns, -1, dtype=np.int8)     # -1: no zone (hole)
        self.flags = np.zeros(nr_pfns, dtype=np.uint16)
        self.order = np.zeros(nr_pfns, dtype=np.int8)       # buddy / compound order of a head
        self.owner = np.zeros(nr_pfns, dtype=np.uint8)
        self.refcount = np.zeros(nr_pfns, dtype=np.int32)
        self.mapcount = np.zeros(nr_pfns, dtype=np.int32)   # kernel stores -1 for "unmapped"; we store 0


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
