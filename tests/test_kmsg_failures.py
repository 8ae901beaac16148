"""A failed operation prints what its release prints: the oops, BUG() and WARNING lines reach
m.kmsg (dmesg); kmalloc's "Unexpected gfp" is printed (6.1) or a BUG (2.6.24); nothing else
changes (m.check() passes, /proc is the same).  The app shows the kernel's words, and an
input error in Chinese in zh."""
from __future__ import annotations

import pytest

import engine
from engine import kmsg
from engine.procfs import has_file
from engine.kmsg import kptr
from widgets.error_text import error_lines, error_text

PROC = ("/proc/meminfo", "/proc/buddyinfo", "/proc/slabinfo", "/proc/vmallocinfo", "/proc/zoneinfo")


def _proc(m):
    return {p: m.proc(p) for p in PROC if has_file(m, p)}


def _fails(m, call, *args):
    before, log = _proc(m), len(m.kmsg)
    with pytest.raises(engine.KernelError) as e:
        call(*args)
    assert _proc(m) == before                     # /proc unchanged
    assert m.check() is None
    new = m.kmsg[log:]
    assert new and new[0] in (str(e.value).splitlines()[0], "------------[ cut here ]------------"), new
    return e.value, new


@pytest.mark.parametrize("kernel", ["2.6", "6.1"])
def test_oops_lines_reach_the_log(kernel):
    m = engine.Machine.boot(ram="64M", kernel=kernel)
    err, lines = _fails(m, m.read_virt, 0x10, 4)
    assert lines[0] == str(err)
    if kernel == "6.1":
        assert lines == ["BUG: kernel NULL pointer dereference, address: 00000010",
                         "#PF: supervisor read access in kernel mode",
                         "#PF: error_code(0x0000) - not-present page",
                         "*pde = 00000000 ",
                         "Oops: 0000 [#1] PREEMPT SMP"]
    else:
        assert lines == ["BUG: unable to handle kernel NULL pointer dereference at virtual address 00000010",
                         "*pde = 00000000 ", "Oops: 0000 [#1] SMP "]
    _, again = _fails(m, m.access, m.layout.vmalloc_start + 0x1000, "write")
    assert again[-1].startswith("Oops: 0002 [#2]")            # the die counter goes on


def test_kfree_of_a_page_that_is_not_slab_61_warns():
    m = engine.Machine.boot(ram="64M", kernel="6.1")
    va = m.layout.page_offset + 0x5000
    err, lines = _fails(m, m.kfree, va)
    assert isinstance(err, engine.BadFree)
    assert lines == ["------------[ cut here ]------------",
                     "WARNING: CPU: 0 PID: 0 at mm/slab_common.c:923 free_large_kmalloc",
                     "CPU: 0 PID: 0 Comm: insmod Not tainted 6.1.0-50-686 #1",   # __warn(): show_regs()
                     f"object pointer: 0x{kptr(m, va)}"]
    assert kptr(m, va) != f"{va:08x}"                       # %p is hashed from 4.15 on
    assert "mmviz leaves the machine as it was" in str(err).splitlines()[-1]   # said, not logged


def test_kfree_of_a_page_that_is_not_slab_2624_is_a_bug():
    m = engine.Machine.boot(ram="64M", kernel="2.6")
    va = m.layout.page_offset + 0x5000
    err, lines = _fails(m, m.kfree, va)
    assert isinstance(err, engine.KernelOops)
    # 2.6.24 mm/slab.c:591 page_get_cache() BUG_ON(!PageSlab(page)); lib/bug.c:127/156
    assert lines == ["------------[ cut here ]------------", "kernel BUG at mm/slab.c:591!",
                     "invalid opcode: 0000 [#1] SMP "]
    assert m.tainted_mask == 1 << 7                         # die(): TAINT_DIE


def test_unexpected_gfp_is_printed_when_a_slab_grows_61():
    m = engine.Machine.boot(ram="64M", kernel="6.1")
    log = len(m.kmsg)
    m.kmalloc(3000, "GFP_KERNEL | __GFP_HIGHMEM")            # kmalloc-4k grows a slab
    assert m.kmsg[log:] == ["Unexpected gfp: 0x2 (__GFP_HIGHMEM). Fixing up to gfp: 0xcc0 "
                            "(GFP_KERNEL). Fix your code!"]
    assert any(type(e).__name__ == "KernelMessage" for e in m.events)
    m.kmalloc(3000, "GFP_KERNEL | __GFP_HIGHMEM")            # an object was free: no new slab
    assert len(m.kmsg) == log + 1
    assert m.check() is None


