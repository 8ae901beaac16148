"""print_bad_pte()'s lines after "BUG: Bad page map in process" as each release prints them
(engine.kmsg_pte; rules log_bad_pte_file, log_bad_pte_px, log_ptr_checked): the page dump when
zap_pte_range() has a page (2.6.29 mm/memory.c:417-421, 2.6.34 dump_page(), 3.14 "bad pte"), the
VMA's "addr:%p vm_flags:%08lx anon_vma:%p mapping:%p index:%lx" line (2.6.29 l.423-425; hashed
4.15, %px 5.4) and from 4.1 "file:%pD fault:%pf mmap:%pf readpage:%pf" (5.19 read_folio), with
the machine's own values; before 2.6.29 the one "Bad pte =" line."""
from __future__ import annotations

import pytest

import engine
from engine.kmsg import kptr


def _zap(kernel: str, pte_of):
    m = engine.Machine.boot(ram="160M", kernel=kernel, seed=1)
    p = m.spawn()
    a = p.mmap(8192, flags="private|anonymous|populate")
    v = p.mm.vma_at(a)
    pte_pa = m.walk(a + 4096, pid=p.pid).steps[-1].entry_paddr
    pte = pte_of(m)
    m.write_virt(m.layout.page_offset + pte_pa, pte.to_bytes(4, "little"))
    facts = (a + 4096, v.vm_flags, v.anon_vma.addr, v.pgoff + 1)
    before = len(m.kmsg)
    p.munmap(a, 8192)
    return m, p, facts, m.kmsg[before:]


PAST_MEM_MAP = lambda m: (0x3FFFF << 12) | 0x67          # no struct page: vm_normal_page(), page NULL


def _free_frame(m):
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    m.free_pages(pfn, 0)
    return (pfn << 12) | 0x67


def test_2_6_24_one_line():
    _, p, (addr, flags, _, _), logged = _zap("2.6.24", PAST_MEM_MAP)
    assert logged[0] == f"Bad pte = 3ffff067, process = {p.comm}, vm_flags = {flags:x}, vaddr = {addr:x}"
    assert len(logged) == 2


@pytest.mark.parametrize("kernel,null", [("2.6.29", "(null)"), ("2.6.37", "  (null)"), ("3.10", "  (null)")])
def test_the_vma_line_from_2_6_29(kernel, null):
    # anonymous: no vm_ops, no vm_file -> no print_symbol() lines before 4.1
    _, _, (addr, flags, av, index), logged = _zap(kernel, PAST_MEM_MAP)
    assert flags == 0x00100073                                # VM_ACCOUNT | MAY{READ,WRITE,EXEC} | READ | WRITE
    assert logged[1] == f"addr:{addr:08x} vm_flags:{flags:08x} anon_vma:{av:08x} mapping:{null} index:{index:x}"
    assert logged[2].startswith(("Pid:", "CPU:")) and len(logged) == 3


def test_4_1_adds_the_file_line():
    _, _, _, logged = _zap("4.1", PAST_MEM_MAP)
    assert logged[2] == "file:  (null) fault:  (null) mmap:  (null) readpage:  (null)"


def test_4_15_hashes_the_pointers():
    m, _, (addr, flags, av, index), logged = _zap("4.15", PAST_MEM_MAP)
    assert logged[1] == (f"addr:{kptr(m, addr)} vm_flags:{flags:08x} anon_vma:{kptr(m, av)} mapping:  (null) "
                         f"index:{index:x}")
    assert kptr(m, addr) != f"{addr:08x}"


@pytest.mark.parametrize("kernel,read", [("5.4", "readpage"), ("5.19", "read_folio"), ("6.1", "read_folio")])
def test_5_4_prints_the_addresses(kernel, read):
    # %px (5.4.214 mm/memory.c:533); %pD of NULL "(null)", %ps of NULL "0x0" (5.2 vsprintf)
    _, _, (addr, flags, av, index), logged = _zap(kernel, PAST_MEM_MAP)
    assert logged[1:3] == [f"addr:{addr:08x} vm_flags:{flags:08x} anon_vma:{av:08x} mapping:00000000 index:{index:x}",
                           f"file:(null) fault:0x0 mmap:0x0 {read}:0x0"]


@pytest.mark.parametrize("kernel,dump", [
    ("2.6.29", ["page:", " flags:40040000 count:0 mapcount:-1 mapping:(null) index:0"]),
    ("2.6.34", ["page:", " count:0 mapcount:-1 mapping:(null) index:0x0", "page flags: 0x40080000(buddy)"]),
    ("3.14", ["page:", " count:0 mapcount:-128 mapping:  (null) index:0x0", "page flags: 0x40000000()",
              "page dumped because: bad pte"])])
