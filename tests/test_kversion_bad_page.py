"""bad_page()'s report as each release prints it (rule log_bad_page and the page-dump rules in
engine.kversion_report): before 2.6.29 "Bad page state in process '%s'", the page line and the two
trailer lines (2.6.24 mm/page_alloc.c:225-228); from 2.6.29 "BUG: Bad page state in process %s
pfn:%05lx" and the page line (l.250-255); from 2.6.34 dump_page(); 6.1's "refcount: ... pfn:",
"flags: %pGp" and "page dumped because:".  The page is the machine's: its struct page in the
direct map at mem_map + pfn, page->flags with the zone at bit 30 and the release's flag bits.
The refused free changes nothing."""
from __future__ import annotations

import pytest

import engine


def _double_free(kernel: str, ram: str = "1G"):
    m = engine.Machine.boot(ram=ram, kernel=kernel, seed=1)
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    m.free_pages(pfn, 0)
    before, log = m.proc("/proc/buddyinfo"), len(m.kmsg)
    with pytest.raises(engine.BadFree) as err:
        m.free_pages(pfn, 0)
    assert m.proc("/proc/buddyinfo") == before
    m.check()
    return m, pfn, m.kmsg[log:], str(err.value)


def _struct_page(m, pfn: int) -> int:
    """mem_map + pfn: the mem_map reservation's frame (page-aligned in these boots) in the direct map."""
    r = next(r for r in m.reservations if r.what == "mem_map")
    return m.layout.page_offset + (r.start_pfn << 12) + pfn * m.config.flavour.struct_page_size


def _is_free_head(m, pfn: int) -> bool:
    return any(z.start_pfn <= pfn < z.start_pfn + z.spanned and pfn in z.buddy_order
               and z.buddy_order[pfn] < 16 for z in m.page_alloc.zones)


# a GFP_KERNEL page is in ZONE_NORMAL (1): page->flags 1 << 30; freed, it heads a free block
def test_2_6_24_prints_the_page_and_the_trailer():
    m, pfn, logged, text = _double_free("2.6.24")
    assert _is_free_head(m, pfn)
    # 2.6.24 include/linux/page-flags.h: #define PG_buddy 19
    assert logged == ["Bad page state in process 'insmod'",
                      f"page:{_struct_page(m, pfn):08x} flags:0x40080000 mapping:00000000 mapcount:0 count:0",
                      "Trying to fix it up, but a reboot is needed", "Backtrace:",
                      "Pid: 0, comm: insmod Not tainted 2.6.24 #1"]
    notes = [ln for ln in text.splitlines() if ln.startswith("[")]
    assert notes[0].startswith("[the page dump shows the flags mmviz keeps")
    assert notes[-1].startswith("[double free")            # mmviz's notes, not logged


def test_2_6_28_enum_pageflags_moves_pg_buddy():
    m, pfn, logged, _ = _double_free("2.6.28")
    assert logged[1] == f"page:{_struct_page(m, pfn):08x} flags:0x40040000 mapping:00000000 mapcount:0 count:0"


@pytest.mark.parametrize("kernel,flags", [("2.6.29", "40040000"), ("2.6.30", "40080000"), ("2.6.33", "40080000")])
def test_2_6_29_to_2_6_33_flags_as_a_pointer(kernel, flags):
    m, pfn, logged, _ = _double_free(kernel)
    assert logged[:2] == [f"BUG: Bad page state in process insmod  pfn:{pfn:05x}",
                          f"page:{_struct_page(m, pfn):08x} flags:{flags} count:0 mapcount:0 mapping:(null) index:0"]
    assert len(logged) == 3 and logged[2].startswith("Pid: 0, comm: insmod Not tainted")


@pytest.mark.parametrize("kernel,null", [("2.6.34", "(null)"), ("2.6.37", "  (null)")])
def test_2_6_34_dump_page(kernel, null):
    m, pfn, logged, _ = _double_free(kernel)
    assert logged[1:3] == [f"page:{_struct_page(m, pfn):08x} count:0 mapcount:0 mapping:{null} index:0x0",
                           "page flags: 0x40080000(buddy)"]
    assert len(logged) == 4


