"""The real ``mmviz`` command in a real terminal (tmux, 200×60), driven with keys."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scenarios.library import find_lesson
from scenarios.timeline import Timeline

TMUX = shutil.which("tmux")
MMVIZ = Path(sys.executable).with_name("mmviz")
pytestmark = pytest.mark.skipif(TMUX is None or not MMVIZ.exists(), reason="needs tmux and mmviz")


def tmux(sock: str, *args: str) -> str:
    return subprocess.run([TMUX, "-L", sock, *args], capture_output=True, text=True,
                          timeout=10).stdout


def wait_for(sock: str, *texts: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux(sock, "capture-pane", "-p")
        if all(t in screen for t in texts):
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{texts} not on screen:\n{screen}")


@pytest.fixture
def terminal():
    sock = f"mmviz-test-{os.getpid()}"
    env = {**os.environ, "TERM": "xterm-256color"}
    cmd = [TMUX, "-L", sock, "-f", "/dev/null", "new-session", "-d", "-x", "200", "-y", "60",
           f"{MMVIZ} run memory-map --no-ask"]
    for _ in range(2):                       # retry new-session once
        if subprocess.run(cmd, env=env, capture_output=True, timeout=10).returncode == 0:
            break
        time.sleep(0.5)
    yield sock
    subprocess.run([TMUX, "-L", sock, "kill-server"], capture_output=True, timeout=10)


def test_mmviz_steps_a_lesson_in_tmux(terminal):
    steps = len(find_lesson("memory-map"))   # the lesson's own count, not a literal
    wait_for(terminal, f"step 0/{steps}", "4 GB of virtual addresses", "user 00000000")
    tmux(terminal, "send-keys", "n")
    wait_for(terminal, "step 1/", "0xc0000000", "Every process sees 4 GB")
    tmux(terminal, "send-keys", "n", "n")
    tl = Timeline(find_lesson("memory-map"))
    tl.jump(3)
    page = f"{tl.current.value:#010x}"        # what the engine gives; the screen must show it
    screen = wait_for(terminal, "step 3/", page, "__get_free_pages() takes a frame")
    assert "Buddy allocator" in screen and "Physical memory" in screen
    tmux(terminal, "send-keys", "p")
    wait_for(terminal, "step 2/", "The direct map is an offset")
