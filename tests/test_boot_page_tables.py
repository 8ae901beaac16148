"""The bootmem era's page tables are where the boot events reserve them: 2.6.20-2.6.26
pagetable_init() takes the PAE kernel PMD (one_md_table_init(), 2.6.24 arch/x86/mm/init_32.c:65-67),
then the fixmap's table, then the pkmap's (l.438-442) from alloc_bootmem_low_pages() (l.94-95); from
2.6.27 the pkmap's (2.6.28 l.122-128).  The walk of those addresses finds the reserved frames."""
from __future__ import annotations

import pytest

import engine
from engine.events import Reserve

KERNELS = ["2.6.20", "2.6.22", "2.6.24", "2.6.26", "2.6.27", "2.6.30", "2.6.34"]


def _tables(m):
    """{reservation name: the frame the walk finds holding that table}."""
    L = m.layout
    # page_table_range_init() from the lowest fixmap PMD up: bootmem's "fixmap page table" is that
    # PMD's (PAE 2.6.25-2.6.26 has two, the top one head_32.S's swapper_pg_fixmap)
    fix, pk = m.walk(L.fixaddr_boot_start).steps, m.walk(L.pkmap_base).steps
    found = {"fixmap page table": fix[-1].table_paddr >> 12, "pkmap page table": pk[-1].table_paddr >> 12}
    if m.config.pae:
        found["kernel PMD (one_md_table_init)"] = pk[1].table_paddr >> 12
    return found


@pytest.mark.parametrize("pae", [False, True])
@pytest.mark.parametrize("kernel", KERNELS)
def test_the_walk_finds_the_reserved_tables(kernel, pae):
    m = engine.Machine.boot(ram="160M", kernel=kernel, pae=pae, seed=1)
    found = _tables(m)
    named = {e.what: e.pfn for e in m.boot_state.events if isinstance(e, Reserve) and e.what in found}
    assert named, "the boot events name no page table"
    assert {w: found[w] for w in named} == named
    m.check()


def test_2_6_24_pae_allocates_them_in_the_kernels_order():
    m = engine.Machine.boot(ram="160M", kernel="2.6.24", pae=True, seed=1)
    found = _tables(m)
    assert sorted(found, key=found.get) == ["kernel PMD (one_md_table_init)", "fixmap page table",
                                            "pkmap page table"]


@pytest.mark.parametrize("kernel,from_bss", [("2.6.20", False), ("2.6.22", False), ("2.6.23", True),
                                             ("2.6.24", True), ("2.6.25", False), ("2.6.26", False)])
def test_top_fixmap_table_from_head_s(kernel, from_bss):
    """2.6.23+ head.S hangs swapper_pg_pmd (2.6.25+: swapper_pg_fixmap), the .bss page after
    swapper_pg_dir, on PDE 1023 (2.6.23 arch/i386/kernel/head.S:169-173, 2.6.24
    arch/x86/kernel/head_32.S:196-200); one_page_table_init() keeps it (2.6.24
    arch/x86/mm/init_32.c:85-100), so 2.6.20-2.6.22 take the fixmap's table from bootmem.  So do
    2.6.25-2.6.26: early_ioremap_init() put bm_pte on that PDE (the btmap block's, 2.6.26
    arch/x86/mm/ioremap.c:446-448) and pagetable_init() pmd_clear()s it (early_ioremap_clear(),
    init_32.c:408) before page_table_range_init() (l.409-411)."""
    m = engine.Machine.boot(ram="160M", kernel=kernel, seed=1)
    fix = _tables(m)["fixmap page table"]
    named = [e for e in m.boot_state.events if isinstance(e, Reserve) and e.what.startswith("fixmap page table")]
    if from_bss:
        assert fix == (m.cpu.cr3 >> 12) + 1 and not named
    else:
        assert [e.pfn for e in named] == [fix]
    m.check()


@pytest.mark.parametrize("kernel,own_pmd", [("2.6.24", True), ("2.6.25", False), ("2.6.26", False)])
def test_pae_kernel_pmd_from_bootmem_until_2_6_24(kernel, own_pmd):
    """2.6.24 native_pagetable_setup_start() empties the kernel PGD entries and one_md_table_init()
    allocates the PMD (arch/x86/mm/init_32.c:351-373, 60-67); from 2.6.25 head_32.S's static
    swapper_pg_pmd stays (one_md_table_init() keeps a present PGD entry, 2.6.26 l.71)."""
    m = engine.Machine.boot(ram="160M", kernel=kernel, pae=True, seed=1)
    named = [e for e in m.boot_state.events if isinstance(e, Reserve) and e.what.startswith("kernel PMD")]
    pmd = m.walk(m.layout.pkmap_base).steps[1].table_paddr >> 12
    assert bool(named) is own_pmd
    if own_pmd:
        assert named[0].pfn == pmd
    else:
        bss = m.kernel_image["bss"]
        assert bss[0] >> 12 <= pmd < bss[1] >> 12


