"""A kernel log line the narration quotes for the step's own operation (a segfault line) is the
line the step prints: the same eip, esp and error code, in en and in zh."""
from __future__ import annotations

import re

import pytest

from scenarios import Timeline
from scenarios.library import all_lessons, find_lesson

SEGV = re.compile(r"\w+\[\d+\]: segfault at [0-9a-f]+ eip [0-9a-f]+ esp [0-9a-f]+ error \d+")


@pytest.mark.parametrize("name", [lesson.id for lesson in all_lessons()])
def test_a_quoted_segfault_line_is_the_one_the_step_prints(name):
    tl = Timeline(find_lesson(name))
    for i in range(len(tl)):
        r = tl.step()
        quoted = {q for lang in ("en", "zh") for q in SEGV.findall(r.step.narration(lang))}
        if quoted:
            printed = str(r.error) + " " + " ".join(str(e) for e in r.events)
            for q in quoted:
                assert q in printed, (name, i + 1, q)
