"""SVG snapshots of the main screen at a fixed step, in English and in Chinese.

Update after an intended change: pytest tests/test_tui_snapshots.py --snapshot-update
"""
from __future__ import annotations

import pytest

pytest.importorskip("pytest_textual_snapshot")

from app.app import MmvizApp     # noqa: E402

STEP = 3


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch):
    from textual.widgets import Input
    monkeypatch.setattr(Input, "cursor_blink", False)


async def _to_step(pilot):
    pilot.app.animation_level = "none"
    for _ in range(STEP):
        await pilot.press("n")
    await pilot.pause()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_main_screen_at_step(snap_compare, lang):
    assert snap_compare(MmvizApp(lesson="memory-map", lang=lang), run_before=_to_step,
                        terminal_size=(200, 60))
