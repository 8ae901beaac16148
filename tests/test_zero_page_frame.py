"""empty_zero_page's frame: after swapper_pg_dir in head_32.S's page-aligned .bss
(rule zero_page_after_swapper, engine.kversion_mm), checked against the ground truth."""
import re
from pathlib import Path

import pytest

import engine

GT = Path(__file__).parent / "groundtruth"


def swapper(case):
    text = (GT / case / "kcoredump.txt").read_text()
    return int(re.search(r"SYMBOL\(swapper_pg_dir\)=([0-9a-f]+)", text).group(1), 16) - 0xC0000000


@pytest.mark.parametrize("case,pae,pages", [("686-1G", False, 1), ("686-pae-1G", True, 2)])
def test_6_1_zero_page_follows_swapper_pg_dir(case, pae, pages):
    m = engine.Machine.boot(ram="1G", pae=pae)
    assert m.swapper_pg_dir == swapper(case)
    # non-PAE: swapper_pg_dir, empty_zero_page; PAE (PTI): swapper_pg_dir, its user half, empty_zero_page
    assert m.zero_pfn << 12 == swapper(case) + pages * 4096
    assert m.kernel_pt.idt_table == (m.zero_pfn + 1) << 12    # the read-only idt_table page follows
    p = m.spawn("example")
    a = p.mmap(4096)
    assert m.read_virt(a, 4, pid=p.pid) == bytes(4)
    assert m.walk(a, pid=p.pid).paddr >> 12 == m.zero_pfn


@pytest.mark.parametrize("pae", [False, True])
def test_2_6_24_zero_page_is_the_third_bss_page(pae):
    m = engine.Machine.boot(ram="1G", pae=pae, kernel="2.6")
    bss = m.kernel_image["bss"][0]
    assert m.swapper_pg_dir == bss                       # swapper_pg_dir, swapper_pg_pmd, empty_zero_page
    assert m.zero_pfn << 12 == bss + 2 * 4096
