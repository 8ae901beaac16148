"""The lesson picker on a narrow terminal: an entry's wrapped lines start under its title, not
at the number's column (at 80 columns each entry's second line began at column 0)."""
from __future__ import annotations

import pytest

from app.app import MmvizApp
from tests.test_authoring import rendered


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_wrapped_entries_hang_under_the_title(lang):
    app = MmvizApp(lesson="memory-map", lang=lang)
    app.ask_questions = False
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        options = app.screen.query_one("#lesson-options")
        width = options.scrollable_content_region.width
        wrapped = 0
        for i in range(options.option_count):
            option = options.get_option_at_index(i)
            lines = rendered(option.prompt, width).rstrip("\n").split("\n")
            lesson_id = app.screen.lessons[i].id
            assert lines[0].lstrip().split(" ", 1)[1].startswith(lesson_id), lines[0]
            indent = lines[0].index(lesson_id) + 16
            for line in lines[1:]:
                wrapped += 1
                assert line[:indent].strip() == "", (lesson_id, line)
        assert wrapped >= 3          # the case the test is about: entries that do wrap at 80 columns


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_step_count_is_never_split(lang):
    """"(14 步)" stays on one line whatever the width (Rich breaks at any space)."""
    from widgets.i18n import tr
    app = MmvizApp(lesson="memory-map", lang=lang)
    app.ask_questions = False
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        screen = app.screen
        for i, lesson in enumerate(screen.lessons):
            label = f"({tr(lang, 'picker.steps', n=len(lesson))})"
            for width in range(44, 101, 4):
                lines = rendered(screen._entry(i, lesson), width).rstrip("\n").split("\n")
                assert label in lines[0], (lesson.id, width, lines)
