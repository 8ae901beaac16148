"""→ at the last step says so and what comes next (it did nothing, silently: review F20); the
lesson picker opens on the lesson that is open."""
from __future__ import annotations

from app.app import MmvizApp
from app.settle import settle
from scenarios import all_lessons


def _notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _notes_after(app, *keys: str) -> list[str]:
    """The notifications after pressing ``keys`` (the position must not move past the end)."""
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("end")
        await settle(pilot)
        position = app.timeline.position
        await pilot.press(*keys)
        await settle(pilot)
        assert app.timeline.position == position
        return _notes(app)


async def test_the_last_step_names_the_next_lesson():
    lessons = all_lessons()
    notes = await _notes_after(MmvizApp(lesson=lessons[0].id), "right")
    assert any(lessons[1].title_in("en") in n for n in notes), notes


async def test_the_last_lesson_and_an_exploration_say_what_to_do():
    notes = await _notes_after(MmvizApp(lesson=all_lessons()[-1].id, lang="zh"), "right")
    assert any("最后一个课程" in n for n in notes), notes
    notes = await _notes_after(MmvizApp(ram="64M"), "right")
    assert any("adds one" in n for n in notes), notes


async def test_the_picker_opens_on_the_open_lesson():
    lessons = all_lessons()
    app = MmvizApp(lesson=lessons[4].id)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("l")
        await settle(pilot)
        options = app.screen.query_one("#lesson-options")
        assert options.highlighted == 4
        await pilot.press("escape")


async def test_picking_the_open_lesson_keeps_its_step():
    """l + Enter on the open lesson (where the picker opens) restarted it at step 0, silently."""
    app = MmvizApp(lesson="buddy")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right", "right", "right")
        await settle(pilot)
        machine, position = app.timeline.machine, app.timeline.position
        await pilot.press("l", "enter")
        await settle(pilot)
        assert app.timeline.position == position == 3 and app.timeline.machine is machine
        assert any("already open, at step 3/" in n for n in _notes(app)), _notes(app)


async def test_leaving_an_exploration_by_the_picker_says_what_goes():
    """The typed steps of a branch (or a free exploration) are dropped when another lesson
    opens: the user is told how many, never silently."""
    for lang, said in (("en", "its 2 typed step(s) are gone"), ("zh", "输入的 2 步不再保留")):
        app = MmvizApp(lesson="buddy", lang=lang)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("right")
            for command in ("kmalloc 100", "kmalloc 200"):
                await pilot.press("colon", *command, "enter")
                await settle(pilot)
            assert app.lesson_timeline is not None and len(app.timeline) == 3
            await pilot.press("escape", "l", "enter")
            await settle(pilot)
            assert app.lesson_timeline is None and app.timeline.position == 0
            assert any(said in n for n in _notes(app)), _notes(app)
