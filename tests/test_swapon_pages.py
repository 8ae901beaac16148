"""sys_swapon()'s usable pages per release: the header page always, and before 2.6.34
the last page as well (maxpages = last_page, still in 2.6.33.3; 2.6.34: last_page + 1), read in the released
trees' mm/swapfile.c (engine.kversion rule swap_last_page_used)."""
from __future__ import annotations

import pytest

import engine


@pytest.mark.parametrize("kernel, kb", [("2.6", 32760), ("2.6.32", 32760), ("2.6.33", 32760), ("2.6.34", 32764),
                                        ("3.16", 32764), ("6.1", 32764)])
def test_swap_total_of_a_32_mb_area(kernel, kb):
    m = engine.Machine.boot(ram="64M", kernel=kernel, swap="32M")
    meminfo = m.proc("/proc/meminfo")
    assert f" {kb} kB" in next(line for line in meminfo.splitlines() if line.startswith("SwapTotal:"))
    assert m.swap_state.total == kb // 4
    m.check()
