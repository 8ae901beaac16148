"""What reaches a real terminal after key presses equals the screen drawn whole.

The app repaints only what a press changed: the rows of a pane whose content changed, the
rows of a scroll bar whose thumb moved.  A row left out by mistake would stay stale in the
terminal while every in-process check (screenshots, snapshots) still passes: they draw from
the app's caches, not from what was written.  So the app runs in a pseudo-terminal, its
output is interpreted by a terminal emulator (pyte), and after presses forward, back,
re-reading and jumps the emulated screen must equal the one the app writes after a resize
away and back (every cell repainted).
"""
from __future__ import annotations

import os
import signal
import sys
import tempfile

import pytest

pyte = pytest.importorskip("pyte")

from bench.bench_press import KEYS, Terminal  # noqa: E402

SIZE = (200, 60)


def cells(screen) -> list[list[tuple]]:
    """Every cell of the emulated screen: character, colours and attributes."""
    return [[(c.data, c.fg, c.bg, c.bold, c.italics, c.underscore, c.reverse)
             for c in (screen.buffer[y][x] for x in range(screen.columns))]
            for y in range(screen.lines)]


def differing_rows(a: list, b: list, screen) -> list[str]:
    return [f"row {y}: {''.join(c[0] for c in a[y]).rstrip()!r} != {''.join(c[0] for c in b[y]).rstrip()!r}"
            for y in range(len(a)) if a[y] != b[y]]


class Emulated:
    """The app in a pty, its output fed to a pyte screen."""

    def __init__(self, argv: list[str]) -> None:
        env = {**os.environ, "TERM": "xterm-256color", "TEXTUAL_ANIMATIONS": "none",
               "XDG_CONFIG_HOME": tempfile.mkdtemp(prefix="mmviz-test-cfg-")}
        env.pop("TEXTUAL", None)
        env.pop("NO_COLOR", None)
        self.screen = pyte.Screen(*SIZE)
        self.stream = pyte.ByteStream(self.screen)
        self.term = Terminal(argv, env, os.getcwd(), feed=self.stream.feed)

    def settle(self, quiet: float = 0.25) -> None:
        self.term.read_until_quiet(quiet)

    def press(self, key: str) -> None:
        os.write(self.term.fd, KEYS[key])
        self.settle()

    def resize(self, width: int, height: int) -> None:
        import fcntl
        import struct
        import termios
        fcntl.ioctl(self.term.fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
        self.screen.resize(height, width)
        os.kill(self.term.pid, signal.SIGWINCH)
        self.settle(0.5)

    def full_repaint(self) -> list[list[tuple]]:
        """The screen after the app redrew every cell (a resize away and back)."""
        self.resize(SIZE[0] - 3, SIZE[1])
        self.resize(*SIZE)
        return cells(self.screen)


@pytest.mark.skipif(sys.platform != "linux", reason="pseudo-terminal of Linux")
@pytest.mark.parametrize("lesson, keys", [
    # boots (a new machine each), the mm_struct drawing in front and behind, back across them
    ("memory-map", ["right"] * 7 + ["left", "left", "right", "end", "left", "left", "home", "right"]),
    # long lesson text with a scroll bar, buddy blocks split and merged both ways
    ("process-memory", ["right"] * 6 + ["left", "right", "left", "left", "end", "left", "home"]),
])
def test_incremental_output_equals_a_full_repaint(lesson, keys):
    app = Emulated(["--no-ask", lesson])            # the lesson on its own machine
    try:
        app.term.wait_first_frame(0.25)
        app.settle()
        for i, key in enumerate(keys):
            app.press(key)
            if i % 4 == 3 or i == len(keys) - 1:
                shown = cells(app.screen)
                whole = app.full_repaint()
                bad = differing_rows(shown, whole, app.screen)
                assert not bad, f"after press {i} ({key}): " + "; ".join(bad[:3])
    finally:
        app.term.close()