def test_a_freed_frame_is_dumped(kernel, dump):
    # zap_pte_range(): page_remove_rmap() takes the free page's mapcount below zero, then
    # print_bad_pte(vma, addr, ptent, page) (2.6.29 mm/memory.c:825-827): one mapcount less
    _, _, _, logged = _zap(kernel, _free_frame)
    first, rest = logged[1], logged[2:len(dump)]
    assert first.startswith(dump[0]) and first.endswith(dump[1]) and rest == dump[2:]
    assert logged[len(dump)].startswith("addr:")


def test_fork_passes_no_page():
    # copy_one_pte() -> vm_normal_page() print_bad_pte(vma, addr, pte, NULL): no dump, the VMA's line
    m = engine.Machine.boot(ram="160M", kernel="6.1", seed=1)
    p = m.spawn()
    a = p.mmap(4096, flags="private|anonymous|populate")
    pte_pa = m.walk(a, pid=p.pid).steps[-1].entry_paddr
    m.write_virt(m.layout.page_offset + pte_pa, PAST_MEM_MAP(m).to_bytes(4, "little"))
    before = len(m.kmsg)
    m.fork(p.pid)
    logged = m.kmsg[before:]
    assert logged[0].startswith("BUG: Bad page map") and logged[1].startswith(f"addr:{a:08x} ")


def _exit(kernel: str, pte_of):
    m = engine.Machine.boot(ram="160M", kernel=kernel, seed=1)
    p = m.spawn()
    a = p.mmap(8192, flags="private|anonymous|populate")
    pte_pa = m.walk(a + 4096, pid=p.pid).steps[-1].entry_paddr
    m.write_virt(m.layout.page_offset + pte_pa, pte_of(m).to_bytes(4, "little"))
    before = len(m.kmsg)
    m.exit(p.pid)
    return p, m.kmsg[before:]


@pytest.mark.parametrize("kernel", ["2.6.20", "2.6.24", "2.6.28"])
def test_before_2_6_29_exit_prints_no_process_name(kernel):
    # (vma->vm_mm == current->mm ? current->comm : "???") (2.6.24 mm/memory.c:353): exit_mmap() runs
    # after exit_mm() set tsk->mm = NULL (2.6.24 kernel/exit.c:586, 592); dump_stack() is still current's
    p, logged = _exit(kernel, PAST_MEM_MAP)
    assert logged[0].startswith("Bad pte = 3ffff067, process = ???, vm_flags = ")
    assert logged[1].startswith(f"Pid: {p.pid}, comm: {p.comm} ")


def test_from_2_6_29_exit_prints_currents_name():
    # "BUG: Bad page map in process %s", current->comm (2.6.29 mm/memory.c:412-414)
    p, logged = _exit("2.6.29", PAST_MEM_MAP)
    assert logged[0].startswith(f"BUG: Bad page map in process {p.comm}  pte:3ffff067 ")


def _many_bad_ptes(kernel, n):
    """A task whose n PTEs after its first page map frames past mem_map (a scribble each)."""
    m = engine.Machine.boot(ram="160M", kernel=kernel, seed=1)
    p = m.spawn()
    a = p.mmap((n + 1) * 4096, flags="private|anonymous")
    m.write_virt(a, b"x", pid=p.pid)
    base = m.layout.page_offset + m.walk(a, pid=p.pid).steps[-1].entry_paddr
    m.write_virt(base + 4, b"".join(((0xfffff000 - (i << 12)) | 0x67).to_bytes(4, "little")
                                    for i in range(n)))
    return m, p, a


def _reports(lines):
    return [x for x in lines if x.startswith("BUG: Bad page map in process")]


@pytest.mark.parametrize("kernel", ["2.6.29", "6.1"])
def test_print_bad_pte_shows_60_a_minute(kernel):
    """print_bad_pte(): a burst of 60 reports, then quiet for that minute, the dropped ones counted
    and announced by the next report after it (2.6.29 mm/memory.c:386-408, 6.1.0 l.529-550); one
    mmviz operation takes no time, the next comes a minute later."""
    m, p, a = _many_bad_ptes(kernel, 70)
    log = len(m.kmsg)
    p.munmap(a + 4096, 65 * 4096)                       # 65 reports in one minute: 60 shown
    first = m.kmsg[log:]
    assert len(_reports(first)) == 60 and not any("suppressed" in x for x in first)
    assert m.tainted_mask == 1 << 5
    log = len(m.kmsg)
    p.munmap(a + 66 * 4096, 5 * 4096)                   # the next minute: the count, then all 5
    second = m.kmsg[log:]
    assert second[0] == "BUG: Bad page map: 5 messages suppressed"
    assert len(_reports(second)) == 5
    m.check()


def test_2_6_28_has_no_limit():
    m, p, a = _many_bad_ptes("2.6.28", 65)
    log = len(m.kmsg)
    p.munmap(a + 4096, 65 * 4096)
    assert len([x for x in m.kmsg[log:] if x.startswith("Bad pte = ")]) == 65
