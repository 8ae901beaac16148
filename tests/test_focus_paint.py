"""A focus move (Tab, a pane's key, a step that hides the focused pane) repaints what its
restyle changed -- the two panes' borders -- never the whole screen: Textual's
Screen.focused is a reactive that repaints it all (~16 ms a move at 200x60)."""
from __future__ import annotations

import pytest

pytest.importorskip("textual")

from app.app import MmvizApp                 # noqa: E402


def cells(app) -> list[list[tuple[str, str]]]:
    return [[(ch, str(seg.style)) for seg in strip for ch in seg.text]
            for strip in app.screen._compositor.render_strips()]


async def test_a_focus_move_paints_the_two_panes_not_the_screen(monkeypatch):
    from textual._compositor import Compositor
    full = []
    render_full = Compositor.render_full_update
    monkeypatch.setattr(Compositor, "render_full_update",
                        lambda self, *a, **kw: (full.append(1), render_full(self, *a, **kw))[1])
    app = MmvizApp(lesson="fork-cow", ram="1G")
    app.ask_questions = False
    app.animation_level = "none"
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        full.clear()
        moved = 0
        for key in ["tab"] * 4 + ["right"] * 3 + ["tab", "3", "tab", "1", "left"]:
            before = app.focused
            await pilot.press(key)
            await pilot.pause()
            moved += app.focused is not before
        assert moved >= 6 and not full, (moved, len(full))


@pytest.mark.parametrize("lesson, size", [("fork-cow", (200, 60)), ("process-memory", (120, 40))])
async def test_a_focus_move_shows_what_a_whole_restyle_shows(lesson, size):
    """After each focus move and step the screen equals the screen restyled and repainted
    whole, and no style of the app depends on where the focus is within (``:focus-within``
    would restyle the panes' ancestors, which a focus move does not repaint)."""
    import inspect
    from pathlib import Path
    import app.app as app_module
    import widgets
    sources = [Path(app_module.__file__).with_name("mmviz.tcss").read_text()]
    sources += [obj.DEFAULT_CSS for obj in vars(widgets).values()
                if inspect.isclass(obj) and isinstance(getattr(obj, "DEFAULT_CSS", None), str)]
    assert not [s for s in sources if "focus-within" in s]
    app = MmvizApp(lesson=lesson, ram="1G")
    app.ask_questions = False
    app.animation_level = "none"
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for key in ["tab", "right", "tab", "right", "right", "tab", "left", "2", "right", "tab"]:
            await pilot.press(key)
            await pilot.pause()
            before = cells(app)
            app.stylesheet.update(app.screen)
            app.screen.refresh()
            await pilot.pause()
            after = cells(app)
            assert before == after, (app.timeline.position, key)
