"""A lesson boots its own machine; its narration and expects hold on that machine only.
Machine options (--ram, --pae, --kernel, --nx, --vmalloc, ...) given with a lesson are refused
with one line and exit 2, by every command that takes a lesson, before or after the command
word, in en and zh.  (``mmviz run page-walk --text --pae`` once played the lesson on a PAE
machine and failed its expects as if the shipped lesson were broken; ``mmviz walk ADDR
--lesson L --ram 4G --pae`` ignored both options.)"""
from __future__ import annotations

import argparse

import pytest

from app import cli
from app.cli_parser import MACHINE, build_parser

# every command that takes a lesson: how to name one (the sub-parsers with a 'lesson' dest)
WITH_LESSON = {
    None: ["page-walk", "--text"],                                  # mmviz LESSON
    "run": ["run", "page-walk", "--text"],
    "walk": ["walk", "0xc0100000", "--lesson", "page-walk", "--step", "3"],
    "proc": ["proc", "/proc/meminfo", "--lesson", "page-walk"],
    "record": ["record", "page-walk", "-o", "x.cast"],
    "serve": ["serve", "page-walk"],
    "check": ["check", "page-walk"],
    "new": ["new", "my-lesson"],
}
OPTIONS = {"ram": ["--ram", "4G"], "pae": ["--pae"], "kernel": ["--kernel", "2.6.32"],
           "vmalloc": ["--vmalloc", "256M"], "allocator": ["--allocator", "slab"], "nx": ["--nx"],
           "swap": ["--swap", "64M"], "cpus": ["--cpus", "2"], "config": ["--config", "NR_CPUS=8"]}


def _commands_taking_a_lesson() -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name for name, command in sub.choices.items()
            if any(a.dest == "lesson" for a in command._actions)}


def test_the_table_names_every_command_that_takes_a_lesson():
    assert set(OPTIONS) == set(MACHINE)
    assert _commands_taking_a_lesson() <= set(WITH_LESSON)


CASES = [(c, o, where) for c in WITH_LESSON for o in OPTIONS for where in ("after", "before")]


@pytest.mark.parametrize("command,option,where", CASES, ids=[f"{c}-{o}-{w}" for c, o, w in CASES])
def test_machine_options_with_a_lesson_are_refused(command, option, where, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "tui_wanted", lambda: False)
    words, given = WITH_LESSON[command], OPTIONS[option]
    argv = [*words, *given] if where == "after" else [*given, *words]
    assert cli.main(["--lang", "en", *argv]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1, err
    assert given[0] in err[0]
    assert "cannot be used with a lesson" in err[0] or "does not apply to this command" in err[0]
    assert captured.out == ""
    assert list(tmp_path.iterdir()) == []                  # nothing recorded, nothing written


@pytest.mark.parametrize("argv", [
    ["run", "page-walk", "--text", "--pae"],
    ["walk", "0xc0100000", "--lesson", "page-walk", "--step", "3", "--ram", "4G", "--pae"],
    ["--kernel", "2.6", "proc", "/proc/meminfo", "--lesson", "buddy"],
    ["buddy", "--text", "--ram", "1G"],
])
def test_the_line_names_the_lesson_its_machine_and_explore(argv, capsys, monkeypatch):
    monkeypatch.setattr(cli, "tui_wanted", lambda: False)
    assert cli.main(["--lang", "en", *argv]) == 2
    err = capsys.readouterr().err.strip()
    lesson = "page-walk" if "page-walk" in argv else "buddy"
    assert f"cannot be used with a lesson: {lesson} boots its own machine (160M RAM, Linux " in err
    assert "mmviz explore --" in err
    assert "failed" not in err                  # never read as a broken lesson


def test_the_line_in_chinese(capsys, monkeypatch):
    monkeypatch.setattr(cli, "tui_wanted", lambda: False)
    assert cli.main(["--lang", "zh", "run", "page-walk", "--text", "--pae"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mmviz run：--pae 不能和课程一起用：page-walk 启动它自己的机器（160M RAM")
    assert "mmviz explore --pae" in err and "cannot" not in err


def test_without_machine_options_the_lesson_runs_on_its_machine(capsys, monkeypatch):
    monkeypatch.setattr(cli, "tui_wanted", lambda: False)
    assert cli.main(["--lang", "en", "walk", "0xc0100000", "--lesson", "page-walk", "--step", "3"]) == 0
    assert "10+10+12" in capsys.readouterr().out           # page-walk's non-PAE machine
    assert cli.main(["--lang", "en", "walk", "0xc0100000", "--ram", "4G", "--pae"]) == 0
    assert "PAE" in capsys.readouterr().out                # no lesson: the options boot the machine
