"""Demand paging, SIGSEGV, fork with copy-on-write, exit returning everything."""
from __future__ import annotations

import pytest

import engine
from engine import physmem as pm


def _kinds(m) -> set[str]:
    return {type(e).__name__ for e in m.events}


def _free(m) -> int:
    return sum(z.free_pages for z in m.all_zones)


@pytest.mark.parametrize("kernel,pae", [("6.1", False), ("6.1", True), ("2.6", False)])
def test_demand_paging(kernel, pae):
    m = engine.Machine.boot(ram="1G", kernel=kernel, pae=pae, nx=pae)
    p = m.spawn("example")
    a = p.mmap(4 * 4096)
    acc = m.access(a, "read", p.pid)
    assert acc.fault is not None and acc.fault.error_code == 4      # user, read, not present
    # 6.1 maps the shared zero page; 2.6.24 (no ZERO_PAGE until 2.6.32) a zeroed page of its own
    assert (acc.paddr >> 12 == m.zero_pfn) == (kernel == "6.1")
    acc = m.access(a + 4096, "write", p.pid)
    pfn = acc.paddr >> 12
    assert m.memmap.owner[pfn] == pm.OWNER_USER
    assert m.pfn_zone(pfn) == "HighMem"                              # GFP_HIGHUSER
    assert m.memmap.mapcount[pfn] == 1 and m.memmap.refcount[pfn] == 1
    assert "MapPte" in _kinds(m)
    # the zero page is replaced on write (2.6.24: the page is already writable, no fault)
    acc = m.access(a, "write", p.pid)
    assert acc.paddr >> 12 != m.zero_pfn
    assert (acc.fault is None) == (kernel == "2.6")
    assert m.access(a, "write", p.pid).tlb_hit
    m.check()


def test_segfault_lines_and_state_unchanged():
    m = engine.Machine.boot(ram="64M")
    p = m.spawn("example")
    m.access(0x08048000, "exec", p.pid)
    r = p.mmap(4096, prot="r--")
    before = _free(m)
    with pytest.raises(engine.SegFault) as e:
        m.access(0x1000, "read", p.pid)
    msg = str(e.value)
    assert msg.startswith(f"example[{p.pid}]: segfault at 1000 ip 08048388 sp ")
    assert " error 4 in example[8048000+1000]" in msg
    with pytest.raises(engine.SegFault) as e:
        m.access(0x08048000, "write", p.pid)                 # text is r-x, page present
    assert " error 7 " in str(e.value)
    with pytest.raises(engine.SegFault) as e:
        m.access(r, "write", p.pid)
    assert " error 6 " in str(e.value)
    with pytest.raises(engine.SegFault):
        m.access(0xC0001000, "read", p.pid)
    assert _free(m) == before
    m.check()


def test_kernel_oops_on_bad_kernel_address():
    m = engine.Machine.boot(ram="64M")
    with pytest.raises(engine.KernelOops) as e:
        m.read_virt(0x10, 4)
    assert str(e.value) == "BUG: kernel NULL pointer dereference, address: 00000010"
    with pytest.raises(engine.KernelOops) as e:
        m.read_virt(m.layout.vmalloc_start, 4)
    assert str(e.value) == f"BUG: unable to handle page fault for address: {m.layout.vmalloc_start:08x}"


def test_stack_grows_down():
    m = engine.Machine.boot(ram="64M")
    p = m.spawn("example")
    stack = p.mm.vmas[-1]
    low = stack.start - 5 * 4096
    m.access(low, "write", p.pid)
    assert p.mm.vmas[-1].start == low
    assert "VmaExtend" in _kinds(m)
    m.check()


def test_fork_cow_data_survives():
    m = engine.Machine.boot(ram="128M")
    p = m.spawn("example")
    a = p.mmap(8 * 4096)
    for i in range(8):
        m.write_virt(a + i * 4096, f"page {i}".encode(), p.pid)
    pfn0 = m.walk(a, p.pid).paddr >> 12
    c = m.fork(p.pid)
    m.check()
    assert m.memmap.mapcount[pfn0] == 2 and m.memmap.refcount[pfn0] == 2
    assert m.read_virt(a, 6, c) == b"page 0"
    m.write_virt(a, b"child", c)
    assert "CowBreak" in _kinds(m)
    assert m.read_virt(a, 6, p.pid) == b"page 0"
    assert m.read_virt(a, 6, c) == b"child0"
    assert m.memmap.mapcount[pfn0] == 1
    m.write_virt(a, b"parent", p.pid)                       # last user: reused in place
    assert "CowReuse" in _kinds(m)
    assert m.walk(a, p.pid).paddr >> 12 == pfn0
    m.check()
    m.exit(c)
    m.check()
    for i in range(1, 8):
        assert m.read_virt(a + i * 4096, 6, p.pid) == f"page {i}".encode()[:6]


