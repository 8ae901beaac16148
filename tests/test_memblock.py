"""engine/memblock.py: memblock's top-down placement and the sizes 6.1's early allocations take."""
from __future__ import annotations

import engine
from engine.memblock import (PAGE, Memblock, nosave_regions, page_table_phases, usemap_bytes,
                             _pcpu_tables, _to_pages)


def test_top_down_packs_small_allocations_and_aligns_pages():
    """__memblock_find_range_top_down(): the highest fit; 64-byte allocations share a page,
    a page-aligned one skips the partly used page below them."""
    mb = Memblock(0x10000, [(0, 0x10000)], [(0, 0x1000)])
    assert mb.alloc(40, 64) == 0x10000 - 64
    assert mb.alloc(100, 64) == 0x10000 - 64 - 128
    assert mb.alloc(PAGE, PAGE) == 0xE000
    assert mb.alloc(PAGE, 64) == 0xD000
    assert mb.alloc(0x20000, PAGE) is None


def test_freed_page_aligned_allocation_leaves_whole_free_pages():
    """pcpu_embed_first_chunk()'s alloc info (page-aligned, freed) is a free page again at
    memblock_free_all(); a page that still holds a 64-byte allocation stays reserved."""
    mb = Memblock(0x8000, [(0, 0x8000)], [])
    small = mb.alloc(64, 64)
    ai = mb.alloc(PAGE, PAGE)
    mb.free(ai, PAGE)
    pages = _to_pages([("small", small, small + 64, 4)], [])
    assert pages == [("small", 7, 1, 4)] and ai == 0x6000


def test_usemap_sizes_of_the_ground_truth_zones():
    """usemap_size(): 4 bits per pageblock (1024 pages, 512 with PAE), rounded up to longs."""
    assert usemap_bytes(1, 4095, 1024) == 4                 # DMA
    assert usemap_bytes(0x1000, 220158, 1024) == 108        # 1G Normal
    assert usemap_bytes(0x36BFE, 37858, 1024) == 20         # 1G HighMem (starts 1022 into a block)
    assert usemap_bytes(0x36FFE, 1085442, 512) == 1064      # pae-4G HighMem


def test_nosave_regions_of_the_qemu_maps():
    """The real logs' 'Registered nosave memory' ranges: [0-fff] and [9f000-fffff], plus the
    PCI hole below 4 GB when RAM continues above it."""
    m = engine.Machine.boot(ram="1G", kernel="6.1")
    assert nosave_regions(m.boot_state.e820, m.boot_state.max_pfn) == [(0, 1), (0x9F, 0x100)]
    m = engine.Machine.boot(ram="4G", pae=True, kernel="6.1")
    assert nosave_regions(m.boot_state.e820, m.boot_state.max_pfn)[-1] == (0xBFFE0, 0x100000)


def test_page_tables_past_the_brk_buffer():
    """Non-PAE: the lowmem tail, pkmap and one cpu_entry_area table fit .brk's 6 pages (the
    fixmap's PMDs hold bm_pte and initial_pg_fixmap); PAE: the tail, 4 fixmap tables (FIX_WP_TEST's
    PMD, the next one, two kmap copies), pkmap and 2 cpu_entry_area tables (its last PMD is
    FIX_WP_TEST's) leave 2 for memblock, after the dentry and inode hashes."""
    assert page_table_phases(engine.Machine.boot(ram="1G", kernel="6.1").boot_state) == [0, 0, 0]
    assert page_table_phases(engine.Machine.boot(ram="1G", pae=True, kernel="6.1").boot_state) == [0, 0, 2]


def test_first_chunk_tables():
    """pcpu_setup_first_chunk(): 19 slots for a 132 KB unit; an 8-page region's maps."""
    fl = engine.Machine.boot(ram="1G", kernel="6.1").config.flavour
    sizes = dict(_pcpu_tables(fl, False, 1))
    assert sizes["pcpu_chunk_lists"] == 19 * 8
    assert (sizes["alloc_map"], sizes["bound_map"], sizes["md_blocks"]) == (1024, 1028, 256)
