"""Where the early_ioremap btmap block ends and so where PKMAP_BASE, VMALLOC_END and lowmem land.

arch/x86/include/asm/fixmap.h FIX_BTMAP_END: 2.6.25-2.6.33 round __end_of_permanent_fixed_addresses
up to the next 512 (2.6.27 on: 256) slots whatever it is; 2.6.34 (commit 499a5f1efa0b) rounds only when the
256-slot block would straddle a PTRS_PER_PTE page table.  PKMAP_BASE is
(FIXADDR_BOOT_START - PAGE_SIZE * (LAST_PKMAP + 1)) & PMD_MASK (2.6.32 pgtable_32_types.h:40), so a
PAE kernel of 2.6.28-2.6.33 with a 226-slot fixmap puts the pkmap one PMD lower than 2.6.34 does.

The numbers pinned are a real 2.6.3x PAE boot log's (REFERENCE §2.5 [LOG-E], 4.9 GB):
  fixmap  : 0xfff1d000 - 0xfffff000   ( 904 kB)
  pkmap   : 0xffa00000 - 0xffc00000   (2048 kB)
  vmalloc : 0xf81fe000 - 0xff9fe000   ( 120 MB)
  lowmem  : 0xc0000000 - 0xf79fe000   ( 889 MB)
and field case 04's (Ubuntu 2.6.31 non-PAE, lowmem 0xf77fe000, 887 MB) and case 05's (Ubuntu 3.5
PAE, fixmap 936 kB, lowmem 891 MB).
"""
from __future__ import annotations

import pytest

import engine

LOG_E = ["    fixmap  : 0xfff1d000 - 0xfffff000   ( 904 kB)",
         "    pkmap   : 0xffa00000 - 0xffc00000   (2048 kB)",
         "    vmalloc : 0xf81fe000 - 0xff9fe000   ( 120 MB)",
         "    lowmem  : 0xc0000000 - 0xf79fe000   ( 889 MB)"]
SLOTS_226 = {"NR_CPUS": 8, "fixmap_slots": 226}        # the log's 904 kB fixmap line


def _layout_lines(m) -> list[str]:
    i = m.boot_log.index("virtual kernel memory layout:")
    return m.boot_log[i + 1:i + 5]


def test_2632_pae_layout_is_the_real_logs():
    m = engine.Machine.boot(ram="4G", kernel="2.6.32", pae=True)
    L = m.layout
    assert (L.pkmap_base, L.vmalloc_end, L.high_memory) == (0xFFA00000, 0xFF9FE000, 0xF79FE000)
    assert _layout_lines(m) == LOG_E
    # FIX_BTMAP_END = 226 + 256 - 226 = 256: FIXADDR_BOOT_START below FIX_WP_TEST (slot 512)
    assert L.fixaddr_boot_start <= L.fix_to_virt(512)
    assert m.check() is None


@pytest.mark.parametrize("kernel", ["2.6.31", "2.6.33"])
def test_pae_2628_to_2633_round_the_btmap_block_always(kernel):
    m = engine.Machine.boot(ram="4G", kernel=kernel, pae=True, config=SLOTS_226)
    assert _layout_lines(m) == LOG_E


@pytest.mark.parametrize("kernel, boot_start", [("2.6.25", 180 + 332 + 256 + 1), ("2.6.26", 180 + 332 + 256 + 1),
                                                ("2.6.27", 180 + 76 + 256 + 1), ("2.6.28", 180 + 76 + 256 + 1)])
