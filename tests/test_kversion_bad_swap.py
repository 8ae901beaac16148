"""Zapping a PTE that is a swap entry naming no used slot, per release (rules log_swap_info_get,
swap_bad_pte): swap_info_get()'s complaint names the reason and prints the generic swp_entry_t
(2.6.24 mm/swapfile.c:257-266 "swap_free: %s%08lx", 4.11 "swap_info_get:", 5.12 __func__ in
__swap_info_get()/_swap_info_get(), 5.19 "_swap_info_get:"); from 2.6.29 zap_pte_range() then
calls print_bad_pte(), which dumps the stack and taints B (2.6.29 mm/memory.c:841-842)."""
from __future__ import annotations

import pytest

import engine
from engine.paging import swp_pte


def _zap(kernel: str, pte_of, swap: str | None = None, pae: bool = False):
    kw = {"swap": swap} if swap else {}
    m = engine.Machine.boot(ram="160M", kernel=kernel, pae=pae, seed=1, **kw)
    p = m.spawn()
    a = p.mmap(4096, flags="private|anonymous|populate")
    pte_pa = m.walk(a, pid=p.pid).steps[-1].entry_paddr
    size = 8 if pae else 4
    pte = pte_of(m)
    m.write_virt(m.layout.page_offset + pte_pa, pte.to_bytes(size, "little"))
    before = len(m.kmsg)
    p.munmap(a, 4096)                                # zap_pte_range(): reported and skipped
    return m, p, pte, m.kmsg[before:]


SCRIBBLE = lambda m: 0x7FFFFE00                      # not present, type 0, a huge offset


def test_2_6_24_complains_and_taints_nothing():
    # arch entry 0x7ffffe00: type (bits 1-5) 0, offset >> 8 = 0x7ffffe; SWP_TYPE_SHIFT 27
    m, _, _, logged = _zap("2.6.24", SCRIBBLE)
    assert logged == ["swap_free: Bad swap file entry 007ffffe"]
    assert m.tainted_mask == 0


def test_2_6_28_still_no_print_bad_pte():
    m, _, _, logged = _zap("2.6.28", SCRIBBLE)
    assert logged == ["swap_free: Bad swap file entry 007ffffe"] and m.tainted_mask == 0


@pytest.mark.parametrize("kernel,line", [
    ("2.6.29", "swap_free: Bad swap file entry 003fffff"),       # offset >> 9 from 2.6.29 (PROTNONE bit 8)
    ("4.10", "swap_free: Bad swap file entry 003fffff"),
    ("4.11", "swap_info_get: Bad swap file entry 003fffff"),
    ("5.12", "__swap_info_get: Bad swap file entry 003fffff"),
    ("6.1", "_swap_info_get: Bad swap file entry 003fffff"),
])
def test_from_2_6_29_print_bad_pte_follows_and_taints(kernel, line):
    m, p, pte, logged = _zap(kernel, SCRIBBLE)
    assert logged[0] == line
    assert logged[1].startswith(f"BUG: Bad page map in process {p.comm}  pte:{pte:08x} pmd:")
    assert logged[2].startswith("addr:")             # no page: no dump; the VMA's line (engine.kmsg_pte)
    stack = logged[-1]
    assert f"PID: {p.pid} Comm: {p.comm} " in stack or f"Pid: {p.pid}, comm: {p.comm} " in stack
    assert "Not tainted" in stack                     # dump_stack() before add_taint()
    assert len(logged) in (4, 5) and m.tainted_mask == 1 << 5


def test_the_reason_is_the_kernels():
    # a swap area of 64M: 16384 slots (slot 0 the header)
    bits = 26
    m, _, _, logged = _zap("6.1", lambda m: swp_pte(0, 99, False, m.config.flavour), swap="64M")
    assert logged[0] == f"_swap_info_get: Unused swap offset entry {99:08x}"
    m, _, _, logged = _zap("5.14", lambda m: swp_pte(0, 99, False, m.config.flavour), swap="64M")
    assert logged[0] == f"_swap_info_get: Unused swap offset entry {99:08x}"
    m, _, _, logged = _zap("5.14", lambda m: swp_pte(3, 7, False, m.config.flavour), swap="64M")
    assert logged[0] == f"__swap_info_get: Bad swap file entry {3 << bits | 7:08x}"
    m, _, _, logged = _zap("6.1", SCRIBBLE, swap="64M")
    assert logged[0] == "_swap_info_get: Bad swap offset entry 003fffff"
    m, _, _, logged = _zap("3.16", lambda m: swp_pte(2, 5, False, m.config.flavour), swap="64M")
    assert logged[0] == f"swap_free: Bad swap file entry {2 << 25 | 5:08x}"   # SWP_TYPE_SHIFT 25


