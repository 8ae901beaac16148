"""The drawn mm_struct -> VMA view and the page-fault flow view (widgets/mmview.py,
widgets/faultflow.py): every value comes from the engine, the lit branch is the one the
engine took, the release decides the index (list + rb-tree + mmap_cache, or maple tree)
and the names (2.6.24 / 6.1), and the lessons bring them in front with focus.view."""
from __future__ import annotations

import pytest

import engine
from engine.task_mmu import vma_name
from app import layout
from app.app import MmvizApp
from engine.fault_flow import chart
from engine.task_events import HandleFault, Segv
from widgets.faultflow import flow_lines
from widgets.mmview import LEAF_SLOTS, _ranges, mm_lines


def plain(lines) -> str:
    return "\n".join(t.plain for t in lines)


def lit_codes(lines) -> list[str]:
    """The node names drawn as taken (● ...)."""
    return [t.plain.split("● ", 1)[1] for t in lines if "● " in t.plain]


def machine(kernel: str):
    m = engine.Machine.boot(ram="160M", kernel=kernel, seed=1)
    p = m.spawn("example")
    return m, p


@pytest.mark.parametrize("kernel", ["2.6", "6.1"])
def test_mm_view_draws_the_engines_mm_struct_and_vmas(kernel):
    m, p = machine(kernel)
    a = p.mmap(8192)
    m.access(a, "read", p.pid)
    text = plain(mm_lines(m, p, "en", a))
    mm = p.mm
    assert f"map_count    {len(mm.vmas)}\n" in text
    assert f"total_vm     {mm.total_vm} pages" in text
    assert f"start_brk    {mm.start_brk:08x}   brk       {mm.brk:08x}" in text
    assert f"(__pa = CR3 {p.cr3:08x})" in text and f"{m.phys_to_virt(p.cr3):08x}" in text
    for i, v in enumerate(mm.vmas):
        name = vma_name(m, mm, v) if v.file is None and v.special is None else None
        shown = f" {name}" if name else ""             # [heap], [stack]: the name maps prints
        assert f"┌ VMA {i}{shown} · vm_area_struct @ {v.addr:08x}" in text
        assert f"│ vm_start {v.start:08x}  vm_end {v.end:08x}" in text
        assert f"│ vm_flags {v.vm_flags:#06x} " in text
    assert text.index(f"vm_start {mm.vmas[0].start:08x}") < text.index(f"vm_start {mm.vmas[-1].start:08x}")
    if kernel == "2.6":                      # list + rb-tree + mmap_cache, no maple tree
        assert "mmap         → VMA 0" in text and "mm_rb.rb_node" in text and "mm_mt" not in text
        cached = [i for i, v in enumerate(mm.vmas) if v.start == a][0]
        assert f"mmap_cache   → VMA {cached}" in text and "◀ mmap_cache" in text
        assert text.count("vm_next") == len(mm.vmas)
    else:                                    # the maple tree: VMAs and gaps as ranges
        assert "mm_rb" not in text and "mmap_cache" not in text
        ranges = _ranges(mm.vmas)
        assert f"maple tree, {len(ranges)} ranges" in text
        assert len(ranges) <= LEAF_SLOTS and f"maple_leaf_64 #0: {len(ranges)} slots" in text
        assert text.count("gap (NULL)") == sum(1 for r in ranges if r[2] is None)
    hot = [t for t in mm_lines(m, p, "en", a) if any(str(s.style) == "bold cyan" for s in t.spans)]
    assert any(f"vm_start {a:08x}" in t.plain for t in hot)


def test_maple_tree_with_more_ranges_than_a_leaf_gets_an_arange_root():
    m, p = machine("6.1")
    for i in range(20):                     # r-- / rw- alternate: no two VMAs merge
        p.mmap(4096, prot="r--" if i % 2 else "rw-", addr=0x10000000 + i * 0x2000,
               flags="private|anonymous|fixed")
    text = plain(mm_lines(m, p, "en"))
    n = len(_ranges(p.mm.vmas))
    assert n > LEAF_SLOTS
    assert f"maple_arange_64, {-(-n // LEAF_SLOTS)} children" in text