@pytest.mark.parametrize("pae", [False, True])
@pytest.mark.parametrize("kernel,above_16m", [("2.6.28", False), ("2.6.31", False), ("2.6.32", True),
                                              ("2.6.33", True), ("2.6.34", True)])
def test_pkmap_table_goal_per_release(kernel, pae, above_16m):
    """permanent_kmaps_init() -> one_page_table_init() after setup_bootmem_allocator() set
    after_bootmem: alloc_bootmem_low_pages() (goal 0; 2.6.31.3 arch/x86/mm/init_32.c:119) until
    alloc_bootmem_pages() (goal __pa(MAX_DMA_ADDRESS); 2.6.32.69 and 2.6.34 l.119), made before
    paging_init()'s free_area_init_nodes() allocates mem_map."""
    m = engine.Machine.boot(ram="160M", kernel=kernel, pae=pae, seed=1)
    pk = _tables(m)["pkmap page table"]
    named = {e.what: e.pfn for e in m.boot_state.events if isinstance(e, Reserve)}
    assert named["pkmap page table"] == pk
    assert (pk >= 0x1000) == above_16m
    if above_16m:
        assert pk < named["mem_map"], "the first goal-16MB allocation, before mem_map"
    m.check()


def _reserved(m, what):
    return next(e for e in m.boot_state.events if isinstance(e, Reserve) and e.what == what)


@pytest.mark.parametrize("pae", [False, True])
@pytest.mark.parametrize("kernel", ["2.6.27", "2.6.29", "2.6.31", "2.6.32", "2.6.34"])
def test_direct_map_tables_from_pgtable_area(kernel, pae):
    """2.6.27-2.6.34 init_memory_mapping(): the tail PMD below max_low_pfn is mapped with 4 KB
    pages, its table from alloc_low_page() in the area find_early_table_space() found with
    find_e820_area(0x7000, ...) and reserved as "PGTABLE" (2.6.27.57 arch/x86/mm/init_32.c:750-751,
    850; 2.6.32.69 arch/x86/mm/init.c:73-78, 311-313); the first PMD reuses head_32.S's table
    (pg0 before 2.6.30, 2.6.29 init_32.c:314 one_page_table_init() of a present PDE)."""
    m = engine.Machine.boot(ram="160M", kernel=kernel, pae=pae, seed=1)
    L = m.layout
    assert m.max_low_pfn % (512 if pae else 1024), "the test needs a tail PMD"
    tail = m.walk(L.page_offset + ((m.max_low_pfn - 1) << 12)).steps[-1].table_paddr >> 12
    pgt = _reserved(m, "PGTABLE (init_memory_mapping)")
    # 2.6.27-2.6.28: early_ioremap_clear() leaves the fixmap's PMD empty, its table is PGTABLE's too;
    # PAE 2.6.27-2.6.33: FIX_BTMAP_END always rounded to 256 slots puts FIX_WP_TEST below the
    # btmap's PMD, and page_table_range_init() from __fix_to_virt(__end_of_fixed_addresses - 1)
    # (2.6.32 init_32.c:536-538) gives that PMD an alloc_low_page() table too
    wp_test_pmd = pae and kernel in ("2.6.27", "2.6.29", "2.6.31", "2.6.32")
    assert pgt.pfn >= 7 and pgt.nr_pages == 1 + (kernel < "2.6.29") + wp_test_pmd
    assert tail == pgt.pfn
    first = m.walk(L.page_offset).steps[-1].table_paddr >> 12
    if kernel < "2.6.30":
        assert first == _reserved(m, "kernel pg0 (head_32.S early page tables)").pfn
    assert m.proc("/proc/meminfo") and m.check() is None


