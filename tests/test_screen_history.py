"""Step N's screen is the same, cell for cell and style for style, however it was reached:
stepping forward from the start, or End then back: at 200x60 (a walk step leaves the middle
column as the step before chose it), at 120x40 and at 80x24.  At 120x40 and 80x24 the step
picks the panes in front, so a pane lit (focused) before could stay lit after a step that a
jump never lit: the focus is the lesson's unless the user gives it to a pane, and a step that
hides that pane gives it back to the lesson.  The command line, closed, gives the focus back
as well."""
from __future__ import annotations

import pytest

pytest.importorskip("textual")

from app.app import MmvizApp                 # noqa: E402
from app.settle import settle                # noqa: E402
from scenarios import all_lessons, find_lesson            # noqa: E402


def cells(app) -> list[list[tuple[str, str]]]:
    return [[(ch, str(seg.style)) for seg in strip for ch in seg.text]
            for strip in app.screen._compositor.render_strips()]


async def _both_ways(lesson: str, size: tuple[int, int]) -> tuple[list, list]:
    """The screens of every step stepping forward from the start, and stepping back from End."""
    n = len(find_lesson(lesson))
    app = MmvizApp(lesson=lesson, ram="1G")
    app.animation_level = "none"

    async def screens(first: tuple[str, ...], key: str) -> list:
        await pilot.press(*first)
        await settle(pilot)
        out = [cells(app)]
        for _ in range(n):
            await pilot.press(key)
            await settle(pilot)
            out.append(cells(app))
        return out
    async with app.run_test(size=size) as pilot:
        forward = await screens((), "right")
        back = await screens(("home", "end"), "left")
    return forward, back[::-1]


@pytest.mark.parametrize("size", [(200, 60), (120, 40), (80, 24)])
@pytest.mark.parametrize("lesson", [les.id for les in all_lessons()])
async def test_a_step_looks_the_same_forward_and_back(lesson, size):
    forward, back = await _both_ways(lesson, size)
    assert len(forward) == len(back)
    bad = [i for i, (f, b) in enumerate(zip(forward, back)) if f != b]
    assert not bad, (f"{lesson} at {size}: steps {bad} differ between forward and End-then-back; "
                     f"step {bad[0]}: {_first_difference(forward[bad[0]], back[bad[0]])}")


def _first_difference(one: list, other: list) -> str:
    for row, (a, b) in enumerate(zip(one, other)):
        if a != b:
            col = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            return (f"row {row} col {col}: {a[col:col + 1]} / {b[col:col + 1]}\n"
                    + "".join(c for c, _ in a) + "\n" + "".join(c for c, _ in b))
    return f"{len(one)} / {len(other)} rows"


async def test_the_lesson_has_the_focus_until_the_user_moves_it():
    app = MmvizApp(lesson="fork-cow", ram="1G")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.focused is app.query_one("#lesson")
        await pilot.press("tab")                 # the user's pick: kept while it is shown
        await settle(pilot)
        picked = app.focused
        assert picked is not app.query_one("#lesson")
        hidden_at = None
        for step in range(1, len(find_lesson("fork-cow")) + 1):
            await pilot.press("right")
            await settle(pilot)
            if picked.has_class("-hidden"):
                hidden_at = step
                break
            assert app.focused is picked
        assert hidden_at is not None
        assert app.focused is app.query_one("#lesson")


async def test_the_command_line_gives_the_focus_back():
    app = MmvizApp(lesson="fork-cow", ram="1G")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pilot.press("right")
        await pilot.press("colon")
        await settle(pilot)
        assert app.focused is not app.query_one("#lesson")
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is app.query_one("#lesson")
        shown = app.query_one("#physical") if not app.query_one("#physical").has_class("-hidden") \
            else app.query_one("#vmap")
        shown.focus()
        await pilot.press("colon", "escape")
        await settle(pilot)
        assert app.focused is shown


async def _screens_in_zh(lesson: str, size: tuple[int, int], switched: bool) -> list:
    """Every step's screen in Chinese: started in Chinese, or in English with L pressed at the
    step (and again after it, so each step is reached in English)."""
    n = len(find_lesson(lesson))
    app = MmvizApp(lesson=lesson, ram="1G", lang="en" if switched else "zh")
    app.animation_level = "none"
    out = []
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for k in range(n + 1):
            if k:
                await pilot.press("right")
            if switched:
                await pilot.press("L")
            await settle(pilot)
            app.clear_notifications()            # "language: 中文" is said only when switched
            await settle(pilot)
            out.append(cells(app))
            if switched:
                await pilot.press("L")
    return out


@pytest.mark.parametrize("lesson", ["memory-map", "buddy", "process-memory"])
async def test_a_language_switched_at_a_step_gives_the_screen_started_in_it(lesson):
    switched = await _screens_in_zh(lesson, (120, 40), True)
    started = await _screens_in_zh(lesson, (120, 40), False)
    bad = [i for i, (a, b) in enumerate(zip(switched, started)) if a != b]
    assert not bad, (f"{lesson}: steps {bad} differ when switched to Chinese at the step; step "
                     f"{bad[0]}: {_first_difference(switched[bad[0]], started[bad[0]])}")


async def _screens_at(lesson: str, size: tuple[int, int], resized_from: tuple[int, int] | None) -> list:
    """Every step's screen at ``size``: started at it, or at ``resized_from`` with the terminal
    resized to ``size`` at the step (and back after it)."""
    n = len(find_lesson(lesson))
    app = MmvizApp(lesson=lesson, ram="1G")
    app.animation_level = "none"
    out = []
    async with app.run_test(size=resized_from or size) as pilot:
        await settle(pilot)
        for k in range(n + 1):
            if k:
                await pilot.press("right")
            if resized_from:
                await pilot.resize_terminal(*size)
            await settle(pilot)
            await settle(pilot)
            app.clear_notifications()            # a layout's notice is said only when resized
            await settle(pilot)
            out.append(cells(app))
            if resized_from:
                await pilot.resize_terminal(*resized_from)
    return out


@pytest.mark.parametrize("lesson", ["fork-cow", "page-walk"])
async def test_a_terminal_resized_at_a_step_gives_the_screen_started_at_that_size(lesson):
    """A projector's window resized mid-lesson: each step at 200x60 is what it is when the
    app started at 200x60 (the layout, the panes in front, the wrapping, the scroll)."""
    resized = await _screens_at(lesson, (200, 60), (80, 24))
    started = await _screens_at(lesson, (200, 60), None)
    bad = [i for i, (a, b) in enumerate(zip(resized, started)) if a != b]
    assert not bad, (f"{lesson}: steps {bad} differ when resized from 80x24 at the step; step "
                     f"{bad[0]}: {_first_difference(resized[bad[0]], started[bad[0]])}")
