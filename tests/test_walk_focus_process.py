"""A step whose focus names a process and a user address (fork-cow: "the same address in the
child") has the page-walk pane walk that process's page tables, with its CR3 -- not the
process that happens to run (the parent)."""
from __future__ import annotations

import pytest

pytest.importorskip("textual")

from app.app import MmvizApp          # noqa: E402


async def test_the_walk_is_in_the_focused_process_forward_and_back():
    app = MmvizApp(lesson="fork-cow", ram="1G")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        seen = []
        for keys in (["right"] * 6, ["end", "home"] + ["right"] * 6):
            for key in keys:
                await pilot.press(key)
            await pilot.pause()
            m, focus = app.machine, app.timeline.current.focus
            child = focus["process"]
            assert child != m.current                            # the parent runs
            walk = app.query_one("#walk")
            assert walk._cr3 == m.cr3_for(child) != m.cr3_for(m.current)
            assert walk.walk.paddr == m.walk(focus["address"], pid=child).paddr
            seen.append((walk._cr3, walk.walk.paddr))
        assert seen[0] == seen[1]
