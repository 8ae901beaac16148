"""MM_SHMEMPAGES exists from 4.5 (rule mm_shmempages): before, a shared anonymous (shmem) page
counts in MM_FILEPAGES, so check_mm() names index 0 for it, never an index 3 the kernel did not
have, and the OOM report's file-rss holds it."""
from __future__ import annotations

import pytest

import engine


def _shmem_page_left_counted(kernel: str):
    """A process whose shared anonymous page's PTE was scribbled beyond RAM: zap_pte_range()
    reports it and skips it, so the page's rss counter does not come back to zero."""
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    p = m.spawn()
    a = p.mmap(4096, flags="shared|anonymous")
    m.write_virt(a, b"x", p.pid)
    assert p.mm.rss_shmem == 1
    pte_pa = m.walk(a, pid=p.pid).steps[-1].entry_paddr
    m.write_virt(m.layout.page_offset + pte_pa, (0xfffff067).to_bytes(4, "little"))
    return m, p


@pytest.mark.parametrize("kernel, line", [
    ("3.4", "idx:0 val:1"),                     # MM_FILEPAGES: 3.4.2 kernel/fork.c:525-526
    ("4.4", "idx:0 val:1"),
    ("4.5", "idx:3 val:1"),                     # MM_SHMEMPAGES, commit eca56ff906bd
    ("5.3", "idx:3 val:1"),
    ("6.1", "type:MM_SHMEMPAGES val:1"),
])
def test_check_mm_names_the_counter_the_release_had(kernel, line):
    m, p = _shmem_page_left_counted(kernel)
    before = len(m.kmsg)
    m.exit(p.pid)
    rss = [x for x in m.kmsg[before:] if "Bad rss-counter" in x]
    assert len(rss) == 1 and rss[0].endswith(" " + line), rss


def test_rss_stat_folds_shmem_into_file_pages_before_4_5():
    m = engine.Machine.boot(ram="160M", kernel="4.4")
    p = m.spawn()
    a = p.mmap(2 * 4096, flags="shared|anonymous")
    m.write_virt(a, b"x", p.pid)
    m.write_virt(a + 4096, b"y", p.pid)
    old = dict(p.mm.rss_stat(False))
    new = dict(p.mm.rss_stat(True))
    assert old["MM_FILEPAGES"] == new["MM_FILEPAGES"] + 2 and "MM_SHMEMPAGES" not in old
    assert new["MM_SHMEMPAGES"] == 2


@pytest.mark.parametrize("kernel, file_kb, shmem", [("3.5", 8, ""), ("4.5", 0, ", shmem-rss:8kB")])
def test_oom_report_file_rss_holds_shmem_before_4_5(kernel, file_kb, shmem):
    """oom_kill_process(): file-rss is get_mm_counter(mm, MM_FILEPAGES), which holds shmem's
    pages before 4.5; from 4.5 they are shmem-rss."""
    import re
    m = engine.Machine.boot(ram="48M", kernel=kernel)
    p = m.spawn()
    cpid = m.fork(p.pid)
    s = m.processes[cpid].mmap(2 * 4096, flags="shared|anonymous")
    m.write_virt(s, b"x", cpid)
    m.write_virt(s + 4096, b"y", cpid)
    a = p.mmap(64 << 20)
    with pytest.raises(engine.OomKilled):
        for i in range(0, 64 << 20, 4096):
            m.access(a + i, "write", p.pid)
    killed = [x for x in m.kmsg if x.startswith(f"Killed process {cpid} ")]
    assert killed and re.search(rf"file-rss:{file_kb}kB{re.escape(shmem)}$", killed[0]), killed
