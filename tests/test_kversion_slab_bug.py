"""SLAB's kfree() of a bad pointer as each release reports it (engine.kmsg_bug, rule
slab_kfree_nonslab): a pointer inside a slab but at no object's start meets
cache_free_debugcheck()'s BUG_ON() ("kernel BUG at mm/slab.c:2903!" on 2.6.24, l.2708 on 6.1),
a pointer into a page that is no slab page_get_cache()'s BUG_ON() before 3.7 (l.591), nothing
in 3.7-5.3, virt_to_cache()'s WARN_ONCE() from 5.4.  A BUG() taints D; the machine is left as
it was."""
from __future__ import annotations

import pytest

import engine

CUT = "------------[ cut here ]------------"


def _state(m):
    return m.proc("/proc/slabinfo"), m.proc("/proc/buddyinfo"), m.proc("/proc/meminfo")


def _kfree(m, ptr):
    before, log = _state(m), len(m.kmsg)
    with pytest.raises(engine.KernelError) as err:
        m.kfree(ptr)
    assert _state(m) == before
    m.check()
    return err.value, m.kmsg[log:]


@pytest.mark.parametrize("kernel,line,note", [
    ("2.6.24", 2903, None), ("3.3", 3024, None), ("3.16", 2798, "3.14.1"), ("6.1", 2708, None)])
def test_inside_an_object_is_a_bug(kernel, line, note):
    m = engine.Machine.boot(ram="256M", kernel=kernel, allocator="slab", seed=1)
    a = m.kmalloc(64)
    err, logged = _kfree(m, a + 4)
    assert isinstance(err, engine.KernelOops)
    assert logged[:2] == [CUT, f"kernel BUG at mm/slab.c:{line}!"]
    assert logged[2].startswith("invalid opcode: 0000 [#1]") and len(logged) == 3
    assert m.tainted_mask == 1 << 7                          # TAINT_DIE
    notes = [ln for ln in str(err).splitlines() if ln.startswith("[")]
    assert any("verify_redzone_free()" in n for n in notes)
    assert any(f"{note}'s" in n for n in notes) if note else not any("nearest release" in n for n in notes)
    m.kfree(a)                                               # the object is still allocated


def _page_ptr(m):
    return m.layout.page_offset + (m.alloc_pages("GFP_KERNEL", 0) << 12)


def test_a_page_that_is_no_slab_2_6_24_bug():
    m = engine.Machine.boot(ram="256M", kernel="2.6.24", allocator="slab", seed=1)
    err, logged = _kfree(m, _page_ptr(m))
    assert logged == [CUT, "kernel BUG at mm/slab.c:591!", "invalid opcode: 0000 [#1] SMP "]
    assert m.tainted_mask == 1 << 7


def test_a_page_that_is_no_slab_3_16_is_not_checked():
    m = engine.Machine.boot(ram="256M", kernel="3.16", allocator="slab", seed=1)
    err, logged = _kfree(m, _page_ptr(m))
    assert isinstance(err, engine.BadFree) and logged == [] and m.tainted_mask == 0
    assert "does not check it" in str(err)


@pytest.mark.parametrize("kernel,line", [("5.10", 438), ("6.1", 625)])
def test_a_page_that_is_no_slab_5_4_on_warns_once(kernel, line):
    m = engine.Machine.boot(ram="256M", kernel=kernel, allocator="slab", seed=1)
    _, logged = _kfree(m, _page_ptr(m))
    assert logged[:3] == [CUT, "virt_to_cache: Object is not a Slab page!",
                          f"WARNING: CPU: 0 PID: 0 at mm/slab.h:{line} kfree"]
    assert logged[3].startswith("CPU: 0 PID: 0 Comm: insmod Not tainted")
    assert m.tainted_mask == 1 << 9                          # TAINT_WARN
    _, again = _kfree(m, _page_ptr(m))
    assert again == []                                       # WARN_ONCE


def _grow_highmem(m):
    log = len(m.kmsg)
    with pytest.raises(engine.KernelOops) as err:
        m.kmalloc(3000, "GFP_KERNEL | __GFP_HIGHMEM")           # kmalloc-4k grows a slab
    return err.value, m.kmsg[log:]


@pytest.mark.parametrize("kernel,alloc,line,note", [
    ("2.6.24", "slab", "mm/slab.c:2772", None), ("2.6.24", "slub", "mm/slub.c:1086", None),
    ("2.6.28", "slab", "mm/slab.c:2766", None), ("2.6.32", "slub", "mm/slub.c:1170", None),
    ("3.3", "slab", "mm/slab.c:2894", None), ("3.5", "slub", "mm/slub.c:1363", None),
    ("3.16", "slab", "mm/slab.c:2771", "3.10.4")])
