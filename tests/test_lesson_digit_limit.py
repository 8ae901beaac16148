"""README: "numbers of more than 40 digits are refused at their line": a number of 40 digits
is read (it was refused: the lexer's pattern matched 40 characters or more), and the limit
counts digits, not TOML's underscores between them."""
from __future__ import annotations

import pytest

from scenarios import LessonError, parse_lesson
from scenarios.source import MAX_DIGITS, lex
from tests.inline_lesson import head


def _problems(number: str) -> list:
    return lex(f"a = {number}\nb = 1\n").problems


@pytest.mark.parametrize("number", ["9" * MAX_DIGITS, "1_" * (MAX_DIGITS - 1) + "1",
                                    "1" + "_0" * (MAX_DIGITS - 1), "0x" + "1" * MAX_DIGITS])
def test_forty_digits_are_read(number):
    assert _problems(number) == []


@pytest.mark.parametrize("number", ["9" * (MAX_DIGITS + 1), "1_" * MAX_DIGITS + "1",
                                    "9" * 5000])
def test_more_than_forty_digits_are_refused_at_their_line(number):
    assert _problems(number) == [(1, f"a number with more than {MAX_DIGITS} digits")]


def test_a_forty_digit_argument_reaches_the_argument_check():
    text = head() + '[[step]]\ndo = "kmalloc"\nsize = 1\nsay = { en = "x", zh = "x" }\n'
    for digits, refused_by_lexer in ((MAX_DIGITS, False), (MAX_DIGITS + 1, True)):
        with pytest.raises(LessonError) as info:
            parse_lesson(text.replace("size = 1", "size = " + "1" * digits), "x.toml")
        msgs = [msg for _, msg in info.value.problems]
        assert any("more than 40 digits" in m for m in msgs) == refused_by_lexer, msgs
