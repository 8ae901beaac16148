"""The ``mmviz`` command line's grammar: every command's arguments, the usage text and
the parser that reports a bad argument as one line (UsageError).  What the commands do is
in app/cli.py, app/cli_commands.py and the modules they dispatch to."""
from __future__ import annotations

import argparse
import sys
from typing import Any

from .cli_boot import add_boot_parser
from .cli_more import RECORD_SIZE
from .cli_types import address, config_pair, entries, folder, seconds, size, suffixed, whole

TOP_USAGE = """mmviz [LESSON] [--lang en|zh] [--layout wide|medium|compact]
  mmviz [explore] [--ram SIZE] [--pae] [--kernel RELEASE] [--vmalloc SIZE] [--allocator slab|slub]
        [--nx] [--swap SIZE] [--cpus N] [--config KEY=VALUE]   free exploration on that machine
  mmviz COMMAND ...                                 (see the commands below)"""
LANG_HELP = "language (default: from LC_ALL / LANG)"
TAKES_VALUE = {"--lang", "--ram", "--kernel", "--vmalloc", "--allocator", "--swap", "--cpus",
               "--layout", "--lessons", "--config"}


SEED_MAX = (1 << 32) - 1     # a lesson machine's seed fits 32 bits (scenarios/validate_args.py)
# The largest pid + 1 on i386: include/linux/threads.h PID_MAX_LIMIT is PID_MAX_DEFAULT (0x8000)
# where sizeof(long) is 4; alloc_pidmap() hands out pids below pid_max <= PID_MAX_LIMIT.
PID_LIMIT = 0x8000


class UsageError(Exception):
    """A bad command line: one line on stderr, exit status 2."""


LANG = ["en"]      # the language of help and error lines (app.cli.main sets it: --lang, the locale)


class _Parser(argparse.ArgumentParser):
    def format_help(self) -> str:
        if LANG[0] != "zh":
            return with_lessons(self, super().format_help())
        return with_lessons(self, _in_zh(self, super().format_help))

    def error(self, message: str) -> None:  # one line, not usage + message
        raise UsageError(f"{self.prog}: {message}")


# The top level's options, taken by every command where they mean something, before or after
# the command word alike: the language and lesson folders everywhere, the machine options where
# a machine boots, the app's options where the app may start.  Given to a command they do not
# apply to, they are refused (before or after it) rather than silently ignored.
COMMON = ("lang", "lessons")
MACHINE = ("ram", "pae", "kernel", "vmalloc", "allocator", "nx", "swap", "cpus", "config")
APP = ("text", "no_ask", "layout")
TAKES = {"run": COMMON + APP + MACHINE, "explore": COMMON + APP + MACHINE,
         "layout": COMMON + MACHINE, "proc": COMMON + MACHINE, "walk": COMMON + MACHINE,
         "quiz": COMMON + ("ram", "pae"), "boot": COMMON + ("kernel", "config")}   # others: COMMON


def _copy_option(a: argparse.Action, to: argparse.ArgumentParser) -> None:
    """Add the top-level option ``a`` to a command's parser (same strings, type, choices,
    help; no default of its own: the top level's stands)."""
    kw: dict[str, Any] = {"dest": a.dest, "default": argparse.SUPPRESS, "help": a.help}
    if isinstance(a, argparse._StoreTrueAction):
        kw["action"] = "store_true"
    else:
        kw.update(type=a.type, choices=a.choices, metavar=a.metavar)
        if isinstance(a, argparse._AppendAction):
            kw["action"] = "append"
    to.add_argument(*a.option_strings, **kw)


