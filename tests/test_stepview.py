"""The screen is a function of the step: step N looks the same however the app got there.

`mmviz record L --svg DIR --step N` (a fresh app that jumps to N) must give the very bytes of
frame N of the whole lesson recorded step by step (160x48); and in one running app, End, Home,
back-steps and a lesson switch must land on those same frames.  The default run checks a
representative set of steps (jumps across boots, stress steps, faults, swap); ``-m slow``
checks every step of every lesson.
"""
from __future__ import annotations

import os

import pytest

from app.record import record_svg
from app.settle import settle
from scenarios import all_lessons

SIZE = (160, 48)
_WHOLE: dict[tuple[str, str], list[bytes]] = {}

# lesson -> steps: jumps over boots, stress repeats, vmalloc frames, faults, swap, the ends
REPRESENTATIVE = {
    "kmalloc-vmalloc": (2, 8, 13),
    "zones-gfp": (11, 13),
    "memory-map": (4, 12),
    "page-walk": (17, 19),
    "swap": (7,),
}


def whole(lesson: str, tmp_path_factory, lang: str = "en") -> list[bytes]:
    """Every frame of the lesson recorded step by step (cached per test session)."""
    key = (lesson, lang)
    if key not in _WHOLE:
        d = tmp_path_factory.mktemp(f"whole-{lesson}-{lang}")
        _WHOLE[key] = [p.read_bytes() for p in record_svg(lesson, d, lang, SIZE, progress=False)]
    return _WHOLE[key]


def one(lesson: str, n: int, tmp_path, lang: str = "en") -> bytes:
    """What ``mmviz record LESSON --svg DIR --step N`` writes."""
    (path,) = record_svg(lesson, tmp_path / f"{lesson}-{n}", lang, SIZE, only=n, progress=False)
    return path.read_bytes()


@pytest.mark.parametrize("lesson", sorted(REPRESENTATIVE))
def test_record_step_n_is_frame_n_of_the_whole_lesson(lesson, tmp_path, tmp_path_factory):
    frames = whole(lesson, tmp_path_factory)
    for n in REPRESENTATIVE[lesson]:
        assert one(lesson, n, tmp_path) == frames[n], f"{lesson} step {n} differs"


@pytest.mark.slow
@pytest.mark.parametrize("lesson", [les.id for les in all_lessons()])
def test_every_step_of_every_lesson(lesson, tmp_path, tmp_path_factory, request):
    if "slow" not in (request.config.getoption("-m") or "").replace("not slow", ""):
        pytest.skip("exhaustive: run with  pytest -m slow tests/test_stepview.py")
    frames = whole(lesson, tmp_path_factory)
    bad = [n for n in range(len(frames)) if one(lesson, n, tmp_path) != frames[n]]
    assert not bad, f"{lesson}: steps {bad} differ from the step-by-step recording"


async def test_end_home_back_and_lesson_switch_land_on_the_recorded_frames(tmp_path_factory):
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    from app.app import MmvizApp
    from app.svgcast import still_svg
    from scenarios import find_lesson
    kv, zg = whole("kmalloc-vmalloc", tmp_path_factory), whole("zones-gfp", tmp_path_factory)
    app = MmvizApp(lesson="kmalloc-vmalloc")
    async with app.run_test(size=SIZE) as pilot:
        app.animation_level = "none"

        async def shot(n: int) -> bytes:
            await settle(pilot)
            return still_svg(app, f"mmviz — step {n}").encode("utf-8")   # as record_svg writes

        await pilot.press("n", "n")
        assert await shot(2) == kv[2]
        await pilot.press("end")
        assert await shot(13) == kv[13]
        await pilot.press("p", "p", "p", "p", "p")
        assert await shot(8) == kv[8]
        await pilot.press("home")
        assert await shot(0) == kv[0]
        await pilot.press("end", "p")
        assert await shot(12) == kv[12]
        app._open_lesson(find_lesson("zones-gfp"))
        assert await shot(0) == zg[0]
        n = len(find_lesson("zones-gfp"))
        await pilot.press("end")
        assert await shot(n) == zg[n]
        await pilot.press("p", "p")
        assert await shot(n - 2) == zg[n - 2]


@pytest.mark.parametrize("lesson", ["buddy", "memory-map"])
def test_back_presses_land_on_the_recorded_frames_of_every_step(lesson, tmp_path_factory):
    """Panes keep what they drew by content (the buddy pane's zone blocks, the steps' frame
    ranges, the physical map's cells of a machine left by a boot step): going back one press
    at a time from the end must give each step's own frame (memory-map: back across its
    boot steps, to the machines drawn before)."""
    import asyncio
    asyncio.run(_back_from_the_end(lesson, whole(lesson, tmp_path_factory)))


async def _back_from_the_end(lesson: str, frames: list[bytes]) -> None:
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    from app.app import MmvizApp
    from app.svgcast import still_svg
    app = MmvizApp(lesson=lesson)
    async with app.run_test(size=SIZE) as pilot:
        app.animation_level = "none"
        await pilot.press("end")
        for n in range(len(frames) - 1, -1, -1):
            await settle(pilot)
            assert still_svg(app, f"mmviz — step {n}").encode("utf-8") == frames[n], f"step {n}"
            await pilot.press("p")


@pytest.mark.parametrize("lesson", ["fork-cow", "process-memory"])
def test_re_reading_back_and_forth_lands_on_the_recorded_frames(lesson, tmp_path_factory):
    """Panes keep styled rows by their content and skip drawings kept behind other panes
    (widgets.linecache, DRAW_WHEN_SHOWN): every step forward, then back to the start
    re-reading each step (left, left, right) -- the drawings (mm_struct, the fault path)
    come in front and go behind again -- and each press must give that step's own frame."""
    import asyncio
    asyncio.run(_re_read(lesson, whole(lesson, tmp_path_factory)))


async def _re_read(lesson: str, frames: list[bytes]) -> None:
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    from app.app import MmvizApp
    from app.svgcast import still_svg
    n = len(frames) - 1
    keys = ["n"] * n
    for pos in range(n, 0, -1):
        keys += ["p", "p", "n"] if pos > 1 else ["p"]
    app = MmvizApp(lesson=lesson)
    async with app.run_test(size=SIZE) as pilot:
        app.animation_level = "none"
        for i, key in enumerate(keys):
            await pilot.press(key)
            await settle(pilot)
            at = app.timeline.position
            assert still_svg(app, f"mmviz — step {at}").encode("utf-8") == frames[at], \
                f"press {i} ({key}): step {at}"
