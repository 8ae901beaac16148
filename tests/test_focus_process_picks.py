"""What the user picks stays in the process on screen: at fork-cow's "the child's maps" (the
focus names the child; the parent runs) an address picked in the virtual map (] / [, a
click, Enter) or typed after g is an address of the child, whose VMAs the map drew; a command
typed at ':' that maps memory in a process selects the new address in that process."""
from __future__ import annotations

import pytest

pytest.importorskip("textual")

from app.app import MmvizApp                              # noqa: E402
from widgets import MmStructPane, VirtualMap               # noqa: E402

CHILD_STEP = 7          # fork-cow: focus = { process = "c" }, the parent runs


async def _at_child_step(pilot, app) -> int:
    app.animation_level = "none"
    await pilot.pause()
    await pilot.press(*["right"] * CHILD_STEP)
    await pilot.pause()
    m, focus = app.machine, app.timeline.current.focus
    assert focus["process"] != m.current in m.processes
    return focus["process"]


def _shown_vmas(app) -> list:
    return [(s, e) for s, e, kind, _ in app.query_one(VirtualMap).items if kind == "vma"]


def _vmas(m, pid: int) -> list:
    return [(v.start, v.end) for v in m.processes[pid].vmas]


async def _still_in(app, pilot, child: int, vaddr: int) -> None:
    m = app.machine
    assert app.selection.kind == "address" and app.selection.value == vaddr
    assert app.selection.pid == child
    assert _shown_vmas(app) == _vmas(m, child)
    assert all(lbl.endswith(f"pid {child}") for *_, kind, lbl in app.query_one(VirtualMap).items
               if kind == "vma")
    app.action_front("mm")
    await pilot.pause()
    assert app.query_one(MmStructPane)._lines[0].plain.startswith(f"task example[{child}]")


@pytest.mark.parametrize("presses", [1, 2])
async def test_a_vma_picked_in_the_virtual_map_is_the_drawn_process_s(presses):
    """] selects the lowest item (the child's first VMA), ] again the next one."""
    app = MmvizApp(lesson="fork-cow", ram="1G")
    async with app.run_test(size=(120, 40)) as pilot:
        child = await _at_child_step(pilot, app)
        app.action_front("vmap")
        await pilot.pause()
        await pilot.press(*["right_square_bracket"] * presses)
        await pilot.pause()
        starts = [s for s, _ in _vmas(app.machine, child)]
        assert app.selection.value == starts[presses - 1]
        await _still_in(app, pilot, child, app.selection.value)


async def test_a_row_picked_in_the_virtual_map_is_in_the_drawn_process():
    app = MmvizApp(lesson="fork-cow", ram="1G")
    async with app.run_test(size=(120, 40)) as pilot:
        child = await _at_child_step(pilot, app)
        app.action_front("vmap")
        await pilot.pause()
        vmap = app.query_one(VirtualMap)
        vmap.view_start, vmap.view_span = 0x08000000, 0x00400000      # the program's first 4 MB
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        lo, _ = vmap.row_range(vmap.rows // 2)
        await _still_in(app, pilot, child, lo)


async def test_an_address_typed_after_g_is_in_the_process_on_screen():
    app = MmvizApp(lesson="fork-cow", ram="1G")
    async with app.run_test(size=(120, 40)) as pilot:
        child = await _at_child_step(pilot, app)
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one("#goto-input").value = "0x0804b000"
        await pilot.press("enter")
        await pilot.pause()
        await _still_in(app, pilot, child, 0x0804B000)


async def test_a_typed_mmap_selects_the_new_address_in_its_process():
    app = MmvizApp(lesson="fork-cow", ram="1G")
    async with app.run_test(size=(120, 40)) as pilot:
        child = await _at_child_step(pilot, app)
        await pilot.press("colon")
        app.query_one("#command-input").value = f"mmap pid={child} length=8K"
        await pilot.press("enter")
        await pilot.pause()
        m, focus = app.machine, app.timeline.current.focus
        assert focus == {"address": focus["address"], "process": child} and m.current != child
        assert m.processes[child].mm.find_vma(focus["address"]).start == focus["address"]
        assert m.processes[m.current].mm.find_vma(focus["address"]) is None or \
            m.processes[m.current].mm.find_vma(focus["address"]).start != focus["address"]
        await _still_in(app, pilot, child, focus["address"])


@pytest.mark.parametrize("op", ["walk 0x0804b000", "access 0x0804b000 kind=write",
                                "read_virt 0x0804b000 length=4"])
@pytest.mark.parametrize("whose", ["child", "parent"])
async def test_a_typed_walk_or_access_selects_its_address_in_the_pid_it_names(op, whose):
    """The panes show the address the command named, in the process its pid= names --
    also the running parent's, though the lesson's focus named the child."""
    app = MmvizApp(lesson="fork-cow", ram="1G")
    async with app.run_test(size=(120, 40)) as pilot:
        child = await _at_child_step(pilot, app)
        pid = child if whose == "child" else app.machine.current
        await pilot.press("colon")
        app.query_one("#command-input").value = f"{op} pid={pid}"
        await pilot.press("enter")
        await pilot.pause()
        assert app.timeline.current.error is None, app.timeline.current.error
        await _still_in(app, pilot, pid, 0x0804B000)