class _TopParser(_Parser):
    """``mmviz``: an option given before the command (``mmviz --lang zh run L``,
    ``mmviz --ram 1G layout``) is the command's too, and the command takes it after its word
    as well (``mmviz walk ADDR --lang zh``; TAKES says which).  argparse lets a command's own
    default overwrite it, so a command's copy of a top-level option defaults to nothing and its
    default is filled in after parsing only where the top level was not given a value."""

    command_defaults: dict[str, dict[str, Any]]
    top_defaults: dict[str, Any]
    applies: dict[str, set[str]]
    command = None

    def share_options(self, sub: Any) -> None:
        top = {a.dest: a for a in self._actions
               if a.option_strings and a.dest not in ("help", argparse.SUPPRESS)}
        self.top_defaults = {d: a.default for d, a in top.items()}
        self.top_strings = {d: a.option_strings[-1] for d, a in top.items()}
        self.command_defaults, self.applies = {}, {}
        for name, command in sub.choices.items():
            have = {a.dest for a in command._actions}
            for dest in TAKES.get(name, COMMON):
                if dest not in have:
                    _copy_option(top[dest], command)
            self.applies[name] = {a.dest for a in command._actions}
            kept = self.command_defaults.setdefault(name, {})
            for a in command._actions:
                if a.option_strings and a.dest in self.top_defaults and a.default is not argparse.SUPPRESS:
                    given = a.default
                    if isinstance(given, str) and a.type is not None:
                        given = a.type(given)
                    kept[a.dest] = given
                    a.default = argparse.SUPPRESS

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:  # type: ignore[override]
        args = list(sys.argv[1:] if args is None else args)
        self.command = next((a for a in args if a in self.applies), None)
        ns = super().parse_args(args, namespace)
        ns.machine_given = [d for d in MACHINE if getattr(ns, d, self.top_defaults.get(d))
                            not in (self.top_defaults.get(d), argparse.SUPPRESS)]
        for dest, default in self.command_defaults.get(ns.command, {}).items():
            if getattr(ns, dest, argparse.SUPPRESS) == self.top_defaults[dest]:
                setattr(ns, dest, list(default) if isinstance(default, list) else default)
        for dest, default in self.top_defaults.items():    # given before a command it does not fit
            if ns.command and dest not in self.applies[ns.command] and getattr(ns, dest, default) != default:
                self.not_for(ns.command, self.top_strings[dest])
        return ns

    def not_for(self, command: str, option: str) -> None:
        raise UsageError(f"mmviz {command}: {option} does not apply to this command "
                         f"(mmviz {command} --help lists its options)")

    def error(self, message: str) -> None:
        """A top-level option after a command it does not fit: the same line as before it."""
        if self.command and message.startswith("unrecognized arguments: "):
            for word in message.removeprefix("unrecognized arguments: ").split():
                option = word.partition("=")[0]
                if option in self.top_strings.values():
                    self.not_for(self.command, option)
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    p = _TopParser(prog="mmviz", usage=TOP_USAGE, formatter_class=argparse.RawDescriptionHelpFormatter,
                description="See how 32-bit x86 Linux manages memory, step by step.")
    p.add_argument("--text", action="store_true", help="print the default machine instead of the TUI")
    p.add_argument("--lang", choices=("en", "zh"), default=None, help=LANG_HELP)
    add_boot_options(p)
    p.add_argument("--no-ask", action="store_true",
                   help="TUI: step without stopping at the lessons' prediction questions")
    from . import cli_author
    cli_author.add_global_options(p)
    p.set_defaults(lesson=None)
    sub = p.add_subparsers(dest="command", parser_class=_Parser, prog="mmviz")
    cli_author.add_parsers(sub)

    s = sub.add_parser("lessons", help="list the lessons")
    s.add_argument("--lang", choices=("en", "zh"), default=None, help=LANG_HELP)
    s.add_argument("--lessons", action="append", metavar="DIR", default=argparse.SUPPRESS,
                   help="also list the lessons in this folder")
    s.add_argument("--all", action="store_true", help="also list lessons this engine cannot run yet")
    s.add_argument("--json", action="store_true", help="print JSON (the same data, English keys)")

    s = sub.add_parser("run", help="play a lesson")
    s.add_argument("lesson", help="a lesson id (see: mmviz lessons) or a .toml file")
    s.add_argument("--text", action="store_true", help="print the lesson instead of opening the TUI")
    s.add_argument("--lang", choices=("en", "zh"), default=None, help=LANG_HELP)
    s.add_argument("--max-events", type=whole(0), default=8, metavar="N",
                   help="events shown per step (default 8)")
    s.add_argument("--answers", action="store_true",
                   help="with --text: print each question's answer (for teachers)")
    s.add_argument("--full", action="store_true",
                   help="with --text: print each step's output in full (by default its first "
                        "line and the lines the narration names)")
    s.add_argument("--checks", action="store_true",
                   help="with --text: print every step's checks (for lesson authors); by default "
                        "only a failed one is printed")
    s.add_argument("--no-ask", action="store_true",
                   help="TUI: step without stopping at the prediction questions")

    s = sub.add_parser("glossary", help="the lessons' terms, en/zh, with kernel identifiers")
    s.add_argument("--lang", choices=("en", "zh"), default=None, help=LANG_HELP)

    s = sub.add_parser("check", help="validate lesson files")
    s.add_argument("lesson", nargs="+")

    s = sub.add_parser("quiz", help="seeded practice questions answered by the engine")
    s.add_argument("topic", choices=("buddy", "walk", "walk-pae", "slab", "watermark", "vma",
                                      "exercise"))
    s.add_argument("--seed", type=whole(0, SEED_MAX, example=1), default=1, help="the problem's seed (default 1): the same seed, the same problem")
    s.add_argument("--count", type=whole(1, 50), default=None, help="about this many questions (1..50)")
    s.add_argument("--ram", type=size, default=None, help="RAM of the problem's machine (buddy, slab, watermark, vma; the walks and the exercise boot none)")
    s.add_argument("--lang", choices=("en", "zh"), default=None, help=LANG_HELP)
    s.add_argument("--interactive", action="store_true", help="type answers; the engine checks them")
    s.add_argument("-c", dest="answers", action="store_true", help="print the worked answers")
    s.add_argument("--cr3", type=address, default=None, help="exercise: CR3 (hex)")
    s.add_argument("--mem", type=entries, default=None, help="exercise: PADDR=VALUE,... entries in memory")
    s.add_argument("--vaddr", type=address, default=None, help="exercise: the virtual address to translate")
    s.add_argument("--pae", action="store_true", help="PAE: the machine of buddy, slab, watermark, vma; the exercise's 8-byte entries (walk-pae is the PAE walk)")

    s = sub.add_parser("layout", help="the virtual memory layout of a machine")
    s.add_argument("--json", action="store_true", help="print JSON (the same data, English keys)")
    _machine_args(s)

    s = sub.add_parser("proc", help="print a /proc file")
    s.add_argument("path")
    s.add_argument("--lesson", help="play this lesson first")
    s.add_argument("--step", type=whole(), default=None, help="stop after this step (default: the last)")
    _machine_args(s)
    add_boot_parser(sub)
    add_parsers(sub, _machine_args)
    from .serve import add_parser as add_serve_parser
    add_serve_parser(sub)
    p.share_options(sub)
    return p


