"""The ``mmviz`` command line.

    mmviz                          the TUI (or, without one, the default machine's layout and boot log)
    mmviz lessons [--lang zh]      list the lessons
    mmviz run LESSON --text        play a lesson as text: narration, ops, events, expects
    mmviz check LESSON...          validate lesson files
    mmviz quiz KIND [--seed N] [-c|--interactive] [--ram SIZE]   seeded problems (buddy walk
                                   walk-pae slab watermark vma exercise): the state, the questions,
                                   the answers; --ram: the problem's machine (the walks boot none)
    mmviz layout --ram 1G [--pae]  the virtual memory layout of a machine
    mmviz proc PATH [--lesson L --step N]   a /proc file

This module is the entry point (``mmviz`` = :func:`main`): it reads the command line
(app/cli_parser.py), dispatches to a command -- those that may start the app are here, the
others in app/cli_commands.py -- and reports what they raise (app/cli_report.py).  Errors are
one line on stderr and a non-zero exit status; never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any, Sequence

from .cli_boot import cmd_boot
from .cli_commands import (cmd_check, cmd_completion, cmd_config, cmd_glossary, cmd_layout, cmd_lessons,
                           cmd_new, cmd_proc, cmd_quiz, cmd_record, cmd_schema, cmd_serve, cmd_walk)
from .cli_machine_args import boot_options, check_machine, machine_config, refuse_machine_with_lesson
from .cli_parser import TAKES_VALUE, UsageError, build_parser
from .cli_report import (ERR_COMMAND, ERR_LANG, EXIT_FAIL, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE,
                         crash_log, err_line, out, report)
from .serve import tui_wanted
from .startup import collector_as, collector_on, freeze_at_exit, lean_start

__all__ = ["main", "build_parser", "UsageError", "EXIT_FAIL", "EXIT_USAGE", "EXIT_INTERNAL", "COMMANDS"]


# -- the commands that may start the app ----------------------------------------------------

def cmd_default(ns: argparse.Namespace) -> int:
    """``mmviz [LESSON] [--ram R [--pae]] [--lang zh]``: the TUI (or text without a terminal)."""
    lesson = None
    if ns.lesson is not None:                   # mmviz "": no such lesson, not the default one
        from scenarios import find_lesson
        lesson = find_lesson(ns.lesson)         # a bad lesson is one line, before anything starts
        refuse_machine_with_lesson(ns, "run", lesson)
        if ns.text or not tui_wanted():          # no terminal (nor browser): play it as text
            ns.text, ns.max_events = True, 8
            return cmd_run(ns)
    if not ns.text and tui_wanted():
        app_cls = _tui_app()
        if app_cls is not None:
            if lesson is not None:
                from .cli_lesson import check_lesson_boots
                check_lesson_boots(lesson)      # before the app: a refusal inside it would stop it
            machine = boot_options(ns)
            if machine:
                check_machine(machine)
            tui = app_cls(lesson=lesson, machine=machine, lang=ns.lang, layout=ns.layout,
                          settings=ns.settings)         # the lesson as loaded above, not again
            tui.ask_questions = not ns.no_ask  # predict, then see (widgets/question.py)
            return _run_app(tui)
    collector_on()
    import engine

    from .cli_machine import print_default
    print_default(engine.Machine.boot(**machine_config(ns)), out, ns.lang)
    return 0


def _run_app(app: Any) -> int:
    """Run the TUI; its exit status.  If it stopped on an error, the traceback Textual
    would print goes to a crash log and the terminal gets one line naming it."""
    import io
    from rich.console import Console
    captured = io.StringIO()
    app.error_console = Console(file=captured, width=120, markup=False, highlight=False,
                                color_system=None, force_terminal=False)
    app.run()
    code = getattr(app, "return_code", 0) or 0
    details = captured.getvalue()
    if code:
        log = crash_log(details or "(no details)")
        err_line(f"mmviz: internal error: the app stopped (exit status {code})"
                 + (f"; details in {log}" if log else ""))
        return EXIT_INTERNAL
    if details:
        sys.stderr.write(details)
    return 0


def _tui_app() -> Any:
    try:
        import app
    except ImportError:
        return None
    return getattr(app, "MmvizApp", None)


def cmd_run(ns: argparse.Namespace) -> int:
    refuse_machine_with_lesson(ns, "run", ns.lesson)     # the lesson's machine, never another
    if not ns.text:
        app_cls = _tui_app()
        if app_cls is None or not tui_wanted():
            raise UsageError("mmviz run: the TUI is not available here; add --text")
        from scenarios import find_lesson

        from .cli_lesson import check_lesson_boots
        lesson = find_lesson(ns.lesson)
        check_lesson_boots(lesson)              # before the app: a refusal inside it would stop it
        tui = app_cls(lesson=lesson, machine=None, lang=ns.lang, layout=ns.layout,
                      settings=ns.settings)
        tui.ask_questions = not ns.no_ask
        return _run_app(tui)
    collector_on()
    from .cli_lesson import play_text
    from .cli_more import _event_text
    return play_text(ns, _event_text, out, err_line)


COMMANDS = {"boot": cmd_boot, "glossary": cmd_glossary, "lessons": cmd_lessons, "run": cmd_run,
            "check": cmd_check, "quiz": cmd_quiz,
            "layout": cmd_layout, "proc": cmd_proc, "record": cmd_record, "walk": cmd_walk,
            "serve": cmd_serve, "explore": cmd_default,
            "new": cmd_new, "schema": cmd_schema, "config": cmd_config, "completion": cmd_completion}


# -- the entry point -----------------------------------------------------------------------

def _first_word(argv: list[str]) -> int:
    """The index of the first bare word of ``argv`` (option values skipped), or len(argv)."""
    i = 0
    while i < len(argv):
        if argv[i] in TAKES_VALUE:
            i += 2
        elif argv[i].startswith("-"):
            i += 1
        else:
            return i
    return len(argv)


def _split_lesson(argv: list[str]) -> tuple[list[str], str | None]:
    """``mmviz LESSON ...``: a first bare word that is not a command names a lesson."""
    i = _first_word(argv)
    if i == len(argv) or argv[i] in COMMANDS:
        return argv, None
    return argv[:i] + argv[i + 1:], argv[i]


def _command_word(argv: list[str]) -> str | None:
    """The command word of ``argv``, or None."""
    i = _first_word(argv)
    return argv[i] if i < len(argv) and argv[i] in COMMANDS else None


def _check_environment() -> None:
    """Textual's environment variables (app/environment.py): a value Textual would fail on is
    one argument error."""
    from .environment import EnvironmentProblem, check_environment
    try:
        check_environment()
    except EnvironmentProblem as problem:
        raise UsageError(f"mmviz: {problem}") from None


APP_COMMANDS = (None, "run", "explore", "record")   # may start the app (app/startup.py)


def _lang_hint(args: list[str]) -> str:
    """The language the command line asks for (``--lang zh`` / ``--lang=zh`` anywhere), else
    the locale's: the language of an error found before the arguments are parsed."""
    for i, a in enumerate(args):
        value = args[i + 1] if a == "--lang" and i + 1 < len(args) else a.partition("=")[2] \
            if a.startswith("--lang=") else None
        if value in ("en", "zh"):
            return value
    from widgets.i18n import default_lang
    return default_lang()


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (``argv``, else the process's own: then the process ends with it,
    app/startup.py freeze_at_exit); the exit status."""
    collector_was_on = lean_start()
    if argv is None:
        freeze_at_exit()
    try:
        args, lesson = _split_lesson(list(sys.argv[1:] if argv is None else argv))
        ERR_COMMAND[0] = None
        ERR_LANG[0] = _lang_hint(args)           # errors before --lang is parsed speak it too
        _check_environment()
        ERR_COMMAND[0] = _command_word(args)     # argparse's own top-level errors name it too
        parser = build_parser()
        from .cli_author import apply_settings, complete
        complete(parser)                         # the shell asked for completions: answer, exit
        ns = parser.parse_args(args)
        if lesson is not None:
            ns.lesson = lesson
        ns.settings = apply_settings(ns, UsageError)   # config file, --lessons DIR
        if getattr(ns, "lang", "") is None:
            from widgets.i18n import default_lang
            ns.lang = default_lang()
        ERR_LANG[0] = getattr(ns, "lang", None) or ERR_LANG[0]
        if ns.command not in APP_COMMANDS:
            collector_on()
        return COMMANDS.get(ns.command, cmd_default)(ns)
    except UsageError as err:
        err_line(str(err))
        return EXIT_USAGE
    except KeyboardInterrupt:
        err_line("mmviz: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception as err:  # every error is one line, never a traceback
        return report(err)
    finally:
        collector_as(collector_was_on)




if __name__ == "__main__":
    sys.exit(main())
