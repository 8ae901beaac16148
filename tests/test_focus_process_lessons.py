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
