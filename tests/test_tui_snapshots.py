"""SVG snapshots of the main screen and of each pane at a fixed step, in English and in Chinese.

Update after an intended change: pytest tests/test_tui_snapshots.py --snapshot-update
"""
from __future__ import annotations

import pytest

pytest.importorskip("pytest_textual_snapshot")

from app.app import MmvizApp     # noqa: E402

STEP = 3
PANES = ("vmap", "physical", "buddy", "lesson", "walk", "slab")


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch):
    from textual.widgets import Input
    monkeypatch.setattr(Input, "cursor_blink", False)


async def _to_step(pilot):
    pilot.app.animation_level = "none"
    for _ in range(STEP):
        await pilot.press("n")
    await pilot.pause()


def _maximized(pane_id: str):
    async def run_before(pilot):
        await _to_step(pilot)
        if pane_id != "lesson":
            pilot.app.action_front(pane_id)      # medium layout: bring it on screen first
        await pilot.pause()
        pilot.app.screen.maximize(pilot.app.query_one(f"#{pane_id}"))
        await pilot.pause()
    return run_before


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_main_screen_at_step(snap_compare, lang):
    assert snap_compare(MmvizApp(lesson="memory-map", lang=lang), run_before=_to_step,
                        terminal_size=(200, 60))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("pane", ["mm", "fault"])
def test_drawing_at_step(snap_compare, pane, lang):
    """The mm_struct -> VMA view and the page-fault flow at process-memory's 2.6.24 read of
    untouched anonymous memory (step 14)."""
    async def run_before(pilot):
        pilot.app.animation_level = "none"
        pilot.app.timeline.jump(14)
        pilot.app._after_move()
        pilot.app.action_front(pane)
        await pilot.pause()
        pilot.app.screen.maximize(pilot.app.query_one(f"#{pane}"))
        await pilot.pause()
    assert snap_compare(MmvizApp(lesson="process-memory", lang=lang), run_before=run_before,
                        terminal_size=(120, 40))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("pane", PANES)
def test_pane_at_step(snap_compare, pane, lang):
    assert snap_compare(MmvizApp(lesson="memory-map", lang=lang), run_before=_maximized(pane),
                        terminal_size=(120, 40))
