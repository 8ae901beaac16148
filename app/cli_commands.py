"""The ``mmviz`` commands that print and exit (the app starts in app/cli.py): each takes the
parsed arguments (app/cli_parser.py) and returns the exit status; the work is in the modules
named in each (app/cli_machine.py, cli_lesson.py, cli_more.py, cli_author.py, serve.py)."""
from __future__ import annotations

import argparse
import sys

from .cli_machine_args import check_machine, machine_config, machine_from
from .cli_parser import UsageError
from .cli_report import EXIT_FAIL, EXIT_USAGE, err_line, out


def cmd_layout(ns: argparse.Namespace) -> int:
    import engine

    from .cli_machine import cmd_layout as run
    return run(ns, engine.Machine.boot(**machine_config(ns)), out)


def cmd_lessons(ns: argparse.Namespace) -> int:
    from .cli_lesson import list_lessons
    return list_lessons(ns, out)


def cmd_check(ns: argparse.Namespace) -> int:
    """Each lesson named checked; exit 1 if one fails its checks, 2 if one names no lesson
    file (no such lesson or file: an argument error, as for every command)."""
    from scenarios import LessonError, LessonNotFound, find_lesson

    from .cli_lesson import check_lesson_boots, steps_count
    from .cli_text import t
    status = 0
    for name in ns.lesson:
        try:
            lesson = find_lesson(name)
            check_lesson_boots(lesson)          # what only booting refuses (ram = "16M" on 6.1)
        except LessonError as err:
            for line in err.lines():
                err_line(line)
            status = max(status, EXIT_USAGE if isinstance(err, LessonNotFound) else EXIT_FAIL)
            continue
        out(t(ns.lang, "check.ok", path=lesson.path, id=lesson.id,
              steps=steps_count(len(lesson.steps), ns.lang)))
    return status


def cmd_quiz(ns: argparse.Namespace) -> int:
    """``--ram``: the RAM of the problem's machine (scenarios.problems.MACHINES), refused as
    that machine's kernel would refuse it, and for a kind that boots none (walk, exercise).
    ``--pae``: that machine is a PAE one; the exercise's entries are 8 bytes; refused for
    walk (walk-pae is its PAE form)."""
    if ns.ram:
        from scenarios.problems import MACHINES
        if ns.topic not in MACHINES:
            raise UsageError(f"mmviz quiz: --ram is for the kinds that boot a machine "
                             f"({', '.join(MACHINES)}); {ns.topic} boots none")
        check_machine({"ram": ns.ram, "kernel": MACHINES[ns.topic]["kernel"], "pae": ns.pae})
    if ns.pae and ns.topic == "walk":
        raise UsageError("mmviz quiz: --pae: walk is the 10/10/12 walk; quiz walk-pae is the PAE "
                         "one (2/9/9/12)")
    if not ns.interactive:                       # OSTEP-style: the state, the questions, -c
        from .cli_lesson import quiz_problem
        return quiz_problem(ns, UsageError, out)
    from .cli_more import cmd_quiz as run
    return run(ns, UsageError, out)


def cmd_serve(ns: argparse.Namespace) -> int:
    from .serve import cmd_serve as run
    return run(ns, UsageError)


def cmd_record(ns: argparse.Namespace) -> int:
    from .cli_more import cmd_record as run
    return run(ns, UsageError)


def cmd_walk(ns: argparse.Namespace) -> int:
    from .cli_more import cmd_walk as run
    return run(ns, UsageError, machine_from)


def cmd_proc(ns: argparse.Namespace) -> int:
    import engine
    from scenarios.textsafe import sanitize
    m = machine_from(ns)
    try:
        text = m.proc(ns.path)
    except engine.ConfigError as err:       # no such file in /proc, no such process: the PATH's
        raise UsageError(f"mmviz: {err}") from None
    sys.stdout.write(sanitize(text))
    return 0


def cmd_glossary(ns: argparse.Namespace) -> int:
    from scenarios.glossary import lines
    for line in lines(ns.lang):
        out(line)
    return 0


def cmd_new(ns: argparse.Namespace) -> int:
    from .cli_author import cmd_new as run
    return run(ns, UsageError, out)


def cmd_schema(ns: argparse.Namespace) -> int:
    from .cli_author import cmd_schema as run
    return run(ns, UsageError, out)


def cmd_config(ns: argparse.Namespace) -> int:
    from .cli_author import cmd_config as run
    return run(ns, ns.settings, out)


def cmd_completion(ns: argparse.Namespace) -> int:
    from .cli_author import cmd_completion as run
    return run(ns, out)
