"""This checkout's ``mmviz`` in a real terminal (tmux) at five sizes, from 80x24 to 250x70:
it starts, steps with keys, the step's whole narration can be brought on screen (J scrolls
the lesson), every pane on screen is at least its MIN_WIDTH wide, and nothing crashes."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(TMUX is None, reason="needs tmux")
SIZES = [(80, 24), (100, 30), (120, 40), (160, 48), (250, 70)]
TITLES = {"Virtual 4 GB": "vmap", "Physical memory": "physical", "Buddy": "buddy",
          "Page walk": "walk", "Slab": "slab", "Lesson": "lesson"}
BORDER = re.compile(r"╭[^╮╭]*╮")


def tmux(sock: str, *args: str) -> str:
    return subprocess.run([TMUX, "-L", sock, *args], capture_output=True, text=True,
                          timeout=10).stdout


def capture(sock: str) -> str:
    return tmux(sock, "capture-pane", "-p")


def wait_for(sock: str, *texts: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(sock)
        if all(t in screen for t in texts):
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{texts} not on screen:\n{screen}")


def pane_widths(screen: str) -> dict[str, int]:
    """Pane -> width, read from the rounded top borders ╭─ Title ──╮ on screen."""
    out: dict[str, int] = {}
    for line in screen.splitlines():
        for m in BORDER.finditer(line):
            for title, pane in TITLES.items():
                if title in m.group(0):
                    out[pane] = len(m.group(0))
    return out


def narration_on(screens: list[str], narration: str) -> bool:
    """Can the narration be read, in order, from lines seen on screen?  Each screen line is
    one wrapped line of a column; the words must chain through them."""
    lines = [" ".join(l.split()) for s in screens for l in s.splitlines()]
    words = narration.split()
    i = 0
    while i < len(words):
        for j in range(len(words), i, -1):
            chunk = " ".join(words[i:j])
            if any(chunk in line for line in lines):
                i = j
                break
        else:
            return False
    return True


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_size_in_tmux(size):
    from app.layout import min_widths
    from scenarios import Timeline, find_lesson
    w, h = size
    sock = f"mmviz-size-{os.getpid()}-{w}"
    env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    env.pop("NO_COLOR", None)
    cmd = [TMUX, "-L", sock, "-f", "/dev/null", "new-session", "-d", "-x", str(w), "-y", str(h),
           f"cd {ROOT} && {sys.executable} -m app.cli buddy --lang en --no-ask; sleep 30"]
    try:
        subprocess.run(cmd, env=env, capture_output=True, timeout=10, check=True)
        wait_for(sock, "step 0/")
        for _ in range(3):
            tmux(sock, "send-keys", "n")
        screen = wait_for(sock, "step 3/")
        tl = Timeline(find_lesson("buddy"))
        tl.jump(3)
        narration = " ".join(tl.current.narration("en").split())
        screens = [screen]
        for _ in range(12):
            if narration_on(screens, narration):
                break
            tmux(sock, "send-keys", "J")
            time.sleep(0.4)
            screens.append(capture(sock))
        assert narration_on(screens, narration), screens[-1]
        widths = pane_widths(screen)
        mins = min_widths()
        assert "lesson" in widths and len(widths) >= 2, screen
        if w >= 160:                      # the drawings (mm, fault) only when in front
            from app.layout import WIDE_PANES
            assert set(widths) == {"lesson", *WIDE_PANES}, screen
        for pane, width in widths.items():
            assert width >= mins[pane], (pane, width, screen)
        assert "Traceback" not in "".join(screens)
    finally:
        subprocess.run([TMUX, "-L", sock, "kill-server"], capture_output=True, timeout=10)