@pytest.mark.parametrize("kernel", ["2.6", "6.1"])
def test_fault_view_lights_the_path_the_engine_took(kernel):
    m, p = machine(kernel)
    c = chart(m.config.flavour)
    a = p.mmap(8192)
    cases = [lambda: m.access(a, "read", p.pid), lambda: m.access(a + 4096, "write", p.pid),
             lambda: m.access(p.mm.vmas[-1].start - 2 * 4096, "write", p.pid),
             lambda: m.access(0x08048388, "write", p.pid), lambda: m.access(0x1000, "read", p.pid)]
    for op in cases:
        try:
            op()
        except engine.SegFault:
            pass
        ev = [e for e in m.events if isinstance(e, (HandleFault, Segv))][-1]
        lines = flow_lines(m, m.events, "en")
        assert lit_codes(lines) == [c.node("entry").code] + [c.node(n).code for n in ev.path], ev.path
        text = plain(lines)
        assert f"CR2 = {ev.vaddr:#010x}  error code {ev.error_code}" in text
        if isinstance(ev, Segv):
            assert ev.message in text
        else:
            assert f"result: {ev.how}" in text
    m.access(a, "read", p.pid)                 # no fault: nothing lit, said so
    lines = flow_lines(m, m.events, "zh")
    assert lit_codes(lines) == [] and "这一步没有用户态缺页" in plain(lines)


def test_fault_view_names_per_release():
    for kernel, names in (("2.6", ("do_page_fault()", "do_linear_fault()", "mm->mmap_cache",
                                   "alloc_zeroed_user_highpage_movable(), pte_mkdirty")),
                          ("6.1", ("do_user_addr_fault()", "do_fault() -> do_read_fault",
                                   "mt_find()", "my_zero_pfn()"))):
        m, p = machine(kernel)
        m.access(p.mmap(4096), "read", p.pid)
        text = plain(flow_lines(m, m.events, "en"))
        for name in names:
            assert name in text, (kernel, name)


def test_drawings_come_in_front_in_every_layout():
    mins = layout.min_widths()
    for size, kind in (((160, 48), "wide"), ((120, 40), "medium"), ((80, 24), "compact")):
        for view in ("mm", "fault"):
            plan = layout.choose(size, layout.front_for({"view": view, "address": 1}, "access"))
            assert plan.layout == kind and plan.visible[0 if kind != "wide" else 1] == view
            if kind == "wide":
                assert "physical" not in plan.visible and "buddy" not in plan.visible
        plan = layout.choose(size, layout.front_for({"address": 1}, "access"))
        assert "mm" not in plan.visible and "fault" not in plan.visible
        assert all(mins[p] <= size[0] for p in plan.visible)


async def test_process_memory_puts_the_views_in_front_and_keys_6_7_reach_them():
    app = MmvizApp(lesson="process-memory")
    async with app.run_test(size=(120, 40)) as pilot:
        app.animation_level = "none"
        app.timeline.jump(14)                 # the 2.6.24 read of untouched anonymous memory
        app._after_move()
        await pilot.pause()
        assert app.plan.visible[0] == "fault"
        fault = app.query_one("#fault")
        assert "● read: alloc_zeroed_user_highpage_movable()" in fault.plain
        await pilot.press("6")
        await pilot.pause()
        assert app.plan.visible[0] == "mm" and app.focused is app.query_one("#mm")
        assert "mmap_cache   → VMA" in app.query_one("#mm").plain
        app.timeline.jump(20)                 # the same read on 6.1
        app._after_move()
        await pilot.pause()
        assert app.plan.visible[0] == "fault"
        assert "● read: my_zero_pfn()" in fault.plain
        await pilot.press("L")
        await pilot.pause()
        assert "缺页处理路径" in fault.border_title and "读：映射共享的零页" in fault.plain