def test_pae_2625_to_2628_round_the_btmap_block_too(kernel, boot_start):
    """2.6.25 (commits a8efa1cd51d6, d701fda8601f): 256 btmap slots, FIX_BTMAP_END rounded up to 512
    always; 2.6.27 (commit 48fe4a76e27d): to 256.  2.6.24's 720 kB fixmap (180 slots, case 01) then
    gives PKMAP_BASE 0xffa00000 on PAE; MAXMEM is still -PAGE_OFFSET - 128 MB until 2.6.28, so
    lowmem stays 896 MB and vmalloc loses the 2 MB."""
    L = engine.Machine.boot(ram="4G", kernel=kernel, pae=True, config={"NR_CPUS": 8, "fixmap_slots": 180}).layout
    assert L.fixaddr_boot_start == L.fix_to_virt(boot_start)
    assert (L.pkmap_base, L.vmalloc_end) == (0xFFA00000, 0xFF9FE000)
    assert L.high_memory == (0xF8000000 if kernel < "2.6.28" else 0xF79FE000)


def test_2624_has_16_btmap_slots_and_no_rounding():
    """2.6.24 include/asm-x86/fixmap_32.h NR_FIX_BTMAPS 16, FIX_BTMAP_END = __end_of_permanent_fixed_addresses."""
    L = engine.Machine.boot(ram="4G", kernel="2.6.24", pae=True).layout
    assert L.fixaddr_boot_start == L.fix_to_virt(180 + 16 + 1) and L.pkmap_base == 0xFFC00000


@pytest.mark.parametrize("kernel", ["2.6.34", "2.6.38", "3.0", "3.5"])
def test_pae_from_2634_rounds_only_a_block_that_straddles_a_page_table(kernel):
    """226 .. 481 fits in one 512-entry PAE page table: no rounding, the pkmap stays one PMD
    higher (case 05: 3.5 PAE with 234 permanent slots prints 891 MB of lowmem)."""
    m = engine.Machine.boot(ram="4G", kernel=kernel, pae=True, config=SLOTS_226)
    L = m.layout
    assert (L.pkmap_base, L.vmalloc_end, L.high_memory) == (0xFFC00000, 0xFFBFE000, 0xF7BFE000)
    assert L.fixaddr_boot_start == L.fix_to_virt(226 + 256 + 1)         # FIX_WP_TEST right after


def test_pae_from_2634_rounds_a_straddling_block():
    """300 + 255 crosses slot 512: FIX_BTMAP_END goes to 512, as it did before 2.6.34."""
    old, new = (engine.Machine.boot(ram="4G", kernel=k, pae=True, config={"NR_CPUS": 8, "fixmap_slots": 300}).layout
                for k in ("2.6.33", "2.6.34"))
    assert new.fixaddr_boot_start == old.fixaddr_boot_start == new.fix_to_virt(512 + 256 + 1)
    assert new.pkmap_base == old.pkmap_base


@pytest.mark.parametrize("kernel", ["2.6.31", "2.6.32", "2.6.34"])
def test_non_pae_pkmap_is_where_the_4mb_pmd_puts_it_either_way(kernel):
    m = engine.Machine.boot(ram="4G", kernel=kernel, pae=False, config=SLOTS_226)
    L = m.layout
    assert (L.pkmap_base, L.vmalloc_end, L.high_memory) == (0xFF800000, 0xFF7FE000, 0xF77FE000)


@pytest.mark.parametrize("kernel, per_cpu", [("2.6.30", 13), ("2.6.31", 19)])
def test_km_type_nr_grows_to_19_in_2631(kernel, per_cpu):
    """KM_TYPE_NR: 13 in 2.6.30's arch/x86/include/asm/kmap_types.h, 19 from 2.6.31's
    include/asm-generic/kmap_types.h (commit e4c9dd0fbad6); NR_CPUS 8 gives 74 + 8 * KM_TYPE_NR
    permanent fixmap slots (case 04: 904 kB on 2.6.31)."""
    m = engine.Machine.boot(ram="1G", kernel=kernel, config={"NR_CPUS": 8})
    assert m.config.flavour.kmap_slots_per_cpu == per_cpu
    assert m.layout.fixaddr_top - m.layout.fixaddr_start == (74 + 8 * per_cpu) << 12
