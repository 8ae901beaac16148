"""A command typed at ':' that the validators refuse says why in the language the app speaks:
in zh wholly in Chinese (the values as typed), in en as the validators word it."""
from __future__ import annotations

import re

import pytest

from app.app import MmvizApp

CASES = [  # (typed, values the message must keep)
    ("alloc_pages GFP_KERNEL 12", ["order", "0..10", "MAX_ORDER", "12"]),
    ("kmalloc -5", ["size", "-5"]),
    ("alloc_pages GFP_FOO 1", ["GFP_FOO"]),
    ("kmalloc", ["kmalloc", "size"]),
    ("x = vmalloc 1Q", ["1Q"]),
]
PROSE = re.compile(r"\b[a-z]{2,}(?: [a-z]{2,}){2,}\b")      # three English words in a row


async def _error_after(app: MmvizApp, pilot, line: str) -> str:
    await pilot.press("colon")
    app.query_one("#command-input").value = line
    await pilot.press("enter")
    await pilot.pause()
    text = str(app.query_one("CommandLine .error").render())
    await pilot.press("escape")
    return text


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_refused_command_says_why_in_the_apps_language(lang):
    app = MmvizApp(lang=lang)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        for line, values in CASES:
            text = await _error_after(app, pilot, line)
            assert text.strip() and all(v in text for v in values), (line, text)
            outside = re.sub(r"'[^']*'", "", text)
            if lang == "zh":
                assert re.search(r"[\u4e00-\u9fff]", text) and not PROSE.search(outside), (line, text)
            else:
                assert not re.search(r"[\u4e00-\u9fff]", text) and PROSE.search(outside), (line, text)