def test_unexpected_gfp_is_a_bug_on_2624():
    m = engine.Machine.boot(ram="64M", kernel="2.6")
    err, lines = _fails(m, m.kmalloc, 3000, "GFP_KERNEL | __GFP_HIGHMEM")
    assert lines[0] == "------------[ cut here ]------------"
    assert lines[1] == "kernel BUG at mm/slab.c:2772!"          # 2.6.24 cache_grow()'s BUG_ON
    assert lines[-1] == "invalid opcode: 0000 [#1] SMP "


def test_segfault_line_reaches_the_log():
    m = engine.Machine.boot(ram="64M", kernel="6.1")
    p = m.spawn("x")
    log = len(m.kmsg)
    with pytest.raises(engine.SegFault) as e:
        m.access(0x10, "read", p.pid)
    assert m.kmsg[log:] == [str(e.value)] and "segfault at 10" in m.kmsg[-1]


def test_input_errors_print_nothing():
    m = engine.Machine.boot(ram="64M")
    log = len(m.kmsg)
    with pytest.raises(engine.ConfigError):
        m.phys_to_virt(0x3F000000)
    with pytest.raises(engine.ConfigError):
        m.kmalloc(64, "GFP_BOGUS")
    assert len(m.kmsg) == log


# -- how the app shows them ---------------------------------------------------------------
def test_error_text_shows_the_kernel_words_and_zh_inputs():
    warn = "WARNING: CPU: 0 PID: 0 at mm/slab_common.c free_large_kmalloc\nobject pointer: 0xc0005000"
    assert error_text("BadFree", warn) == "WARNING: CPU: 0 PID: 0 at mm/slab_common.c free_large_kmalloc"
    assert error_lines("BadFree", warn)[1] == "object pointer: 0xc0005000"
    assert error_text("BadFree", "vfree: bad", "en") == "BadFree: vfree: bad"
    m = engine.Machine.boot(ram="64M")
    with pytest.raises(engine.ConfigError) as e:
        m.phys_to_virt(0x3F000000)
    zh = error_text("ConfigError", str(e.value), "zh")
    assert zh.startswith("参数错误：phys_to_virt：0x3f000000 不在低端内存") and "kmap()" in zh
    assert error_text("ConfigError", str(e.value), "en") == f"ConfigError: {e.value}"
    with pytest.raises(engine.ConfigError) as e:
        m.kmalloc(64, "GFP_BOGUS")
    assert error_text("ConfigError", str(e.value), "zh") == (
        "参数错误：gfp：这个内核版本没有标志 'GFP_BOGUS'（例如 GFP_KERNEL、GFP_ATOMIC、GFP_DMA、"
        "GFP_HIGHUSER、__GFP_ZERO）")
    with pytest.raises(engine.ConfigError) as e:
        m.virt_to_phys(0x1000)
    assert "不在直接映射区" in error_text("ConfigError", str(e.value), "zh")
    assert error_text("ConfigError", "something new", "zh") == "参数错误：something new"


