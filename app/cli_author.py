"""Commands for lesson authors and for the user's setup: ``mmviz new``, ``mmviz schema``,
``mmviz config``, ``mmviz completion``, and ``--version`` / ``--lessons DIR``."""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

SHELLS = ("bash", "zsh", "fish")


class VersionAction(argparse.Action):
    """``--version``: the version line, computed only when asked for."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kw: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print mmviz's version (and Textual's, Rich's, Python's) and exit")

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        from mmviz import version_line
        sys.stdout.write(version_line() + "\n")
        parser.exit(0)


def lesson_completer(prefix: str, **_: Any) -> list[str]:
    """Shell completion of a LESSON argument: lesson ids, then .toml files."""
    from scenarios.library import lesson_paths
    ids = sorted({p.stem for p in lesson_paths()})
    here = Path(prefix).expanduser().parent if "/" in prefix else Path(".")
    try:
        files = sorted(str(p) + ("/" if p.is_dir() else "") for p in here.iterdir()
                       if p.suffix == ".toml" or p.is_dir())
    except OSError:
        files = []
    if "/" not in prefix:
        files = [f.removeprefix("./") for f in files]
    return [c for c in ids + files if c.startswith(prefix)]


def add_global_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--version", action=VersionAction)
    p.add_argument("--lessons", action="append", metavar="DIR", default=None,
                   help="also list the lessons in this folder (repeatable; config: lessons = [...])")


def add_parsers(sub: Any) -> None:
    s = sub.add_parser("new", help="write a lesson scaffold that passes mmviz check")
    s.add_argument("lesson", help="a lesson id (writes ID.toml here) or a path ending in .toml")
    s.add_argument("--force", action="store_true", help="overwrite an existing file")

    s = sub.add_parser("schema", help="the JSON Schema of lesson files, for editors (taplo, VS Code)")
    s.add_argument("--path", action="store_true", help="print where the installed schema file is")
    from .cli_types import suffixed
    s.add_argument("-o", "--output", type=suffixed(".json"), help="write a copy to this file (.json)")

    s = sub.add_parser("config", help="the config file's path and the values in force")
    s.add_argument("--keys", action="store_true", help="list the binding ids a [keymap] can remap")
    s.add_argument("--init", action="store_true", help="write a commented config file if none exists")

    s = sub.add_parser("completion", help="print a shell completion script (bash, zsh, fish)")
    s.add_argument("shell", choices=SHELLS)


def lesson_completers(parser: argparse.ArgumentParser) -> None:
    """Give every LESSON argument of every subcommand the lesson-id completer."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                for a in sub._actions:
                    if a.dest == "lesson" and not a.option_strings:
                        a.completer = lesson_completer  # type: ignore[attr-defined]


FROM_ENV = "(the config file MMVIZ_CONFIG names)"
IGNORED = "(config file ignored; checking the lessons without it)"


def apply_settings(ns: argparse.Namespace, usage_error: type) -> Any:
    """Read the config file; its lesson folders (and --lessons) join the library, its lang
    becomes the default.  Returns the Settings (a bad file: usage_error, one line)."""
    from .config import ConfigFileError, load_settings
    try:
        settings = load_settings()
    except ConfigFileError as err:
        from .config import ENV_VAR
        named = f" {FROM_ENV}" if os.environ.get(ENV_VAR) else ""     # which file, and why that one
        if getattr(ns, "command", None) != "check":
            raise usage_error(f"{err}{named}") from None
        from .config import Settings            # mmviz check checks lessons, not the config file
        from .cli_report import err_line
        err_line(f"mmviz: {err}{named} {IGNORED}")
        settings = Settings(err.path)
    dirs = [*settings.lessons, *(Path(d).expanduser() for d in (getattr(ns, "lessons", None) or []))]
    for d in getattr(ns, "lessons", None) or []:
        if not Path(d).expanduser().is_dir():
            raise usage_error(f"mmviz: --lessons {d}: not a folder")
    from scenarios.library import set_user_dirs
    set_user_dirs(dirs)
    if getattr(ns, "lang", "") is None and settings.lang:
        ns.lang = settings.lang
    return settings


# -- mmviz new ------------------------------------------------------------------------------

SCAFFOLD = '''\
# A lesson for mmviz.  Check it:  mmviz check {file}     Play it:  mmviz {file}
# The format, every operation and every expect fact: docs/LESSONS.md (mmviz's source).
# Editors: `mmviz schema --path` names the JSON Schema; with taplo / VS Code's
# "Even Better TOML" a first line  #:schema /that/path/lesson.schema.json  checks as you type.

[lesson]
id = "{id}"
order = 1000                       # place in the lesson list (the shipped ones use 10..110)
title.en = "{id}: a first look at the buddy allocator"
title.zh = "{id}：初识伙伴系统"
summary.en = "Allocate a block of pages, watch the free lists, and give it back."
summary.zh = "分配一块连续的页，观察空闲链表，再把它还回去。"
machine = {{ ram = "160M", kernel = "6.1" }}   # boot()'s settings: ram, pae, kernel, vmalloc, ...
kernel.en = "Debian 12's Linux 6.1 on a 160 MB i386 machine"
kernel.zh = "160 MB i386 机器上的 Debian 12 Linux 6.1"

[[step]]
do = "proc"                        # an operation; its arguments are keys of the step
path = "/proc/buddyinfo"
title.en = "The free lists"
title.zh = "空闲链表"
say.en = """/proc/buddyinfo counts, for each zone, the free blocks of each order: column k \\
counts blocks of 2^k pages."""
say.zh = """/proc/buddyinfo 为每个管理区列出各阶的空闲块数：第 k 列是 2^k 个页的块的个数。"""
focus = {{ zone = "Normal" }}        # what the panes select
expect = {{ contains = "Normal" }}   # facts the engine must show after the step

[[step]]
do = "alloc_pages"
gfp = "GFP_KERNEL"
order = 2
as = "block"                       # later steps can say "block" (or "block + 1")
title.en = "Four pages"
title.zh = "四个页"
say.en = """Ask for 2^2 = 4 contiguous pages.  The allocator takes the smallest free block that \\
is big enough and splits it; the halves it does not need go on the lower free lists."""
say.zh = """申请 2^2 = 4 个连续的页。分配器取足够大的最小空闲块并拆分，用不到的一半放到低一阶的空闲链表上。"""
focus = {{ pfn = "block" }}
ask = {{ en = "Which zone does GFP_KERNEL take it from?", zh = "GFP_KERNEL 从哪个管理区分配？", answer = "zone" }}
expect = {{ zone = "Normal", order = 2 }}

[[step]]
do = "free_pages"
pfn = "block"
order = 2
title.en = "Back again"
title.zh = "还回去"
say.en = """Free the block.  It merges with its buddy only if the buddy is free too, and then \
again one order up; merged_to is the order of the free block it ended in."""
say.zh = """释放这个块。只有伙伴也空闲时才会合并，合并后再看高一阶的伙伴；merged_to 是它最终所在空闲块的阶。"""
focus = {{ pfn = "block" }}
expect = {{ merged_to = ">= 2", events.FreePages = 1 }}   # numbers also take < <= > >= !=
'''


