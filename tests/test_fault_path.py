"""The path of a user page fault, as the engine reports it on HandleFault / Segv (``path``):
every branch of do_page_fault() -> find_vma -> good_area -> handle_mm_fault() the engine
takes, and the per-release names the fault-flow view draws for them (engine.fault_flow)."""
from __future__ import annotations

import pytest

import engine
from engine import fault_flow
from engine.fault import HOW_PATH
from engine.task_events import HandleFault, Segv


def last_fault(m):
    """The last HandleFault or Segv of the machine's most recent operation."""
    found = [e for e in m.events if isinstance(e, (HandleFault, Segv))]
    assert found, [type(e).__name__ for e in m.events]
    return found[-1]


def path_of(m, op):
    try:
        op()
    except engine.SegFault:
        pass
    return last_fault(m).path


@pytest.fixture(params=["2.6", "6.1"])
def kernel(request):
    return request.param


def test_anonymous_text_data_stack_and_errors(kernel):
    m = engine.Machine.boot(ram="128M", kernel=kernel, swap="16M")
    p = m.spawn("example")
    a = p.mmap(2 * 4096)
    ro = p.mmap(4096, prot="r--")
    text = p.mm.vmas[0].start
    head = ("find_vma", "good_area", "handle_mm_fault")
    leaf = "zeroed_page_read" if kernel == "2.6" else "zero_page"
    assert path_of(m, lambda: m.access(a, "read", p.pid)) == (*head, "do_anonymous_page", leaf)
    assert path_of(m, lambda: m.access(a + 4096, "write", p.pid)) == \
        (*head, "do_anonymous_page", "zeroed_page")
    assert path_of(m, lambda: m.access(text, "exec", p.pid)) == (*head, "do_fault", "file_page")
    stack = p.mm.vmas[-1]
    p.sp = stack.start      # esp near the bottom: before 4.20 no growth 64 KB + 128 B below it
    assert path_of(m, lambda: m.access(stack.start - 3 * 4096, "write", p.pid)) == \
        ("find_vma", "expand_stack", "good_area", "handle_mm_fault", "do_anonymous_page", "zeroed_page")
    assert path_of(m, lambda: m.access(0x1000, "read", p.pid)) == ("find_vma", "no_vma", "bad_area")
    assert path_of(m, lambda: m.access(ro, "write", p.pid)) == \
        ("find_vma", "good_area", "access_error", "bad_area")
    assert path_of(m, lambda: m.access(0xC0001000, "read", p.pid)) == ("kernel_address", "bad_area")
    m.check()


def test_copy_on_write_and_swap(kernel):
    m = engine.Machine.boot(ram="64M", kernel=kernel, swap="64M")
    p = m.spawn("example")
    a = p.mmap(4096)
    m.write_virt(a, b"parent", p.pid)
    child = m.fork(p.pid)
    assert path_of(m, lambda: m.access(a, "write", child)) == \
        ("find_vma", "good_area", "handle_mm_fault", "do_wp_page", "cow_copy")
    assert path_of(m, lambda: m.access(a, "write", p.pid))[-2:] == ("do_wp_page", "cow_reuse")
    b = p.mmap(8 * 4096)
    for i in range(8):
        m.write_virt(b + i * 4096, b"x", p.pid)
    m.switch_to(None)
    for _ in range(6):
        m.reclaim()
    out = [i for i in range(8) if not p.mm.pgd.read_entry(p.mm.pgd.pte_paddr(b + i * 4096)) & 1]
    assert out, "reclaim swapped nothing out"
    assert path_of(m, lambda: m.access(b + out[0] * 4096, "read", p.pid))[-2:] == \
        ("do_swap_page", "swap_in")
    m.check()


def test_every_outcome_has_a_drawn_node_in_both_releases():
    for kernel in ("2.6", "6.1", "2.6.31", "3.16"):
        chart = fault_flow.chart(engine.Machine.boot(ram="64M", kernel=kernel).config.flavour)
        names = {n.id for n in chart.nodes}
        read = "zero_page" if kernel != "2.6" and kernel != "2.6.31" else "zeroed_page_read"
        for path in HOW_PATH.values():
            if path[-1] in ("zero_page", "zeroed_page_read") and path[-1] != read:
                assert path[-1] not in names, (kernel, path)
                continue
            assert set(path) <= names, (kernel, path)
        for extra in ("find_vma", "no_vma", "expand_stack", "good_area", "access_error",
                      "bad_area", "kernel_address", "handle_mm_fault"):
            assert extra in names
        for node in chart.nodes:
            assert node.code and node.en and node.zh, node


def test_release_names():
    c24 = fault_flow.chart(engine.Machine.boot(ram="64M", kernel="2.6").config.flavour)
    c61 = fault_flow.chart(engine.Machine.boot(ram="64M", kernel="6.1").config.flavour)
    assert c24.node("entry").code == "do_page_fault()" and "fault_32.c" in c24.source
    assert "do_user_addr_fault()" in c61.node("entry").code and c61.source == "arch/x86/mm/fault.c"
    assert "do_linear_fault()" in c24.node("do_fault").code
    assert c61.node("do_fault").code.startswith("do_fault()")
    assert "mmap_cache" in c24.node("find_vma").code and "mm_mt" in c61.node("find_vma").code


def test_mmap_cache_only_before_315_and_reset_by_munmap():
    for kernel, cached in (("2.6", True), ("3.16", False), ("6.1", False)):
        m = engine.Machine.boot(ram="64M", kernel=kernel)
        p = m.spawn("example")
        a = p.mmap(4096)
        m.access(a, "write", p.pid)
        assert (p.mm.mmap_cache == a) == cached
        p.munmap(a, 4096)
        assert p.mm.mmap_cache is None or p.mm.mmap_cache != a


def test_focus_view_is_checked_at_load_time():
    from inline_lesson import SAY, head
    from scenarios import parse_lesson
    from scenarios.model import LessonError
    body = '[[step]]\ndo = "spawn"\nas = "p"\n' + SAY + 'focus = { process = "p", view = "%s" }\n'
    assert parse_lesson(head() + body % "mm", "t.toml").steps[0].focus["view"] == ("mm", None)
    with pytest.raises(LessonError) as e:
        parse_lesson(head() + body % "fualt", "t.toml")
    assert "t.toml:10: focus.view must be one of mm, fault, got 'fualt'" in str(e.value)


def test_the_path_reads_as_names_in_text_mode():
    from widgets.notation import event_text
    m = engine.Machine.boot(ram="64M", kernel="2.6")
    p = m.spawn("example")
    m.access(p.mmap(4096), "read", p.pid)
    text = event_text(last_fault(m), "2.6")
    assert text.startswith("page_fault_user: pid=1 ")
    assert text.endswith(" path=find_vma>good_area>handle_mm_fault>do_anonymous_page>zeroed_page_read")
