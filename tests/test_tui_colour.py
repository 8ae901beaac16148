"""Colour you can trust: NO_COLOR runs (in tmux) and the physical map still tells free from
used frames by glyph; P turns the glyphs on with colour; the projector theme exists."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.app import MmvizApp
from widgets import PhysicalMapPane
from widgets.physmap import GLYPHS

TMUX = shutil.which("tmux")
ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"0x[0-9a-f]{7} (\S.*?)[│╮]")


@pytest.mark.skipif(TMUX is None, reason="needs tmux")
def test_no_color_in_tmux_tells_free_from_used():
    sock = f"mmviz-nocolor-{os.getpid()}"
    env = {**os.environ, "TERM": "xterm-256color", "NO_COLOR": "1"}
    cmd = [TMUX, "-L", sock, "-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "48",
           f"cd {ROOT} && {sys.executable} -m app.cli buddy --lang en --no-ask; echo EXIT=$?; sleep 30"]
    try:
        subprocess.run(cmd, env=env, capture_output=True, timeout=10, check=True)
        screen = ""
        for _ in range(100):
            screen = subprocess.run([TMUX, "-L", sock, "capture-pane", "-p"], capture_output=True,
                                    text=True, timeout=10).stdout
            if "step 0/" in screen:
                break
            time.sleep(0.2)
        subprocess.run([TMUX, "-L", sock, "send-keys", "n", "n", "n"], timeout=10)
        time.sleep(2)
        screen = subprocess.run([TMUX, "-L", sock, "capture-pane", "-p"], capture_output=True,
                                text=True, timeout=10).stdout
        assert "step 3/" in screen and "Traceback" not in screen and "EXIT=" not in screen, screen
        cells = "".join(m.group(1) for line in screen.splitlines() for m in ROW.finditer(line))
        used = {GLYPHS[n] for n in ("kernel", "mem_map", "bootmem", "pgtable", "pages")}
        free = {GLYPHS["free DMA"], GLYPHS["free Normal"]}
        assert used & set(cells), cells
        assert free & set(cells), cells
        assert "kk kernel" in screen                                   # the legend shows glyphs
    finally:
        subprocess.run([TMUX, "-L", sock, "kill-server"], capture_output=True, timeout=10)


async def test_patterns_key_and_projector_theme():
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(160, 48)) as pilot:
        pane = app.query_one(PhysicalMapPane)
        assert not pane.patterns
        await pilot.press("P")
        await pilot.pause()
        assert pane.patterns
        row = "".join(seg.text for seg in pane.render_line(1))
        assert set(row[10:]) & {"k", "m", "b", "t", "p"} and set(row[10:]) & {".", "-"}
        seen = {app.theme}
        for _ in range(6):
            await pilot.press("t")
            seen.add(app.theme)
        assert {"projector", "textual-light"} <= seen