def test_3_14_says_why_and_lists_modules():
    # 2.6.38 on PageBuddy is _mapcount -128 (page_mapcount() -127), no flag
    m, pfn, logged, _ = _double_free("3.14")
    assert logged[1:5] == [f"page:{_struct_page(m, pfn):08x} count:0 mapcount:-127 mapping:  (null) index:0x0",
                           "page flags: 0x40000000()", "page dumped because: nonzero mapcount",
                           "Modules linked in:"]
    assert logged[5].startswith("CPU: 0 PID: 0 Comm: insmod Not tainted 3.14 ")


def test_4_6_prints_pgp_and_refcount_wording():
    m, pfn, logged, _ = _double_free("4.6")
    assert logged[2:4] == ["flags: 0x40000000()", "page dumped because: nonzero mapcount"]


def test_6_1_dump_page():
    m, pfn, logged, _ = _double_free("6.1")
    page = _struct_page(m, pfn)
    first = logged[1]
    assert first.startswith("page:") and f"page:{page:08x}" not in first      # %p hashed
    assert first.endswith(f" refcount:0 mapcount:-128 mapping:00000000 index:0x0 pfn:{pfn:#x}")
    assert logged[2:5] == ["flags: 0x40000000(zone=1)", "page dumped because: nonzero mapcount",
                           "Modules linked in:"]
    assert logged[5].startswith("CPU: 0 PID: 0 Comm: insmod Not tainted ")
    assert len(logged) == 6


@pytest.mark.parametrize("kernel,lines", [
    ("2.6.24", ["page:{page:08x} flags:0x00000400 mapping:00000000 mapcount:0 count:{count}"]),
    ("6.1", ["flags: 0x1000(reserved|zone=0)", "page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set"]),
])
def test_a_reserved_page_shows_pg_reserved(kernel, lines):
    # pfn 1: reserved at boot, ZONE_DMA (0); PG_reserved is bit 10 in 2.6.24, 12 in 6.1
    m = engine.Machine.boot(ram="1G", kernel=kernel, seed=1)
    log = len(m.kmsg)
    with pytest.raises(engine.BadFree):
        m.free_pages(1, 0)
    m.check()
    got = m.kmsg[log:]
    want = [ln.format(page=_struct_page(m, 1), count=int(m.memmap.refcount[1])) for ln in lines]
    assert all(w in got for w in want), got


def test_the_note_reads_in_chinese():
    from engine.kmsg_notes import note_zh
    _, _, _, text = _double_free("6.1")
    note = next(ln for ln in text.splitlines() if ln.startswith("[the page dump"))
    assert "raw:" in note and note_zh(note).startswith("[页面转储")


@pytest.mark.parametrize("kernel", ["2.6.24", "6.1"])
def test_either_report_taints_the_next_one(kernel):
    m, *_ = _double_free(kernel)
    with pytest.raises(engine.OutOfMemory):
        for _ in range(100_000):
            m.alloc_pages("GFP_DMA", 3)
    assert "Tainted: G    B" in m.kmsg[-1]


@pytest.mark.parametrize("kernel", ["2.6.24", "2.6.29", "3.14", "6.1"])
def test_the_dump_note_only_with_a_dump(kernel):
    # a pfn past mem_map: bad_page() prints its header line(s) only, no page line to annotate
    m = engine.Machine.boot(ram="160M", kernel=kernel, seed=1)
    with pytest.raises(engine.BadFree) as err:
        m.free_pages(m.memmap.nr_pfns + 5, 0)
    text = str(err.value)
    assert "page:" not in text and "page dump" not in text
    assert "is not a RAM page]" in text
    with pytest.raises(engine.BadFree) as err:            # a page that has one: the note stays
        m.free_pages(m.alloc_pages("GFP_KERNEL", 0), 1)
    assert "[the page dump shows the flags mmviz keeps" in str(err.value)
