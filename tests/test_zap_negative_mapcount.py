"""Zapping a PTE whose page has no mapcount to lose (a free frame, a kernel page): 2.6.20-2.6.28
page_remove_rmap() prints "Eeek! page_mapcount(page) went negative! (%d)" and its KERN_EMERG lines,
then BUG() (2.6.24 mm/rmap.c:619-631, 2.6.26 l.658-669, 2.6.28 l.714-725; rule zap_bad_mapcount);
from 2.6.29 zap_pte_range() print_bad_pte()s it with the page (2.6.29 mm/memory.c:825-827).  A
BUG() fails the operation and leaves the machine as it was."""
from __future__ import annotations

import pytest

import engine

CUT = "------------[ cut here ]------------"


def _setup(kernel, pte_of):
    m = engine.Machine.boot(ram="160M", kernel=kernel, seed=1)
    p = m.spawn()
    a = p.mmap(8192, flags="private|anonymous")
    m.write_virt(a, b"x", pid=p.pid)                              # the page table; a + 4096 unmapped
    step = m.walk(a + 4096, pid=p.pid).steps[-1]
    assert step.level == "PTE" and step.entry == 0
    where = m.layout.page_offset + step.entry_paddr
    pte = pte_of(m)
    m.write_virt(where, pte.to_bytes(4, "little"))
    return m, p, a, pte, where


def _free_frame(m):
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    m.free_pages(pfn, 0)
    return (pfn << 12) | 0x67                                     # present, rw, user, accessed, dirty


def _slab_page(m):
    return ((m.kmalloc(4000) - m.layout.page_offset) & ~0xFFF) | 0x67


def _state(m, p):
    return tuple(m.proc(f) for f in ("/proc/buddyinfo", "/proc/meminfo", "/proc/slabinfo",
                                     f"/proc/{p.pid}/maps"))


def _bug(m, p, where, call):
    before, log = _state(m, p), len(m.kmsg)
    with pytest.raises(engine.KernelOops) as err:
        call()
    assert _state(m, p) == before
    m.write_virt(where, bytes(4))                                 # the scribble gone, all is consistent
    m.check()
    return err.value, m.kmsg[log:]


@pytest.mark.parametrize("kernel,line,flags", [
    ("2.6.24", 631, "40080014"), ("2.6.26", 669, "40040014"), ("2.6.28", 725, "40040014")])
def test_munmap_of_a_free_frame_is_eeek_and_bug(kernel, line, flags):
    # PG_buddy (19; 18 from 2.6.26), and set_page_dirty()/SetPageReferenced() from the PTE's D and A
    # bits before page_remove_rmap() (2.6.24 mm/memory.c:672-681, mm/page-writeback.c:1060-1062)
    m, p, a, pte, where = _setup(kernel, _free_frame)
    err, logged = _bug(m, p, where, lambda: p.munmap(a, 8192))
    assert logged == ["Eeek! page_mapcount(page) went negative! (-1)", f"  page pfn = {pte >> 12:x}",
                      f"  page->flags = {flags}", "  page->count = 0", "  page->mapping = 00000000",
                      "  vma->vm_ops = 0x0", CUT, f"kernel BUG at mm/rmap.c:{line}!",
                      "invalid opcode: 0000 [#1] SMP "]
    assert not any("nearest release" in n for n in str(err).splitlines())


def test_exit_meets_it_too_and_2_6_20_takes_2_6_24s_line():
    m, p, a, pte, where = _setup("2.6.20", _slab_page)
    err, logged = _bug(m, p, where, lambda: m.exit(p.pid))
    assert logged[0] == "Eeek! page_mapcount(page) went negative! (-1)"
    assert logged[3] == "  page->count = 1"                      # a slab page is held once
    assert logged[7] == "kernel BUG at mm/rmap.c:631!"
    assert any("2.6.24's, the nearest release" in n for n in str(err).splitlines())
    assert p.pid in m.processes


@pytest.mark.parametrize("kernel", ["2.6.29", "6.1"])
def test_from_2_6_29_a_kernel_page_is_a_bad_page_map(kernel):
    # page_remove_rmap(); if (page_mapcount(page) < 0) print_bad_pte(vma, addr, ptent, page)
    m, p, a, pte, where = _setup(kernel, _slab_page)
    pfn = pte >> 12
    refs = int(m.memmap.refcount[pfn])
    log = len(m.kmsg)
    p.munmap(a, 8192)
    assert m.kmsg[log].startswith(f"BUG: Bad page map in process {p.comm}  pte:{pte:08x}")
    assert "mapcount:-1 " in m.kmsg[log + 1]
    assert (int(m.memmap.mapcount[pfn]), int(m.memmap.refcount[pfn])) == (0, refs)
    m.check()


def _oom_with_a_bad_victim(kernel):
    """A hog (the OOM killer's choice: 2.6.24 scores total_vm) holding a PTE that maps a free
    frame, and a task whose populating mmap() needs the hog's memory."""
    m = engine.Machine.boot(ram="48M", kernel=kernel, seed=1)
    hog = m.spawn("hog")
    hog.mmap(22 << 20, flags="private|anonymous|populate")
    hog.mmap(100 << 20)
    b = hog.mmap(8192, flags="private|anonymous")
    m.write_virt(b, b"x", pid=hog.pid)
    where = m.layout.page_offset + m.walk(b + 4096, pid=hog.pid).steps[-1].entry_paddr
    m.write_virt(where, _free_frame(m).to_bytes(4, "little"))
    return m, hog, m.spawn("example"), where


@pytest.mark.parametrize("kernel", ["2.6.24", "2.6.28"])
def test_the_oom_victims_exit_meets_it_as_exit_does(kernel):
    """2.6.20-2.6.28: the victim's exit_mmap() zaps the PTE as exit does, so page_remove_rmap()'s
    Eeek and BUG() follow the OOM report (2.6.24 mm/rmap.c:619-631); the operation that invoked
    the OOM killer fails and nothing changes but the log."""
    m, hog, p, where = _oom_with_a_bad_victim(kernel)
    files = ("/proc/buddyinfo", "/proc/meminfo", "/proc/slabinfo", f"/proc/{hog.pid}/maps",
             f"/proc/{p.pid}/maps", f"/proc/{p.pid}/status")
    before, log = tuple(m.proc(f) for f in files), len(m.kmsg)
    with pytest.raises(engine.KernelOops, match="Eeek! page_mapcount"):
        p.mmap(30 << 20, flags="private|anonymous|populate")
    assert tuple(m.proc(f) for f in files) == before and hog.pid in m.processes
    logged = m.kmsg[log:]
    assert logged[0].startswith("example invoked oom-killer:")
    at = logged.index(f"Killed process {hog.pid} (hog)")
    assert logged[at + 1] == "Eeek! page_mapcount(page) went negative! (-1)"
    assert logged[-3:-1] == [CUT, f"kernel BUG at mm/rmap.c:{631 if kernel == '2.6.24' else 725}!"]
    m.write_virt(where, bytes(4))
    m.check()


def test_from_2_6_29_the_victim_is_killed_with_a_bad_page_map():
    m, hog, p, _ = _oom_with_a_bad_victim("2.6.29")
    log = len(m.kmsg)
    p.mmap(30 << 20, flags="private|anonymous|populate")
    assert hog.pid not in m.processes
    logged = m.kmsg[log:]
    at = logged.index(f"Killed process {hog.pid} (hog)")       # the report, then the victim's exit
    assert logged[at + 1].startswith("BUG: Bad page map in process hog ")
    m.check()
