"""A checkpoint must not slow the live machine down (engine.slots).

CPython 3.11 reads an ordinary object's attributes fast only until something asks for its
``__dict__``, and a checkpoint's copy asks for every object's: the buddy allocator then ran
20-26 % slower and kmalloc 10-15 % on every machine a lesson's timeline had checkpointed
(every machine a user steps through).  The objects the hot paths use on every call are
slotted; this checks that they are, before and after a save and a restore, and that the
restored objects hold the state saved.
"""
from __future__ import annotations

import pytest

import engine
from engine import checkpoint
from engine.slots import slot_values


def hot_objects(m):
    """(what, object) of every object an alloc_pages/free_pages, kmalloc/kfree, kmap or
    TLB lookup reads or writes attributes of on every call."""
    yield "trace", m.trace
    yield "buddy", m.buddy
    for z in m.all_zones:
        yield f"zone {z.name}", z
    yield "kmem", m.kmem
    for name, c in m.kmem.caches.items():
        yield f"cache {name}", c
    yield "highmem", m.highmem
    yield "tlb", m.tlb


def _no_dict(m) -> list[str]:
    return [what for what, obj in hot_objects(m) if hasattr(obj, "__dict__")]


@pytest.mark.parametrize("kernel", ["6.1", "2.6.24"])
def test_hot_path_objects_have_no_dict_before_and_after_a_checkpoint(kernel):
    m = engine.Machine.boot(ram="1G", kernel=kernel)
    assert _no_dict(m) == []
    ck = checkpoint.save(m)
    assert _no_dict(m) == []
    m.kfree(m.kmalloc(100))
    kept = [m.kmalloc(size) for size in (8, 96, 700, 3000)]
    m.kmap(m.alloc_pages("GFP_HIGHUSER", 0))
    assert kept
    checkpoint.restore(m, ck)
    assert _no_dict(m) == []
    m.check()


@pytest.mark.parametrize("kernel", ["6.1", "2.6.24"])
def test_restored_slotted_objects_hold_the_saved_state(kernel):
    m = engine.Machine.boot(ram="1G", kernel=kernel)
    before = {what: repr(sorted(slot_values(obj).items(), key=lambda kv: kv[0]))
              for what, obj in hot_objects(m) if what.startswith(("cache", "zone", "highmem"))}
    procs = (m.proc("/proc/slabinfo"), m.proc("/proc/buddyinfo"), m.proc("/proc/zoneinfo"))
    ck = checkpoint.save(m)
    for size in (8, 96, 700, 3000, 5000):
        m.kmalloc(size)
    m.kmap(m.alloc_pages("GFP_HIGHUSER", 1))
    m.alloc_pages("GFP_KERNEL", 3)
    assert (m.proc("/proc/slabinfo"), m.proc("/proc/buddyinfo")) != procs[:2]
    checkpoint.restore(m, ck)
    after = {what: repr(sorted(slot_values(obj).items(), key=lambda kv: kv[0]))
             for what, obj in hot_objects(m) if what.startswith(("cache", "zone", "highmem"))}
    assert (m.proc("/proc/slabinfo"), m.proc("/proc/buddyinfo"), m.proc("/proc/zoneinfo")) == procs
    assert after.keys() == before.keys()
    assert [w for w in before if before[w] != after[w] and not w.startswith("cache")] == []
    m.check()


class _Two:
    __slots__ = ("a", "b")


class _Three(_Two):
    __slots__ = ("c",)


def test_slot_values_gives_the_set_slots_of_the_class_and_its_bases():
    x = _Three()
    x.a, x.c = 1, 3
    assert slot_values(x) == {"a": 1, "c": 3}      # b unset: left out, as vars() would
    x.b = 2
    assert slot_values(x) == {"a": 1, "b": 2, "c": 3}
    del x.a
    assert slot_values(x) == {"b": 2, "c": 3}
