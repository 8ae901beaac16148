"""The ``mmviz`` command line.

    mmviz                          the TUI (or, without one, the default machine's layout and boot log)
    mmviz lessons [--lang zh]      list the lessons
    mmviz run LESSON --text        play a lesson as text: narration, ops, events, expects
    mmviz check LESSON...          validate lesson files
    mmviz quiz KIND [--seed N] [-c|--interactive]   seeded problems (buddy walk walk-pae slab
                                   watermark vma exercise): the state, the questions, the answers
    mmviz layout --ram 1G [--pae]  the virtual memory layout of a machine
    mmviz proc PATH [--lesson L --step N]   a /proc file

Errors are one line on stderr and a non-zero exit status; never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, Sequence

from .cli_boot import cmd_boot
from .cli_parser import TAKES_VALUE, UsageError, build_parser
from .serve import tui_wanted
from .startup import collector_as, collector_on, freeze_at_exit, lean_start

if TYPE_CHECKING:
    from engine.machine import Machine

EXIT_FAIL = 1          # a lesson's checks failed: an expect, an invalid lesson file, a log with no boot lines
EXIT_USAGE = 2         # bad command-line arguments: a bad value, no such lesson, file or process
EXIT_INTERNAL = 70
__all__ = ["main", "build_parser", "UsageError"]


def _machine_config(ns: argparse.Namespace) -> dict[str, Any]:
    """Every machine option given (--ram, --pae, --kernel, --vmalloc, --allocator, --nx, --swap,
    --cpus, --config) as boot() arguments, refused here as boot() would."""
    from .cli_more import boot_options
    cfg = boot_options(ns) or {}
    _check_machine(cfg)
    return cfg


MACHINE_OPTIONS = ("ram", "pae", "kernel", "vmalloc", "allocator", "nx", "swap", "cpus", "config")


def _check_machine(cfg: dict[str, Any]) -> None:
    """The machine options as boot() would refuse them, as one line naming the option
    ("--ram: '3M' is too small ..."; the engine's messages name the boot() argument)."""
    from scenarios.validate_args import check_machine
    msg = check_machine(cfg)
    if not msg:          # what only booting finds (--ram 16M: 6.1's image ends at 31M)
        import engine
        try:
            engine.Machine.boot(**cfg)
        except engine.ConfigError as err:
            msg = str(err)
    if msg:
        key, sep, rest = msg.partition(":")
        if sep and key in MACHINE_OPTIONS and f"--{key}" not in rest:
            msg = f"--{key}:{rest}".replace("(use pae=True)", "(add --pae)")
        raise UsageError(f"mmviz: {msg}")


def refuse_machine_with_lesson(ns: argparse.Namespace, command: str, lesson: Any) -> None:
    """A lesson boots its own machine and its narration and checks hold on that machine only:
    machine options given with one (``mmviz run page-walk --pae``, ``mmviz walk ADDR --lesson L
    --ram 4G``) are refused with one line, never applied (the lesson's expects then fail as if
    it were broken) nor ignored.  ``lesson``: an id, a path or a loaded Lesson."""
    given = getattr(ns, "machine_given", None) or []
    if not given:
        return
    if isinstance(lesson, str):
        from scenarios import find_lesson
        lesson = find_lesson(lesson)
    words = []
    for dest in given:
        value = getattr(ns, dest)
        flag = "--" + dest.replace("_", "-")
        if value is True:
            words.append(flag)
        else:
            words += [f"{flag} {v}" for v in (value if isinstance(value, list) else [value])]
    from scenarios.kcalls import boot_spelling
    machine = boot_spelling(lesson.machine).removeprefix("boot: ")     # 160M RAM, Linux 2.6.24, ...
    raise UsageError(f"mmviz {command}: {' '.join(words)} cannot be used with a lesson: {lesson.id} "
                     f"boots its own machine ({machine}) and its steps are checked on it "
                     f"(for a machine of your choice: mmviz explore {' '.join(words)})")


def out(text: str = "", raw: bool = False) -> None:
    """One line on stdout; lesson text and engine messages go through sanitize()
    (``raw`` for JSON, whose strings are already escaped)."""
    if not raw:
        from scenarios.textsafe import sanitize
        text = sanitize(text)
    sys.stdout.write(text + "\n")


from .cli_parser import LANG as ERR_LANG   # the language of error and help lines: --lang's, the locale's


def err_line(text: str) -> None:
    """One line on stderr, sanitized like out(); in Chinese when the user chose zh
    (app.cli_text.error_zh: the values kept, the kernel's words as printed)."""
    from scenarios.textsafe import sanitize
    if ERR_LANG[0] == "zh":
        from .cli_text import error_zh
        text = error_zh(text)
    sys.stderr.write(sanitize(text) + "\n")


# -- commands ----------------------------------------------------------------------------

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
            from .cli_more import boot_options
            machine = boot_options(ns)
            if machine:
                _check_machine(machine)
            tui = app_cls(lesson=lesson, machine=machine, lang=ns.lang, layout=ns.layout,
                          settings=ns.settings)         # the lesson as loaded above, not again
            tui.ask_questions = not ns.no_ask  # predict, then see (widgets/question.py)
            return _run_app(tui)
    collector_on()
    import engine
    from .cli_more import boot_options
    cfg = boot_options(ns) or {}
    _check_machine(cfg)
    from .cli_machine import print_default
    print_default(engine.Machine.boot(**cfg), out, ns.lang)
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
        from .cli_more import crash_log
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


def print_layout(m: Machine, lang: str = "en") -> None:
    """The machine, its virtual regions and its zones (app.cli_machine)."""
    from .cli_machine import print_layout as show
    show(m, out, lang)


def cmd_layout(ns: argparse.Namespace) -> int:
    import engine
    from .cli_machine import cmd_layout as run
    return run(ns, engine.Machine.boot(**_machine_config(ns)), out)


def cmd_lessons(ns: argparse.Namespace) -> int:
    from .cli_lesson import list_lessons
    return list_lessons(ns, out)


def cmd_check(ns: argparse.Namespace) -> int:
    """Each lesson named checked; exit 1 if one fails its checks, 2 if one names no lesson
    file (no such lesson or file: an argument error, as for every command)."""
    from scenarios import LessonError, LessonNotFound, find_lesson
    status = 0
    for name in ns.lesson:
        try:
            lesson = find_lesson(name)
            from .cli_lesson import check_lesson_boots
            check_lesson_boots(lesson)          # what only booting refuses (ram = "16M" on 6.1)
        except LessonError as err:
            for line in err.lines():
                err_line(line)
            status = max(status, EXIT_USAGE if isinstance(err, LessonNotFound) else EXIT_FAIL)
            continue
        from .cli_lesson import steps_count
        from .cli_text import t
        out(t(ns.lang, "check.ok", path=lesson.path, id=lesson.id,
              steps=steps_count(len(lesson.steps), ns.lang)))
    return status


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


def cmd_quiz(ns: argparse.Namespace) -> int:
    if ns.ram:
        _check_machine({"ram": ns.ram})
    if not ns.interactive:                       # OSTEP-style: the state, the questions, -c
        from .cli_lesson import quiz_problem
        return quiz_problem(ns, UsageError, out)
    from .cli_more import cmd_quiz as run
    return run(ns, UsageError, out)


def machine_from(ns: argparse.Namespace) -> Any:
    """The machine after --lesson L [--step N], or a freshly booted one."""
    if ns.step is not None and not ns.lesson:
        raise UsageError("mmviz: --step needs --lesson (the step of which lesson?)")
    if ns.lesson:
        from scenarios import Timeline, find_lesson
        lesson = find_lesson(ns.lesson)
        refuse_machine_with_lesson(ns, ns.command, lesson)
        from .cli_lesson import lesson_boot
        tl = Timeline(lesson, boot=lesson_boot(lesson))
        target = len(tl) if ns.step is None else ns.step
        if not 0 <= target <= len(tl):
            raise UsageError(f"mmviz: --step must be 0..{len(tl)}")
        tl.jump(target)
        return tl.machine
    import engine
    return engine.Machine.boot(**_machine_config(ns))


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


COMMANDS = {"boot": cmd_boot, "glossary": cmd_glossary, "lessons": cmd_lessons, "run": cmd_run,
            "check": cmd_check, "quiz": cmd_quiz,
            "layout": cmd_layout, "proc": cmd_proc, "record": cmd_record, "walk": cmd_walk,
            "serve": cmd_serve, "explore": cmd_default,
            "new": cmd_new, "schema": cmd_schema, "config": cmd_config, "completion": cmd_completion}


def _split_lesson(argv: list[str]) -> tuple[list[str], str | None]:
    """``mmviz LESSON ...``: a first bare word that is not a command names a lesson."""
    takes_value = TAKES_VALUE
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in takes_value:
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        if a in COMMANDS:
            return argv, None
        return argv[:i] + argv[i + 1:], a
    return argv, None


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
        ERR_LANG[0] = _lang_hint(args)           # errors before --lang is parsed speak it too
        _check_environment()
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
        return 130
    except BrokenPipeError:
        return 0
    except Exception as err:  # every error is one line, never a traceback
        return _report(err)
    finally:
        collector_as(collector_was_on)


def _report(err: Exception) -> int:
    try:
        from scenarios import LessonError, LessonNotFound
        if isinstance(err, LessonError):
            for line in err.lines():
                err_line(line)
            return EXIT_USAGE if isinstance(err, LessonNotFound) else EXIT_FAIL
    except ImportError:
        pass
    try:
        import engine
        if isinstance(err, engine.ConfigError):     # a value the engine refuses: bad input
            err_line(f"mmviz: {err}")
            return EXIT_USAGE
        if isinstance(err, engine.KernelError):     # the simulated kernel's error, as it words it
            err_line(f"mmviz: {err}")
            return EXIT_FAIL
    except ImportError:
        pass
    if isinstance(err, OSError) and not isinstance(err, (MemoryError,)):
        where = f"{err.filename}: " if err.filename else ""
        err_line(f"mmviz: {where}{err.strerror or err}")
        return EXIT_FAIL
    import traceback
    from .cli_more import crash_log
    log = crash_log("".join(traceback.format_exception(type(err), err, err.__traceback__)))
    first = str(err).splitlines()[0][:200] if str(err) else ""
    err_line(f"mmviz: internal error: {type(err).__name__}: {first}"
             + (f" (details in {log})" if log else ""))
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
