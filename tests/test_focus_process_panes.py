"""Every pane that reads a user address reads it in the process the step's focus names, not
in the one that runs: the virtual map's VMAs, the mm_struct view, the selection line of the
lesson and of the physical map (frame, zone, owner, __va), the physical map's selected cell,
the buddy pane's chosen zone and the page-walk pane's TLB marks.

Two steps where the focused process does not run: fork-cow's "the same address in the
child" (the parent runs), and a child whose copy-on-write page and own mapping differ from
the parent's while the parent runs.  Each is reached forward, and again after End and Home,
and compared with what the engine says of the focused pid."""
from __future__ import annotations

import pytest

pytest.importorskip("textual")

from rich.text import Text                                # noqa: E402

from app.app import MmvizApp                              # noqa: E402
from engine.page_types import PAGE_SHIFT                  # noqa: E402
from scenarios import parse_lesson                        # noqa: E402
from tests.inline_lesson import SAY, head                 # noqa: E402
from widgets.walk import tlb_lines                        # noqa: E402
from widgets import (BuddyPane, LessonPane, MmStructPane, PageWalkPane,   # noqa: E402
                     PhysicalMapPane, VirtualMap)

# the child writes its copy-on-write page and maps 8 KB of its own; then the parent runs and
# reads the page (its translation is in the TLB)
COW_WHILE_PARENT_RUNS = head("2.6") + "".join(f"[[step]]\n{s}{SAY}\n" for s in (
    'do = "spawn"\nas = "p"\n',
    'do = "mmap"\npid = "p"\nlength = "4K"\nas = "v"\n',
    'do = "write_virt"\nvaddr = "v"\ndata = "hello"\npid = "p"\n',
    'do = "fork"\npid = "p"\nas = "c"\n',
    'do = "write_virt"\nvaddr = "v"\ndata = "child"\npid = "c"\n',
    'do = "mmap"\npid = "c"\nlength = "8K"\n',
    'do = "switch_to"\npid = "p"\n',
    'do = "access"\nvaddr = "v"\npid = "p"\n',
    'do = "walk"\nvaddr = "v"\npid = "c"\nfocus = { address = "v", process = "c" }\n'))

CASES = {"fork-cow": ("fork-cow", 6), "cow": ("cow", 9)}


def lesson_of(name: str):
    return parse_lesson(COW_WHILE_PARENT_RUNS, "t.toml") if name == "cow" else name


async def at_focus_step(name: str, check, front: str | None = None) -> None:
    """``check(app, pilot, m, pid, vaddr)`` at the step, reached forward, then again after End
    and Home, with the pane ``front`` brought in front."""
    lesson, n = CASES[name]
    app = MmvizApp(lesson=lesson_of(lesson), ram="1G" if name == "fork-cow" else None)
    async with app.run_test(size=(120, 40)) as pilot:
        app.animation_level = "none"
        await pilot.pause()
        seen = []
        for keys in (["right"] * n, ["end", "home"] + ["right"] * n):
            await pilot.press(*keys)
            await pilot.pause()
            m, focus = app.machine, app.timeline.current.focus
            pid, vaddr = focus["process"], focus["address"]
            assert pid != m.current and m.current in m.processes      # another process runs
            if front is not None:
                app.action_front(front)
                await pilot.pause()
            seen.append(await check(app, pilot, m, pid, vaddr))
        assert seen[0] == seen[1]


def frame(m, pid: int, vaddr: int) -> int:
    return m.walk(vaddr, pid=pid).paddr >> PAGE_SHIFT


def vma_items(m, pid: int) -> list:
    return [(v.start, v.end) for v in m.processes[pid].vmas]


@pytest.mark.parametrize("name", CASES)
async def test_the_virtual_map_draws_the_focused_process_vmas(name):
    async def check(app, pilot, m, pid, vaddr):
        vmap = app.query_one(VirtualMap)
        shown = [(s, e, label) for s, e, kind, label in vmap.items if kind == "vma"]
        assert [(s, e) for s, e, _ in shown] == vma_items(m, pid)
        assert all(label.endswith(f"pid {pid}") for *_, label in shown)
        if name == "cow":                                  # the child's own mapping is drawn
            assert vma_items(m, pid) != vma_items(m, m.current)
        return shown
    await at_focus_step(name, check)


