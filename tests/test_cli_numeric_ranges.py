"""Every numeric option has its range checked when the command line is read: a value far out
of range is one line naming the option, exit 2 (never a lesson's or the engine's words, exit 1:
``quiz buddy --seed 99999999999999999999999999`` once said '<problem-buddy-...>:1: bad machine
setting seed')."""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from app import cli
from app.cli_parser import build_parser

LOG = str(Path(__file__).resolve().parent / "field_cases" / "12-pae-oops-kernel-pde-flags.txt")
HUGE = "9" * 26
# the arguments each command needs besides the option under test
BEFORE = {"run": ["buddy", "--text"], "quiz": ["buddy"], "proc": ["/proc/meminfo"],
          "walk": ["0xc0100000"], "record": ["buddy", "--svg", "{tmp}/svg", "--quiet"],
          "boot": ["--dmesg", LOG], "explore": ["--text"], "serve": ["buddy"]}
WITH_LESSON = {"--step": ["--lesson", "buddy"]}


def _numeric_options() -> list[tuple[str, str, str]]:
    """(command, option, huge value) for every option read by a number or size type."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found = []
    for name, command in sub.choices.items():
        for a in command._actions:
            kind = getattr(a.type, "__name__", "")
            if a.option_strings and kind in ("whole number", "size"):
                found.append((name, a.option_strings[-1], HUGE + ("G" if kind == "size" else "")))
    return sorted(set(found))


OPTIONS = _numeric_options()


def test_the_numeric_options_are_found():
    names = {option for _, option, _ in OPTIONS}
    assert {"--seed", "--pid", "--count", "--step", "--ram", "--initrd", "--port", "--cpus"} <= names


@pytest.mark.parametrize("command, option, value", OPTIONS, ids=lambda v: str(v)[:12])
def test_a_number_out_of_range_names_its_option(command, option, value, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MMVIZ_CONFIG", str(tmp_path / "config.toml"))
    argv = [command, *[a.replace("{tmp}", str(tmp_path)) for a in BEFORE.get(command, [])],
            *(WITH_LESSON.get(option, []) if command in ("proc", "walk") else []), option, value]
    code = cli.main(argv)
    out, err = capsys.readouterr()
    if code == 0:                  # a value with no upper limit that means "all" (--max-events)
        assert option == "--max-events", (argv, out[:200])
        return
    assert code == 2 and err.count("\n") == 1 and option in err, (argv, code, err)
