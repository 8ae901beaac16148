"""The panes' scans of a step's events, which decide per event class (a heavy step has
thousands of events of a few classes), give what testing each event gives: every step of
every bundled lesson, compared with the plain per-event code."""
from __future__ import annotations

import pytest

from engine.events import AllocPages, FreePages, Merge, Split
from engine.mmu_events import TlbHit, TlbMiss
from scenarios import Timeline, load_lesson
from scenarios.library import LESSON_DIR
from widgets.buddy import buddy_highlights
from widgets.physmap_cells import event_pfn_ranges
from widgets.slab import SLAB_EVENTS
from widgets.walk import tlb_step_counts

LESSONS = sorted(LESSON_DIR.glob("*.toml"))


def ranges_each(events) -> list:
    out = []
    for ev in events:
        if isinstance(ev, (Split, Merge)):
            pfn = ev.pfn if isinstance(ev, Split) else ev.merged_pfn
            out.append((pfn, pfn + (2 << ev.order)))
        elif isinstance(ev, FreePages):
            out += [(ev.pfn, ev.pfn + (1 << ev.order)),
                    (ev.final_pfn, ev.final_pfn + (1 << ev.final_order))]
        elif type(ev).__name__ in ("Reserve", "FreeReserved"):
            out.append((ev.pfn, ev.pfn + ev.nr_pages))
        elif isinstance(ev.get("pfn"), int):
            order = ev.get("order", 0)
            out.append((ev.pfn, ev.pfn + (1 << (order if isinstance(order, int) else 0))))
        elif isinstance(ev.get("paddr"), int):
            out.append((ev.paddr >> 12, (ev.paddr >> 12) + 1))
    return out


def blocks_each(events) -> dict:
    out: dict = {}
    for ev in events:
        if isinstance(ev, Split):
            hit = ("split", ev.order + 1, ev.pfn, ev.pfn + (2 << ev.order) - 1)
        elif isinstance(ev, Merge):
            hit = ("merge", ev.order + 1, ev.merged_pfn, ev.merged_pfn + (2 << ev.order) - 1)
        elif isinstance(ev, AllocPages):
            hit = ("alloc", ev.order, ev.pfn, ev.pfn + (1 << ev.order) - 1)
        elif isinstance(ev, FreePages):
            hit = ("free", ev.final_order, ev.final_pfn, ev.final_pfn + (1 << ev.final_order) - 1)
        else:
            continue
        out.setdefault(ev.zone, []).append(hit)
    return out


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_scans_by_class_equal_scans_by_event(path):
    tl = Timeline(load_lesson(path))
    seen = 0
    for result in tl.run_all():
        events = result.events
        seen += len(events)
        assert event_pfn_ranges(events) == ranges_each(events), result.index
        assert buddy_highlights(events) == blocks_each(events), result.index
        assert tlb_step_counts(events) == (sum(isinstance(e, TlbHit) for e in events),
                                           sum(isinstance(e, TlbMiss) for e in events))
        assert any(isinstance(e, SLAB_EVENTS) for e in events) == \
            any(issubclass(c, SLAB_EVENTS) for c in set(map(type, events)))
    assert seen
