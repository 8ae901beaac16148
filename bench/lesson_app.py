"""A lesson's steps on a machine of the benchmark's choosing, in the TUI, started as mmviz
starts it: what bench.bench_press and bench.bench_startup time at 1 GB and 64 GB PAE.

    python -m bench.lesson_app --ram 64G --pae --no-ask buddy

mmviz itself refuses machine options with a lesson (app.cli_machine_args.refuse_machine_with_lesson: the
lesson's narration and expects hold on its own machine only).  The benchmarks still need
every lesson's steps on a large machine -- what a step costs grows with mem_map -- so this
entry builds the app with ``MmvizApp(lesson=..., machine=...)``, the app's own override, and
runs it through app.cli's start (app.startup.lean_start, freeze_at_exit, the app's collector
policy) and app.cli._run_app: the same process users run, with another machine.  A step whose
expect does not hold on that machine is shown as the app shows any failed expect.
"""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str]) -> int:
    from app.startup import freeze_at_exit, lean_start
    lean_start()
    freeze_at_exit()
    ap = argparse.ArgumentParser(prog="python -m bench.lesson_app", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ram", default=None, help="the machine's RAM (1G, 64G, ...)")
    ap.add_argument("--pae", action="store_true", help="a PAE machine")
    ap.add_argument("--no-ask", action="store_true", help="no questions before the steps")
    ap.add_argument("--lang", default="en", choices=("en", "zh"))
    ap.add_argument("lesson", help="a lesson id or file")
    a = ap.parse_args(argv)
    from app import MmvizApp
    from app.cli import _run_app
    machine = {**({"ram": a.ram} if a.ram else {}), **({"pae": True} if a.pae else {})}
    tui = MmvizApp(lesson=a.lesson, machine=machine or None, lang=a.lang)
    tui.ask_questions = not a.no_ask
    return _run_app(tui)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