@pytest.mark.parametrize("name", CASES)
async def test_the_mm_view_draws_the_focused_process_mm_struct(name):
    async def check(app, pilot, m, pid, vaddr):
        lines = [t.plain for t in app.query_one(MmStructPane)._lines]
        proc = m.processes[pid]
        assert lines[0] == f"task {proc.comm}[{pid}] · mm_struct @ {proc.mm.addr:08x}"
        assert any(f"CR3 {proc.cr3:08x}" in line for line in lines)
        assert not any(f"CR3 {m.processes[m.current].cr3:08x}" in line for line in lines)
        vma = proc.mm.find_vma(vaddr)
        lit = [t.plain for t in app.query_one(MmStructPane)._lines
               if any(str(s.style) == "bold cyan" for s in t.spans) and "vm_start" in t.plain]
        assert lit == [line for line in lines if line.startswith(f"│ vm_start {vma.start:08x}")]
        return lines
    await at_focus_step(name, check, "mm")


def selection_line(m, pid: int, vaddr: int, name: str) -> tuple[int, str]:
    """(the frame, the selection line's start) the engine gives for the address in ``pid``."""
    pfn = frame(m, pid, vaddr)
    if name == "cow":                                      # the copy is the child's alone
        assert pfn != frame(m, m.current, vaddr)
    comm = m.processes[pid].comm
    return pfn, f"address {vaddr:#010x} · in {comm}[{pid}] · region user · pfn {pfn:#x} · zone {m.pfn_zone(pfn)}"


@pytest.mark.parametrize("name", CASES)
async def test_the_lesson_selection_line_gives_the_focused_process_frame(name):
    async def check(app, pilot, m, pid, vaddr):
        _, line = selection_line(m, pid, vaddr, name)
        assert line in app.query_one(LessonPane).plain.replace("\n", " ")
        return line
    await at_focus_step(name, check)


@pytest.mark.parametrize("name", CASES)
async def test_the_physical_map_selects_the_focused_process_frame(name):
    """Its selected cell and its selection line."""
    async def check(app, pilot, m, pid, vaddr):
        pfn, line = selection_line(m, pid, vaddr, name)
        pm = app.query_one(PhysicalMapPane)
        pm.render_line(0)
        assert any(line in t.plain for t in pm._info)
        assert pm.selected_cell == pfn // pm.cells.per
        return line, pm.selected_cell
    await at_focus_step(name, check, "physical")


@pytest.mark.parametrize("name", CASES)
async def test_the_buddy_pane_chooses_the_zone_of_the_focused_process_frame(name):
    async def check(app, pilot, m, pid, vaddr):
        pfn, _ = selection_line(m, pid, vaddr, name)
        zones = {z.name for z in m.zones}
        chosen = [t.plain.split()[0] for t in app.query_one(BuddyPane)._lines
                  if t.plain.split()[:1] and t.plain.split()[0] in zones
                  and any(str(s.style) == "bold reverse" for s in t.spans)]
        assert chosen == [m.pfn_zone(pfn)]
        return chosen
    await at_focus_step(name, check, "buddy")


def _marked(lines: list[Text]) -> list[str]:
    """Lines with a TLB entry marked as the walked address's (side by side: a span; stacked:
    the line's style)."""
    return [t.plain for t in lines
            if str(t.style) == "bold reverse" or any(str(s.style) == "bold reverse" for s in t.spans)]


async def test_the_tlb_marks_no_entry_of_the_running_process_for_the_focused_one():
    """The TLB caches the running process's translations: beside the child's walk the
    parent's entry for the same page is not marked as the address's, and the TLB says
    whose entries it holds."""
    async def check(app, pilot, m, pid, vaddr):
        vpn = vaddr >> PAGE_SHIFT
        assert any(e.vpn == vpn for *_, e in m.tlb.entries())     # the parent's entry is there
        walk = app.query_one(PageWalkPane)
        assert walk._cr3 == m.cr3_for(pid)
        assert walk._lines[0].plain.startswith(f"walk of {vaddr:#010x} ")
        assert str(walk.border_title).endswith(f"page tables of pid {pid}")
        assert _marked(walk._lines) == []
        assert _marked(tlb_lines(m.tlb, vaddr, (0, 0), 64))           # (it would be, in the parent)
        assert any(f"TLB of pid {m.current} (runs)" in t.plain for t in walk._lines)
        return walk.plain
    await at_focus_step("cow", check, "walk")