def _machine_args(s: argparse.ArgumentParser) -> None:
    s.add_argument("--ram", type=size, default="160M", help="RAM size (default 160M)")
    s.add_argument("--pae", action="store_true", help="a PAE machine (3-level page tables)")
    s.add_argument("--kernel", type=kernel_release, default="6.1", metavar="RELEASE",
                   help="2.6 (2.6.24), 6.1 (Debian 6.1, the default) or any release 2.6.20 .. 6.12")
    s.add_argument("--vmalloc", type=size, default=None, help="vmalloc area size (the vmalloc= boot option)")
    s.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                   type=config_pair,
                   help="a build option, e.g. DEBUG_RODATA=y, NR_CPUS=8 (repeatable)")


def kernel_release(value: str) -> str:
    """``--kernel``: an alias (2.6, 6.1) or any release 2.6.20 .. 6.12 (engine.kversion);
    anything else is one line naming the accepted range."""
    from engine.errors import ConfigError
    from engine.kversion import NEWEST, OLDEST, parse_version
    try:
        parse_version(value)
    except ConfigError:
        lo, hi = ".".join(map(str, OLDEST)), ".".join(map(str, NEWEST))
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a kernel mmviz models: give 2.6, 6.1 or a release {lo} .. {hi} "
            f"(e.g. 2.6.31, 3.16, 4.19)") from None
    return value


def add_boot_options(p: argparse.ArgumentParser) -> None:
    """The TUI's boot options: the machine for free exploration (a lesson boots its own: given
    with one they are refused, app.cli_machine_args.refuse_machine_with_lesson)."""
    p.add_argument("--ram", type=size, default=None, help="free exploration on a machine with this much RAM")
    p.add_argument("--pae", action="store_true", help="a PAE machine (3-level page tables)")
    p.add_argument("--kernel", type=kernel_release, default=None, metavar="RELEASE",
                   help="kernel: 2.6 (2.6.24, SLAB), 6.1 (Debian 6.1, SLUB; the default) or any "
                        "release 2.6.20 .. 6.12 (e.g. 3.16, 4.19)")
    p.add_argument("--vmalloc", type=size, default=None, help="vmalloc area size (the vmalloc= boot option)")
    p.add_argument("--allocator", choices=("slab", "slub"), default=None,
                   help="the object allocator (default: the kernel's: SLAB on 2.6.24, SLUB on 6.1)")
    p.add_argument("--nx", action="store_true", help="NX pages (needs --pae)")
    p.add_argument("--swap", type=size, default=None, help="a swap area of this size")
    p.add_argument("--cpus", type=whole(), default=None, help="CPUs (1 .. the build's NR_CPUS)")
    p.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                   type=config_pair,
                   help="a build option, e.g. DEBUG_RODATA=y, NR_CPUS=8 (repeatable)")
    p.add_argument("--layout", choices=("wide", "medium", "compact"), default=None,
                   help="start in this layout (default: the roomiest that fits; v cycles)")

