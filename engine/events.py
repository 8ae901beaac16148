"""What each operation did: small, immutable, serialisable records.

Widgets highlight from them, lessons narrate them, the recorder times them.
Every event is a NamedTuple; ``event.kind`` is its class name and
``event._asdict()`` its fields.
"""
from __future__ import annotations

from typing import NamedTuple


EVENT_TYPES: dict[str, type] = {}


def event(cls):
    """Register a NamedTuple as an event type and give it ``kind`` and ``describe()``."""
    cls.kind = property(lambda self: type(self).__name__)
    cls.describe = lambda self: f"{type(self).__name__}(" + ", ".join(
        f"{k}={_fmt(k, v)}" for k, v in self._asdict().items()) + ")"
    cls.__str__ = cls.describe
    EVENT_TYPES[cls.__name__] = cls
    return cls


def _fmt(key: str, value) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and (
            key.endswith("pfn") or key.endswith("addr") or key in ("vaddr", "paddr", "start", "end")):
        return hex(value)
    return repr(value)


@event
class Split(NamedTuple):
    """expand(): a block of order+1 was split; the upper half goes back on free_area[order]."""
    zone: str
    pfn: int            # start of the block that was split
    order: int          # order of each half
    upper_pfn: int      # the half put back on the free list


@event
class Merge(NamedTuple):
    """__free_one_page(): a block merged with its free buddy into order+1."""
    zone: str
    pfn: int
    buddy_pfn: int
    order: int          # order of each half before the merge
    merged_pfn: int


@event
class AllocPages(NamedTuple):
    zone: str
    pfn: int
    order: int
    gfp: str
    owner: str


@event
class FreePages(NamedTuple):
    zone: str
    pfn: int
    order: int          # order given to __free_pages
    final_pfn: int      # block that went on the free list after merging
    final_order: int


@event
class WatermarkCheck(NamedTuple):
    """zone_watermark_ok() said no for this zone; the allocator fell back."""
    zone: str
    mark: str           # "low" or "min"
    free: int
    needed: int


@event
class Fallback(NamedTuple):
    from_zone: str
    to_zone: str


@event
class AllocFail(NamedTuple):
    order: int
    gfp: str
    message: str


@event
class Reserve(NamedTuple):
    """A boot-time (memblock) reservation."""
    what: str
    pfn: int
    nr_pages: int


@event
class FreeReserved(NamedTuple):
    """Boot memory handed to the buddy allocator (free_initmem and friends)."""
    what: str
    pfn: int
    nr_pages: int
