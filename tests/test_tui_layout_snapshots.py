"""SVG snapshots of every layout: compact (80x24), medium (100x30, 120x40), wide (160x48,
250x70), in English and Chinese, and the light theme.

Update after an intended change: pytest tests/test_tui_layout_snapshots.py --snapshot-update
"""
from __future__ import annotations

import pytest

pytest.importorskip("pytest_textual_snapshot")

from app.app import MmvizApp     # noqa: E402

SIZES = [(80, 24), (100, 30), (120, 40), (160, 48), (250, 70)]


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch):
    from textual.widgets import Input
    monkeypatch.setattr(Input, "cursor_blink", False)


async def _steps(pilot, n: int = 4):
    pilot.app.animation_level = "none"
    for _ in range(n):
        await pilot.press("n")
    await pilot.pause()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_layout_snapshot(snap_compare, size, lang):
    assert snap_compare(MmvizApp(lesson="buddy", lang=lang), run_before=_steps, terminal_size=size)


def test_light_theme_snapshot(snap_compare):
    async def light(pilot):
        pilot.app.theme = "textual-light"
        await _steps(pilot)
    assert snap_compare(MmvizApp(lesson="kmalloc-vmalloc"), run_before=light, terminal_size=(160, 48))


def test_projector_theme_snapshot(snap_compare):
    async def projector(pilot):
        pilot.app.theme = "projector"
        await _steps(pilot)
    assert snap_compare(MmvizApp(lesson="buddy"), run_before=projector, terminal_size=(120, 40))


def test_no_color_patterns_snapshot(snap_compare):
    async def patterns(pilot):
        await pilot.press("P")
        await _steps(pilot)
    assert snap_compare(MmvizApp(lesson="buddy"), run_before=patterns, terminal_size=(160, 48))
