"""bad_page()'s report as each release prints it (rule log_bad_page): before 2.6.29
"Bad page state in process '%s'" with its fixed lines (2.6.24/2.6.28 mm/page_alloc.c), from
2.6.29 "BUG: Bad page state in process %s  pfn:%05lx"; the refused free changes nothing."""
from __future__ import annotations

import pytest

import engine


def _double_free(kernel: str):
    m = engine.Machine.boot(ram="1G", kernel=kernel, seed=1)
    pfn = m.alloc_pages("GFP_KERNEL", 0)
    m.free_pages(pfn, 0)
    before, log = m.proc("/proc/buddyinfo"), len(m.kmsg)
    with pytest.raises(engine.BadFree) as err:
        m.free_pages(pfn, 0)
    assert m.proc("/proc/buddyinfo") == before
    m.check()
    return m, pfn, m.kmsg[log:], str(err.value)


@pytest.mark.parametrize("kernel", ["2.6.24", "2.6.28"])
def test_before_2_6_29_the_report_quotes_the_process(kernel):
    m, _, logged, text = _double_free(kernel)
    assert logged == ["Bad page state in process 'insmod'",
                      "Trying to fix it up, but a reboot is needed", "Backtrace:",
                      f"Pid: 0, comm: insmod Not tainted {m.config.flavour.release} #1"]
    assert text.splitlines()[-1].startswith("[double free")      # mmviz's note, not logged


@pytest.mark.parametrize("kernel", ["2.6.29", "3.16", "6.1"])
def test_from_2_6_29_the_report_names_the_pfn(kernel):
    _, pfn, logged, _ = _double_free(kernel)
    assert logged[0] == f"BUG: Bad page state in process insmod  pfn:{pfn:05x}"
    assert len(logged) == 2 and "Not tainted" in logged[1]


@pytest.mark.parametrize("kernel", ["2.6.24", "6.1"])
def test_either_report_taints_the_next_one(kernel):
    m, *_ = _double_free(kernel)
    with pytest.raises(engine.OutOfMemory):
        for _ in range(100_000):
            m.alloc_pages("GFP_DMA", 3)
    assert "Tainted: G    B" in m.kmsg[-1]
