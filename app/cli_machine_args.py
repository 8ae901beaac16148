"""The machine options of the command line (--ram, --pae, --kernel, --vmalloc, --allocator,
--nx, --swap, --cpus, --config) as boot() arguments: refused in one line naming the option as
boot() would refuse them, refused with a lesson (which boots its own machine), and the machine
a command prints (after --lesson L [--step N], or booted from the options)."""
from __future__ import annotations

import argparse
from typing import Any

from .cli_parser import UsageError

BOOT_FLAGS = ("ram", "pae", "kernel", "vmalloc", "allocator", "nx", "swap", "cpus")
MACHINE_OPTIONS = (*BOOT_FLAGS, "config")


def boot_options(ns: argparse.Namespace) -> dict[str, Any] | None:
    """The machine configuration the boot options ask for, or None (bad values are reported
    as one line by mmviz when the machine boots)."""
    # `is` tests: --cpus 0 must reach make_config (and be refused there), not drop as False
    cfg = {k: v for k in BOOT_FLAGS if (v := getattr(ns, k, None)) is not None and v is not False}
    if getattr(ns, "config", None):            # --config KEY=VALUE: build options, as boot() takes them
        from .cli_boot import _config
        cfg["config"] = _config(ns.config)
    return cfg or None


def machine_config(ns: argparse.Namespace) -> dict[str, Any]:
    """Every machine option given as boot() arguments, refused here as boot() would."""
    cfg = boot_options(ns) or {}
    check_machine(cfg)
    return cfg


def check_machine(cfg: dict[str, Any]) -> None:
    """The machine options as boot() would refuse them, as one line naming the option
    ("--ram: '3M' is too small ..."; the engine's messages name the boot() argument)."""
    from scenarios.validate_args import check_machine as refused
    msg = refused(cfg)
    if not msg:          # what only booting finds (--ram 16M: 6.1's image ends at 31M)
        import engine
        try:
            engine.Machine.boot(**cfg)
        except engine.ConfigError as err:
            msg = str(err)
    if msg:
        key, sep, rest = msg.partition(":")
        if sep and key in MACHINE_OPTIONS and f"--{key}" not in rest:
            msg = f"--{key}:{rest}".replace("(use pae = true)", "(add --pae)")
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


def machine_from(ns: argparse.Namespace) -> Any:
    """The machine after --lesson L [--step N], or a freshly booted one."""
    if ns.step is not None and not ns.lesson:
        raise UsageError("mmviz: --step needs --lesson (the step of which lesson?)")
    if ns.lesson:
        from scenarios import Timeline, find_lesson

        from .cli_lesson import lesson_boot
        lesson = find_lesson(ns.lesson)
        refuse_machine_with_lesson(ns, ns.command, lesson)
        tl = Timeline(lesson, boot=lesson_boot(lesson))
        target = len(tl) if ns.step is None else ns.step
        if not 0 <= target <= len(tl):
            raise UsageError(f"mmviz: --step must be 0..{len(tl)}")
        tl.jump(target)
        return tl.machine
    import engine
    return engine.Machine.boot(**machine_config(ns))
