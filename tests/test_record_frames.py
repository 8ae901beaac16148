"""A recording writes only the rows a step changed: replayed in order, every frame must be
the very screen a full render of that step gives (characters and their colours), forward
through a lesson with a boot step and back again."""
from __future__ import annotations

import asyncio

import pytest

pyte = pytest.importorskip("pyte")

from app.record import Frames, _play, render_ansi  # noqa: E402

SIZE = (120, 40)


def cells(screen: "pyte.Screen") -> list[list[tuple]]:
    return [[(c.data, c.fg, c.bg, c.bold, c.italics, c.underscore, c.reverse)
             for c in (screen.buffer[y][x] for x in range(screen.columns))]
            for y in range(screen.lines)]


@pytest.mark.parametrize("lesson", ["memory-map", "buddy"])
def test_changed_rows_replay_to_the_full_frames(lesson):
    delta, full = pyte.Screen(*SIZE), pyte.Screen(*SIZE)
    delta_in, full_in = pyte.Stream(delta), pyte.Stream(full)
    frames = Frames()
    sizes: list[int] = []
    checked: list[int] = []

    def on_frame(app, i):
        out = frames.next(app)
        sizes.append(len(out))
        delta_in.feed(out)
        full.reset()
        full_in.feed(render_ansi(app))
        assert cells(delta) == cells(full), f"{lesson}: frame {i} differs"
        checked.append(i)

    total = asyncio.run(_play(lesson, "en", SIZE, on_frame))
    assert checked == list(range(total + 1))
    later = sorted(sizes[1:])
    assert later[len(later) // 2] < sizes[0] / 2      # most steps write a part of the screen
