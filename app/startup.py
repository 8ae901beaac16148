"""The command line's start-up settings, taken before numpy or Textual is imported.

- One OpenBLAS thread (a value the user set is kept): mmviz does no linear algebra, and
  numpy's import otherwise starts a BLAS thread per core and waits for them (~60 ms of CPU
  on two cores, before the first frame).
- The process's own command (``mmviz ...``, ``python -m app.cli``) ends with everything it
  made frozen (``gc.freeze`` at exit): the interpreter's teardown would otherwise run a last
  collection over every object -- about a million after a recording or the TUI -- to free
  memory the process is about to give back anyway (0.3-0.4 s after ``mmviz record``).
- No garbage collection until the app's own policy takes over at mount
  (gc_policy_on) or a command other than the TUI starts (app/cli.py: main,
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


_AT_EXIT: list[bool] = []


def freeze_at_exit() -> None:
    """The process ends when this command does: freeze what it made at exit, before the
    interpreter's last collections (atexit handlers run first).  Once per process."""
    if not _AT_EXIT:
        import atexit
        atexit.register(gc.freeze)
        _AT_EXIT.append(True)


# young collections every 10,000 allocations: measured with ``bench_steps --gc`` (1 GB, 5
# lessons, interleaved) against 50,000: the same or less collector CPU per run (22-38 vs
# 28-59 ms) and its longest pause 2-5 ms instead of 8-28 ms (a young collection's cost grows
# with what it scans; the panes' kept rows leave little garbage)
GC_THRESHOLDS = (10_000, 20, 100)


def gc_policy_on() -> tuple[int, int, int]:
    """The app's collector policy: start-up objects frozen out of full scans, young
    collections every GC_THRESHOLDS[0] allocations.  Returns the old thresholds.  No
    collection first: start-up leaves no garbage cycles (a collection there frees none)
    and a full scan of the start-up heap would delay the first frame."""
    import gc
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    gc.enable()                       # the command line starts with it off (app/startup.py)
    return before


def gc_policy_off(before: tuple[int, int, int] | None) -> None:
    """Undo :func:`gc_policy_on` (the app exits; a test process goes on)."""
    import gc
    if before is not None:
        gc.unfreeze()
        gc.set_threshold(*before)
