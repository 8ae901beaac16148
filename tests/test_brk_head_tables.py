"""2.6.30 .. 3.8: head_32.S's first page tables lie at __brk_base, the page after __bss_stop, and
reserve_brk() keeps them and dmi_alloc()'s page reserved ("BRK" in the early reservation list);
the rest of .brk, up to _end, is free RAM.  The tables map up to pa(_end) + MAPPING_BEYOND_END,
and init_memory_mapping() reuses the one of PMD 0 (one_page_table_init() of a present PMD).
Sources: 2.6.30 arch/x86/kernel/head_32.S:56-74, 191-243, setup.c:115, 284-287, head32.c:21;
3.8.13 head_32.S:59-78, 169-221, setup.c:127, 296-303, arch/x86/mm/init_32.c:107-128."""
from __future__ import annotations

import pytest

import engine
from engine.bootmem import BRK_HEAD_RESERVATION, brk_head_tables
from engine.config import make_config
from tests.test_field_memory_line import C04, KERNEL, full_text, real_lines

# case 04's own log (2.6.31-20, non-PAE): what its early reservation list and head_32.S say
BSS_STOP = 0x8AD060                 # "#3 [0000100000 - 00008ad060]    TEXT DATA BSS"
BRK = (0x8AE000, 0x8B1194)          # "#5 [00008ae000 - 00008b1194]              BRK"
INITIAL_MAPPED = 0xC00000           # "initial memory mapped : 0 - 00c00000"


def _brk(m):
    return next(r for r in m.boot_state.reservations if r.what == BRK_HEAD_RESERVATION)


def test_case_04_brk_follows_from_its_bss_stop():
    """Without the log's BRK and "initial memory mapped" lines, __bss_stop alone gives where
    .brk lies, how many tables head_32.S builds and the BRK reservation, and the Memory: line
    is still the real one."""
    text = "\n".join(l for l in full_text(C04).splitlines()
                     if "initial memory mapped" not in l and " BRK " not in l)
    m = engine.Machine.from_dmesg(text, **KERNEL[C04])
    r = _brk(m)
    assert r.start_pfn == -(-BSS_STOP // 4096) == BRK[0] >> 12
    assert r.end_pfn == -(-BRK[1] // 4096)
    assert m.boot_state.head_tables * (4 << 20) == INITIAL_MAPPED
    assert m.walk(m.layout.page_offset).steps[-1].table_paddr == BRK[0]
    real = next(l for l in real_lines(C04) if l.startswith("Memory: "))
    assert real.split("] ", 1)[-1] in m.boot_log
    m.check()


@pytest.mark.parametrize("pae", [False, True])
@pytest.mark.parametrize("kernel", ["2.6.30", "2.6.31", "2.6.34", "2.6.36", "2.6.37", "3.5", "3.8"])
def test_pmd0_table_is_the_first_brk_page(kernel, pae):
    m = engine.Machine.boot(ram="512M", kernel=kernel, pae=pae, seed=1)
    bs = m.boot_state
    r = _brk(m)
    assert r.start_pfn == bs.kernel_image["bss"][1] >> 12          # __brk_base: after __bss_stop
    assert r.nr_pages == bs.head_tables + 1                        # + dmi_alloc()'s page
    span = (2 if pae else 4) << 20
    beyond = (((1 << 32) - m.layout.page_offset) >> 12) // (512 if pae else 1024) + (4 if pae else 0)
    assert (bs.head_tables - 1) * span < (bs.kernel_end_pfn + beyond) << 12 <= bs.head_tables * span
    assert m.walk(m.layout.page_offset).steps[-1].table_paddr >> 12 == r.start_pfn
    # the unused rest of .brk, up to _end, is free for the boot allocations (not the image's)
    owners = [x.what for x in bs.reservations if x.nr_pages and x.start_pfn < bs.kernel_end_pfn
              and x.end_pfn > r.end_pfn]
    assert not [w for w in owners if w.startswith("kernel")], owners
    m.check()


@pytest.mark.parametrize("pae,init_map", [(False, (128, 256)), (True, (261, 516))])
def test_brk_reservation_sized_for_all_lowmem_from_2_6_37(pae, init_map):
    """_end = __brk_base + 64K slop + INIT_MAP_SIZE + RESERVE_BRK(dmi_alloc, 64K), INIT_MAP_SIZE =
    PAGE_TABLE_SIZE((512 MB + MAPPING_BEYOND_END)/4K) pages before 2.6.37,
    PAGE_TABLE_SIZE(LOWMEM_PAGES) from 2.6.37 (rule brk_map_lowmem)."""
    for kernel, pages in zip(("2.6.36", "2.6.37"), init_map):
        _, end = brk_head_tables(make_config(ram="512M", kernel=kernel, pae=pae), 0xC0000000, 0x1400)
        assert end - 0x1400 == 16 + pages + 16, kernel
