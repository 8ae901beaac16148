"""Every bundled lesson step whose focus names a process: the panes show that process (its
VMAs in the virtual map, its mm_struct, its page tables in the walk, the frame behind a user
address in the selection line), whichever process runs at that step."""
from __future__ import annotations

import pytest

pytest.importorskip("textual")

from app.app import MmvizApp                              # noqa: E402
from engine.page_types import PAGE_SHIFT                  # noqa: E402
from scenarios import Timeline                            # noqa: E402
from scenarios.library import all_lessons, find_lesson    # noqa: E402
from widgets import LessonPane, MmStructPane, PageWalkPane, VirtualMap   # noqa: E402


def focus_steps(name: str) -> list[int]:
    """Positions (1-based) of the steps whose focus names a live process."""
    tl, out = Timeline(find_lesson(name)), []
    for i in range(len(tl)):
        r = tl.step()
        if r is not None and r.focus.get("process") in tl.machine.processes:
            out.append(i + 1)
    return out


LESSONS = [lesson.id for lesson in all_lessons() if any("process" in s.focus for s in lesson.steps)]


def test_the_lessons_name_processes_in_their_focus():
    assert {"fork-cow", "process-memory", "swap", "map-driver"} <= set(LESSONS)


@pytest.mark.parametrize("name", LESSONS)
async def test_each_step_focusing_a_process_shows_that_process(name):
    steps = focus_steps(name)
    assert steps
    app = MmvizApp(lesson=name)
    async with app.run_test(size=(120, 40)) as pilot:
        app.animation_level = "none"
        await pilot.pause()
        at = 0
        for n in steps:
            await pilot.press(*["right"] * (n - at))
            at = n
            await pilot.pause()
            m, focus = app.machine, app.timeline.current.focus
            pid, proc = focus["process"], m.processes[focus["process"]]
            labels = [label for *_, kind, label in app.query_one(VirtualMap).items if kind == "vma"]
            assert labels and all(label.endswith(f"pid {pid}") for label in labels), (n, labels)
            vaddr = focus.get("address")
            if isinstance(vaddr, int) and vaddr < m.layout.page_offset:
                lesson = app.query_one(LessonPane).plain.replace("\n", " ")
                assert f"address {vaddr:#010x} · in {proc.comm}[{pid}]" in lesson, n
                walk = m.walk(vaddr, pid=pid)
                if walk.paddr is not None:
                    assert f"pfn {walk.paddr >> PAGE_SHIFT:#x}" in lesson, n
                app.action_front("walk")
                await pilot.pause()
                assert app.query_one(PageWalkPane)._cr3 == proc.cr3, n
            app.action_front("mm")
            await pilot.pause()
            head = app.query_one(MmStructPane)._lines[0].plain
            assert head.startswith(f"task {proc.comm}[{pid}]"), (n, head)


@pytest.mark.parametrize("name", [lesson.id for lesson in all_lessons()])
def test_no_step_selects_a_user_address_with_no_live_process_to_read_it_in(name):
    """The selection a step leaves (its own focus, else the latest earlier one since the last
    boot step: app.app _lesson_selection) never names a user address when the process it is read in (the
    focus's process, else the one that runs) has exited: the walk would read it in
    swapper_pg_dir and show a kernel-mode fault that the lesson is not about."""
    tl = Timeline(find_lesson(name))
    latest: dict = {}
    for i in range(len(tl)):
        r = tl.step()
        if r is not None and any(v is not None for v in r.focus.values()):
            latest = r.focus
        elif r is not None and r.step.op.name == "boot":
            latest = {}                        # a new machine: nothing earlier is selected
        vaddr, m = latest.get("address"), tl.machine
        if isinstance(vaddr, int) and vaddr < m.layout.page_offset:
            pid = latest.get("process", m.current)
            assert pid in m.processes, (name, i + 1, hex(vaddr), pid)


async def test_a_boot_step_clears_the_earlier_machine_s_selection():
    """process-memory step 17 boots a 6.1 machine: step 16's address in pid 1 (which the new
    machine has not got) is no longer selected, forward or back."""
    tl = Timeline(find_lesson("process-memory"))
    boot = next(i for i, s in enumerate(tl.lesson.steps) if s.op.name == "boot" and i) + 1
    app = MmvizApp(lesson="process-memory")
    async with app.run_test(size=(120, 40)) as pilot:
        app.animation_level = "none"
        await pilot.pause()
        await pilot.press(*["right"] * (boot - 1))
        await pilot.pause()
        assert app.selection is not None and app.selection.kind == "address"
        await pilot.press("right")
        await pilot.pause()
        assert app.selection is None, app.selection
        await pilot.press("right", "left")
        await pilot.pause()
        assert app.selection is None, app.selection
