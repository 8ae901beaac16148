"""The kernel's taint (engine.taint): bad_page() taints the machine with TAINT_BAD_PAGE after
its report, and every later dump_stack() header, SLUB "BUG" line and OOM header prints
print_tainted() as that release prints it; checkpoints restore "Not tainted"."""
from __future__ import annotations

import pytest

import engine
from engine import checkpoint
from engine.kversion import rule_values
from engine.taint import FLAG_CHARS, TAINT_BAD_PAGE, print_tainted
from tests.inline_lesson import SAY, head
from scenarios import Timeline, parse_lesson

# release, dump_stack()'s header after a bad_page(): the flags the release's print_tainted() has
HEADERS = {
    "2.6.24": "Pid: 0, comm: insmod Tainted: G    B   2.6.24 #1",                  # 8 flags
    "2.6.32": "Pid: 0, comm: insmod Tainted: G    B      2.6.32 #1",               # 11: A W C
    "4.9": "CPU: 0 PID: 0 Comm: insmod Tainted: G    B           4.9 #1",          # 16: I O E L K
    "6.1": "CPU: 0 PID: 0 Comm: insmod Tainted: G    B              6.1.0-50-686 #1",  # 19: X T N
}
FLAG_COUNT = {"2.6.24": 8, "2.6.32": 11, "4.9": 16, "6.1": 19}


def double_free(m) -> None:
    """bad_page(): the second free of a page."""
    pfn = m.alloc_pages("GFP_KERNEL")
    m.free_pages(pfn)
    with pytest.raises(engine.BadFree, match="Bad page state"):
        m.free_pages(pfn)


def alloc_failure(m) -> list[str]:
    """warn_alloc(): order-10 allocations until one fails; the lines it logged."""
    for _ in range(64):
        log = len(m.kmsg)
        try:
            m.alloc_pages("GFP_KERNEL", 10)
        except engine.OutOfMemory:
            return m.kmsg[log:]
    raise AssertionError("no allocation failure")


@pytest.mark.parametrize("kernel", list(HEADERS))
def test_bad_page_taints_the_next_report(kernel):
    m = engine.Machine.boot(ram="64M", kernel=kernel)
    ck = checkpoint.save(m)
    before = alloc_failure(m)
    assert "Not tainted" in before[-1]                  # not tainted yet
    checkpoint.restore(m, ck)
    log = len(m.kmsg)
    double_free(m)
    *lines, stack = m.kmsg[log:]                        # bad_page()'s report, then add_taint():
    assert lines[0].startswith("BUG: Bad page state in process insmod  pfn:") \
        if kernel != "2.6.24" else (lines[0] == "Bad page state in process 'insmod'"   # before 2.6.29
                                    and lines[2:] == ["Trying to fix it up, but a reboot is needed",
                                                      "Backtrace:"])    # (log_bad_page)
    assert stack == HEADERS[kernel].replace(                # its own dump_stack() is not tainted
        HEADERS[kernel].split(" insmod ")[1].rsplit(" ", 2)[0], "Not tainted")
    assert m.tainted_mask == 1 << TAINT_BAD_PAGE
    after = alloc_failure(m)
    assert after[-1] == HEADERS[kernel]
    taint = after[-1].split(" insmod ")[1].rsplit(" ", 2)[0]
    assert len(taint) == len("Tainted: ") + FLAG_COUNT[kernel] == len("Tainted: ") + len(
        m.config.flavour.taint_flags)
    m.check()


@pytest.mark.parametrize("kernel", list(HEADERS))
def test_restore_before_the_error_is_not_tainted(kernel):
    m = engine.Machine.boot(ram="64M", kernel=kernel)
    ck = checkpoint.save(m)
    double_free(m)
    assert print_tainted(m).startswith("Tainted: G    B")
    tainted = checkpoint.save(m)
    checkpoint.restore(m, ck)
    assert m.tainted_mask == 0 and print_tainted(m) == "Not tainted"
    assert alloc_failure(m)[-1] == HEADERS[kernel].replace(
        HEADERS[kernel].split(" insmod ")[1].rsplit(" ", 2)[0], "Not tainted")
    checkpoint.restore(m, tainted)                      # and forward again
    assert alloc_failure(m)[-1] == HEADERS[kernel]
    m.check()


def _lesson(kernel: str) -> str:
    return head(kernel, "64M") + (
        '\n[[step]]\ndo = "alloc_pages"\ngfp = "GFP_KERNEL"\nas = "a"\n' + SAY
        + '\n[[step]]\ndo = "free_pages"\npfn = "a"\n' + SAY
        + '\n[[step]]\ndo = "free_pages"\npfn = "a"\n' + SAY
        + 'expect = { error = "BadFree", message = "Bad page state" }\n'
        + '\n[[step]]\ndo = "vmalloc"\nsize = "1G"\n' + SAY
        + 'expect = { error = "OutOfMemory" }\n')


@pytest.mark.parametrize("kernel,header", [
    ("4.9", "CPU: 0 PID: 0 Comm: insmod Tainted: G    B           4.9 #1"),
    ("6.1", "CPU: 0 PID: 0 Comm: insmod Tainted: G    B              6.1.0-50-686 #1")])
def test_timeline_back_step_before_the_double_free_is_not_tainted(kernel, header):
    tl = Timeline(parse_lesson(_lesson(kernel), "t.toml"))
    results = tl.run_all()
    assert all(r.ok for r in results)
    assert tl.machine.kmsg[-1] == header                # vmalloc()'s warn_alloc() header
    tl.back()
    tl.back()                                           # before the second free_pages
    assert tl.machine.tainted_mask == 0
    tl.step()
    r = tl.step()
    assert r.ok and tl.machine.kmsg[-1] == header
    tl.jump(1)
    assert print_tainted(tl.machine) == "Not tainted"
    tl.jump(len(tl))
    assert tl.machine.kmsg[-1] == header
    tl.machine.check()


