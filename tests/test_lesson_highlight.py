"""The lesson pane marks the output lines its narration names: ``named`` finds a field name
as a whole name, exactly as the regular expression it replaces (compiled per line, it cost
7 ms on a step with a long /proc file)."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from widgets.lesson import highlighted_lines, named

ALPHABET = "ab-_ 1:()/\t.é中٣"


def by_regex(key: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text) is not None


@settings(max_examples=3000, deadline=None)
@given(st.text(ALPHABET, min_size=1, max_size=4), st.text(ALPHABET, max_size=24))
def test_named_is_the_regex(key, text):
    assert named(key, text) == by_regex(key, text)


def test_marked_lines():
    lines = ["MemTotal:  1024 kB", "MemFree:   10 kB", "kmalloc-128  12 13", "pages free 4"]
    narration = "MemFree falls; kmalloc-1280 is another cache; 'pages free' counts pages."
    assert highlighted_lines(lines, narration) == {1, 3}
    assert highlighted_lines(lines, "xMemTotal, MemTotal_2, kmalloc-128-x") == set()
