"""swapper_pg_dir range by range against the real kernels (kcoredump.txt), PDE flags per version."""
from __future__ import annotations

import pytest

import engine
from engine.paging import _PAGE_GLOBAL, _PAGE_NX, _PAGE_RW
from groundtruth_data import CONFIGS, load
from test_kernel_pagetables import real_ranges

SIZE = {"4K": 4096, "4M": 4 << 20, "2M": 2 << 20}


@pytest.fixture(scope="module", params=CONFIGS)
def pair(request):
    gt = load(request.param)
    return gt, engine.Machine.boot(ram=gt.ram, pae=gt.pae, nx=gt.pae, vmalloc=gt.vmalloc)


def runtime_ro_aliases(gt, m) -> set[int]:
    """Large pages the running system split by making a vmalloc'd page read-only -- not boot
    state: sock_init()'s ptp_classifier_init() -> bpf_prog_create() -> bpf_prog_alloc_no_stats()
    vmallocs the classic BPF program ("pages=1" in vmallocinfo), and with no JIT (i386 has no
    ARCH_WANT_DEFAULT_BPF_JIT) bpf_prog_lock_ro() -> set_memory_ro(); cpa_process_alias()
    makes the direct-map alias read-only and split_large_page() splits its 4 MB page.  The
    frame is whatever the buddy allocator hands out at that initcall (not modelled).  A highmem
    page (1G, 3G, PAE) has no direct-map alias: nothing is split."""
    ranges = real_ranges(gt)
    vm = {phys for s, e, pg, rw, glb, nx, phys, c in ranges
          if m.layout.vmalloc_start <= s < m.layout.vmalloc_end and not rw
          and phys is not None and phys < m.max_low_pfn << 12}
    large = (2 << 20) if gt.pae else (4 << 20)
    return {(phys + m.layout.page_offset) & ~(large - 1) for phys in vm}


