"""How long a step stays on screen in autoplay and in recordings: its reading time.

A step's time is a look at the screen plus the narration read at a rate for its
language (words for English, characters for Chinese), clamped to [MIN, MAX] and
divided by the speed factor the +/- keys choose.  ``record`` uses the same numbers.
"""
from __future__ import annotations

import re
from typing import Any

WORDS_PER_SECOND_EN = 3.0      # ~180 words a minute: careful reading of technical prose
CHARS_PER_SECOND_ZH = 6.0      # ~360 characters a minute for technical Chinese
LOOK_SECONDS = 3.0             # to find what changed on screen before reading
MIN_SECONDS, MAX_SECONDS = 4.0, 60.0
SPEEDS = (0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)      # reading speed factors; +/- step through them
DEFAULT_SPEED = SPEEDS.index(1.0)

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_WORD = re.compile(r"[A-Za-z0-9_.:/\[\]()+\-*=<>|&^%#@!?'\"]+")


def reading_seconds(text: str, lang: str = "en", speed: float = 1.0) -> float:
    """Seconds to read ``text`` (narration) in ``lang`` at ``speed`` x the default rate."""
    cjk = len(_CJK.findall(text))
    words = len(_WORD.findall(_CJK.sub(" ", text)))
    if lang == "zh" or cjk:
        seconds = cjk / CHARS_PER_SECOND_ZH + words / WORDS_PER_SECOND_EN
    else:
        seconds = words / WORDS_PER_SECOND_EN
    seconds = min(MAX_SECONDS, max(MIN_SECONDS, LOOK_SECONDS + seconds))
    return round(seconds / max(0.1, speed), 1)


def step_seconds(timeline: Any, lang: str, speed: float = 1.0) -> float:
    """The reading time of what the timeline shows now (the start: the lesson's summary)."""
    cur = timeline.current
    text = cur.narration(lang) if cur is not None else timeline.lesson.summary_in(lang)
    return reading_seconds(text or "", lang, speed)