def test_a_highmem_slab_is_a_bug_at_the_releases_line(kernel, alloc, line, note):
    # cache_grow() / new_slab() BUG_ON(flags & GFP_SLAB_BUG_MASK): the line of each mirrored tree
    m = engine.Machine.boot(ram="256M", kernel=kernel, allocator=alloc, seed=1)
    err, logged = _grow_highmem(m)
    assert logged[:2] == [CUT, f"kernel BUG at {line}!"]
    assert logged[2].startswith("invalid opcode: 0000 [#1]") and len(logged) == 3
    notes = [ln for ln in str(err).splitlines() if ln.startswith("[")]
    assert any("slab pages cannot be highmem" in n for n in notes)
    assert any(note in n for n in notes) if note else not any("nearest release" in n for n in notes)


@pytest.mark.parametrize("kernel,alloc,line", [("4.0", "slab", "mm/slab.c:2595"),
                                               ("4.4", "slub", "mm/slub.c:1532")])
def test_from_3_19_the_bad_bits_are_printed_before_bug(kernel, alloc, line):
    # 4.0.5 mm/slab.c:2593-2595: pr_emerg("gfp: %u\n", flags & GFP_SLAB_BUG_MASK); BUG();
    m = engine.Machine.boot(ram="256M", kernel=kernel, allocator=alloc, seed=1)
    _, logged = _grow_highmem(m)
    assert logged[:3] == ["gfp: 2", CUT, f"kernel BUG at {line}!"]        # __GFP_HIGHMEM, decimal


def test_from_4_8_the_flags_are_fixed_up():
    # 4.8.15 mm/slab.c:2690-2693 "Unexpected gfp: ..." (4.4.0 still BUG())
    m = engine.Machine.boot(ram="256M", kernel="4.8", allocator="slab", seed=1)
    log = len(m.kmsg)
    m.kmalloc(3000, "GFP_KERNEL | __GFP_HIGHMEM")
    assert m.kmsg[log].startswith("Unexpected gfp: 0x2 (__GFP_HIGHMEM). Fixing up to gfp:")


def _slub_kfree_page(kernel):
    m = engine.Machine.boot(ram="256M", kernel=kernel, allocator="slub", seed=1)
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    return m, pfn, _kfree(m, m.layout.page_offset + (pfn << 12))


@pytest.mark.parametrize("kernel,line", [("2.6.28", 2743), ("2.6.29", 2751), ("3.10", 3352), ("5.11", 4132),
                                         ("4.9", 3866), ("4.19", 3901), ("5.10", 4136)])
def test_slub_kfree_of_a_page_is_a_bug_at_the_releases_line(kernel, line):
    # kfree(): BUG_ON(!PageCompound(page)) for a page that is no slab (2.6.28 mm/slub.c:2743)
    m, pfn, (err, logged) = _slub_kfree_page(kernel)
    assert isinstance(err, engine.KernelOops)
    assert logged[:2] == [CUT, f"kernel BUG at mm/slub.c:{line}!"] and len(logged) == 3
    assert f"[pfn {pfn:#x} is not a slab page]" in str(err)


@pytest.mark.parametrize("kernel", ["2.6.24", "2.6.26"])
def test_slub_kfree_of_a_page_is_unchecked_before_2_6_28(kernel):
    # 2.6.24 mm/slub.c:2600-2601 put_page(page), no check: nothing logged, mmviz refuses
    m, pfn, (err, logged) = _slub_kfree_page(kernel)
    assert isinstance(err, engine.BadFree) and logged == [] and m.tainted_mask == 0
    assert "put_page()" in str(err)


@pytest.mark.parametrize("kernel", ["5.14", "5.15"])
def test_slub_kfree_of_a_page_is_unchecked_in_5_14(kernel):
    # 5.14.2 mm/slub.c:3246 free_nonslab_page() VM_BUG_ON_PAGE(): nothing without CONFIG_DEBUG_VM,
    # then __free_pages(): nothing logged, mmviz refuses (5.11.4 l.4132 still BUG_ON)
    m, pfn, (err, logged) = _slub_kfree_page(kernel)
    assert isinstance(err, engine.BadFree) and logged == [] and m.tainted_mask == 0
    assert "__free_pages()" in str(err) and "CONFIG_DEBUG_VM" in str(err)


@pytest.mark.parametrize("kernel,where", [("5.17", "mm/slub.c:3542 kfree"), ("5.19", "mm/slub.c:3569 kfree"),
                                          ("6.1", "mm/slab_common.c:923 free_large_kmalloc"),
                                          ("6.8", "mm/slub.c:4371 free_large_kmalloc")])
def test_slub_kfree_of_a_page_warns_from_5_17(kernel, where):
    # free_large_kmalloc()'s WARN_ON_ONCE(order == 0): inlined into kfree() in mm/slub.c (5.17-rc5
    # l.3542), its own function in mm/slab_common.c (6.1-rc7 l.923)
    m, pfn, (err, logged) = _slub_kfree_page(kernel)
    assert isinstance(err, engine.BadFree)
    assert logged[:2] == [CUT, f"WARNING: CPU: 0 PID: 0 at {where}"]
    assert logged[-1].startswith("object pointer: 0x")
