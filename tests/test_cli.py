"""The mmviz command line, in subprocesses, including bad input."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).parent / "broken_lessons"


def mmviz(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT, env=env, input=stdin, timeout=300)


def no_traceback(p: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in p.stderr and "Traceback" not in p.stdout


def test_no_args_prints_layout_and_boot_log():
    p = mmviz()
    no_traceback(p)
    assert p.returncode == 0
    assert "vmalloc" in p.stdout and "Zone ranges:" in p.stdout and "direct" in p.stdout


def test_lessons_lists_ids_titles_and_steps():
    p = mmviz("lessons")
    assert p.returncode == 0
    assert re.search(r"^\s*\d+\s+buddy\s+\d+\s+The buddy allocator", p.stdout, re.M)
    zh = mmviz("lessons", "--lang", "zh")
    assert "伙伴系统" in zh.stdout


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_run_text_passes(lang):
    p = mmviz("run", "buddy", "--text", "--lang", lang, "--checks")
    no_traceback(p)
    assert p.returncode == 0, p.stderr
    assert "✓" in p.stdout and "✗" not in p.stdout
    plain = mmviz("run", "buddy", "--text", "--lang", lang)        # students: no author checks
    assert plain.returncode == 0 and not re.search(r"^\s+✓ ", plain.stdout, re.M)
    assert "0x" in p.stdout
    assert ("全部检查通过" if lang == "zh" else "all expects passed") in p.stdout
    # a repeat's result in the language (as the lesson pane says it); "1 more line", not "lines"
    assert ("完成 1000 次，失败 0 次" if lang == "zh" else "1000 done, 0 failed") in plain.stdout
    assert "1 more lines" not in plain.stdout
    from app.cli_lesson import WORDS, _more
    assert _more(WORDS["en"], "lines", 1) == "1 more line; --full shows it"
    assert _more(WORDS["en"], "lines", 2) == "2 more lines; --full shows them"


def test_run_failing_expect_names_the_step():
    path = BROKEN / "failed_expect.toml"
    p = mmviz("run", str(path), "--text")
    no_traceback(p)
    assert p.returncode == 1
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and re.match(rf"^{re.escape(str(path))}:\d+: step 1 ", lines[0])
    assert "✗" in p.stdout


def test_check_ok_and_broken():
    assert mmviz("check", "buddy").returncode == 0
    p = mmviz("check", str(BROKEN / "unknown_op.toml"))
    no_traceback(p)
    assert p.returncode == 1
    assert re.match(r"^.*unknown_op\.toml:\d+: unknown operation 'kmaloc'", p.stderr)
    assert len(p.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [
    ("bogus",), ("run",), ("run", "no-such-lesson", "--text"), ("run", "buddy", "--lang", "fr"),
    ("check", "/nonexistent/x.toml"), ("layout", "--ram", "0"), ("proc", "/proc/nope"),
    ("quiz", "buddy", "--count", "0"), ("layout", "--ram", "100G"),
])
def test_bad_input_is_one_line_and_non_zero(args):
    p = mmviz(*args)
    no_traceback(p)
    assert p.returncode != 0
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_layout_and_proc():
    p = mmviz("layout", "--ram", "1G", "--kernel", "2.6")
    assert p.returncode == 0 and "0xf8000000" in p.stdout
    p = mmviz("proc", "/proc/buddyinfo", "--lesson", "buddy", "--step", "2")
    assert p.returncode == 0 and "Normal" in p.stdout


def test_quiz_shows_answers_and_checks_replies():
    p = mmviz("quiz", "buddy", "--seed", "4")
    assert p.returncode == 0 and "answer:" not in p.stdout and "order 10:" in p.stdout
    p = mmviz("quiz", "buddy", "--seed", "4", "-c")
    assert p.returncode == 0 and p.stdout.count("answer:") == 5
    p = mmviz("quiz", "buddy", "--seed", "4", "--count", "3", "--interactive", stdin="0\n0\n0\n")
    assert p.returncode == 0 and "score:" in p.stdout


def test_an_interactive_quiz_stops_at_the_end_of_input_and_asks_an_empty_line_again():
    """</dev/null scored every question wrong; an empty line (Enter by mistake) was a ✗."""
    p = mmviz("quiz", "buddy", "--seed", "4", "--count", "3", "--interactive", stdin="")
    assert p.returncode == 0 and "end of input: 0 of 3 questions answered" in p.stdout
    assert "✗" not in p.stdout and "score: 0/0" in p.stdout
    p = mmviz("quiz", "buddy", "--seed", "4", "--count", "3", "--interactive", stdin="\n\n0\n")
    assert p.stdout.count("answer:") == 1 and "end of input: 1 of 3" in p.stdout
    p = mmviz("quiz", "exercise", "--cr3", "0x1000", "--mem", "0x1000=0x2007", "--vaddr", "0x1abc",
              "--interactive", stdin="")
    assert p.returncode == 0 and "end of input: 0 of 1" in p.stdout
