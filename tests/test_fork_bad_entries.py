"""fork's copy_one_pte() copies every entry it finds, a bad one too (2.6.24 mm/memory.c:434-455
a swap entry whatever swap_duplicate() says, l.477-485 set_pte_at() whether vm_normal_page()
found a page or not; 2.6.29 l.555-603; 6.1 copy_present_pte()/copy_nonpresent_pte()): the child
gets the entry, write-protected and old like the good ones; vm_normal_page() complains about a
frame past mem_map only, swap_duplicate() about a bad swap entry per release, nothing about a free
frame.  The child's exit then meets the entry again."""
from __future__ import annotations

import pytest

import engine
from engine.paging import swp_pte

PAST_MEM_MAP = lambda m: (0x3FFFF << 12) | 0x67
BAD_TYPE = lambda m: swp_pte(3, 7, False, m.config.flavour)


def _free_frame(m):
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    m.free_pages(pfn, 0)
    return (pfn << 12) | 0x67


def _fork(kernel, pte_of):
    m = engine.Machine.boot(ram="160M", kernel=kernel, seed=1, swap="64M")
    p = m.spawn()
    a = p.mmap(8192, flags="private|anonymous")
    m.write_virt(a, b"x", pid=p.pid)                              # the page table; a + 4096 unmapped
    step = m.walk(a + 4096, pid=p.pid).steps[-1]
    assert step.level == "PTE" and step.entry == 0
    pte_pa = step.entry_paddr
    pte = pte_of(m)
    m.write_virt(m.layout.page_offset + pte_pa, pte.to_bytes(4, "little"))
    before = len(m.kmsg)
    c = m.fork(p.pid)
    return m, p, c, a + 4096, pte, m.kmsg[before:]


def _entry(m, pid, va):
    return m.walk(va, pid=pid).steps[-1].entry


@pytest.mark.parametrize("kernel", ["2.6.24", "2.6.29", "6.1"])
def test_a_frame_past_mem_map_is_copied_and_reported(kernel):
    m, p, c, va, pte, logged = _fork(kernel, PAST_MEM_MAP)
    assert _entry(m, p.pid, va) == pte & ~0x2                     # COW: write-protected in the parent
    assert _entry(m, c, va) == pte & ~0x22                        # and in the child, old
    assert logged[0].startswith(("Bad pte = 3ffff067, process = example,",
                                 "BUG: Bad page map in process example  pte:3ffff067"))


@pytest.mark.parametrize("kernel", ["2.6.24", "2.6.29", "6.1"])
def test_a_free_frame_is_copied_silently(kernel):
    # vm_normal_page() tests only pfn_valid() (2.6.24) / pfn > highest_memmap_pfn (2.6.29 l.522)
    m, p, c, va, pte, logged = _fork(kernel, _free_frame)
    assert _entry(m, c, va) == pte & ~0x22
    assert logged == []


@pytest.mark.parametrize("kernel,line", [("2.6.24", "swap_dup"), ("6.1", "get_swap_device"), ("6.8", None)])
def test_a_bad_swap_entry_is_copied(kernel, line):
    m, p, c, va, pte, logged = _fork(kernel, BAD_TYPE)
    assert m.walk(va, pid=c).steps[-1].entry == pte               # a swap entry is copied as it is
    assert [ln.split(":")[0] for ln in logged] == ([line] if line else [])


@pytest.mark.parametrize("pte_of", [PAST_MEM_MAP, _free_frame, BAD_TYPE])
def test_the_childs_exit_meets_the_entry_and_all_comes_back(pte_of):
    m, p, c, va, pte, _ = _fork("6.1", pte_of)
    log = len(m.kmsg)
    m.exit(c)
    assert len(m.kmsg) > log                                      # zap_pte_range() complains again
    m.exit(p.pid)
    m.check()                                                     # nothing leaked, nothing left
    assert m.processes == {}