def scaffold_target(name: str) -> tuple[Path, str]:
    """(file, lesson id) for ``mmviz new NAME``; ValueError for a name that is no id."""
    path = Path(name) if name.endswith(".toml") else Path(f"{name}.toml")
    lid = path.stem
    if not re.match(r"^[a-z0-9][a-z0-9_-]*$", lid):        # named as typed ('../bad name')
        typed = f"{name!r}: " if lid not in (name, name.removesuffix(".toml")) else ""
        raise ValueError(f"{typed}{lid!r} is not a lesson id (lower-case letters, digits, - or _)")
    return path, lid


def cmd_new(ns: argparse.Namespace, usage_error: type, out: Any) -> int:
    try:
        path, lid = scaffold_target(ns.lesson)
    except ValueError as err:
        raise usage_error(f"mmviz new: {err}") from None
    from scenarios.library import LESSON_DIR
    if (LESSON_DIR / f"{lid}.toml").is_file():     # one id, two lessons: only the first opens by id
        raise usage_error(f"mmviz new: {lid!r} is a bundled lesson's id; give yours another")
    if path.exists() and not ns.force:
        raise usage_error(f"mmviz new: {path} exists (add --force to overwrite it)")
    if not path.parent.is_dir():
        raise usage_error(f"mmviz new: {path.parent} is not a folder")
    path.write_text(SCAFFOLD.format(id=lid, file=path), encoding="utf-8")
    from .cli_text import t
    out(t(ns.lang, "new.done", path=path, id=lid))
    return 0


# -- mmviz schema / config / completion -----------------------------------------------------

def cmd_schema(ns: argparse.Namespace, usage_error: type, out: Any) -> int:
    from scenarios.schema import SCHEMA_PATH, text
    if ns.path:
        out(str(SCHEMA_PATH))
        return 0
    if ns.output:
        try:
            Path(ns.output).write_text(text(), encoding="utf-8")
        except OSError as err:            # no such folder, no permission: a bad -o, exit 2
            raise usage_error(f"mmviz schema: {ns.output}: {err.strerror or err}") from None
        from .cli_text import t
        out(t(ns.lang, "schema.done", path=ns.output))
        return 0
    sys.stdout.write(text())
    return 0


CONFIG_TEMPLATE = '''\
# mmviz configuration (every key is optional; `mmviz config` shows the values in force)
# theme = "projector"            # textual-dark, textual-light, projector, nord, ...
# lang = "zh"                    # en | zh (default: from LC_ALL / LANG)
# autoplay_speed = 1.5           # 0.5 0.75 1 1.5 2 3 5: reading speed in autoplay
# lessons = ["~/mmviz-lessons"]  # folders of your own lessons, listed in the picker

# [record]
# size = "160x48"                # mmviz record's default --size

# [keymap]                       # binding id = keys (`mmviz config --keys` lists the ids)
# step = "right,n,j"
# back = "left,p,k"
'''


def cmd_config(ns: argparse.Namespace, settings: Any, out: Any) -> int:
    from .cli_text import t
    lang = ns.lang
    if ns.keys:
        from .config import binding_ids
        for bid, keys in sorted(binding_ids().items()):
            now = settings.keymap.get(bid)
            out(f"{bid:<16} {keys}" + (t(lang, "config.bound", keys=now) if now else ""))
        return 0
    path = settings.path
    if ns.init:
        if path.exists():
            out(t(lang, "config.exists", path=path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(CONFIG_TEMPLATE, encoding="utf-8")
            out(t(lang, "config.written", path=path))
        return 0
    out(t(lang, "config.file", path=path) + ("" if settings.exists else t(lang, "config.none")))
    rows = settings.rows()
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        out(f"  {key:<{width}}  {value}")
    return 0


def cmd_completion(ns: argparse.Namespace, out: Any) -> int:
    """The shell's completion script (argcomplete: it asks mmviz's own parser at each Tab)."""
    import argcomplete
    sys.stdout.write(argcomplete.shellcode(["mmviz"], shell=ns.shell))
    return 0


def complete(parser: argparse.ArgumentParser) -> None:
    """Called before parsing: when the shell asks for completions, answer and exit."""
    import os
    if "_ARGCOMPLETE" not in os.environ:
        return
    import argcomplete
    lesson_completers(parser)
    argcomplete.autocomplete(parser)
