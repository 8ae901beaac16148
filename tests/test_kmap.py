"""kmap/kunmap (pkmap_count, last_pkmap_nr, flush_all_zero_pkmaps) and kmap_atomic."""
from __future__ import annotations

import pytest

import engine


def kinds(m):
    return [type(e).__name__ for e in m.events]


@pytest.fixture
def m():
    return engine.Machine.boot(ram="1G")


def test_lowmem_pages_use_the_direct_map(m):
    pfn = m.alloc_pages("GFP_KERNEL")
    assert m.kmap(pfn) == m.layout.page_offset + (pfn << 12)
    assert m.kmap_atomic(pfn) == m.layout.page_offset + (pfn << 12)
    assert m.pkmap_count == (0,) * 1024
    m.kunmap(pfn)
    m.kunmap_atomic(m.layout.page_offset + (pfn << 12))
    m.check()


def test_pkmap_counts(m):
    L = m.layout
    hp = m.alloc_pages("GFP_HIGHUSER")
    va = m.kmap(hp)
    assert va == L.pkmap_base + 4096                      # the scan starts at slot 1
    assert m.pkmap_count[1] == 2 and m.last_pkmap_nr == 1
    assert "KernelMapPte" in kinds(m) and "Kmap" in kinds(m)
    assert m.walk(va).paddr == hp << 12
    assert m.kmap(hp) == va and m.pkmap_count[1] == 3     # a second user, same slot
    m.kunmap(hp)
    m.kunmap(hp)
    assert m.pkmap_count[1] == 1                          # unused but still mapped
    assert m.walk(va).paddr == hp << 12
    assert m.kmap(hp) == va                               # reused without a new PTE
    m.kunmap(hp)
    with pytest.raises(engine.BadFree, match="kunmap_high"):
        m.kunmap(hp)
    assert m.pkmap_count[1] == 1
    m.check()


def test_wrap_flushes_all_zero_pkmaps(m):
    L = m.layout
    pages = [m.alloc_pages("GFP_HIGHUSER") for _ in range(L.last_pkmap)]
    for p in pages[:L.last_pkmap - 1]:
        m.kmap(p)
        m.kunmap(p)                                       # every slot 1..1023 at count 1
    assert m.pkmap_count[0] == 0 and m.pkmap_count[1:].count(1) == L.last_pkmap - 1
    m.check()
    va = m.kmap(pages[-1])
    assert va == L.pkmap_base                             # the scan wrapped to slot 0
    ev = [e for e in m.events if type(e).__name__ == "PkmapFlush"]
    assert len(ev) == 1 and len(ev[0].slots) == L.last_pkmap - 1
    assert "TlbFlush" in kinds(m)
    assert m.pkmap_count[0] == 2 and sum(1 for c in m.pkmap_count if c) == 1
    m.check()


def test_kmap_atomic_uses_the_fixmap_slots_of_the_cpu(m):
    L = m.layout
    a, b = m.alloc_pages("GFP_HIGHUSER"), m.alloc_pages("GFP_HIGHUSER")
    va = m.kmap_atomic(a)
    assert va == L.fix_to_virt(L.fix_kmap_begin) and m.region_of(va) == "fixmap"
    vb = m.kmap_atomic(b)                                 # nested: next index, lower address
    assert vb == va - 4096
    assert m.walk(vb).paddr == b << 12
    with pytest.raises(engine.BadFree, match="reverse order"):
        m.kunmap_atomic(va)
    m.check()
    m.access(vb, "write")
    m.kunmap_atomic(vb)
    assert "KunmapAtomic" in kinds(m)
    flush = [e for e in m.events if type(e).__name__ == "TlbFlush"]
    assert flush and flush[0].scope == "invlpg"
    m.kunmap_atomic(va)
    assert m.walk(va).fault is not None
    m.check()


def test_kmap_atomic_2_6_types():
    m = engine.Machine.boot(ram="1G", kernel="2.6")
    L = m.layout
    hp = m.alloc_pages("GFP_HIGHUSER")
    va = m.kmap_atomic(hp, "KM_PTE0")
    assert va == L.fix_to_virt(L.fix_kmap_begin + 7)
    with pytest.raises(engine.KernelOops):
        m.kmap_atomic(hp, "KM_PTE0")
    m.kunmap_atomic(va)
    m.check()


def test_too_many_nested_atomic_kmaps(m):
    pages = [m.alloc_pages("GFP_HIGHUSER") for _ in range(17)]
    for p in pages[:16]:
        m.kmap_atomic(p)
    with pytest.raises(engine.KernelOops, match="KM_MAX_IDX"):
        m.kmap_atomic(pages[16])
    m.check()


@pytest.mark.parametrize("kernel, bug, warn", [
    ("3.16", "kernel BUG at include/linux/highmem.h: kmap_atomic_idx_push: more than KM_TYPE_NR (20)",
     "WARNING: CPU: 0 PID: 0 at arch/x86/mm/highmem_32.c:83 __kunmap_atomic"),         # 3.14.1's line
    ("5.10", "kernel BUG at include/linux/highmem.h: kmap_atomic_idx_push: more than KM_TYPE_NR (20)",
     "WARNING: CPU: 0 PID: 0 at arch/x86/mm/highmem_32.c:45 kunmap_atomic_high"),
    ("5.11", "kernel BUG at mm/highmem.c: kmap_local_idx_push: more than KM_MAX_IDX (16)",
     "WARNING: CPU: 0 PID: 0 at mm/highmem.c:579 kunmap_local_indexed")])
def test_atomic_kmap_messages_name_the_releases_functions(kernel, bug, warn):
    """kmap_atomic_idx_push (include/linux/highmem.h, 2.6.37-5.10) became kmap_local_idx_push
    (mm/highmem.c) in 5.11; a failed kmap or out-of-order unmap changes nothing."""
    m = engine.Machine.boot(ram="1G", kernel=kernel)
    n = m.config.flavour.kmap_slots_per_cpu
    pages = [m.alloc_pages("GFP_HIGHUSER") for _ in range(n + 1)]
    vas = [m.kmap_atomic(p) for p in pages[:n]]
    before = m.proc("/proc/meminfo")
    with pytest.raises(engine.KernelOops) as e:
        m.kmap_atomic(pages[n])
    assert str(e.value).startswith(bug)
    with pytest.raises(engine.BadFree) as e:
        m.kunmap_atomic(vas[0])
    assert str(e.value).startswith(warn)
    assert m.proc("/proc/meminfo") == before
    m.check()
    for va in reversed(vas):
        m.kunmap_atomic(va)
    m.check()
