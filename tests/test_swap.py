"""Swap: kswapd below the low watermark, second chance, i386 swap entries, swap-in."""
from __future__ import annotations

import pytest

import engine
from engine.paging import swp_pte_decode


def test_swap_hard_64m_machine_150m_process():
    m = engine.Machine.boot(ram="64M", swap="256M")
    p = m.spawn("example")
    size = 150 << 20
    a = p.mmap(size)
    pages = size >> 12
    for i in range(pages):
        if i % 64 == 0:
            m.write_virt(a + i * 4096 + (i % 4000), f"<{i:06d}>".encode(), p.pid)
        else:
            m.access(a + i * 4096, "write", p.pid)
    assert p.mm.swap_ents > pages // 2
    info = m.proc("/proc/meminfo")
    total = int(info.split("SwapTotal:")[1].split()[0])
    free = int(info.split("SwapFree:")[1].split()[0])
    assert total == (256 << 10) - 4 and free < total
    assert "VmSwap:\t" in m.proc(f"/proc/{p.pid}/status")
    m.check()
    # a swapped-out PTE holds the i386 swap entry: not present, type 0, offset = slot
    pte_pa = p.mm.pgd.pte_paddr(a)
    pte = p.mm.pgd.read_entry(pte_pa)
    assert not pte & 1
    t, off = swp_pte_decode(pte, False, "6.1")
    assert t == 0 and m.swap_state.swap_map[off] == 1 and pte == off << 9
    for i in range(0, pages, 64):
        assert m.read_virt(a + i * 4096 + (i % 4000), 8, p.pid) == f"<{i:06d}>".encode()
    m.check()
    c = m.fork(p.pid)                               # swap entries shared by two processes
    m.check()
    for i in range(0, pages, 640):
        assert m.read_virt(a + i * 4096 + (i % 4000), 8, c) == f"<{i:06d}>".encode()
    m.exit(c)
    m.exit(p.pid)
    m.check()
    assert m.swap_state.used == 0


@pytest.mark.parametrize("kernel,pae", [("6.1", True), ("2.6", False), ("2.6", True)])
def test_swap_entries_other_encodings(kernel, pae):
    m = engine.Machine.boot(ram="64M", swap="64M", kernel=kernel, pae=pae)
    p = m.spawn("example")
    a = p.mmap(8 * 4096)
    for i in range(8):
        m.write_virt(a + i * 4096, bytes([i + 1]) * 16, p.pid)
    m.switch_to(None)
    for _ in range(4):
        m.reclaim()
    m.check()
    swapped = [i for i in range(8) if not p.mm.pgd.read_entry(p.mm.pgd.pte_paddr(a + i * 4096)) & 1]
    assert swapped
    pte = p.mm.pgd.read_entry(p.mm.pgd.pte_paddr(a + swapped[0] * 4096))
    assert swp_pte_decode(pte, pae, kernel)[0] == 0
    for i in range(8):
        assert m.read_virt(a + i * 4096, 16, p.pid) == bytes([i + 1]) * 16
    assert "SwapIn" in {type(e).__name__ for e in m.events} or swapped[-1] != 7
    m.check()


def test_second_chance_keeps_recently_used_page():
    m = engine.Machine.boot(ram="64M", swap="64M")
    p = m.spawn("example")
    a = p.mmap(2 * 4096)
    m.write_virt(a, b"old", p.pid)
    m.write_virt(a + 4096, b"hot", p.pid)
    m.reclaim()                            # clears the Accessed bits (both were young)
    m.access(a + 4096, "read", p.pid)      # the hot page is referenced again
    m.flush_tlb()
    n = len(m.swap_state.lru)
    for _ in range(n):
        m.reclaim()
        if not m.swap_state.lru or not p.mm.pgd.read_entry(p.mm.pgd.pte_paddr(a)) & 1:
            break
    assert not p.mm.pgd.read_entry(p.mm.pgd.pte_paddr(a)) & 1
    m.check()


def test_no_swap_means_oom():
    m = engine.Machine.boot(ram="64M")
    p = m.spawn("example")
    a = p.mmap(80 << 20)
    with pytest.raises(engine.OutOfMemory):
        for i in range((80 << 20) >> 12):
            m.access(a + i * 4096, "write", p.pid)
    m.check()
