"""Every bundled lesson plays first to last with all expects true, in both languages;
back/forward restores identical state; every broken lesson gives one located error line."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from scenarios import LessonError, Timeline, load_lesson
from scenarios.library import LESSON_DIR, lesson_status

LESSONS = sorted(LESSON_DIR.glob("*.toml"))
BROKEN = Path(__file__).parent / "broken_lessons"
PROC = ("/proc/buddyinfo", "/proc/zoneinfo", "/proc/meminfo")


def runnable():
    out = []
    for path, lesson, err in lesson_status():
        if lesson is not None:
            out.append(path)
        else:
            # the only acceptable reason to skip: ops of a later engine version
            assert all("not available in this engine version" in m for _, m in err.problems), err
    return out


def test_there_are_lessons():
    assert len(runnable()) >= 3


@pytest.mark.parametrize("path", runnable(), ids=lambda p: p.stem)
def test_lesson_plays_with_all_expects_true(path):
    lesson = load_lesson(path)
    assert len(lesson.steps) >= 8
    for step in lesson.steps:
        assert step.say.get("en") and step.say.get("zh"), f"step {step.index + 1} narration"
        assert re.search(r"[\u4e00-\u9fff]", step.say["zh"]), f"step {step.index + 1} zh is Chinese"
    assert lesson.title.get("zh") and lesson.summary.get("zh")
    tl = Timeline(lesson)
    failed = [(r.index + 1, e.key, e.expected, e.actual)
              for r in tl.run_all() for e in r.expects if not e.ok]
    assert failed == []


def _state(tl):
    return tuple(tl.machine.proc(p) for p in PROC)


@pytest.mark.parametrize("path", runnable(), ids=lambda p: p.stem)
def test_back_to_start_and_forward_is_identical(path):
    tl = Timeline(load_lesson(path), checkpoint_every=3)
    states, events = [_state(tl)], []
    while (r := tl.step()) is not None:
        states.append(_state(tl))
        events.append([repr(e) for e in r.events])
    while not tl.at_start:
        tl.back()
        assert _state(tl) == states[tl.position], f"after back to {tl.position}"
    again = []
    while (r := tl.step()) is not None:
        assert _state(tl) == states[tl.position]
        again.append([repr(e) for e in r.events])
        assert r.ok
    assert again == events


BROKEN_FILES = sorted(BROKEN.glob("*.toml"))


def test_broken_corpus_is_big_enough():
    assert len(BROKEN_FILES) >= 20


LOAD_OK = {"failed_expect", "unexpected_error"}   # valid files whose run fails


@pytest.mark.parametrize("path", [p for p in BROKEN_FILES if p.stem not in LOAD_OK], ids=lambda p: p.stem)
def test_broken_lesson_gives_one_located_line(path):
    with pytest.raises(LessonError) as info:
        load_lesson(path)
    lines = info.value.lines()
    assert len(lines) == 1, lines
    m = re.match(rf"^{re.escape(str(path))}:(\d+):(?:\d+:)? \S.*$", lines[0])
    assert m, lines[0]
    assert 1 <= int(m.group(1)) <= len(path.read_text(encoding="utf-8").splitlines()) + 1


@pytest.mark.parametrize("stem", sorted(LOAD_OK))
def test_broken_at_run_time_fails_a_step(stem):
    tl = Timeline(load_lesson(BROKEN / f"{stem}.toml"))
    assert not all(r.ok for r in tl.run_all())
