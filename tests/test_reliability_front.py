"""#17, the lesson-file side: hostile lesson files (the review's reproductions in
broken_lessons/fuzz/) end in one located line or the right outcome, never a traceback,
an "internal error", a hang or unbounded memory."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from app.cli import main
from scenarios import LessonError, Timeline, load_lesson, parse_lesson
from scenarios.loader import MAX_LESSON_BYTES
from scenarios.model import MAX_OPS, MAX_REPEAT
from scenarios.explore import toml_value

FUZZ = Path(__file__).parent / "broken_lessons" / "fuzz"
HEAD = ('[lesson]\nid = "t"\ntitle = { en = "T", zh = "T" }\nsummary = { en = "S", zh = "S" }\n'
        'machine = { ram = "160M" }\n')


def lesson_text(steps: list[dict], head: str = HEAD) -> str:
    """A lesson file with these step tables (each gets a narration)."""
    parts = [head]
    for t in steps:
        parts.append("\n[[step]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in t.items())
                     + 'say = { en = "x", zh = "x" }\n')
    return "".join(parts)


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err, err
    return code, out, err


def located(err: str, path: Path | str) -> list[int]:
    """Every stderr line is ``path:N: message``; the line numbers."""
    lines = err.strip().splitlines()
    assert lines, "no error line"
    nums = []
    for line in lines:
        m = re.match(rf"^{re.escape(str(path))}:(\d+):(?:\d+:)? \S", line)
        assert m, line
        nums.append(int(m.group(1)))
    return nums


# file -> (line of the first error, words of its message)
REJECTED = {
    "b04_nested_arrays": (9, "nested too deeply"),
    "b05_nested_inline": (9, "nested too deeply"),
    "b06_nested_expect": (10, "dotted parts"),
    "deep_dotted_inline_key": (9, "dotted parts"),
    "deep_quoted_dotted_key": (9, "nested too deeply"),
    "e06_switch_to_no_pid": (11, "switch_to needs argument 'pid'"),
    "l01_wrong_line_multiline_in_array": (10, "unknown GFP flag"),
    "r12_ram": (5, "is not a size"),
    "r24_vmalloc_huge": (5, "vmalloc reserve leaves 0M of lowmem"),
    "r26_swap_digits": (5, "is not a size"),
    "t14_huge_order": (10, "order must be 0..10"),
    "t15_negative_sizes": (9, "size must not be negative"),
}


@pytest.mark.parametrize("stem", sorted(REJECTED))
@pytest.mark.parametrize("command", [["check"], ["run", "--text"]])
def test_fuzz_lesson_rejected_at_its_line(capsys, stem, command):
    path = FUZZ / f"{stem}.toml"
    code, _, err = run_cli(capsys, *command, str(path))
    assert code == 1
    line, words = REJECTED[stem]
    nums = located(err, path)
    assert nums[0] == line and words in err.splitlines()[0], err


def test_multiline_string_in_array_keeps_line_numbers(capsys):
    path = FUZZ / "l01_wrong_line_multiline_in_array.toml"
    _, _, err = run_cli(capsys, "check", str(path))
    assert located(err, path) == [10, 21]           # the review saw 13 for the second


def test_check_reports_every_bad_literal_of_t14_and_t15(capsys):
    _, _, err = run_cli(capsys, "check", str(FUZZ / "t14_huge_order.toml"))
    assert located(err, FUZZ / "t14_huge_order.toml") == [10, 16, 22]   # 99999999999999, -1, 1 << 64
    _, _, err = run_cli(capsys, "check", str(FUZZ / "t15_negative_sizes.toml"))
    assert located(err, FUZZ / "t15_negative_sizes.toml") == [9, 14, 30, 36]


def test_on_error_continue_with_a_failing_first_iteration(capsys):
    code, out, _ = run_cli(capsys, "run", "--text", str(FUZZ / "e02_on_error_continue_first_fails.toml"))
    assert code == 0 and "BadFree" in out
    tl = Timeline(load_lesson(FUZZ / "e02_on_error_continue_first_fails.toml"))
    r = tl.step()
    assert r.errors == 2 and r.items == [] and r.error_kind == "BadFree"


def test_leading_zero_decimal_in_a_lesson_is_refused(capsys):
    # C reads 010 as octal 8: refused at its line (tests/test_leading_zero.py), not read as ten
    code, out, err = run_cli(capsys, "run", "--text", str(FUZZ / "e05_kmalloc_leading_zero.toml"))
    assert code == 1 and "starts with 0, which C reads as octal" in err and len(err.splitlines()) == 1


# -- special paths: refused without reading them -----------------------------------------

def _special_paths(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    link = tmp_path / "zero.toml"
    link.symlink_to("/dev/zero")
    loop = tmp_path / "loop.toml"
    loop.symlink_to(loop)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (MAX_LESSON_BYTES + 1))
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b"[lesson]\nid = \"x\"\ntitle.en = \"caf\xe9\"\n")
    return {"dev_zero": Path("/dev/zero"), "fifo": fifo, "symlink_to_dev_zero": link,
            "symlink_loop": loop, "directory": tmp_path, "too_big": big, "not_utf8": latin,
            "missing": tmp_path / "missing.toml"}


@pytest.mark.parametrize("kind", ["dev_zero", "fifo", "symlink_to_dev_zero", "symlink_loop",
                                  "directory", "too_big", "not_utf8", "missing"])
def test_special_lesson_paths_give_one_line(capsys, tmp_path, kind):
    path = _special_paths(tmp_path)[kind]
    code, _, err = run_cli(capsys, "check", str(path))
    assert code == (1 if kind in ("too_big", "not_utf8") else 2)   # read and refused / no lesson file
    assert len(located(err, path)) == 1
    if kind == "not_utf8":
        assert located(err, path) == [3]


# -- the operation cap counts plain steps and repeats together -----------------------------

def _ops_lesson(plain: int, repeats: int) -> str:
    steps = [{"do": "check", "repeat": MAX_REPEAT} for _ in range(repeats)]
    steps += [{"do": "check"} for _ in range(plain)]
    return lesson_text(steps)


def test_total_operations_are_capped_over_plain_and_repeat_steps():
    assert MAX_OPS % MAX_REPEAT == 0
    n = MAX_OPS // MAX_REPEAT
    parse_lesson(_ops_lesson(0, n))                 # exactly MAX_OPS: fine
    with pytest.raises(LessonError) as info:
        parse_lesson(_ops_lesson(1, n))             # one plain step more
    assert len(info.value.problems) == 1 and "too many operations" in str(info.value)
    assert info.value.problems[0][0] > 1


# -- huge literals and deep nesting, at their lines ------------------------------------------

def test_huge_bare_number_is_located():
    text = lesson_text([{"do": "kmalloc", "size": 1}]).replace("size = 1", "size = " + "9" * 5000)
    with pytest.raises(LessonError) as info:
        parse_lesson(text, "x.toml")
    (line, msg), = info.value.problems
    assert "more than 40 digits" in msg
    assert text.splitlines()[line - 1].startswith("size = 999")


def test_toml_syntax_error_has_the_decoder_line_and_column():
    text = lesson_text([{"do": "check"}]) + "\n[[step]]\ndo = = \"x\"\n"
    with pytest.raises(LessonError) as info:
        parse_lesson(text, "x.toml")
    (line, msg), = info.value.problems
    assert text.splitlines()[line - 1] == 'do = = "x"' and info.value.column == 6
    assert info.value.lines()[0].startswith(f"x.toml:{line}:6: bad TOML: ")


def test_inline_step_array_gives_each_step_its_line():
    text = ('step = [\n  { do = "check", say = { en = "x", zh = "x" } },\n'
            '  { do = "kmalloc", size = -1, say = { en = "x", zh = "x" } },\n'
            '  { do = "nosuch", say = { en = "x", zh = "x" } },\n]\n\n' + HEAD)
    with pytest.raises(LessonError) as info:
        parse_lesson(text, "x.toml")
    assert [line for line, _ in info.value.problems] == [3, 4]


def test_expected_text_with_control_characters_is_refused():
    text = lesson_text([{"do": "proc", "path": "/proc/meminfo"}]).replace(
        'path = "/proc/meminfo"\n', 'path = "/proc/meminfo"\nexpect = { contains = "\\u001b[2J" }\n')
    with pytest.raises(LessonError) as info:
        parse_lesson(text, "x.toml")
    (line, msg), = info.value.problems
    assert "control character" in msg and text.split("\n")[line - 1].startswith("expect")


def test_quiz_ram_is_checked_like_boot(capsys):
    code, _, err = run_cli(capsys, "quiz", "watermark", "--ram", "1" + "0" * 320)   # walk refuses any --ram
    assert code == 2 and "is not a size" in err


def test_typed_session_with_any_text_writes_back_as_valid_toml():
    from scenarios.explore import to_toml, explore_lesson, parse_command
    lesson = explore_lesson()
    lesson.steps.append(parse_command('write_virt 0xc0000000 "a\\tb\\nc\\"d"'))
    lesson.steps[0].raw["say"]["en"] += "\x1b[2J\x9b"        # whatever a session holds
    again = parse_lesson(to_toml(lesson), "again.toml")
    assert again.steps[0].args["data"] == lesson.steps[0].args["data"]
    assert "␛" in again.steps[0].narration("en")


def test_a_lesson_saved_with_a_byte_order_mark_loads(tmp_path):
    """Windows Notepad saves UTF-8 with a BOM: the lesson loads, its problems at their lines."""
    from scenarios.library import LESSON_DIR
    text = (LESSON_DIR / "buddy.toml").read_bytes()
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + text)
    assert len(load_lesson(bom).steps) == len(load_lesson(LESSON_DIR / "buddy.toml").steps)
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"\xef\xbb\xbf" + text.replace(b'do = "alloc_pages"', b'do = "no_such_op"', 1))
    with pytest.raises(LessonError) as err:
        load_lesson(bad)
    line = text[:text.index(b'do = "alloc_pages"')].count(b"\n") + 1
    assert err.value.problems[0][0] == line
