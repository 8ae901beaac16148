"""The command line's start-up settings, taken before numpy or Textual is imported.

- One OpenBLAS thread (a value the user set is kept): mmviz does no linear algebra, and
  numpy's import otherwise starts a BLAS thread per core and waits for them (~60 ms of CPU
  on two cores, before the first frame).
- No garbage collection until the app's own policy takes over at mount
  (app.app.gc_policy_on) or a command other than the TUI starts (app/cli.py: main,
  cmd_default, cmd_run): imports, boot and the first frame allocate about a million objects,
  all long-lived, and collecting them (10-15 % of the start-up CPU) frees nothing.
"""
from __future__ import annotations

import gc
import os


def lean_start() -> bool:
    """Take the start-up settings; whether the collector was on before."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    was_on = gc.isenabled()
    gc.disable()
    return was_on


def collector_on() -> None:
    """The command runs without the TUI: the collector works as usual."""
    gc.enable()


def collector_as(was_on: bool) -> None:
    """The collector as it was before lean_start() (main() returns)."""
    (gc.enable if was_on else gc.disable)()
