"""Text-mode wrapping of mixed Chinese/English narration: no line breaks inside an ASCII token,
no line starts with closing punctuation, every line fits, nothing is lost."""
from __future__ import annotations

import re

import pytest
from rich.cells import cell_len

from app.cli import main
from scenarios import all_lessons
from widgets.wrap import _closing, wrap

ASCII_TOKEN = re.compile(r"[!-~]+")      # printable ASCII without the space


def _check(text: str, lines: list[str], width: int, indent: str) -> None:
    inner = width - len(indent)
    assert all(cell_len(l) <= width for l in lines)
    assert "".join("".join(l.split()) for l in lines) == "".join(text.split())   # nothing lost
    for a, b in zip(lines, lines[1:]):
        head = b[len(indent):]
        word = ASCII_TOKEN.match(head)
        first = word.group(0) if word else head[:1]
        assert not (first and _closing(first)), (a, b)     # a path (./example) may begin one
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


def test_a_word_after_chinese_moves_alone():
    """A word that begins with a dot goes to the next line alone: "./example" took the Chinese
    character before it along (运|行 ./example), and the line before ended short."""
    text = "指令。代码是只读的，所以所有运行 ./example 的进程都可以共享这些页框。"
    assert wrap(text, 32) == ["指令。代码是只读的，所以所有运行", "./example 的进程都可以共享这些", "页框。"]
    assert not any(line.startswith(("…", "）")) for line in wrap("见 KM_IRQ0 ……）后面的", 14))
