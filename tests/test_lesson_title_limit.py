"""A title fills one line of the Lesson pane and the step list: a 5,000-character step title
was accepted and filled the pane.  Titles of more than MAX_TITLE columns are refused at their
line, en and zh (a Chinese character takes two columns)."""
from __future__ import annotations

import pytest

from app.lesson_errors_zh import lesson_line_zh
from scenarios import LessonError, parse_lesson
from scenarios.loader import MAX_TITLE
from tests.inline_lesson import SAY, head


def _lesson(en: str, zh: str) -> str:
    return head() + f'[[step]]\ndo = "snapshot"\ntitle.en = "{en}"\ntitle.zh = "{zh}"\n' + SAY


def test_titles_up_to_the_limit_load():
    lesson = parse_lesson(_lesson("x" * MAX_TITLE, "页" * (MAX_TITLE // 2)), "t.toml")
    assert lesson.steps[0].title["en"] == "x" * MAX_TITLE


@pytest.mark.parametrize("en,zh,lang,cols", [("x" * 5000, "页", "en", 5000),
                                            ("x", "页" * (MAX_TITLE // 2 + 1), "zh", MAX_TITLE + 2)])
def test_a_longer_title_is_refused_at_its_line(en, zh, lang, cols):
    with pytest.raises(LessonError) as info:
        parse_lesson(_lesson(en, zh), "t.toml")
    (line, msg), = info.value.problems
    assert line == 8 + (lang == "zh")
    assert msg == f"{lang} step title too long: {cols} columns (at most {MAX_TITLE}; a Chinese character takes two)"
    assert lesson_line_zh(f"t.toml:{line}: {msg}") == \
        f"t.toml:{line}：{lang} 步骤标题太长：{cols} 列（最多 {MAX_TITLE} 列；一个汉字占两列）"
