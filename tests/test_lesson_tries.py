"""Every "try it yourself" a lesson suggests works as written: a shell command (``mmviz ...``)
exits 0 with no error, a command for the ':' line runs on the lesson's machine at its end.
kmalloc-vmalloc suggested ``mmviz walk ... --kernel 2.6 --lesson kmalloc-vmalloc``, which
mmviz refuses (a lesson boots its own machine)."""
from __future__ import annotations

import shlex

import pytest

from app.cli import main
from scenarios import Timeline, all_lessons
from scenarios.explore import parse_command

TRIES = [(les.id, t.cmd) for les in all_lessons() for t in les.tries]


def test_the_lessons_suggest_commands_of_both_kinds():
    assert any(cmd.startswith("mmviz ") for _, cmd in TRIES)
    assert any(not cmd.startswith("mmviz ") for _, cmd in TRIES)


@pytest.mark.parametrize("lesson, cmd", [t for t in TRIES if t[1].startswith("mmviz ")])
def test_a_suggested_shell_command_runs(lesson, cmd, capsys):
    argv = shlex.split(cmd)[1:]
    code = main(argv if "--lang" in argv else ["--lang", "en", *argv])
    out, err = capsys.readouterr()
    assert code == 0 and err == "" and out, f"{lesson}: {cmd}: exit {code}: {err.strip()}"


@pytest.mark.parametrize("lesson, cmd", [t for t in TRIES if not t[1].startswith("mmviz ")])
def test_a_suggested_typed_command_runs_at_the_lessons_end(lesson, cmd):
    les = next(x for x in all_lessons() if x.id == lesson)
    tl = Timeline(les)
    tl.run_all()
    step = parse_command(cmd, names=dict(tl.env), index=tl.position,
                         machine={"kernel": tl.machine.config.kernel})
    tl = tl.branch()
    tl.add(step)
    assert tl.current.error is None or tl.current.error_kind == "kernel", \
        f"{lesson}: :{cmd}: {tl.current.error_message}"
    tl.machine.check()
