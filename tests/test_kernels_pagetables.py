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
    """Large pages the running system split by making a vmalloc'd page read-only
    (set_memory_ro on a vmalloc alias of a lowmem page: BPF images) -- not boot state."""
    ranges = real_ranges(gt)
    vm = {phys for s, e, pg, rw, glb, nx, phys, c in ranges
          if m.layout.vmalloc_start <= s < m.layout.vmalloc_end and not rw}
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
        assert pde.entry & 0xFFF == 0x067, (kernel, pae, hex(va), hex(pde.entry))
