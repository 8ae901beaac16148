"""alloc_pages() keeps, per GFP argument, the zone's low_at row of its classzone
(engine.page_alloc.PageAllocator.gfp_entry): the row must follow the zone's watermarks
when they change after the entry was made, and a checkpoint's restore must give the
entry the restored zone's row, not a copy that no longer follows it."""
from __future__ import annotations

import engine
from engine import checkpoint
from engine.events import WatermarkCheck


def _entry_row(m, gfp="GFP_KERNEL"):
    return m._gfp_fast[gfp][1]


def test_a_watermark_raised_after_the_first_allocation_is_tested_by_the_next():
    m = engine.Machine.boot(ram="1G", seed=1)
    normal = m.zone("Normal")
    m.alloc_pages("GFP_KERNEL", 0)                  # the entry exists now
    assert _entry_row(m) is normal.low_at[normal.idx]
    normal.watermark_low = normal.free_pages + 10   # Normal is below its low watermark now
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    checks = [e for e in m.events if isinstance(e, WatermarkCheck)]
    assert checks and checks[0].zone == "Normal"
    assert m.pfn_zone(pfn) == "DMA"                 # the fallback, as the kernel's
    m.check()


def test_a_restored_entry_holds_the_restored_zones_row():
    m = engine.Machine.boot(ram="1G", seed=1)
    m.alloc_pages("GFP_KERNEL", 0)
    normal = m.zone("Normal")
    low = normal.watermark_low
    ck = checkpoint.save(m)
    normal.watermark_low = normal.free_pages + 10
    checkpoint.restore(m, ck)
    normal = m.zone("Normal")
    assert normal.watermark_low == low
    assert _entry_row(m) is normal.low_at[normal.idx]
    assert _entry_row(m)[0] == low + normal.lowmem_reserve[normal.idx] + 1
    pfn = m.alloc_pages("GFP_KERNEL", 0)            # the fast path: Normal passes again
    assert m.pfn_zone(pfn) == "Normal"
    assert not [e for e in m.events if isinstance(e, WatermarkCheck)]
    m.check()