async def _type(pilot, text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


@pytest.mark.parametrize("lang, kernel, want", [
    ("en", "6.1", "WARNING: CPU: 0 PID: 0 at mm/slab_common.c:923 free_large_kmalloc"),
    ("en", "2.6", "kernel BUG at mm/slab.c:591!"),
    ("zh", "6.1", "内核打印：WARNING: CPU: 0 PID: 0 at mm/slab_common.c:923 free_large_kmalloc"),
])
async def test_typed_kfree_shows_the_kernel_text(lang, kernel, want):
    from app.app import MmvizApp
    app = MmvizApp(machine={"ram": "64M", "kernel": kernel}, lang=lang)
    async with app.run_test(size=(160, 48)) as pilot:
        before = _proc(app.timeline.machine)
        await pilot.press("colon")
        await _type(pilot, "kfree 0xc0005000")
        await pilot.press("enter")
        await pilot.pause()
        shown = str(app.query_one("#cmdline .error").render())
        assert shown == want, shown
        m = app.timeline.machine
        assert _proc(m) == before and m.check() is None


async def test_typed_phys_to_virt_error_in_zh():
    from app.app import MmvizApp
    app = MmvizApp(machine={"ram": "64M"}, lang="zh")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("colon")
        await _type(pilot, "phys_to_virt 0x3f000000")
        await pilot.press("enter")
        await pilot.pause()
        shown = str(app.query_one("#cmdline .error").render())
        assert shown.startswith("参数错误：phys_to_virt："), shown


def test_pae_oops_lines_have_field_case_12s_shape():
    """Field case 12 A (3.13 PAE): "BUG: unable to handle kernel paging request at f8a2a014",
    "*pdpt = 0000000001a96001 *pde = 0000000036a08067 *pte = 0000000000000000", "Oops: 0000 [#1] SMP"."""
    import re
    m = engine.Machine.boot(ram="1G", pae=True, nx=True, kernel="3.13")
    v = m.vmalloc(8192)
    # the guard page after the area (or the page before it): unmapped, in the area's page table
    bad = v + 0x2014 if (v + 0x2000) >> 21 == v >> 21 else v - 0x1000 + 0x14
    with pytest.raises(engine.KernelOops):
        m.access(bad, "read")
    first, pt, oops = m.kmsg[-3:]
    assert first == f"BUG: unable to handle kernel paging request at {bad:08x}"
    assert re.fullmatch(r"\*pdpt = [0-9a-f]{13}001 \*pde = [0-9a-f]{13}067 \*pte = 0{16} ", pt), pt
    assert oops.rstrip() == "Oops: 0000 [#1] SMP"
    m2 = engine.Machine.boot(ram="64M", kernel="6.1")
    with pytest.raises(engine.KernelOops):
        m2.read_virt(0x10, 4)
    assert m2.kmsg[-2] == "*pde = 00000000 "         # non-PAE: 8 digits, the walk stops at it


def test_lesson_pane_labels_a_kernel_error_once_in_zh():
    """The lesson pane says "内核错误：" itself; the kernel's line follows as printed, as in en
    ("kernel error: WARNING: ..."), not "内核错误：内核打印：WARNING: ..."."""
    for kernel in ("6.1", "2.6"):
        m = engine.Machine.boot(ram="64M", kernel=kernel)
        with pytest.raises(engine.MmvizError) as e:
            m.kfree(0xc0005000)
        kind, msg = type(e.value).__name__, str(e.value)
        zh, en = error_lines(kind, msg, "zh"), error_lines(kind, msg, "en")
        assert not zh[0].startswith("内核打印"), zh
        kernel_lines = [(z, e) for z, e in zip(zh, en) if not e.startswith("[")]   # mmviz's notes: zh
        assert all(z == e for z, e in kernel_lines) and len(zh) == len(en), zh
    assert error_text(kind, msg, "zh").startswith("内核打印：")     # the one-line forms keep it
    assert error_lines("ConfigError", "pid 7: no such process", "zh") == ["参数错误：pid 7：没有这个进程"]


def test_percent_p_is_the_address_before_4_15_and_hashed_after():
    """printk's %p: "c8800000" (no 0x) up to 4.14; a keyed hash from 4.15, the same for the
    same seed, another for another seed, never the address."""
    for kernel, hashed in (("2.6", False), ("4.14", False), ("4.15", True), ("6.1", True)):
        m = engine.Machine.boot(ram="160M", kernel=kernel)
        va = m.layout.vmalloc_start + 0x3000
        with pytest.raises(engine.BadFree) as e:
            m.vfree(va)
        shown = kptr(m, va)
        assert str(e.value).endswith(f"nonexistent vm area ({shown})")
        assert (shown != f"{va:08x}") == hashed, kernel
        assert len(shown) == 8
        other = engine.Machine.boot(ram="160M", kernel=kernel, seed=7)
        assert (kptr(other, va) != shown) == hashed
        assert kptr(engine.Machine.boot(ram="160M", kernel=kernel), va) == shown


@pytest.mark.parametrize("kernel,header", [
    ("2.6", "Pid: 0, comm: insmod Not tainted 2.6.24 #1"),
    ("3.10", "CPU: 0 PID: 0 Comm: insmod Not tainted 3.10 #1"),
    ("6.1", "CPU: 0 PID: 0 Comm: insmod Not tainted 6.1.0-50-686 #1")])
def test_page_allocation_failure_reaches_the_log(kernel, header):
    """warn_alloc(): the failure line in the release's words, then dump_stack()'s header."""
    m = engine.Machine.boot(ram="64M", kernel=kernel)
    for _ in range(64):                                  # until no order-10 block is left
        log = len(m.kmsg)
        try:
            m.alloc_pages("GFP_KERNEL", 10)
        except engine.OutOfMemory as e:
            err = e
            break
    assert "page allocation failure" in str(err)
    assert m.kmsg[log:] == [str(err).splitlines()[0], header]


def test_nowarn_allocation_failure_logs_nothing():
    m = engine.Machine.boot(ram="64M")
    log = list(m.kmsg)
    with pytest.raises(engine.OutOfMemory):
        for _ in range(64):
            m.alloc_pages("GFP_KERNEL | __GFP_NOWARN", 10)
    assert m.kmsg == log


def test_vmalloc_failure_reaches_the_log():
    m = engine.Machine.boot(ram="64M", kernel="4.9")
    log = len(m.kmsg)
    with pytest.raises(engine.OutOfMemory) as e:
        m.vmalloc(1 << 30)
    assert m.kmsg[log:] == [*[ln for ln in str(e.value).splitlines() if not ln.startswith("[")],
                            "CPU: 0 PID: 0 Comm: insmod Not tainted 4.9 #1"]


@pytest.mark.parametrize("kernel,burst,note", [("2.6", 10, "printk: {} messages suppressed."),
                                               ("6.1", 1, "warn_alloc: {} callbacks suppressed")])
def test_repeated_allocation_failures_are_ratelimited(kernel, burst, note):
    m = engine.Machine.boot(ram="64M", kernel=kernel)
    log = len(m.kmsg)
    fails = 0
    for _ in range(80):
        try:
            m.alloc_pages("GFP_KERNEL", 10)
        except engine.OutOfMemory:
            fails += 1
    assert fails > burst
    first = [ln for ln in m.kmsg[log:] if "page allocation failure" in ln]
    assert len(first) == burst                         # the rest of the interval is counted
    with pytest.raises(engine.OutOfMemory):
        m.alloc_pages("GFP_DMA", 10)
    assert m.kmsg[-3] == note.format(fails - burst)     # the next report says how many went
    assert "page allocation failure" in m.kmsg[-2]


def test_free_large_kmalloc_warns_once():
    """WARN_ON_ONCE() + pr_warn_once(): a second kfree() of a non-slab page logs nothing."""
    m = engine.Machine.boot(ram="64M", kernel="6.1")
    va = m.layout.page_offset + 0x5000
    _fails(m, m.kfree, va)
    log = list(m.kmsg)
    with pytest.raises(engine.BadFree):
        m.kfree(va + 0x1000)
    assert m.kmsg == log


@pytest.mark.parametrize("kernel,burst", [("2.6", 10), ("6.1", 1)])
def test_a_suppressed_allocation_failure_builds_no_report(kernel, burst, monkeypatch):
    """warn_alloc() asks __ratelimit(&nopage_rs) (2.6.24: printk_ratelimit()) before it prints
    anything: a failure the ratelimit drops builds no dump_stack() line either, so a repeat
    step that fails hundreds of times pays for ``burst`` reports, not for each failure."""
    m = engine.Machine.boot(ram="64M", kernel=kernel)
    built = []
    header = kmsg.dump_stack_header
    monkeypatch.setattr(kmsg, "dump_stack_header", lambda mm, *a: built.append(1) or header(mm, *a))
    log = len(m.kmsg)
    fails = 0
    for _ in range(80):
        try:
            m.alloc_pages("GFP_KERNEL", 10)
        except engine.OutOfMemory:
            fails += 1
    assert fails > 3 * burst
    assert len(built) == burst                         # one report built per printed one
    new = m.kmsg[log:]
    assert len(new) == 2 * burst                       # warn_alloc()'s line + the stack header
    assert all("page allocation failure" in ln for ln in new[::2])
    assert all("Not tainted" in ln for ln in new[1::2])
