"""A recorded cast replayed through pyte: at each marker the screen is that marker's step;
steps last their reading time; the cursor comes back at the end; small sizes record the
smaller layouts."""
from __future__ import annotations

import json

import pytest

pyte = pytest.importorskip("pyte")

from app.reading import step_seconds          # noqa: E402
from app.record import SHOW_CURSOR, record_cast  # noqa: E402
from scenarios import Timeline, find_lesson    # noqa: E402


def _events(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    return json.loads(lines[0]), [json.loads(l) for l in lines[1:]]


def _screens_at_markers(path):
    """(marker label, time, screen text) for every marker, as a player pausing there shows it."""
    header, events = _events(path)
    screen = pyte.Screen(header["width"], header["height"])
    stream = pyte.Stream(screen)
    out = []
    for t, kind, data in events:
        if kind == "o":
            stream.feed(data)
        else:
            out.append((data, t, "\n".join(screen.display)))
    return header, out, screen


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
def test_each_marker_shows_its_step(tmp_path, size):
    out = tmp_path / "buddy.cast"
    n = record_cast("buddy", out, "en", size, progress=False)
    header, marks, screen = _screens_at_markers(out)
    assert len(marks) == n + 1
    tl = Timeline(find_lesson("buddy"))
    times = [t for _, t, _ in marks]
    for i, (label, t, text) in enumerate(marks):
        assert label.startswith(f"{i}: ")
        assert f"step {i}/{n}" in text, (i, text)
        if i:
            tl.jump(i)
            assert " ".join(tl.current.title("en").split()[:3]) in " ".join(text.split())
            assert times[i] - times[i - 1] == pytest.approx(step_seconds(_at(tl, i - 1), "en"), abs=0.01)
    assert len({round(b - a, 1) for a, b in zip(times, times[1:])}) > 1    # reading time varies
    assert not screen.cursor.hidden                                          # shown again at the end
    assert header["duration"] > times[-1]
    _, events = _events(out)
    assert events[-1][2].endswith(SHOW_CURSOR)


def _at(tl, i):
    tl.jump(i)
    return tl


def test_fixed_step_seconds_still_work(tmp_path):
    out = tmp_path / "fixed.cast"
    record_cast("buddy", out, "en", (120, 40), 2.0, progress=False)
    _, marks, _ = _screens_at_markers(out)
    times = [t for _, t, _ in marks]
    assert all(b - a == pytest.approx(2.0) for a, b in zip(times, times[1:]))
