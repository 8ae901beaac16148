"""External fragmentation indices, after mm/vmstat.c (debugfs extfrag/unusable_index).

Read-only: computed from the zones' free_area counts, never changing the machine.

    unusable_free_index(order) = (free_pages - (free_blocks_suitable << order)) * 1000
                                 / free_pages
where free_pages counts every free page of the zone's buddy lists and
free_blocks_suitable counts, in blocks of ``order``, the free blocks of that order or
larger (fill_contig_page_info).  0 means every free page can serve the request,
1000 means none can.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from .machine import Machine


def contig_page_info(nr_free: Sequence[int], order: int) -> tuple[int, int, int]:
    """(free_pages, free_blocks_total, free_blocks_suitable) of one zone for ``order``."""
    free_pages = total = suitable = 0
    for o, n in enumerate(nr_free):
        total += n
        free_pages += n << o
        if o >= order:
            suitable += n << (o - order)
    return free_pages, total, suitable


def unusable_free_index(nr_free: Sequence[int], order: int) -> int:
    """The kernel's index in thousandths (0..1000) for one zone and order."""
    free_pages, _, suitable = contig_page_info(nr_free, order)
    if not free_pages:
        return 0
    return (free_pages - (suitable << order)) * 1000 // free_pages


def unusable_indices(nr_free: Sequence[int]) -> list[int]:
    return [unusable_free_index(nr_free, o) for o in range(len(nr_free))]


def unusable_index_text(m: Machine) -> str:
    """/sys/kernel/debug/extfrag/unusable_index as the kernel prints it."""
    out = []
    for z in m.zones:
        vals = "".join(f"{i // 1000}.{i % 1000:03d} " for i in unusable_indices(z.nr_free))
        out.append(f"Node 0, zone {z.name:>8} {vals}\n")
    return "".join(out)
