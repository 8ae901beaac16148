"""The name /proc/<pid>/maps prints for a VMA ([heap], [stack], files) is the one every pane
and the reverse map show, with the same rule as /proc (fs/proc/task_mmu.c show_map_vma)."""
from __future__ import annotations


import engine
from engine.rmap import page_mappings
from engine.task_mmu import vma_name
from widgets.mmview import mm_lines, vma_label
from widgets.vmap import map_items


def test_an_unsplit_heap_is_heap_in_every_release():
    for kernel in ("2.6.24", "3.16", "6.1"):
        m = engine.Machine.boot(ram="256M", kernel=kernel)
        p = m.spawn("example")
        p.sbrk(0x21000)
        names = [vma_name(m, p.mm, v) for v in p.vmas]
        assert "[heap]" in names and "[stack]" in names, (kernel, names)


def test_panes_and_reverse_map_show_the_maps_name():
    m = engine.Machine.boot(ram="256M")
    p = m.spawn("example")
    p.sbrk(0x21000)
    heap = next(v for v in p.vmas if vma_name(m, p.mm, v) == "[heap]")
    stack = next(v for v in p.vmas if vma_name(m, p.mm, v) == "[stack]")
    labels = {(s, e): label for s, e, kind, label in map_items(m, p.pid) if kind == "vma"}
    assert "[heap]" in labels[heap.start, heap.end] and "[stack]" in labels[stack.start, stack.end]
    assert vma_label(m, p.mm, heap).endswith("rw-p [heap]")
    text = "\n".join(line.plain for line in mm_lines(m, p, "en"))
    assert "[heap]" in text and "[stack]" in text
    m.access(heap.start, "write", pid=p.pid)
    pfn = m.walk(heap.start, pid=p.pid).paddr >> 12
    assert any(x.detail.endswith("[heap]") for x in page_mappings(m, pfn)), page_mappings(m, pfn)
