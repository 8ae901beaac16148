"""GFP_SLAB_BUG_MASK is __GFP_DMA32 | __GFP_HIGHMEM on i386 in every release (2.6.24
include/linux/gfp.h:97, 4.4.0 mm/internal.h:34, 6.8.0 l.36): a kmalloc() or kmem_cache_alloc()
with __GFP_DMA32 meets the same test as one with __GFP_HIGHMEM where a slab grows (cache_grow(),
new_slab(); rule slab_bad_gfp), and a kmalloc() too large for the caches meets it in
kmalloc_order() from 5.9 only (5.8.1 mm/slab_common.c:1340-1346 unchecked, 5.9.1 l.832-833; rule
kmalloc_large_fixes_gfp).  A BUG() leaves the machine as it was."""
from __future__ import annotations

import pytest

import engine

CUT = "------------[ cut here ]------------"
FIXED = "Unexpected gfp: 0x4 (GFP_DMA32). Fixing up to gfp: {} (GFP_KERNEL). Fix your code!"
KERNEL = {"4.8": "0x24000c0", "5.9": "0xcc0", "6.1": "0xcc0"}      # GFP_KERNEL per release (rule gfp_layout)


def _state(m):
    return tuple(m.proc(f) for f in ("/proc/slabinfo", "/proc/buddyinfo", "/proc/meminfo"))


def _bug(m, call, *args):
    before, log = _state(m), len(m.kmsg)
    with pytest.raises(engine.KernelOops) as err:
        call(*args)
    assert _state(m) == before
    m.check()
    return err.value, m.kmsg[log:]


@pytest.mark.parametrize("kernel,alloc,line,gfp_line", [
    ("2.6.24", "slab", "mm/slab.c:2772", []), ("2.6.24", "slub", "mm/slub.c:1086", []),
    ("3.5", "slub", "mm/slub.c:1363", []), ("4.0", "slab", "mm/slab.c:2595", ["gfp: 4"])])
def test_a_dma32_kmalloc_is_a_bug_where_highmem_is(kernel, alloc, line, gfp_line):
    m = engine.Machine.boot(ram="256M", kernel=kernel, allocator=alloc, seed=1)
    err, logged = _bug(m, m.kmalloc, 3000, "GFP_KERNEL | GFP_DMA32")      # kmalloc-4k grows a slab
    assert logged[:len(gfp_line) + 2] == [*gfp_line, CUT, f"kernel BUG at {line}!"]
    assert any("GFP_DMA32 is in GFP_SLAB_BUG_MASK" in n for n in str(err).splitlines())


@pytest.mark.parametrize("kernel", ["4.8", "6.1"])
def test_a_dma32_kmalloc_is_fixed_up_from_4_8(kernel):
    m = engine.Machine.boot(ram="256M", kernel=kernel, seed=1)
    log = len(m.kmsg)
    m.kmalloc(3000, "GFP_KERNEL | GFP_DMA32")
    assert m.kmsg[log:] == [FIXED.format(KERNEL[kernel])]
    m.check()


@pytest.mark.parametrize("gfp", ["GFP_KERNEL | GFP_DMA32", "GFP_KERNEL | __GFP_HIGHMEM"])
def test_kmem_cache_alloc_is_checked_too(gfp):
    # kmem_cache_alloc() grows its slab through the same cache_grow() (2.6.24 mm/slab.c:2772)
    m = engine.Machine.boot(ram="256M", kernel="2.6.24", seed=1)
    m.kmem_cache_create("mine", 1000)
    _, logged = _bug(m, m.kmem_cache_alloc, "mine", gfp)
    assert logged[1] == "kernel BUG at mm/slab.c:2772!"


@pytest.mark.parametrize("kernel,fixed", [("5.8", False), ("5.9", True), ("6.1", True)])
def test_a_large_kmalloc_is_checked_from_5_9(kernel, fixed):
    m = engine.Machine.boot(ram="256M", kernel=kernel, allocator="slub", seed=1)
    log = len(m.kmsg)
    m.kmalloc(300_000, "GFP_KERNEL | GFP_DMA32")                         # kmalloc_order()
    assert m.kmsg[log:] == ([FIXED.format(KERNEL[kernel])] if fixed else [])
    m.check()


def test_a_large_slub_kmalloc_is_unchecked_on_2_6_24():
    # 2.6.24 SLUB kmalloc() of more than PAGE_SIZE / 2: __get_free_pages() directly, no BUG_ON
    m = engine.Machine.boot(ram="256M", kernel="2.6.24", allocator="slub", seed=1)
    log = len(m.kmsg)
    m.kmalloc(300_000, "GFP_KERNEL | __GFP_HIGHMEM")
    assert m.kmsg[log:] == []
