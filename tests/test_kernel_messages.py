"""What the simulator itself prints follows the kernel release (review Appendix A, S1-4,
S3-16, S3-20): the initial stack VMA of setup_arg_pages(), the segfault line of
show_unhandled_signals, the page-allocation-failure warning; and the lessons' version
claims agree with engine.kversion (VMALLOC_START stops being rounded in 2.6.28)."""
from __future__ import annotations

import re

import pytest

import engine
from engine.kversion import rules_for
from scenarios import find_lesson


def _stack(kernel: str) -> str:
    m = engine.Machine.boot(ram="160M", kernel=kernel, seed=1)
    m.spawn("example")
    return next(x for x in m.proc("/proc/1/maps").splitlines() if x.endswith("[stack]"))


def test_initial_stack_vma_is_setup_arg_pages():
    # 2.6.24 fs/exec.c: one argument page + EXTRA_STACK_VM_PAGES (20); vm_pgoff printed
    assert _stack("2.6").startswith("bffeb000-c0000000 rw-p bffeb000 ")
    # 6.1: stack_expand 128 KB + the argument page (ground truth: 33 pages); offset 0
    assert _stack("6.1").startswith("bffdf000-c0000000 rw-p 00000000 ")


def test_stack_growth_lowers_vm_pgoff_on_2624():
    m = engine.Machine.boot(ram="160M", kernel="2.6", seed=1)
    p = m.spawn("example")
    m.access(0xbffde000, "write", p.pid, sp=0xbffde000)     # a call chain took esp down there
    line = next(x for x in m.proc("/proc/1/maps").splitlines() if x.endswith("[stack]"))
    assert line.startswith("bffde000-c0000000 rw-p bffde000 ")
    m.check()


def _segv(kernel: str) -> str:
    m = engine.Machine.boot(ram="160M", kernel=kernel, seed=1)
    p = m.spawn("example")
    m.access(0x08048388, "exec", p.pid)                      # the text page is present
    with pytest.raises(engine.SegFault) as err:
        m.access(0x08048388, "write", p.pid)
    return str(err.value)


def test_segfault_line_per_release():
    # 2.6.24 arch/x86/mm/fault_32.c:477
    assert _segv("2.6") == "example[1]: segfault at 08048388 eip 08048388 esp bffffab0 error 7"
    # 2.6.26+ unified fault.c: ip/sp and the mapping; 6.1 adds the likely CPU
    assert _segv("2.6.28") == ("example[1]: segfault at 8048388 ip 08048388 sp bffffab0 error 7 "
                               "in example[8048000+1000]")
    assert _segv("6.1").endswith("error 7 in example[8048000+1000] likely on CPU 0 (core 0, socket 0)")


def _oom(kernel: str) -> str:
    m = engine.Machine.boot(ram="64M", kernel=kernel, seed=1)
    with pytest.raises(engine.OutOfMemory) as err:
        for _ in range(100):
            m.alloc_pages("GFP_KERNEL", 10)
    return str(err.value)


def test_allocation_failure_line_per_release():
    # 2.6.24 mm/page_alloc.c:1633 "%s: page allocation failure. order:%d, mode:0x%x"
    assert _oom("2.6") == "insmod: page allocation failure. order:10, mode:0xd0"
    assert _oom("6.1") == ("insmod: page allocation failure: order:10, mode:0xcc0(GFP_KERNEL), "
                           "nodemask=(null)")


def test_vmalloc_start_rounding_release_agrees_with_the_lesson():
    rule = rules_for("vmalloc_start_rounded")[0]
    assert rule.since == (2, 6, 28)
    lay = {k: engine.Machine.boot(ram="160M", kernel=k).layout for k in ("2.6.27", "2.6.28")}
    assert lay["2.6.27"].vmalloc_start % (8 << 20) == 0            # rounded up to 8 MB
    assert lay["2.6.28"].vmalloc_start == lay["2.6.28"].high_memory + (8 << 20)
    lesson = find_lesson("memory-map")
    said = " ".join(s.narration(lang) for s in lesson.steps for lang in ("en", "zh"))
    claimed = set(re.findall(r"(2\.6\.\d+)\s*(?:and later|及以后|起就是|\))", said))
    assert "2.6.28" in claimed and "2.6.32" not in claimed, claimed
