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


def test_a_still_frame_fetches_nothing_from_the_web(tmp_path):
    """`record --svg` frames named Fira Code's web files in their @font-face (a browser fetched
    them from cdnjs to show the picture); the installed font or monospace draws them now."""
    from app.record import record_svg
    (path,) = record_svg("buddy", tmp_path, "en", (100, 30), only=2, progress=False)
    text = path.read_text(encoding="utf-8")
    assert "@font-face" in text and 'local("FiraCode-Regular")' in text
    assert "url(" not in text.split("<style>", 1)[1].split("</style>", 1)[0].replace("url(#", "")