def test_the_header_slot_is_freed_silently():
    # swap_map[0] is SWAP_MAP_BAD: swap_info_get() passes it, swap_entry_free() leaves it
    m, _, _, logged = _zap("6.1", lambda m: swp_pte(0, 0, False, m.config.flavour), swap="64M")
    assert logged == [] and m.tainted_mask == 0


def test_pae_l1tf_entry_value():
    # 6.1 PAE: the offset is stored inverted above bit 9+5; the printed value is the generic entry
    m, _, _, logged = _zap("6.1", lambda m: swp_pte(4, 12345, True, m.config.flavour), swap="64M", pae=True)
    assert logged[0] == f"_swap_info_get: Bad swap file entry {4 << 26 | 12345:08x}"
    assert logged[1].startswith("BUG: Bad page map in process")


def test_the_check_names_the_complaint():
    m = engine.Machine.boot(ram="160M", kernel="6.1", seed=1)
    p = m.spawn()
    a = p.mmap(4096, flags="private|anonymous|populate")
    pte_pa = m.walk(a, pid=p.pid).steps[-1].entry_paddr
    m.write_virt(m.layout.page_offset + pte_pa, (0x7FFFFE00).to_bytes(4, "little"))
    with pytest.raises(engine.InvariantError, match="_swap_info_get: Bad swap file entry 003fffff"):
        m.check()


@pytest.mark.parametrize("kernel,shift", [("3.1", 27), ("3.3", 27), ("3.4", 27), ("3.5", 25), ("3.10", 25)])
def test_swp_type_shift_changes_in_3_5(kernel, shift):
    # SWP_TYPE_SHIFT: 32 - MAX_SWAPFILES_SHIFT up to 3.4.2 include/linux/swapops.h:18 (3.1.3, 3.3.8
    # l.17), minus RADIX_TREE_EXCEPTIONAL_SHIFT too from 3.5.0 l.19-20: the value swap_info_get() prints
    m, _, _, logged = _zap(kernel, lambda m: swp_pte(2, 5, False, m.config.flavour), swap="64M")
    assert logged[0] == f"swap_free: Bad swap file entry {2 << shift | 5:08x}"


def test_a_pae_swap_area_may_be_larger_before_3_5():
    from engine.swap import max_swap_pages
    assert max_swap_pages(True, "3.4") == 1 << 27 and max_swap_pages(True, "3.5") == 1 << 25


def _fork(kernel: str, pte_of, swap: str | None = "64M"):
    kw = {"swap": swap} if swap else {}
    m = engine.Machine.boot(ram="160M", kernel=kernel, seed=1, **kw)
    p = m.spawn()
    a = p.mmap(4096, flags="private|anonymous|populate")
    pte_pa = m.walk(a, pid=p.pid).steps[-1].entry_paddr
    m.write_virt(m.layout.page_offset + pte_pa, pte_of(m).to_bytes(4, "little"))
    before = len(m.kmsg)
    m.fork(p.pid)                                    # copy_one_pte() -> swap_duplicate()
    return m, m.kmsg[before:]


BAD_TYPE = lambda m: swp_pte(3, 7, False, m.config.flavour)
UNUSED = lambda m: swp_pte(0, 99, False, m.config.flavour)


@pytest.mark.parametrize("kernel,bits,func", [
    ("2.6.24", 27, "swap_dup"), ("2.6.34", 27, "swap_dup"), ("4.19", 25, "swap_dup"),
    ("5.0", 26, "swap_dup"), ("5.4", 26, "get_swap_device"), ("6.1", 26, "get_swap_device")])
def test_fork_complains_in_swap_duplicates_words(kernel, bits, func):
    # 2.6.24 mm/swapfile.c:1755 "swap_dup: %s%08lx" (4.19 l.3431); 5.4.214 l.1282 get_swap_device()
    # __func__; never swap_info_get()'s words, never print_bad_pte(), no taint
    m, logged = _fork(kernel, BAD_TYPE)
    assert logged == [f"{func}: Bad swap file entry {3 << bits | 7:08x}"]
    assert m.tainted_mask == 0


@pytest.mark.parametrize("kernel,line", [
    ("2.6.24", None), ("5.4", None), ("5.17", None),
    ("5.19", "get_swap_device: Bad swap offset entry 003fffff"), ("6.1", "get_swap_device: Bad swap offset entry 003fffff")])
