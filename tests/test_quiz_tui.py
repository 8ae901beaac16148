"""The quiz problems in the TUI: reachable by Q and from the palette, the whole state shown,
no answer before the student answers, the reply checked against the engine's answer."""
from __future__ import annotations

import pytest

from scenarios.problems import ALL_KINDS, KINDS, answer_matches, problem

SIZE = (160, 50)


def _text(screen, wid: str) -> str:
    return str(screen.query_one(wid).render())


async def _type(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


async def test_q_opens_the_quiz_and_checks_answers_against_the_engine():
    pytest.importorskip("textual")
    from app.app import MmvizApp
    from app.quiz_ui import QuizScreen
    expected = problem("buddy", 1)
    app = MmvizApp(lesson="memory-map")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("Q")
        assert isinstance(app.screen, QuizScreen)
        screen = app.screen
        state = _text(screen, "#quiz-state")
        assert "free_area" in state and "order  0:" in state          # the free lists, with pfns
        assert expected.questions[0]["en"] in _text(screen, "#quiz-question")
        assert _text(screen, "#quiz-verdict").strip() == ""           # nothing told yet
        await _type(pilot, "nonsense")
        await pilot.press("enter")
        verdict = _text(screen, "#quiz-verdict")
        assert f"the engine says {expected.answers[0]}" in verdict and "nonsense" in verdict
        assert expected.questions[1]["en"] in _text(screen, "#quiz-question")
        assert expected.answers[1] not in _text(screen, "#quiz-verdict")
        await _type(pilot, expected.answers[1])
        await pilot.press("enter")
        assert f"✓ right: {expected.answers[1]}" in _text(screen, "#quiz-verdict")
        assert screen.score == 1 and screen.replies == [("nonsense", False), (expected.answers[1], True)]
        await pilot.press("escape")
        assert not isinstance(app.screen, QuizScreen)


async def test_every_kind_from_the_palette_and_the_exercise_walk():
    pytest.importorskip("textual")
    from app.app import MmvizApp
    from app.quiz_ui import QuizScreen
    app = MmvizApp(lesson="memory-map", lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await _type(pilot, "练习")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        screen = app.screen
        seen = [screen.kind]
        for _ in range(len(ALL_KINDS) - 1):
            await pilot.press("ctrl+n")
            seen.append(screen.kind)
            if screen.kind in KINDS:
                p = problem(screen.kind, 1)
                assert "\n".join(p.state_in("zh")) == _text(screen, "#quiz-state")   # a zh app
                assert p.questions[0]["zh"] in _text(screen, "#quiz-question")
        assert seen == list(ALL_KINDS)
        assert "CR3" in "\n".join(problem("walk", 1).state)
        await pilot.press("enter")                       # the prefilled field case 14
        verdict = _text(screen, "#quiz-verdict")
        assert "PTE[0x200] 位于 0xf0f02800 = 0xff005007" in verdict and "=> 0xff005ffc" in verdict   # a zh app
        await pilot.press("ctrl+n", "ctrl+r")
        assert screen.kind == "buddy" and screen.seed == 2
        assert problem("buddy", 2).questions[0]["zh"] in _text(screen, "#quiz-question")


def test_answer_matching():
    assert answer_matches("0x104", "0x104") and answer_matches("0x104", "104")
    assert answer_matches("0x104", "260") and not answer_matches("0x104", "0x105")
    assert answer_matches("2", "2") and not answer_matches("2", "0x20")
    assert answer_matches("page fault (not present, error code 0)", "page fault")
    assert answer_matches("page fault (not present, error code 0)", "缺页")
    assert not answer_matches("0x5c6e0d0", "fault")
    assert answer_matches("HighMem", "ZONE_HIGHMEM") and answer_matches("/bin/quiz", "quiz")
    assert answer_matches("kmalloc-96", "KMALLOC-96") and not answer_matches("kmalloc-96", "")


@pytest.mark.parametrize("kind", KINDS)
def test_interactive_cli_uses_the_problem_kinds(kind, capsys, monkeypatch):
    """``mmviz quiz KIND --interactive``: the whole state first, then each question; the
    engine's answer only after the reply, marked right or wrong."""
    from app.cli import main
    p = problem(kind, 2)
    replies = iter([p.answers[0]] + ["no idea"] * (len(p.answers) - 1))
    monkeypatch.setattr("builtins.input", lambda prompt="": next(replies))
    assert main(["quiz", kind, "--seed", "2", "--interactive"]) == 0
    out = capsys.readouterr().out
    assert out.index(p.state[-1]) < out.index(p.questions[0]["en"])
    assert out.index(p.questions[0]["en"]) < out.index(f"✓ answer: {p.answers[0]}")
    wrong = sum(not answer_matches(a, "no idea") for a in p.answers[1:])
    assert f"score: {1 + len(p.answers) - 1 - wrong}/{len(p.answers)}" in out


def test_interactive_cli_exercise(capsys, monkeypatch):
    from app.cli import main
    monkeypatch.setattr("builtins.input", lambda prompt="": "0xff005ffc")
    assert main(["quiz", "exercise", "--interactive", "--cr3", "0xffff1000", "--vaddr", "0x200ffc",
                 "--mem", "0xffff1000=0xf0f02007,0xf0f02800=0xff005007"]) == 0
    out = capsys.readouterr().out
    assert "0xf0f02800: 0xff005007" in out and "✓ answer: 0xff005ffc" in out and "score: 1/1" in out


@pytest.mark.parametrize("line, words", [
    ("cr3=0x1000 mem=0x1000=0x100000000 vaddr=0", "32 位分页：PADDR 和 VALUE 都必须小于 2^32"),
    ("cr3=0x1000 mem=0x1000=0x2003 vaddr=0x1234 pae", "MOV CR3 时一般保护异常"),
    ("cr3=0x1000 vaddr=0", "缺少 mem"),
])
async def test_the_exercise_speaks_chinese_in_a_chinese_app(line, words):
    """A zh app's exercise: its refusals and a #GP at MOV CR3 in Chinese, never a traceback."""
    pytest.importorskip("textual")
    from app.app import MmvizApp
    from app.quiz_ui import QuizScreen
    from textual.widgets import Input
    app = MmvizApp(lesson="memory-map", lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(QuizScreen("zh", "exercise"))
        await pilot.pause()
        screen = app.screen
        screen.query_one("#quiz-answer", Input).value = line
        await pilot.press("enter")
        await pilot.pause()
        verdict = _text(screen, "#quiz-verdict")
        assert words in verdict and "paging" not in verdict and "missing" not in verdict, verdict
