"""The command palette's "Screenshot" saves where a folder exists and says where, en and zh.

Textual's palette entry calls ``deliver_screenshot()`` itself (not the screenshot action the
app had redirected), into ~/Downloads: where that folder is missing it said "Failed to save
screenshot".
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.app import MmvizApp
from app.config import Settings


@pytest.fixture
def no_downloads(tmp_path, monkeypatch):
    """A home without a Downloads folder; the current directory is ``tmp_path/work``."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return home, work


async def palette_screenshot(lang: str, size=(80, 24)) -> tuple[list[str], MmvizApp]:
    """Run "Screenshot" from the palette; the notifications shown after it."""
    app = MmvizApp(lesson="buddy", lang=lang, settings=Settings(Path("none")))
    app.ask_questions = False
    async with app.run_test(size=size) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in "截图" if lang == "zh" else "Screenshot":
            await pilot.press(ch)
        await pilot.pause(0.3)
        await pilot.press("enter")
        notes: list[str] = []
        for _ in range(60):
            await pilot.pause(0.05)
            notes = [str(n.message) for n in app._notifications]
            if notes:
                break
    return notes, app


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_palette_screenshot_saves_in_the_current_directory_and_says_where(lang, no_downloads):
    home, work = no_downloads
    notes, _ = await palette_screenshot(lang)
    shots = list(work.glob("*.svg"))
    assert len(shots) == 1 and "<svg" in shots[0].read_text(encoding="utf-8"), notes
    assert "https://" not in shots[0].read_text(encoding="utf-8").split("-->", 1)[1]   # no font from the web
    said = "截图已保存" if lang == "zh" else "screenshot saved"
    assert notes and said in notes[-1] and str(shots[0]) in notes[-1], notes
    assert not (home / "Downloads").exists()


async def test_an_unwritable_current_directory_saves_into_mmviz_data_folder(no_downloads, monkeypatch):
    home, work = no_downloads
    real_access = os.access
    monkeypatch.setattr("app.screenshot_ui.os.access",          # as for a user (root may write anywhere)
                        lambda path, mode: Path(path) != work and real_access(path, mode))
    notes, _ = await palette_screenshot("en", size=(120, 40))
    shots = list((home / ".local" / "share" / "mmviz" / "screenshots").glob("*.svg"))
    assert len(shots) == 1 and str(shots[0]) in notes[-1], notes
    assert not list(work.glob("*.svg"))
