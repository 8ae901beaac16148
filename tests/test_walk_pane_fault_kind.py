"""The page-walk pane walks the selected address as the step's access made it: page-walk's
protection faults (a kernel write to read-only code, code 3; a user read of a kernel page,
code 5; an instruction fetch from an NX page, code 0x11) showed a read's translation, a frame
and an offset, for an access that faulted."""
from __future__ import annotations

import pytest

pytest.importorskip("textual")

from app.app import MmvizApp          # noqa: E402
from widgets.walk import faulted_accesses   # noqa: E402
from engine.mmu_events import PageFault     # noqa: E402


def test_the_error_code_gives_the_access_back():
    evs = [PageFault(0xc0100000, 3, "x"), PageFault(0xbffde000, 6, "y"), PageFault(0xc2345678, 0x11, "z")]
    assert faulted_accesses(evs) == {0xc0100: ("write", False), 0xbffde: ("write", True), 0xc2345: ("exec", False)}


@pytest.mark.parametrize("step, code", [(14, "0x3"), (15, "0x5"), (21, "0x11")])
async def test_a_protection_fault_step_shows_its_fault(step, code):
    app = MmvizApp(lesson="page-walk")
    app.ask_questions = False
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        for keys in (["right"] * step, ["end"] + ["left"] * (22 - step)):
            await pilot.press("home", *keys)
            await pilot.pause()
            walk = app.query_one("#walk")
            walk.finish_animation()
            assert walk.walk.fault is not None and f"{walk.walk.fault.error_code:#x}" == code
            assert walk.walk.paddr is None
