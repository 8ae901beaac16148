"""SLUB and classic SLAB: kmalloc classes, free lists in memory, errors, accounting."""
from __future__ import annotations

import copy

import pytest

import engine
from engine.slab import BUFCTL_END


@pytest.fixture(scope="module")
def base61():
    return engine.Machine.boot(ram="256M")


@pytest.fixture(scope="module")
def base26():
    return engine.Machine.boot(ram="160M", kernel="2.6")


@pytest.fixture
def m(base61):
    return copy.deepcopy(base61)


@pytest.fixture
def m26(base26):
    return copy.deepcopy(base26)


@pytest.mark.parametrize("size,cache", [(1, "kmalloc-8"), (8, "kmalloc-8"), (9, "kmalloc-16"),
                                        (24, "kmalloc-32"), (64, "kmalloc-64"), (65, "kmalloc-96"),
                                        (96, "kmalloc-96"), (100, "kmalloc-128"),
                                        (129, "kmalloc-192"), (193, "kmalloc-256"),
                                        (1000, "kmalloc-1k"), (8192, "kmalloc-8k")])
def test_slub_kmalloc_size_classes(m, size, cache):
    va = m.kmalloc(size)
    assert m.slab_of(va).cache.name == cache
    assert m.ksize(va) == m.slab_cache(cache).object_size


@pytest.mark.parametrize("gfp,cache", [("GFP_DMA", "dma-kmalloc-128"),
                                       ("GFP_KERNEL | __GFP_RECLAIMABLE", "kmalloc-rcl-128"),
                                       ("GFP_KERNEL_ACCOUNT", "kmalloc-cg-128")])
def test_slub_kmalloc_families(m, gfp, cache):
    va = m.kmalloc(100, gfp)
    slab = m.slab_of(va)
    assert slab.cache.name == cache
    if "DMA" in gfp:
        assert m.pfn_zone(slab.pfn) == "DMA"


@pytest.mark.parametrize("size,cache", [(1, "size-32"), (33, "size-64"), (65, "size-96"),
                                        (100, "size-128"), (129, "size-192"),
                                        (5000, "size-8192"), (131072, "size-131072"),
                                        (4 << 20, "size-4194304")])
def test_slab_kmalloc_size_classes(m26, size, cache):
    assert m26.slab_of(m26.kmalloc(size)).cache.name == cache
    assert m26.slab_of(m26.kmalloc(size, "GFP_DMA")).cache.name == cache + "(DMA)"


def test_kmalloc_zero_and_null(m):
    assert m.kmalloc(0) == 0x10 == m.ZERO_SIZE_PTR
    m.kfree(0x10)
    m.kfree(0)
    m.check()


def test_large_kmalloc_is_a_compound_page_block(m):
    before = m.proc("/proc/meminfo")
    va = m.kmalloc(20000)
    pfn = (va - m.layout.page_offset) >> 12
    assert m.slab_of(va) is None and m.kmem.large[pfn][0] == 3
    assert [type(e).__name__ for e in m.events][-1] == "KmallocLarge"
    assert m.memmap.flags[pfn] & engine.physmem.PG_head
    m.check()
    m.kfree(va)
    assert m.proc("/proc/meminfo") == before
    m.check()


def test_slab_2_6_has_no_page_allocator_fallback(m26):
    with pytest.raises(engine.OutOfMemory, match="KMALLOC_MAX_SIZE"):
        m26.kmalloc((4 << 20) + 1)


def test_slub_freelist_is_written_into_the_objects(m):
    va = m.kmalloc(100)
    slab = m.slab_of(va)
    c = slab.cache
    assert c.offset == 64                                  # the middle of a 128-byte object
    fl = c.cpu_freelist()
    assert fl[:3] == [1, 2, 3] and va == slab.base
    for a, b in zip(fl, fl[1:]):
        assert m.read_phys((slab.pfn << 12) + a * 128 + 64, 4) == \
            (slab.base + b * 128).to_bytes(4, "little")
    last = fl[-1]
    assert m.read_phys((slab.pfn << 12) + last * 128 + 64, 4) == bytes(4)
    m.kfree(va)                                             # LIFO: back at the head
    assert c.cpu_freelist()[0] == 0
    assert m.read_phys((slab.pfn << 12) + 64, 4) == (slab.base + 128).to_bytes(4, "little")


def test_double_free_and_bad_pointers_leave_the_machine_unchanged(m):
    va = m.kmalloc(100)
    other = m.kmalloc(100)
    page = m.get_free_page()
    m.kfree(va)
    c = m.slab_cache("kmalloc-128")

    def snap():
        return (m.proc("/proc/slabinfo"), m.proc("/proc/buddyinfo"), c.cpu_freelist(),
                {k: bytes(v) for k, v in m.frames.frames.items()})
    before = snap()
    with pytest.raises(engine.BadFree, match=r"^BUG kmalloc-128 \(Not tainted\): Object already free"):
        m.kfree(va)
    with pytest.raises(engine.BadFree, match="Invalid object pointer"):
        m.kfree(other + 4)
    with pytest.raises(engine.BadFree, match="WARNING: .* free_large_kmalloc"):
        m.kfree(page)
    with pytest.raises(engine.BadFree, match="not a direct-map address"):
        m.kfree(0xF8000000)
    assert snap() == before
    m.check()