@pytest.mark.parametrize("pae", [False, True])
@pytest.mark.parametrize("kernel", ["2.6.20", "2.6.24", "2.6.25", "2.6.26"])
def test_without_pse_direct_map_tables_from_bootmem(kernel, pae):
    """2.6.20-2.6.26 kernel_physical_mapping_init() without PSE: one_page_table_init() keeps the
    table of a PMD head.S's pg0 tables map and takes every other from alloc_bootmem_low_pages()
    (2.6.24 arch/x86/mm/init_32.c:85-100, 152-190); a PAE kernel before 2.6.25 keeps none (its
    kernel PMD is new).  The walk of each lowmem PMD finds its reserved table, and those tables
    lie between the trampoline's and the pkmap's (pagetable_init() order)."""
    m = engine.Machine.boot(ram="160M", kernel=kernel, pae=pae, pse=False, seed=1)
    ev = [e for e in m.boot_state.events if isinstance(e, Reserve) and e.nr_pages]
    pg0 = next(e for e in ev if e.what.startswith("kernel pg0"))
    kept = 0 if pae and kernel < "2.6.25" else pg0.nr_pages
    per = 512 if pae else 1024
    n = -(-m.max_low_pfn // per)
    tables = {e.what: e.pfn for e in ev if e.what.startswith("direct-map page table")}
    assert len(tables) == n - kept
    for i in range(n):
        found = m.walk(m.layout.page_offset + i * per * 4096).steps[-1].table_paddr >> 12
        assert found == (pg0.pfn + i if i < kept else tables[f"direct-map page table (PMD {i})"]), i
    order = [e.what for e in ev]
    assert order.index("SMP trampoline (smp_alloc_memory)") < order.index(f"direct-map page table (PMD {n - 1})") \
        < order.index("pkmap page table")
    m.check()


def _fixmap_table(m, va):
    return m.walk(va).steps[-1].table_paddr >> 12


@pytest.mark.parametrize("pae", [False, True])
@pytest.mark.parametrize("kernel", ["2.6.27", "2.6.28", "2.6.29", "2.6.31", "2.6.34", "2.6.36", "3.5", "3.8"])
def test_fixmap_table_in_bss_from_2_6_29(kernel, pae):
    """early_ioremap_init() hangs bm_pte (.bss, 2.6.29 arch/x86/mm/ioremap.c:493, 520) on the
    btmap PMD, the fixmap's only one here; 2.6.27-2.6.28's early_ioremap_clear() takes it off and
    page_table_range_init() gives the PMD an alloc_low_page() table, the PGTABLE area's page after
    the direct map's (2.6.28 arch/x86/mm/init_32.c:498-510); from 2.6.29 bm_pte stays (l.546-558).
    Either way no page of the page allocator (NR_CPUS 8: the kmap slots in one PMD)."""
    m = engine.Machine.boot(ram="160M", kernel=kernel, pae=pae, config={"NR_CPUS": 8}, seed=1)
    L = m.layout
    fix = _fixmap_table(m, L.fixaddr_top - 4096)
    assert fix == _fixmap_table(m, L.fixaddr_boot_start + 8192), "one fixmap PMD"
    if kernel < "2.6.29":
        pgt = _reserved(m, "PGTABLE (init_memory_mapping)")
        assert fix == pgt.pfn + pgt.nr_pages - 1
    else:
        bss = m.kernel_image["bss"]
        assert bss[0] >> 12 <= fix < bss[1] >> 12
        assert fix not in (m.kernel_pt.swapper_pg_dir >> 12, m.kernel_pt.empty_zero_page >> 12)
    m.check()


def test_kmap_slots_over_several_pmds_get_pgtable_tables():
    """2.6.29-2.6.34 page_table_kmap_check(): when FIX_KMAP_BEGIN..END span PMDs, a table outside
    the PGTABLE area on one of them (bm_pte, swapper_pg_fixmap) is copied into an
    alloc_low_page() page (2.6.29 arch/x86/mm/init_32.c:141-180): with NR_CPUS 64 and PAE, 1216
    kmap slots over three 2 MB PMDs."""
    m = engine.Machine.boot(ram="160M", kernel="2.6.31", pae=True, config={"NR_CPUS": 64}, seed=1)
    pgt = _reserved(m, "PGTABLE (init_memory_mapping)")
    kmap = {s.vaddr & ~((2 << 20) - 1) for s in m.layout.fixmap_slots if s.name.startswith("FIX_KMAP")}
    assert len(kmap) == 3
    for va in kmap:
        assert pgt.pfn <= _fixmap_table(m, va) < pgt.pfn + pgt.nr_pages
    m.check()


@pytest.mark.parametrize("kernel", ["2.6.25", "2.6.26"])
def test_pae_2625_top_fixmap_table_stays_head_s_below_the_btmap_pmd(kernel):
    """PAE 2.6.25-2.6.26: the 256 btmap slots rounded to 512 sit on the PMD below the top one, so
    early_ioremap_clear() empties that one; the top PMD keeps swapper_pg_fixmap (.bss) and the
    lower one gets bootmem's "fixmap page table"."""
    m = engine.Machine.boot(ram="160M", kernel=kernel, pae=True, seed=1)
    L = m.layout
    top = m.walk(L.fixaddr_top - 4096).steps[-1].table_paddr >> 12
    low = m.walk(L.fixaddr_boot_start).steps[-1].table_paddr >> 12
    named = [e.pfn for e in m.boot_state.events if isinstance(e, Reserve) and e.what.startswith("fixmap page table")]
    assert named == [low] and top not in named and low != top
    m.check()
