"""The app's number prompts read a decimal with a leading 0 as the command line does: refused
with C's octal reading spelled out (app.cli_types.octal_hint's words, en and zh), not a generic
"not an address" / Python's "invalid literal" -- the go-to-address prompt (g) and the quiz's
typed exercise."""
from __future__ import annotations

import pytest

from app.cli_types import octal_hint

SIZE = (160, 50)
EN = "'010' starts with 0, which C reads as octal: write 0o10 or 8 for octal, 10 for decimal"
ZH = "'010' 以 0 开头，C 会把它当作八进制：八进制写 0o10 或 8，十进制写 10"


def test_the_words_are_the_command_lines():
    assert octal_hint("010") == EN


@pytest.mark.parametrize("lang, words", [("en", EN), ("zh", ZH)], ids=["en", "zh"])
async def test_go_to_address_refuses_010_with_the_octal_reading(lang, words):
    pytest.importorskip("textual")
    from app.app import MmvizApp
    app = MmvizApp(lesson="memory-map", lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        before = app.selection
        await pilot.press("g", *"010", "enter")
        await pilot.pause()
        notes = [str(n.message) for n in app._notifications]
        assert notes[-1] == words, notes
        assert app.selection == before
        await pilot.press("g", *"0o10", "enter")            # C's octal, written as C writes it
        await pilot.pause()
        assert app.selection.value == 8


@pytest.mark.parametrize("lang, words", [("en", EN), ("zh", ZH)], ids=["en", "zh"])
async def test_the_quiz_exercise_refuses_010_with_the_octal_reading(lang, words):
    pytest.importorskip("textual")
    from app.app import MmvizApp
    from app.quiz_ui import EXAMPLE, QuizScreen
    app = MmvizApp(lesson="memory-map", lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("Q")
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        while screen.kind != "exercise":
            await pilot.press("ctrl+n")
        field = screen.query_one("#quiz-answer")
        for typed in (EXAMPLE.replace("vaddr=0x200ffc", "vaddr=010"),
                      EXAMPLE.replace("0xf0f02007", "010"), EXAMPLE.replace("cr3=0xffff1000", "cr3=010")):
            field.value = typed
            await pilot.press("enter")
            verdict = str(screen.query_one("#quiz-verdict").render())
            assert words in verdict, (typed, verdict)
