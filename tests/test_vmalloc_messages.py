"""What the kernel logs when vmalloc() or the page allocator fails, per release.

Each expectation was read in the released tree's mm/vmalloc.c and mm/page_alloc.c (the
rules in engine/kversion_log.py cite the lines): 2.6.24 and 2.6.39 print only the page
allocator's own line; 3.0 adds vmalloc's "allocated X of Y bytes" line and silences the
page allocator with __GFP_NOWARN; 4.9 folds both into one warn_alloc() line; 5.10 .. 5.16
and 5.18 .. 6.2 pass __GFP_NOWARN to warn_alloc() itself, so nothing is printed (6.1.158
too); 5.17 and 6.3 print "vmalloc error: ...".
"""
from __future__ import annotations

import pytest

import engine
from engine.errors import OutOfMemory
from engine.kversion import RULES, parse_version, rule_values

ALLOC = "vmalloc: allocation failure, allocated 155648 of 1007616 bytes"
PAGES = {
    "2.6": "insmod: page allocation failure. order:0, mode:0xd2",
    "2.6.39": "insmod: page allocation failure. order:0, mode:0xd2",
    "3.0": f"{ALLOC}\ninsmod: page allocation failure: order:0, mode:0xd2",
    # the masks in each release's bits (engine.gfp.LAYOUTS): GFP_KERNEL 0x24000c0 in 4.4-4.9,
    # 0x14000c0 in 4.10-4.17, 0x6000c0 in 4.18-5.0, 0xcc0 from 5.1
    "4.5": f"{ALLOC}\ninsmod: page allocation failure: order:0, mode:0x24000c2",
    "4.6": f"{ALLOC}\ninsmod: page allocation failure: order:0, mode:0x24000c2(GFP_KERNEL|__GFP_HIGHMEM)",
    "4.9": f"insmod: {ALLOC}, mode:0x24000c2(GFP_KERNEL|__GFP_HIGHMEM)",
    "4.11": f"insmod: {ALLOC}, mode:0x14000c2(GFP_KERNEL|__GFP_HIGHMEM), nodemask=(null)",
    "4.19": f"insmod: {ALLOC}, mode:0x6000c0(GFP_KERNEL), nodemask=(null)",
    "5.9": f"insmod: {ALLOC}, mode:0xcc0(GFP_KERNEL), nodemask=(null)",
    "5.17": ("insmod: vmalloc error: size 155648, page order 0, failed to allocate pages, "
             "mode:0xcc0(GFP_KERNEL), nodemask=(null)"),
    "6.3": ("insmod: vmalloc error: size 155648, page order 0, failed to allocate pages, "
            "mode:0xcc2(GFP_KERNEL|__GFP_HIGHMEM), nodemask=(null)"),
}
SILENT = ("5.10", "5.15", "5.19", "6.1", "6.2")


def _short_of_pages(kernel: str) -> str:
    """vmalloc(1000000) on a machine with 40 free pages: it gets 38 of its 245."""
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    held = []
    with pytest.raises(OutOfMemory):
        while True:
            held.append(m.alloc_pages("GFP_KERNEL | __GFP_HIGHMEM", 0))
    for pfn in held[-40:]:
        m.free_pages(pfn, 0)
    with pytest.raises(OutOfMemory) as err:
        m.vmalloc(1000000)
    return str(err.value)


@pytest.mark.parametrize("kernel", sorted(PAGES))
def test_vmalloc_out_of_pages_logs_what_the_release_logs(kernel):
    assert _short_of_pages(kernel) == PAGES[kernel]


@pytest.mark.parametrize("kernel", SILENT)
def test_vmalloc_out_of_pages_is_silent_where_warn_alloc_gets_nowarn(kernel):
    text = _short_of_pages(kernel)
    assert text.startswith("[vmalloc() returned NULL after 38 of 245 pages")
    assert "insmod" not in text


@pytest.mark.parametrize("kernel, line", [
    ("2.6", None),
    ("3.1", None),
    ("4.4", "vmalloc: allocation failure: 209715200 bytes\n"
            "insmod: page allocation failure: order:0, mode:0x24000c2"),
    ("4.11", "insmod: vmalloc: allocation failure: 209715200 bytes, mode:0x14000c2(GFP_KERNEL|__GFP_HIGHMEM), "
             "nodemask=(null)"),
    ("6.1", "insmod: vmalloc error: size 209715200, exceeds total pages, mode:0xcc0(GFP_KERNEL), "
            "nodemask=(null)"),
    ("6.3", "insmod: vmalloc error: size 209715200, exceeds total pages, mode:0xcc0(GFP_KERNEL), "
            "nodemask=(null)"),
])
def test_vmalloc_bigger_than_ram(kernel, line):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    with pytest.raises(OutOfMemory) as err:
        m.vmalloc(200 << 20)
    if line is None:
        assert str(err.value).startswith("[vmalloc(209715200) returned NULL")
    else:
        assert str(err.value) == line


@pytest.mark.parametrize("kernel, style", [("2.6.24", "dot"), ("2.6.39", "dot"), ("3.0", "colon"),
                                           ("4.5", "colon"), ("4.6", "names"), ("4.10", "names"),
                                           ("4.11", "nodemask"), ("6.1", "nodemask")])
def test_page_allocation_failure_line_changes_at_the_checked_releases(kernel, style):
    assert rule_values(parse_version(kernel))["log_alloc_failure"] == style


def test_message_rules_cite_both_sides_and_say_where_the_release_is_approximate():
    for r in RULES:
        if r.field in ("log_alloc_failure", "log_vmalloc_failure", "log_vmalloc_range",
                       "vmalloc_warn_highmem"):
            assert "->" in r.source, r                      # the line on each side of the change
            assert "(approx.)" not in r.source, r        # a verified release or "release approx.: x .. y"
