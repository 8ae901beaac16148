"""Reading time: a step's autoplay time grows with its narration (en by words, zh by
characters), +/- scale it, the header shows that autoplay runs, and it stops at the end."""
from __future__ import annotations

from app.app import MmvizApp
from app.reading import MAX_SECONDS, MIN_SECONDS, SPEEDS, reading_seconds, step_seconds
from scenarios import Timeline, find_lesson


def test_reading_time_follows_the_text():
    short, long = "Free x.", " ".join(["word"] * 120)
    assert reading_seconds(short) == MIN_SECONDS
    assert reading_seconds(long) == round(3.0 + 120 / 3.0, 1)
    assert reading_seconds(long * 10) == MAX_SECONDS
    zh = "伙伴分配器把空闲内存按 2 的幂大小的块管理。" * 3
    assert MIN_SECONDS < reading_seconds(zh, "zh") < reading_seconds(zh * 3, "zh")
    assert reading_seconds(long, speed=2.0) == round(reading_seconds(long) / 2, 1)
    tl = Timeline(find_lesson("buddy"))
    times = []
    for _ in range(5):
        tl.step()
        times.append(step_seconds(tl, "en"))
    assert len(set(times)) > 1 and all(MIN_SECONDS <= t <= MAX_SECONDS for t in times)


async def test_play_indicator_and_speed_keys():
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("n")
        assert "▶" not in app.sub_title
        await pilot.press("space")
        await pilot.pause()
        assert app.playing and "▶ playing" in app.sub_title
        seconds = app._step_seconds()
        assert f"{seconds} s/step" in app.sub_title
        await pilot.press("plus")
        await pilot.pause()
        assert SPEEDS[app.speed] > 1.0 and app._step_seconds() < seconds
        await pilot.press("space")
        await pilot.pause()
        assert not app.playing and "▶" not in app.sub_title
        app.timeline.jump(len(app.timeline))
        await pilot.press("space")                   # at the end: nothing to play
        await pilot.pause()
        assert not app.playing
