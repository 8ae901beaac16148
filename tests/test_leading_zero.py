"""C reads 010 as octal 8; mmviz read a typed ``:kmalloc 010`` and a lesson's "010" as ten.
A decimal with a leading 0 is refused with one line giving both readings (0o10 or 8, 10);
0o octal is accepted (docs/LESSONS.md)."""
from __future__ import annotations

import pytest

from app.lesson_errors_zh import lesson_line_zh
from scenarios import LessonError, expr, parse_lesson
from scenarios.explore import CommandError, parse_command
from tests.inline_lesson import SAY, head


@pytest.mark.parametrize("text", ["010", "0_10", "0010", "09", "00", "010K"])
def test_a_leading_zero_is_refused(text):
    with pytest.raises(expr.ExprError, match="starts with 0, which C reads as octal"):
        expr.eval_text(text, {})


def test_octal_and_plain_numbers():
    assert expr.eval_text("0o10", {}) == 8 and expr.eval_text("0", {}) == 0
    assert expr.eval_text("10", {}) == 10 and expr.eval_text("0x10", {}) == 16


def test_a_typed_command():
    with pytest.raises(CommandError) as info:
        parse_command("kmalloc 010")
    assert "write 0o10 or 8 for octal, 10 for decimal" in str(info.value)
    assert parse_command("kmalloc 8").args == {"size": 8}


def test_a_lesson_number_in_en_and_zh():
    with pytest.raises(LessonError) as info:
        parse_lesson(head() + '[[step]]\ndo = "kmalloc"\nsize = "010"\n' + SAY, "t.toml")
    (line, msg), = info.value.problems
    assert line == 8 and "'010' in expression '010' starts with 0" in msg
    zh = lesson_line_zh(f"t.toml:{line}: {msg}")
    assert zh is not None and "八进制写 0o10 或 8，十进制写 10" in zh