@pytest.mark.parametrize("kernel,bug", [
    ("2.6.32", "BUG t: Object already free"),                            # before 3.3: no taint
    ("3.5", "BUG t (Not tainted): Object already free"),                  # 3.3: print_tainted()
    ("6.1", "BUG t (Tainted: G    B             ): Object already free")])
def test_slub_bug_line_prints_the_taint_before_its_report(kernel, bug):
    m = engine.Machine.boot(ram="64M", kernel=kernel, allocator="slub")
    if kernel == "6.1":
        double_free(m)
    m.kmem_cache_create("t", 64)
    v = m.kmem_cache_alloc("t")
    m.kmem_cache_free("t", v)
    mask = m.tainted_mask
    with pytest.raises(engine.BadFree) as e:
        m.kmem_cache_free("t", v)
    assert str(e.value).startswith(bug)
    assert m.kmsg[-2].startswith(bug)                   # then print_trailer()'s dump_stack(),
    assert m.kmsg[-1].startswith(("Pid: 0, comm: t", "Pid: 0, comm: insmod", "CPU: 0 PID: 0"))
    assert (" Not tainted " in m.kmsg[-1]) == (mask == 0)   # with the taint from before the report
    # slab_bug() adds TAINT_BAD_PAGE after its report from 3.7 (rule slab_bug_taints)
    assert m.tainted_mask == (1 << TAINT_BAD_PAGE if rule_values(m.config.flavour.version)[
        "slab_bug_taints"] else mask)
    if kernel == "3.5":
        assert m.tainted_mask == 0


def test_oops_taints_d_and_warn_taints_w():
    m = engine.Machine.boot(ram="64M", kernel="6.1")
    with pytest.raises(engine.KernelOops):
        m.access(0, "write")                            # NULL pointer: oops, then TAINT_DIE
    assert print_tainted(m) == "Tainted: G      D           "          # 19 flags
    log = len(m.kmsg)
    with pytest.raises(engine.OutOfMemory):
        m.vmalloc(0)                                    # WARN_ON_ONCE(!size): then TAINT_WARN
    assert m.kmsg[log + 2] == "CPU: 0 PID: 0 Comm: insmod Tainted: G      D            6.1.0-50-686 #1"
    assert print_tainted(m) == "Tainted: G      D W         "


@pytest.mark.parametrize("kernel,taint", [("2.6.24", "Not tainted"), ("2.6.32", "Tainted: G        W ")])
def test_vfree_of_a_bad_address_warns(kernel, taint):
    """vfree()'s "Trying to vfree() bad address" is a WARN: TAINT_WARN from 2.6.26 (2.6.24's
    WARN_ON(1) printed "BUG: warning at" and had no 'W' flag)."""
    m = engine.Machine.boot(ram="64M", kernel=kernel)
    with pytest.raises(engine.BadFree, match="Trying to vfree"):
        m.vfree(0x1234)
    assert print_tainted(m) == taint


def test_oom_header_prints_the_taint():
    m = engine.Machine.boot(ram="64M", kernel="6.1")
    double_free(m)
    p = m.spawn("hog")
    with pytest.raises(engine.KernelError):
        for _ in range(100000):
            v = p.mmap(1 << 20)
            for off in range(0, 1 << 20, 4096):
                m.write_virt(v + off, b"x", pid=p.pid)
    head_line = next(ln for ln in m.kmsg if "invoked oom-killer" in ln)
    i = m.kmsg.index(head_line)
    assert m.kmsg[i + 1].startswith("CPU: 0 PID: ") and " Tainted: G    B              6.1.0-50-686 #1" in m.kmsg[i + 1]


@pytest.mark.parametrize("version", [(2, 6, 20), (2, 6, 24), (2, 6, 26), (2, 6, 28), (2, 6, 35), (3, 2),
                                     (3, 15), (3, 17), (4, 0), (4, 15), (6, 0), (6, 12)])
def test_every_release_prints_a_prefix_of_the_flag_order(version):
    flags = rule_values(version)["taint_flags"]
    assert FLAG_CHARS.startswith(flags) and len(flags) >= 7


def test_611_prints_the_uid_and_the_verbose_taint_line():
    m = engine.Machine.boot(ram="64M", kernel="6.12")
    assert alloc_failure(m)[-1] == "CPU: 0 UID: 0 PID: 0 Comm: insmod Not tainted 6.12 #1"
    m = engine.Machine.boot(ram="64M", kernel="6.12")
    double_free(m)
    lines = alloc_failure(m)
    assert lines[-2:] == ["CPU: 0 UID: 0 PID: 0 Comm: insmod Tainted: G    B              6.12 #1",
                          "Tainted: [B]=BAD_PAGE"]


@pytest.mark.parametrize("kernel,taint", [("2.6.24", "Not tainted"), ("6.1", "Tainted: G    B             ")])
def test_bad_page_map_taints_from_2629(kernel, taint):
    """print_bad_pte() ends with add_taint(TAINT_BAD_PAGE) from 2.6.29 ("BUG: Bad page map");
    2.6.24's "Bad pte = ..." taints nothing."""
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    p = m.spawn()
    a = p.mmap(4096, flags="private|anonymous|populate")
    pte_pa = m.walk(a, pid=p.pid).steps[-1].entry_paddr
    m.write_virt(m.layout.page_offset + pte_pa, (0xfffff067).to_bytes(4, "little"))
    assert m.tainted_mask == 0
    p.munmap(a, 4096)                                   # zap_pte_range(): reported, skipped
    assert any("Bad page map" in ln or "Bad pte" in ln for ln in m.kmsg)
    assert print_tainted(m) == taint
