"""Scenario machinery: expressions, loader errors, explore parser, timeline back/jump."""
from __future__ import annotations

import pytest

from scenarios import (CommandError, LessonError, Timeline, explore_lesson, parse_command,
                       parse_lesson, to_toml)
from scenarios.expr import ExprError, eval_text

HEAD = '''[lesson]
id = "t"
title = { en = "T", zh = "T" }
summary = { en = "S", zh = "S" }
machine = { ram = "64M", seed = 1 }
'''


def lesson(body: str):
    return parse_lesson(HEAD + body, "t.toml")


@pytest.mark.parametrize("text,value", [
    ("v + 0x1000", 0x2000), ("p * 4096", 12288), ("(1 << 12) | 3", 4099), ("1M >> 12", 256),
    ("-4K", -4096), ("b[0] + b[-1]", 9), ("o.x", 7), ("0b101 ^ 1", 4), ("10 / 3 % 2", 1),
])
def test_expressions(text, value):
    class O:
        x = 7
    assert eval_text(text, {"v": 0x1000, "p": 3, "b": [4, 5], "o": O()}) == value


@pytest.mark.parametrize("text", ["1 +", "(1", "x.__class__", "__import__", "1 2", "1 @ 2",
                                  "", "a", "1 / 0", "x.y", "'s'", "1 << 99999"])
def test_bad_expressions(text):
    with pytest.raises(ExprError):
        eval_text(text, {"x": 1})


def test_error_lines_point_at_the_key():
    body = '\n[[step]]\ndo = "alloc_pages"\ngfp = "GFP_KERNEL"\nas = "a"\nsay = { en = "x", zh = "x" }\n' \
           '\n[[step]]\ndo = "free_pages"\npfn = "a + b"\nsay.en = "x"\nsay.zh = "y"\n'
    with pytest.raises(LessonError) as info:
        lesson(body)
    assert info.value.lines() == [
        "t.toml:15: unknown name 'b' in argument pfn (the names come from an earlier step's 'as')"
        .replace("(the names", "(names")]


def test_all_problems_are_reported():
    body = '\n[[step]]\ndo = "kmaloc"\nsay = { en = "x", zh = "x" }\n' \
           '\n[[step]]\ndo = "alloc_pages"\ngfp = "GFP_KERNEL"\nsay.en = "x"\n'
    with pytest.raises(LessonError) as info:
        lesson(body)
    assert len(info.value.lines()) == 2


def test_timeline_back_and_jump_restore_exactly():
    body = '''
[[step]]
do = "alloc_pages"
gfp = "GFP_KERNEL"
repeat = 300
random = { seed = 5, order = [0, 4] }
as = "b"
say = { en = "x", zh = "x" }

[[step]]
do = "free_pages"
each = "b"
pfn = "it"
order = "it.order"
random = { seed = 6, sample = 0.5 }
say = { en = "x", zh = "x" }
'''
    body += ''.join(f'''
[[step]]
do = "alloc_pages"
gfp = "GFP_KERNEL"
order = {k % 4}
say = {{ en = "x", zh = "x" }}
''' for k in range(40))
    tl = Timeline(lesson(body), checkpoint_every=4, max_checkpoints=4)
    states = [tl.machine.proc("/proc/buddyinfo")]
    events = []
    while (r := tl.step()) is not None:
        states.append(tl.machine.proc("/proc/buddyinfo"))
        events.append([e.describe() for e in r.events])
    for n in (37, 2, 0, 41, 1, 19):
        tl.jump(n)
        assert tl.position == n
        assert tl.machine.proc("/proc/buddyinfo") == states[n]
    tl.jump(len(tl))
    while not tl.at_start:
        tl.back()
        assert tl.machine.proc("/proc/buddyinfo") == states[tl.position]
    replayed = [[e.describe() for e in tl.step().events] for _ in range(len(tl))]
    assert replayed == events


def test_kernel_errors_are_outcomes():
    body = '\n[[step]]\ndo = "free_pages"\npfn = 5\nsay = { en = "x", zh = "x" }\n'
    r = Timeline(lesson(body)).step()
    assert r.error_kind == "BadFree" and "Bad page state" in r.error_message
    assert not r.ok                      # an unexpected error fails the step
    body2 = body + 'expect = { error = "BadFree", message = "Bad page" }\n'
    assert Timeline(lesson(body2)).step().ok


def test_explore_typed_session_saves_as_a_lesson(tmp_path):
    tl = Timeline(explore_lesson({"ram": "64M"}))
    r = tl.add(parse_command("alloc_pages GFP_KERNEL 3 as a", set(tl.env)))
    assert r.value == tl.env["a"]
    tl.add(parse_command("free_pages a 3", set(tl.env)))
    tl.add(parse_command("g = get_free_pages gfp=GFP_DMA", set(tl.env)))
    text = to_toml(tl.lesson)
    again = parse_lesson(text, "saved.toml")
    assert [s.op.name for s in again.steps] == ["alloc_pages", "free_pages", "get_free_pages"]
    replay = Timeline(again)
    replay.run_all()
    assert replay.machine.proc("/proc/buddyinfo") == tl.machine.proc("/proc/buddyinfo")


@pytest.mark.parametrize("line", ["kmaloc 100", "alloc_pages GFP_KERNAL", "free_pages b",
                                  "alloc_pages GFP_KERNEL 1 2 3", "", "alloc_pages 'x"])
def test_bad_typed_lines(line):
    with pytest.raises(CommandError):
        parse_command(line, set())


def test_touch_alias_parses():
    from scenarios.explore import command_table
    t = command_table("touch 0x0804a000 write")
    assert t["do"] == "access" and t["vaddr"] == 0x0804A000 and t["kind"] == "write"