def _in_zh(parser: argparse.ArgumentParser, format_help: Any) -> str:
    """The help with every help line, the description and argparse's headings in Chinese
    (app.cli_help_zh); the parser is left as it was."""
    from .cli_help_zh import HEADINGS_ZH, HELP_ZH, TOP_USAGE_ZH
    actions = [a for a in parser._actions if a.help] + [
        c for a in parser._actions if isinstance(a, argparse._SubParsersAction) for c in a._choices_actions]
    kept = [(a, a.help) for a in actions], parser.description, parser.usage
    for a in actions:
        a.help = HELP_ZH.get(a.help, a.help)
    parser.description = HELP_ZH.get(parser.description or "", parser.description)
    if parser.usage == TOP_USAGE:
        parser.usage = TOP_USAGE_ZH
    try:
        text = format_help()
    finally:
        for a, help_text in kept[0]:
            a.help = help_text
        parser.description, parser.usage = kept[1], kept[2]
    for en, zh in HEADINGS_ZH:
        text = text.replace(en, zh)
    return text


def with_lessons(parser: argparse.ArgumentParser, text: str) -> str:
    """``mmviz --help``: the usage, then the bundled lessons (id, steps, title)."""
    if parser.prog != "mmviz":
        return text
    zh = LANG[0] == "zh"
    try:
        from scenarios import all_lessons
        rows = [f"  {l.id:<18} {len(l):>3} {'步' if zh else 'steps'}  {l.title_in(LANG[0])}"
                for l in all_lessons()]
    except Exception as err:  # a broken lesson must not break --help
        rows = [f"  (lessons unavailable: {err})"]
    head = "\n课程（mmviz LESSON 打开一个）：\n" if zh else "\nlessons (mmviz LESSON opens one):\n"
    return text + head + "\n".join(rows) + "\n"


class AccessKinds:
    """``--kind``'s choices, engine.mmu.ACCESS_KINDS, read when argparse first looks at them
    (a --kind value, walk's help, a completion): importing the engine to build the parser
    cost every command, --help and each shell completion ~0.3 s."""

    def _kinds(self) -> tuple[str, ...]:
        from engine.mmu import ACCESS_KINDS
        return ACCESS_KINDS

    def __contains__(self, value: object) -> bool:
        return value in self._kinds()

    def __iter__(self) -> Any:
        return iter(self._kinds())


def add_parsers(sub: Any, machine_args: Any) -> None:
    """``mmviz explore``, ``mmviz record`` and ``mmviz walk`` (app/cli.py and app/cli_more.py
    run them)."""
    s = sub.add_parser("explore", help="free exploration on a machine: the TUI (text without a terminal)")
    add_boot_options(s)
    s.add_argument("--text", action="store_true", help="print the machine instead of the TUI")
    s.add_argument("--lang", choices=("en", "zh"), default=None, help=LANG_HELP)
    s.add_argument("--no-ask", action="store_true", help=argparse.SUPPRESS)
    s = sub.add_parser("record", help="record a lesson as an asciicast v2 file or SVG screenshots")
    s.add_argument("lesson")
    s.add_argument("-o", "--output", type=suffixed(".cast", ".svg"),
                   help="the file to write: .cast (asciicast v2) or .svg (one animated SVG)")
    s.add_argument("--svg", metavar="DIR", type=folder, help="write one SVG screenshot per step into DIR")
    s.add_argument("--step", type=whole(), default=None, help="with --svg: only this step")
    s.add_argument("--lang", choices=("en", "zh"), default=None, help=LANG_HELP)
    s.add_argument("--size", default=None,
                   help=f"terminal COLSxROWS (default: the config's record.size, else {RECORD_SIZE}: "
                        "the wide layout, every pane; "
                        "smaller sizes record the medium or compact layout)")
    s.add_argument("--step-seconds", type=seconds, default=None,
                   help="seconds per step (default: each step's reading time, as autoplay)")
    s.add_argument("--quiet", action="store_true", help="no progress bar")

    s = sub.add_parser("walk", help="translate a virtual address level by level (like crash's vtop)")
    s.add_argument("addr")
    s.add_argument("--pid", type=whole(0, PID_LIMIT - 1, example=1), default=None, help="walk this process's page tables (default: the kernel's)")
    s.add_argument("--kind", choices=AccessKinds(), default="read", help="the access (default read)")
    s.add_argument("--lesson", help="play this lesson first")
    s.add_argument("--step", type=whole(), default=None, help="stop after this step (default: the last)")
    s.add_argument("--json", action="store_true", help="print JSON (the same data, English keys)")
    machine_args(s)