def test_direct_map_equals_the_real_swapper_pg_dir_range_by_range(pair):
    """Every checked range: page size, RW, GLB, NX and physical address, first/middle/last page --
    the real-mode trampoline and the read-only idt_table included."""
    gt, m = pair
    skip = runtime_ro_aliases(gt, m)
    large = (2 << 20) if gt.pae else (4 << 20)
    checked = 0
    for s, e, pg, rw, glb, nx, phys, contig in real_ranges(gt):
        if not (m.layout.page_offset <= s < m.layout.high_memory):
            continue
        for va in {s, (s + e) // 2 & ~0xFFF, e - 4096}:
            if va & ~(large - 1) in skip:
                continue
            w = m.walk(va)
            assert w.fault is None, hex(va)
            last = w.steps[-1].entry
            got = (w.page_size, bool(last & _PAGE_RW), bool(last & _PAGE_GLOBAL), bool(last & _PAGE_NX))
            assert got == (SIZE[pg], rw, glb, nx), (gt.name, hex(va), got)
            if contig:
                assert w.paddr == phys + (va - s), (gt.name, hex(va))
        checked += 1
    assert checked >= 9


def test_swapper_pg_dir_and_bss_where_the_real_kernel_has_them(pair):
    gt, m = pair
    kc = gt.file("kcoredump.txt")
    real = int(kc.split("SYMBOL(swapper_pg_dir)=")[1].split()[0], 16)
    assert m.kernel_pt.swapper_pg_dir + m.layout.page_offset == real
    bss = next(l for l in gt.file("iomem.txt").splitlines() if "Kernel bss" in l)
    assert m.kernel_image["bss"][0] == int(bss.split("-")[0], 16)


@pytest.mark.parametrize("kernel", ["2.6", "2.6.31", "3.5", "4.9", "4.19", "6.1"])
@pytest.mark.parametrize("pae", [False, True])
def test_kernel_pdes_pointing_to_page_tables_are_0x067(kernel, pae):
    m = engine.Machine.boot(ram="512M", pae=pae, nx=pae, kernel=kernel)
    for va in (m.vmalloc(4096), m.layout.pkmap_base, m.layout.page_offset):
        pde = [s for s in m.walk(va).steps if s.level == "PDE"][0]
        if va == m.layout.page_offset and m.kernel_pt._initially_large(0):
            continue                  # 2.6.24-2.6.26: PDE 768 is a large page (test below)
        assert pde.entry & 0xFFF == 0x067, (kernel, pae, hex(va), hex(pde.entry))


def _walk(m, va):
    w = m.walk(va)
    assert w.fault is None, hex(va)
    return w.page_size, w.paddr, w.steps[-1].entry


@pytest.mark.parametrize("pae", [False, True])
def test_2_6_24_maps_all_of_lowmem_with_large_pages_from_pde_768(pae):
    """kernel_physical_mapping_init(pgd_base): one large page per PMD, PDE 768 included, the
    last one past max_low_pfn; PAGE_KERNEL_LARGE_EXEC for PMDs up to __init_end."""
    m = engine.Machine.boot(ram="160M", kernel="2.6", pae=pae, nx=pae)
    large = (2 << 20) if pae else (4 << 20)
    po, end = m.layout.page_offset, m.max_low_pfn << 12
    assert end % large                                   # 160M: high_memory is not PMD-aligned
    for pa in range(0, end, large):
        size, paddr, entry = _walk(m, po + pa + 0x1234)
        assert (size, paddr) == (large, pa + 0x1234)
        assert entry & 0x1FF == 0x1E3 and entry & _PAGE_RW
        assert bool(entry & _PAGE_NX) == (pae and pa > m.kernel_image["init"][1])
    last = -(-end // large) * large
    assert _walk(m, po + last - 4096)[1] == last - 4096      # mapped past high_memory
    assert m.walk(po + last).fault is not None
    assert m.kernel_pt.lowmem_is_mapped_exactly()
    m.check()


def test_debug_rodata_splits_pde_768_and_write_protects_the_text():
    m = engine.Machine.boot(ram="160M", kernel="2.6", config={"DEBUG_RODATA": True})
    text_s, text_e = m.kernel_image["text"]
    po = m.layout.page_offset
    assert _walk(m, po + text_s)[0] == 4096 and not _walk(m, po + text_s)[2] & _PAGE_RW
    assert _walk(m, po + text_e)[2] & _PAGE_RW
    assert _walk(m, po + (4 << 20))[0] == 4 << 20
    with pytest.raises(engine.ConfigError):
        engine.Machine.boot(ram="64M", config={"DEBUG_RODATA": False})
    with pytest.raises(engine.ConfigError):
        engine.Machine.boot(ram="64M", kernel="2.6", config={"DEBUG_RODATA": "yes"})


@pytest.mark.parametrize("kernel, first_large, past_end, text_ro", [
    ("2.6.24", True, True, False), ("2.6.26", False, True, True),
    ("2.6.31", False, False, True), ("3.16", False, False, True), ("6.1", False, False, True)])
def test_direct_map_rules_per_release(kernel, first_large, past_end, text_ro):
    """First PMD large or 4 KB (MTRRs, or split by mark_rodata_ro), the tail past max_low_pfn
    (2.6.24-2.6.26) or 4 KB up to it, the text read-only (DEBUG_RODATA default y since ~2.6.25)."""
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    po, end = m.layout.page_offset, m.max_low_pfn << 12
    assert (_walk(m, po)[0] == 4 << 20) == first_large
    assert (m.walk(po + end).fault is None) == past_end
    if not past_end:
        assert _walk(m, po + end - 4096)[0] == 4096
    text = po + m.kernel_image["text"][0]
    assert (not _walk(m, text)[2] & _PAGE_RW) == text_ro
    assert _walk(m, po + (8 << 20))[0] == 4 << 20
    m.check()


def test_pse_off_maps_2_6_24_lowmem_with_4k_pages_up_to_high_memory():
    m = engine.Machine.boot(ram="160M", kernel="2.6", pse=False)
    assert _walk(m, m.layout.page_offset)[0] == 4096
    assert _walk(m, m.layout.high_memory - 4096)[0] == 4096
    assert m.walk(m.layout.high_memory).fault is not None