def test_fork_of_an_offset_past_the_area(kernel, line):
    # the offset is checked silently until get_swap_device()'s put_out message (5.19.0 l.1277)
    m, logged = _fork(kernel, SCRIBBLE)
    assert logged == ([line] if line else [])


@pytest.mark.parametrize("kernel", ["2.6.24", "4.19", "6.1"])
def test_fork_of_an_unused_slot_is_silent(kernel):
    # __swap_duplicate(): count 0 -> -ENOENT, no message (2.6.34 l.2171, 6.1.0 the same)
    m, logged = _fork(kernel, UNUSED)
    assert logged == [] and m.tainted_mask == 0


def test_fork_from_6_5_checks_nothing():
    # 6.8.0 mm/swapfile.c:3280 __swap_duplicate() p = swp_swap_info(entry): no get_swap_device()
    assert _fork("6.8", BAD_TYPE)[1] == [] and _fork("6.8", SCRIBBLE)[1] == []


def _scribbled_hole(kernel):
    """A bad swap entry written where no page was mapped (the second page of a VMA whose first
    page has been touched), so that no page's counters are lost with it."""
    m = engine.Machine.boot(ram="160M", kernel=kernel, seed=1)
    p = m.spawn()
    a = p.mmap(8192, flags="private|anonymous")
    m.access(a, "write", pid=p.pid)
    pte_pa = m.walk(a, pid=p.pid).steps[-1].entry_paddr + 4
    with pytest.raises(engine.InvariantError, match="Bad swap file entry"):
        m.write_virt(m.layout.page_offset + pte_pa, SCRIBBLE(m).to_bytes(4, "little"))
        m.check()
    return m, p, a


def _status(m, p, field):
    line = next((x for x in m.proc(f"/proc/{p.pid}/status").splitlines() if x.startswith(field + ":")), None)
    return None if line is None else int(line.split()[1])


@pytest.mark.parametrize("kernel,drift,line", [
    ("2.6.33", 0, None),                                       # no MM_SWAPENTS yet
    ("2.6.34", -1, None),                                      # counted, no check_mm() yet
    ("3.3", -1, None),
    ("3.4", -1, "idx:2 val:-1"),                               # 3.4.2 kernel/fork.c:525-526
    ("5.3", -1, "idx:2 val:-1"),
    ("5.4", -1, "type:MM_SWAPENTS val:-1"),                    # 5.4.214 l.664
    ("6.1", -1, "type:MM_SWAPENTS val:-1"),
])
def test_zap_lowers_mm_swapents_and_check_mm_reports_it(kernel, drift, line):
    """zap_pte_range(): rss[MM_SWAPENTS]-- before free_swap_and_cache() refuses the entry (2.6.34
    mm/memory.c:976-978, 6.1.0 l.1493-1494); VmSwap reads get_mm_counter(), never below 0; at exit
    check_mm() names the counter left at -1 (3.4+)."""
    m, p, a = _scribbled_hole(kernel)
    swap_line = _status(m, p, "VmSwap") is not None         # VmSwap: 2.6.34+
    p.munmap(a + 4096, 4096)                         # zap_pte_range(): reported, counted
    assert p.mm.swap_ents_drift == drift
    m.check()                                        # the page tables and the pages agree
    assert _status(m, p, "VmSwap") == (0 if swap_line else None)   # get_mm_counter(): -1 reads 0
    before = len(m.kmsg)
    m.exit(p.pid)
    rss = [x for x in m.kmsg[before:] if "Bad rss-counter" in x]
    assert len(rss) == (line is not None)
    if line is not None:
        assert rss[0].startswith("BUG: Bad rss-counter state mm:") and rss[0].endswith(" " + line)
    m.check()


@pytest.mark.parametrize("kernel", ["2.6.34", "6.1"])
def test_fork_counts_the_copied_bad_entry_so_the_child_exits_clean(kernel):
    """copy_one_pte(): swap_duplicate()'s -EINVAL is not -ENOMEM, rss[MM_SWAPENTS]++ (2.6.34
    mm/memory.c:676); the child's zap takes it back: check_mm() finds 0 for the child."""
    m, p, a = _scribbled_hole(kernel)
    child = m.fork(p.pid)
    c = m.processes[child]
    assert c.mm.swap_ents_drift == 1
    before = len(m.kmsg)
    m.exit(child)
    assert not any("Bad rss-counter" in x for x in m.kmsg[before:])
