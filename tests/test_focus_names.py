"""A lesson's focus on a zone or a region names one the engine has: a misspelt one
(``zone = "Normall"``) passed ``mmviz check`` and the panes showed "selection: zone Normall"."""
from __future__ import annotations

import pytest

import engine
from engine.layout import REGION_NAMES
from scenarios import LessonError
from scenarios.loader import parse_lesson

from inline_lesson import SAY, head

def lesson(kind: str, value: str) -> str:
    """A one-step lesson whose step focuses ``kind`` = ``value`` (its line 9)."""
    return head() + '[[step]]\ndo = "snapshot"\n' + SAY + f'focus = {{ {kind} = "{value}" }}\n'


@pytest.mark.parametrize("kind, value, hint", [("zone", "Normall", "'Normal'"),
                                               ("region", "vmaloc", "'vmalloc'")])
def test_a_misspelt_zone_or_region_is_refused_at_its_line(kind, value, hint):
    with pytest.raises(LessonError) as err:
        parse_lesson(lesson(kind, value), "t.toml")
    text = str(err.value)
    assert "t.toml:9:" in text and f"unknown {kind} '{value}'" in text and hint in text, text


@pytest.mark.parametrize("kind, value", [("zone", "HighMem"), ("region", "fixmap")])
def test_a_known_name_is_accepted(kind, value):
    assert parse_lesson(lesson(kind, value), "t.toml").steps[0].focus[kind][0] == value


@pytest.mark.parametrize("kw", [{}, {"pae": True, "ram": "4G"}, {"kernel": "2.6"}, {"kernel": "4.19"}])
def test_region_names_are_the_layouts(kw):
    m = engine.Machine.boot(**({"ram": "1G"} | kw))
    assert {r.name for r in m.layout.regions} <= set(REGION_NAMES)


def test_the_refusal_reads_in_chinese():
    from app.lesson_errors_zh import problem_zh
    with pytest.raises(LessonError) as err:
        parse_lesson(lesson("zone", "Normall"), "t.toml")
    message = str(err.value).split(": ", 1)[1]
    assert problem_zh(message) == "未知的管理区 'Normall'（是不是 'Normal'？）（可选：DMA, Normal, HighMem, Movable）"
