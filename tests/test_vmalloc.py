"""vmalloc/vfree, and the seed example: get_free_page, kmalloc(100), vmalloc(1000000)."""
from __future__ import annotations

import copy

import pytest

import engine

@pytest.fixture(scope="module")
def seed_machine():
    """The seed article's box: 160 MB, a 2.6 kernel with SLAB, after a while of use
    (its free memory is fragmented: every other page of a large run is in use)."""
    m = engine.Machine.boot(ram="160M", kernel="2.6")
    held = [m.alloc_pages("GFP_KERNEL") for _ in range(2000)]
    for pfn in held[::2]:
        m.free_pages(pfn)
    return m


def test_seed_example_addresses(seed_machine):
    m = copy.deepcopy(seed_machine)
    L = m.layout
    page = m.get_free_page()
    km = m.kmalloc(100)
    vm = m.vmalloc(1000000)
    assert m.region_of(page) == "direct" and m.region_of(km) == "direct"
    assert m.region_of(vm) == "vmalloc" and vm == L.vmalloc_start
    assert L.vmalloc_start == 0xCA800000                      # 160 MB + 8 MB, rounded (2.6)
    # virt_to_phys works for the first two, and the walk agrees
    for va in (page, km):
        assert m.walk(va).paddr == m.virt_to_phys(va)
    # kmalloc(100) lives in a size-128 slab
    slab = m.slab_of(km)
    assert slab.cache.name == "size-128" and slab.base <= km < slab.base + 4096
    # vmalloc's frames: not through virt_to_phys, only through the page tables
    with pytest.raises(engine.ConfigError, match="page-table walk"):
        m.virt_to_phys(vm)
    area = m.vmap_areas[0]
    assert area.size == 246 * 4096 and len(area.pages) == 245       # one guard page
    frames = [m.walk(vm + i * 4096).paddr >> 12 for i in range(245)]
    assert frames == area.pages
    assert any(b != a + 1 for a, b in zip(frames, frames[1:]))      # not contiguous
    assert m.walk(vm + 245 * 4096).fault is not None                 # the guard page
    m.check()
    m.vfree(vm)
    m.kfree(km)
    m.free_pages_addr(page)
    m.check()


def test_vmalloc_takes_highmem_first_and_is_not_contiguous():
    m = engine.Machine.boot(ram="1G")
    vm = m.vmalloc(1000000)
    pages = m.vmap_areas[0].pages
    assert all(m.pfn_zone(p) == "HighMem" for p in pages)
    assert any(b != a + 1 for a, b in zip(pages, pages[1:]))
    assert m.proc("/proc/vmallocinfo") == (
        f"0x{vm:08x}-0x{vm + 246 * 4096:08x} 1007616 mmviz_init+0x1a/0x40 [mmviz] "
        f"pages=245 vmalloc\n")
    meminfo = m.proc("/proc/meminfo")
    assert "VmallocUsed:         980 kB" in meminfo
    kinds = [type(e).__name__ for e in m.events]
    assert kinds.count("KernelMapPte") == 245 and "VmapAreaAlloc" in kinds
    # the page array (980 bytes) came from kmalloc-1k
    assert m.slab_of(m.vmap_areas[0].array).cache.name == "kmalloc-1k"
    m.check()


def test_first_fit_and_guard_pages():
    m = engine.Machine.boot(ram="256M")
    s = m.layout.vmalloc_start
    a = m.vmalloc(4096, caller="a+0x1/0x2")
    b = m.vmalloc(3 * 4096)
    c = m.vmalloc(4096)
    assert (a, b, c) == (s, s + 8192, s + 8192 + 4 * 4096)
    m.vfree(b)
    assert m.vmalloc(4096) == b                               # lowest gap that fits
    assert m.vmalloc(8192) == c + 8192                        # 12 KB with its guard: no fit
    assert m.vmalloc(4096) == b + 8192                        # the 8 KB hole left behind
    assert m.proc("/proc/vmallocinfo").splitlines()[0] == \
        f"0x{s:08x}-0x{s + 8192:08x}    8192 a+0x1/0x2 pages=1 vmalloc"
    m.check()


def test_vfree_unmaps_and_flushes():
    m = engine.Machine.boot(ram="1G")
    vm = m.vmalloc(3 * 4096)
    m.access(vm, "write")
    m.vfree(vm)
    kinds = [type(e).__name__ for e in m.events]
    assert kinds.count("KernelUnmapPte") == 3 and "VmapAreaFree" in kinds
    assert "TlbFlush" in kinds
    assert m.walk(vm).fault is not None
    with pytest.raises(engine.KernelOops, match="unable to handle page fault"):
        m.access(vm)
    with pytest.raises(engine.BadFree, match="nonexistent vm area"):
        m.vfree(vm)
    m.check()


def test_large_vmalloc_vmallocs_its_page_array():
    m = engine.Machine.boot(ram="1G")
    m.vmalloc(5 << 20)                                        # 1280 pages: array > 4 KB
    line = m.proc("/proc/vmallocinfo").splitlines()
    assert line[0].endswith("pages=1280 vmalloc vpages")     # its array: the next area
    assert line[1].endswith("pages=2 vmalloc")
    m.check()


def test_out_of_vmalloc_space_message_and_rollback():
    m = engine.Machine.boot(ram="1G", vmalloc="16M")
    before = m.proc("/proc/buddyinfo")
    with pytest.raises(engine.OutOfMemory, match=r"vmap allocation for size \d+ failed: "
                                                  r"use vmalloc=<size> to increase size"):
        m.vmalloc(m.layout.vmalloc_end - m.layout.vmalloc_start)
    assert m.vmap_areas == [] and m.proc("/proc/buddyinfo") == before
    m26 = engine.Machine.boot(ram="1G", kernel="2.6")
    with pytest.raises(engine.OutOfMemory, match="out of vmalloc space"):
        m26.vmalloc(200 << 20)


def test_vmalloc_used_2_6_counts_whole_areas():
    m = engine.Machine.boot(ram="160M", kernel="2.6")
    m.vmalloc(4096)
    assert "VmallocUsed:         8 kB" in m.proc("/proc/meminfo")
