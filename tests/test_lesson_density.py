"""Review P-5 and P-9: a step's narration stays short (version history and detail go to a
"deeper" note shown after the step), and the lesson author's checks are not shown to
students unless one fails (text mode prints them all with --checks)."""
from __future__ import annotations

import re

import pytest

from scenarios import Timeline, all_lessons, find_lesson
from widgets.lesson import lesson_text
from widgets.stepview import StepView

MAX_WORDS_EN = 110        # the review counted 120-170 words in the densest steps
MAX_CHARS_ZH = 400


def test_every_step_narration_is_short_in_both_languages():
    long = []
    for les in all_lessons():
        for i, s in enumerate(les.steps):
            en, zh = len(s.narration("en").split()), len(s.narration("zh"))
            if en > MAX_WORDS_EN or zh > MAX_CHARS_ZH:
                long.append(f"{les.id} step {i + 1}: {en} words, {zh} zh chars")
    assert not long, long


def test_deeper_notes_exist_in_both_languages():
    notes = [(les.id, s) for les in all_lessons() for s in les.steps if s.deeper]
    assert len(notes) >= 10
    for lid, s in notes:
        assert s.deeper_in("en") and s.deeper_in("zh") and s.deeper_in("en") != s.deeper_in("zh")


def _view(r, machine, lang, total):
    return StepView(1, machine, r, r.index + 1, total, None, lang, "t", "s", (), ())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_tui_shows_deeper_after_the_step_and_hides_passing_checks(lang):
    les = find_lesson("page-walk")
    tl = Timeline(les)
    r = tl.step()
    assert r.expects and all(e.ok for e in r.expects)
    text = lesson_text(_view(r, tl.machine, lang, len(les)), "").plain
    deeper = r.step.deeper_in(lang)
    assert deeper[:30] in text
    assert text.index("> ") < text.index(deeper[:30])          # after the call and its result
    assert text.index(r.narration(lang)[:30]) < text.index("> ")
    assert "✓" not in text and r.expects[0].sentence(lang) not in text
    r.expects[0].ok = False                                     # a broken lesson stays visible
    text = lesson_text(_view(r, tl.machine, lang, len(les)), "").plain
    assert f"✗ {r.expects[0].sentence(lang)}" in text


def test_text_mode_prints_checks_only_for_authors(capsys):
    from app.cli import main
    assert main(["run", "page-walk", "--text"]) == 0
    student = capsys.readouterr().out
    assert not re.search(r"^\s+✓ ", student, re.M)
    assert "▸ deeper: versions and detail" in student
    assert main(["run", "page-walk", "--text", "--checks"]) == 0
    author = capsys.readouterr().out
    assert re.search(r"^\s+✓ ", author, re.M)
