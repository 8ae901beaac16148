"""Text-mode wrapping of mixed Chinese/English narration: no line breaks inside an ASCII token,
no line starts with closing punctuation, every line fits, nothing is lost."""
from __future__ import annotations

import re

import pytest
from rich.cells import cell_len

from app.cli import main
from scenarios import all_lessons
from widgets.wrap import NO_START, wrap

ASCII_TOKEN = re.compile(r"[!-~]+")      # printable ASCII without the space


def _check(text: str, lines: list[str], width: int, indent: str) -> None:
    inner = width - len(indent)
    assert all(cell_len(l) <= width for l in lines)
    assert "".join("".join(l.split()) for l in lines) == "".join(text.split())   # nothing lost
    for a, b in zip(lines, lines[1:]):
        assert b[len(indent):][:1] not in NO_START, (a, b)
    for token in ASCII_TOKEN.findall(text):              # every token that fits is whole
        if cell_len(token) + 6 <= inner:                # room for punctuation glued to it
            assert any(token in l for l in lines), (token, lines)


@pytest.mark.parametrize("width", [24, 40, 88])
def test_every_zh_narration_wraps_without_breaking_tokens(width):
    for lesson in all_lessons():
        for step in lesson.steps:
            text = step.narration("zh")
            for para in text.splitlines():
                if para.strip():
                    _check(para, wrap(para, width, "   "), width, "   ")


def test_text_mode_zh_keeps_identifiers_whole(capsys):
    assert main(["run", "memory-map", "--text", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert not any(l.strip() and l.strip()[0] in "，。、；：！？）」" for l in out.splitlines())
    from scenarios import find_lesson
    for step in find_lesson("memory-map").steps:
        for token in ASCII_TOKEN.findall(step.narration("zh")):
            assert token in out, token
    assert "PAGE_OFFSET" in out and "PAGE_OFF\n" not in out
