"""The lesson's keys mean the same whichever pane has the focus: left/right step, Home/End go
to the lesson's ends, and the footer names the arrows.  (Text panes inherited Textual's
scrolling keys: with a long pane focused, End scrolled it instead of going to the last step,
and after a question closed the footer read "n Step p Back".)"""
from __future__ import annotations

import pytest

from app.app import MmvizApp

APP_KEYS = {"right": "step", "left": "back", "home": "jump_start", "end": "jump_end",
            "space": "toggle_play"}


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_app_keys_whatever_is_focused(size):
    app = MmvizApp(lesson="process-memory")
    app.ask_questions = False
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        focusable = [w for w in app.screen.focus_chain]
        assert len(focusable) >= 2
        for widget in focusable:
            widget.focus()
            await pilot.pause()
            bindings = app.screen.active_bindings
            for key, action in APP_KEYS.items():
                node, binding = bindings[key][0], bindings[key][1]
                assert (node, binding.action) == (app, action), (widget, key, binding.action)


async def test_end_from_a_long_focused_pane_goes_to_the_last_step():
    app = MmvizApp(lesson="process-memory")
    app.ask_questions = False
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lesson = app.screen.query_one("#lesson")
        lesson.focus()
        await pilot.pause()
        assert lesson.max_scroll_y > 0 or lesson.virtual_size.height > lesson.size.height
        await pilot.press("end")
        await pilot.pause()
        assert app.timeline.position == len(app.timeline)
