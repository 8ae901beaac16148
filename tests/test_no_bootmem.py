"""2.6.34's x86 default CONFIG_NO_BOOTMEM=y (arch/x86/Kconfig:584-585; 2.6.33 has no such
option): setup_bootmem_allocator() reserves no "BOOTMAP" (2.6.34 arch/x86/mm/init_32.c:777-789,
2.6.33 l.784 does), so nothing lies after a bitmap in low memory (rule bootmem_bitmap)."""
from __future__ import annotations

import pytest

import engine
from engine.events import Reserve


def _reserves(m):
    return [e for e in m.boot_state.events if isinstance(e, Reserve) and e.nr_pages]


@pytest.mark.parametrize("pae", [False, True])
@pytest.mark.parametrize("kernel,bitmap", [("2.6.31", True), ("2.6.33", True), ("2.6.34", False),
                                           ("2.6.35", False)])
def test_bootmap_until_2_6_33(kernel, bitmap, pae):
    m = engine.Machine.boot(ram="160M", kernel=kernel, pae=pae, seed=1)
    bitmaps = [e for e in _reserves(m) if e.what == "bootmem bitmap"]
    assert bool(bitmaps) is bitmap
    if bitmap:                       # bootmem_bootmap_pages(max_low_pfn): a bit per lowmem page
        assert bitmaps[0].nr_pages == -(-m.max_low_pfn // 8 // 4096)
    m.check()


def test_2_6_34_low_allocations_take_the_lowest_free_pages():
    """Without the bitmap the ACPI wakeup area (find_e820_area(0, 1 << 20, WAKEUP_SIZE,
    PAGE_SIZE), 2.6.34 arch/x86/kernel/acpi/sleep.c:136) is the lowest 4 free pages."""
    m = engine.Machine.boot(ram="160M", kernel="2.6.34", seed=1)
    res = _reserves(m)
    wake = next(e for e in res if e.what.startswith("ACPI wakeup"))
    taken = {p for e in res if e is not wake for p in range(e.pfn, e.pfn + e.nr_pages)}
    lowest = next(s for s in range(0x100) if not taken & set(range(s, s + 4)))
    assert wake.pfn == lowest and wake.nr_pages == 4
