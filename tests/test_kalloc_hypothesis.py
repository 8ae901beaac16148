"""Property-based: random kmalloc/kfree, kmem_cache ops, vmalloc/vfree, kmap/kunmap and
kmap_atomic sequences keep every invariant (m.check() after every step), and errors
leave the machine as it was."""
from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine

CONFIGS = {"61": dict(ram="1G"), "26": dict(ram="1G", kernel="2.6"),
           "pae": dict(ram="2G", pae=True, nx=True), "small": dict(ram="64M")}
_BASE = {}


def base(name):
    if name not in _BASE:
        _BASE[name] = engine.Machine.boot(**CONFIGS[name])
    return _BASE[name]


op = st.one_of(
    st.tuples(st.just("kmalloc"), st.sampled_from([1, 8, 24, 65, 100, 129, 200, 500, 1000, 3000,
                                                   5000, 9000, 70000]),
              st.sampled_from(["GFP_KERNEL", "GFP_DMA", "GFP_ATOMIC"])),
    st.tuples(st.just("kfree"), st.integers(0, 10_000)),
    st.tuples(st.just("cache_alloc"), st.sampled_from(["mm_struct", "vm_area_struct",
                                                       "task_struct", "dentry", "mine"])),
    st.tuples(st.just("cache_free"), st.integers(0, 10_000)),
    st.tuples(st.just("vmalloc"), st.integers(1, 300_000)),
    st.tuples(st.just("vfree"), st.integers(0, 10_000)),
    st.tuples(st.just("kmap"), st.integers(0, 10_000)),
    st.tuples(st.just("kunmap"), st.integers(0, 10_000)),
    st.tuples(st.just("kmap_atomic"), st.integers(0, 10_000)),
    st.tuples(st.just("kunmap_atomic"), st.just(0)),
    st.tuples(st.just("bad_free"), st.integers(0, 10_000)),
)


def run(m, ops):
    m.kmem_cache_create("mine", 72)
    objs, cobjs, areas, maps, atomics = [], [], [], [], []
    high = [m.alloc_pages("GFP_HIGHUSER") for _ in range(4)]
    for o in ops:
        kind = o[0]
        try:
            if kind == "kmalloc":
                objs.append(m.kmalloc(o[1], o[2]))
            elif kind == "kfree" and objs:
                m.kfree(objs.pop(o[1] % len(objs)))
            elif kind == "cache_alloc":
                cobjs.append((o[1], m.kmem_cache_alloc(o[1])))
            elif kind == "cache_free" and cobjs:
                m.kmem_cache_free(*cobjs.pop(o[1] % len(cobjs)))
            elif kind == "vmalloc":
                areas.append(m.vmalloc(o[1]))
            elif kind == "vfree" and areas:
                m.vfree(areas.pop(o[1] % len(areas)))
            elif kind == "kmap":
                p = high[o[1] % len(high)]
                m.kmap(p)
                maps.append(p)
            elif kind == "kunmap" and maps:
                m.kunmap(maps.pop(o[1] % len(maps)))
            elif kind == "kmap_atomic" and len(atomics) < 8:
                km = f"KM_USER{len(atomics) % 2}" if m.config.kernel == "2.6" else None
                if km and any(k == km for k, _ in atomics):
                    continue
                atomics.append((km, m.kmap_atomic(high[len(atomics) % len(high)], km)))
            elif kind == "kunmap_atomic" and atomics:
                m.kunmap_atomic(atomics.pop()[1])
            elif kind == "bad_free" and objs:
                va = objs[o[1] % len(objs)]
                m.kfree(va)
                objs.remove(va)
                before = m.proc("/proc/slabinfo"), m.proc("/proc/buddyinfo")
                if va != m.ZERO_SIZE_PTR:
                    with pytest.raises(engine.BadFree):
                        m.kfree(va)                   # double free: refused, nothing changes
                assert (m.proc("/proc/slabinfo"), m.proc("/proc/buddyinfo")) == before
        except engine.OutOfMemory:
            pass
        m.check()
    for va in objs:
        m.kfree(va)
    for name, va in cobjs:
        m.kmem_cache_free(name, va)
    for va in areas:
        m.vfree(va)
    for p in maps:
        m.kunmap(p)
    for _, va in reversed(atomics):
        m.kunmap_atomic(va)
    m.kmem_cache_destroy("mine")
    m.check()
    assert m.vmap_areas == [] and all(c < 2 for c in m.pkmap_count)


@pytest.mark.parametrize("cfg", list(CONFIGS))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=1, max_size=30))
def test_random_allocator_traffic_keeps_invariants(cfg, ops):
    run(copy.deepcopy(base(cfg)), ops)