def test_slub_partial_lists_and_min_partial(m):
    c = m.slab_cache("kmalloc-2k")                          # 8 objects per slab
    objs = [m.kmalloc(2048) for _ in range(8 * 8)]
    assert c.nr_slabs == 8 and len(c.full) == 7
    for va in objs[::8]:                                    # one free object in 7 full slabs
        m.kfree(va)
    assert len(c.partial) == 7
    assert c.min_partial == 5
    for i in range(7):               # an empty slab goes while nr_partial >= min_partial
        for va in objs[i * 8 + 1:i * 8 + 8]:
            m.kfree(va)
        m.check()
    assert len(c.partial) == 4 and c.nr_slabs == 5
    info = [l for l in m.proc("/proc/slabinfo").splitlines() if l.startswith("kmalloc-2k ")][0]
    # only free objects on partial slabs count as free; the CPU slab's list does not
    assert info.split()[1:3] == ["8", "40"]


def test_kmem_cache_lifecycle(m):
    assert m.kmem_cache_create("mmviz_obj", 100, 0, "SLAB_HWCACHE_ALIGN") == "mmviz_obj"
    c = m.slab_cache("mmviz_obj")
    assert (c.size, c.objects_per_slab, c.order) == (128, 32, 0)
    assert m.events[0].kind == "CacheCreate"
    a = m.kmem_cache_alloc("mmviz_obj")
    with pytest.raises(engine.BadFree, match="Wrong slab cache"):
        m.kmem_cache_free("kmalloc-128", a)
    with pytest.raises(engine.KernelError, match="still has objects"):
        m.kmem_cache_destroy("mmviz_obj")
    m.kmem_cache_free("mmviz_obj", a)
    free_before = m.zone("Normal").free_pages
    m.kmem_cache_destroy("mmviz_obj")
    assert m.zone("Normal").free_pages == free_before + 1
    assert "mmviz_obj" not in m.proc("/proc/slabinfo")
    with pytest.raises(engine.KernelError):
        m.kmem_cache_destroy("kmalloc-64")
    m.check()


def test_process_caches_exist(m):
    for name in ("mm_struct", "vm_area_struct", "task_struct", "anon_vma", "files_cache",
                 "dentry", "inode_cache", "kmem_cache", "kmem_cache_node"):
        va = m.kmem_cache_alloc(name)
        assert m.slab_of(va).cache.name == name
    m.check()


def test_classic_slab_geometry_2_6_24():
    m = engine.Machine.boot(ram="160M", kernel="2.6")
    want = {32: 113, 64: 59, 96: 40, 128: 30, 192: 20, 256: 15, 512: 8, 1024: 4, 2048: 2,
            4096: 1}
    for size, n in want.items():
        c = m.slab_cache(f"size-{size}")
        assert (c.num, c.order, c.off_slab) == (n, 0, size >= 512), size
    assert m.slab_cache("size-8192").order == 1
    line = [l for l in m.proc("/proc/slabinfo").splitlines() if l.startswith("size-64 ")][0]
    assert line == ("size-64                0      0     64   59    1 : tunables  120   60    0"
                    " : slabdata      0      0      0")


def test_classic_slab_array_cache_colouring_and_bufctl(m26):
    c = m26.slab_cache("size-128")
    a = m26.kmalloc(100)
    slab = m26.slab_of(a)
    assert [type(e).__name__ for e in m26.events].count("ArrayRefill") == 1
    assert len(c.ac[0]) == 15                               # refill of 16, one handed out
    assert slab.colouroff == c.slab_size and a == slab.s_mem + 15 * 128
    assert slab.freelist()[0] == 16 and slab.free == 16
    assert c.read_bufctl(m26, slab, 16) == 17
    c2 = m26.kmem_cache_create("colour_me", 200)
    s = [m26.slab_of(m26.kmem_cache_alloc(c2)) for _ in range(60)]
    offs = sorted({x.colouroff - m26.slab_cache(c2).slab_size for x in s})
    assert offs[:2] == [0, 32]                              # successive slabs are coloured
    m26.check()


def test_classic_slab_off_slab_management_and_flush(m26):
    c = m26.slab_cache("size-1024")
    objs = [m26.kmalloc(1000) for _ in range(200)]
    slab = m26.slab_of(objs[0])
    assert c.off_slab and m26.slab_of(slab.mgmt).cache.name == "size-64"
    for va in objs:
        m26.kfree(va)
    kinds = [type(e).__name__ for e in m26.events]
    assert len(c.ac[0]) <= c.limit
    assert any(k == "ArrayFlush" for k in kinds) or len(c.ac[0]) < c.limit
    m26.check()
    with pytest.raises(engine.BadFree, match="double free"):
        m26.kfree(objs[-1])


def test_slab_meminfo_fields(m):
    before = {l.split(":")[0]: int(l.split()[1]) for l in m.proc("/proc/meminfo").splitlines()}
    for _ in range(100):
        m.kmalloc(2048, "GFP_KERNEL | __GFP_RECLAIMABLE")
    after = {l.split(":")[0]: int(l.split()[1]) for l in m.proc("/proc/meminfo").splitlines()}
    assert after["SReclaimable"] - before["SReclaimable"] == 13 * 16
    assert after["Slab"] == after["SReclaimable"] + after["SUnreclaim"]
    stats = dict(l.split() for l in m.proc("/proc/zoneinfo").splitlines()
                 if l.strip().startswith("nr_slab_"))
    assert int(stats["nr_slab_reclaimable"]) == after["SReclaimable"] // 4
