"""Each line ``f(args) = value`` a student reads shows what that function returns.

libc's sbrk() returns the OLD break and moves it with the brk system call, which returns the
NEW one (2.6.24 mm/mmap.c:236-281 sys_brk ``out: retval = mm->brk; return retval;``): the
line was ``sbrk(8192) → brk(0x0804b86c) = 0x0804986c``, brk's new break next to sbrk's old
one.  alloc_pages() returns a struct page * (its pfn is shown: page_to_pfn()), munmap() and
mprotect() return 0, and what balance_pgdat() returns changed over the releases (pages
reclaimed, then the order), so kswapd's line names what it shows."""
from __future__ import annotations

import re

import pytest

from scenarios import Timeline, find_lesson
from tests.inline_lesson import SAY, run

LINE = re.compile(r"^(?:\[pid \d+\] )?(?P<call>.*?) = (?P<value>.*)$")


def shown(r, lang: str = "en") -> tuple[str, str]:
    m = LINE.match(f"{r.call_text(lang)} = {r.result_text()}")
    return m.group("call"), m.group("value")


def test_sbrk_shows_the_old_break_and_brk_the_new_one():
    results = Timeline(find_lesson("process-memory")).run_all()
    grown = [r for r in results if r.op == "sbrk" and r.args["delta"]]
    assert grown
    for r in grown:
        call, value = shown(r)
        m = re.fullmatch(r"sbrk\((\d+)\) = (0x[0-9a-f]{8})  \(brk\((0x[0-9a-f]{8})\) = (0x[0-9a-f]{8})\)",
                         f"{call} = {value}")
        assert m, f"{call} = {value}"
        delta, old, asked, new = int(m[1]), int(m[2], 16), int(m[3], 16), int(m[4], 16)
        assert old == r.result and asked == new == old + delta
    for r in (r for r in results if r.op == "sbrk" and not r.args["delta"]):
        assert shown(r) == ("sbrk(0)", f"{r.result:#010x}")       # glibc: no system call


def test_brk_shows_the_new_break():
    r = run('[[step]]\ndo = "spawn"\nas = "p"\n' + SAY + '[[step]]\ndo = "brk"\npid = "p"\n'
            'addr = "0x0804d000"\n' + SAY)[-1]
    assert shown(r) == ("brk(0x0804d000)", "0x0804d000")


def test_munmap_and_mprotect_return_zero():
    results = run('[[step]]\ndo = "spawn"\nas = "p"\n' + SAY
                  + '[[step]]\ndo = "mmap"\npid = "p"\nlength = 8192\nas = "m"\n' + SAY
                  + '[[step]]\ndo = "mprotect"\npid = "p"\naddr = "m"\nlength = 4096\nprot = "r--"\n' + SAY
                  + '[[step]]\ndo = "munmap"\npid = "p"\naddr = "m"\nlength = 8192\n' + SAY)
    assert [shown(r)[1] for r in results[-2:]] == ["0", "0"]
    assert shown(results[-2])[0].startswith("mprotect(") and shown(results[-1])[0].startswith("munmap(")


@pytest.mark.parametrize("kernel", ["2.6", "6.1"])
def test_alloc_pages_is_shown_as_the_pfn_of_its_page(kernel):
    r = run('[[step]]\ndo = "alloc_pages"\ngfp = "GFP_KERNEL"\norder = 1\n' + SAY, kernel)[-1]
    call, value = shown(r)
    assert call == "page_to_pfn(alloc_pages(GFP_KERNEL, 1))" and value.startswith(f"pfn {r.result:#x}")


def test_void_calls_show_no_value():
    results = run('[[step]]\ndo = "alloc_pages"\ngfp = "GFP_KERNEL"\nas = "a"\n' + SAY
                  + '[[step]]\ndo = "free_pages"\npfn = "a"\n' + SAY)
    assert shown(results[-1]) == (f"__free_pages(pfn_to_page({results[0].result:#x}), 0)", "-")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_kswapd_names_what_its_number_is(lang):
    r = next(r for r in Timeline(find_lesson("swap")).run_all() if r.op == "reclaim")
    call, value = shown(r, lang)
    assert call.endswith("pages reclaimed" if lang == "en" else "回收的页数") and value == str(r.result)