def test_exit_returns_every_frame():
    m = engine.Machine.boot(ram="128M", pae=True)
    warm = m.spawn("example")                # vdso/vvar pages are allocated once
    m.access(warm.mm.vmas[-2].start, "exec", warm.pid)
    m.exit(warm.pid)
    before = _free(m)
    p = m.spawn("example")
    a = p.mmap(300 * 4096)
    for i in range(0, 300, 3):
        m.access(a + i * 4096, "write", p.pid)
    s = p.mmap(16 * 4096, flags="shared|anonymous")
    m.write_virt(s, b"shared", p.pid)
    c = m.fork(p.pid)
    assert m.read_virt(s, 6, c) == b"shared"
    m.write_virt(a, b"x", c)
    p.munmap(a + 4096 * 10, 4096 * 50)
    p.mprotect(a + 4096 * 100, 4096 * 20, "r--")
    m.check()
    m.exit(p.pid)
    m.check()
    m.exit(c)
    m.check()
    assert _free(m) == before
    assert not (m.memmap.owner == pm.OWNER_USER).any()


def test_shared_anonymous_is_shared_after_fork():
    m = engine.Machine.boot(ram="64M")
    p = m.spawn("example")
    s = p.mmap(4096, flags="shared|anonymous")
    c = m.fork(p.pid)
    m.write_virt(s, b"hello", c)
    assert m.read_virt(s, 5, p.pid) == b"hello"
    assert "/dev/zero (deleted)" in p.maps()
    m.check()


def test_mprotect_splits_and_merges():
    m = engine.Machine.boot(ram="64M")
    p = m.spawn("example")
    a = p.mmap(10 * 4096)
    n = len(p.vmas)
    m.write_virt(a + 3 * 4096, b"keep", p.pid)
    p.mprotect(a + 2 * 4096, 3 * 4096, "r--")
    assert len(p.vmas) == n + 2
    with pytest.raises(engine.SegFault):
        m.write_virt(a + 3 * 4096, b"no", p.pid)
    p.mprotect(a + 2 * 4096, 3 * 4096, "rw-")
    assert len(p.vmas) == n
    m.write_virt(a + 3 * 4096, b"ok", p.pid)
    assert m.read_virt(a + 3 * 4096, 4, p.pid) == b"okep"
    p.mprotect(a, 4096, "---")
    with pytest.raises(engine.SegFault):
        m.read_virt(a, 1, p.pid)
    p.munmap(a + 4096, 4096)
    m.check()


@pytest.mark.parametrize("kernel, zero", [("2.6.23", True), ("2.6", False), ("2.6.24", False),
                                          ("2.6.31", False), ("2.6.32", True), ("3.16", True),
                                          ("6.1", True)])
def test_anonymous_read_fault_per_release(kernel, zero):
    """do_anonymous_page() on a read: the shared zero page, read-only -- except 2.6.24-2.6.31
    ("remove ZERO_PAGE" 557ed1fa2620 .. "mm: reinstate ZERO_PAGE" a13ea5b75964), which
    allocate a zeroed page and map it dirty, writable when the VMA is (maybe_mkwrite)."""
    from engine.memory import read_pte
    from engine.paging import _PAGE_DIRTY, _PAGE_RW
    from engine.task_events import HandleFault
    m = engine.Machine.boot(ram="128M", kernel=kernel)
    p = m.spawn("example")
    a, ro = p.mmap(2 * 4096), p.mmap(4096, prot="r--")
    m.write_virt(a + 4096, b"y", p.pid)             # the page table exists before we count
    free, rss = _free(m), p.mm.rss_anon
    assert m.read_virt(a, 8, p.pid) == bytes(8)
    _, pte = read_pte(m, p, a)
    assert ((pte >> 12) == m.zero_pfn) == zero
    assert bool(pte & _PAGE_RW) == bool(pte & _PAGE_DIRTY) == (not zero)
    assert _free(m) == free - (0 if zero else 1)
    assert p.mm.rss_anon == rss + (0 if zero else 1)
    fault = [e for e in m.events if isinstance(e, HandleFault)][-1]
    assert fault.path[-2:] == ("do_anonymous_page", "zero_page" if zero else "zeroed_page_read")
    m.read_virt(ro, 4, p.pid)                       # a read-only VMA: dirty, never writable
    _, ro_pte = read_pte(m, p, ro)
    assert not ro_pte & _PAGE_RW and bool(ro_pte & _PAGE_DIRTY) == (not zero)
    m.write_virt(a, b"x", p.pid)                    # 2.6.24: already writable, the same page
    assert (read_pte(m, p, a)[1] >> 12 == pte >> 12) == (not zero)
    m.check()
