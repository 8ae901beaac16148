"""What users run, timed: key presses in a real terminal, CPU of the app per press.

    python -m bench.bench_press                          # every lesson, 1 GB and 64 GB PAE
    python -m bench.bench_press --sizes 1G --lessons buddy,slab --runs 3
    python -m bench.bench_press --trees /tmp/before,.    # two checkouts, interleaved

Each (lesson, size) starts ``python -m bench.lesson_app --ram SIZE [--pae] --no-ask LESSON``
(the app as mmviz starts it, the lesson's steps on that machine: mmviz itself refuses machine
options with a lesson) in a
pseudo-terminal of 200x60 (TERM=xterm-256color, the bytecode cached as in
bench.bench_startup, no config file), waits for the first frame (the footer drawn and the
output quiet), then presses real keys -- the escape sequences of →, ←, End and Home --
in bench.bench_steps's pattern: every step forward, back to the start re-reading each
step (← ← →), then End, Home twice.  After each key the output is read as it comes
until the terminal has been quiet for ``--quiet`` ms (default 120) with no thread of the
app running or waiting for a CPU.  Animations are as users have them (the page walk
reveals a level every 0.4 s: a tick that falls inside a later press's window is counted
there; the medians hardly move, set TEXTUAL_ANIMATIONS=none to leave them out).

CPU per press: the app process's CPU time from just before the key to the end of the quiet
window -- the sum over its threads (the event loop, Textual's input and writer threads) of
the first field of /proc/PID/task/TID/schedstat (ns on a CPU), read while the app sleeps,
so the figure is exact, not tick-sampled.  The app's CPU while idle is measured too
("idle", ms per second: timers), and the figure per press is reported raw (it is well
under 0.1 ms per quiet window).  Wall "key to repaint": from the key's write to the last
byte of output before the quiet window.  Reports median and p95 per direction (fwd, back,
jump) per lesson, and the median of lessons.  Presses that drew nothing are counted
("silent"): every press of the pattern moves the timeline, so each should draw.
"""
from __future__ import annotations

import argparse
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SIZE = (200, 60)
KEYS = {"right": b"\x1b[C", "left": b"\x1b[D", "home": b"\x1b[H", "end": b"\x1b[F",
        "f19": b"\x1b[33~"}
SIZES = {"1G": ["--ram", "1G"], "64G": ["--ram", "64G", "--pae"]}


def running(pid: int) -> bool:
    """Whether a thread of the process is running or waiting for a CPU (state R)."""
    base = f"/proc/{pid}/task"
    for tid in os.listdir(base):
        try:
            with open(f"{base}/{tid}/stat", "rb") as f:
                if f.read().rsplit(b")", 1)[1].split(None, 1)[0] == b"R":
                    return True
        except (FileNotFoundError, ProcessLookupError):
            pass
    return False


def task_cpu_ns(pid: int) -> int:
    """ns the process's threads have run (sum of /proc/PID/task/*/schedstat first fields)."""
    total = 0
    base = f"/proc/{pid}/task"
    for tid in os.listdir(base):
        try:
            with open(f"{base}/{tid}/schedstat", "rb") as f:
                total += int(f.read().split(None, 1)[0])
        except (FileNotFoundError, ProcessLookupError):
            pass                                    # a thread that just ended
    return total


def lesson_entry(tree: str | None) -> str:
    """The module that runs a lesson on a machine of our choosing in ``tree``: bench.lesson_app,
    or app.cli in a checkout from before mmviz refused machine options with a lesson."""
    return "bench.lesson_app" if (Path(tree or ".") / "bench" / "lesson_app.py").exists() else "app.cli"


class Terminal:
    """The app in a pseudo-terminal: its output read as it comes (a terminal's pace)."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str | None,
                 feed: Any = None, module: str = "app.cli") -> None:
        """``python -m MODULE ARGV`` in ``cwd``.  ``feed``: called with every chunk of output
        as it is read (``out`` keeps only the last of it)."""
        import fcntl
        import pty
        import struct
        import termios
        self.pid, self.fd = pty.fork()
        if self.pid == 0:                           # the child: the app
            try:
                if cwd:
                    os.chdir(cwd)
                os.execve(sys.executable, [sys.executable, "-m", module, *argv], env)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        self.out = bytearray()
        self.feed = feed

    def read_until_quiet(self, quiet: float, first_within: float = 5.0) -> tuple[int, float]:
        """Read until no output came for ``quiet`` s (after the first byte, or after
        ``first_within`` s if none comes) and no thread of the app is running or waiting for
        a CPU (on a loaded machine a quiet app may be one that has not run yet).
        (bytes read, perf_counter of the last byte)."""
        got, last, t0 = 0, time.perf_counter(), time.perf_counter()
        busy = False
        while True:
            wait = quiet if got else max(0.0, first_within - (time.perf_counter() - t0))
            r, _, _ = select.select([self.fd], [], [], 0.02 if busy else wait)
            if not r:
                if running(self.pid):
                    busy = True                     # not quiet: not run yet
                elif busy:
                    busy = False                    # it ran: a whole quiet window again
                else:
                    return got, last
                continue
            busy = False
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:
                raise SystemExit("the app ended: " + bytes(self.out[-400:]).decode("utf-8", "replace"))
            if not data:
                raise SystemExit("the app closed its terminal")
            got += len(data)
            last = time.perf_counter()
            self.out += data
            if self.feed is not None:
                self.feed(data)
            if len(self.out) > 1 << 20:
                del self.out[:-(1 << 16)]

    def wait_first_frame(self, quiet: float, timeout: float = 60.0) -> float:
        """Seconds until the footer is drawn and the output is quiet."""
        import pyte
        screen = pyte.Screen(*SIZE)
        stream = pyte.ByteStream(screen)
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < timeout:
            start = len(self.out)
            got, _ = self.read_until_quiet(quiet * 2, first_within=1.0)
            stream.feed(bytes(self.out[start:]))
            if not got and screen.display[-1].strip():
                return time.perf_counter() - t0
        raise SystemExit("no first frame in %.0f s" % timeout)

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def lesson_steps(lesson: str) -> int:
    from scenarios import find_lesson
    return len(find_lesson(lesson).steps)


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))] if xs else float("nan")


def one(lesson: str, size: str, tree: str | None, quiet: float) -> dict:
    """Start the app on ``lesson`` at ``size``, press the pattern, time each press."""
    from bench.bench_startup import child_env
    from bench.bench_steps import pattern
    env = {**child_env(), "TERM": "xterm-256color", "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1])}
    env.pop("TEXTUAL", None)
    env["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="mmviz-bench-cfg-")   # no config file
    if tree:
        env["PYTHONPATH"] = os.path.abspath(tree)
    term = Terminal([*SIZES[size], "--no-ask", lesson], env, tree, module=lesson_entry(tree))
    try:
        first = term.wait_first_frame(quiet)
        c0, t0 = task_cpu_ns(term.pid), time.perf_counter()   # idle: timers only
        term.read_until_quiet(1.0, first_within=1.0)
        idle = (task_cpu_ns(term.pid) - c0) / 1e6 / (time.perf_counter() - t0)
        samples: dict[str, list[tuple[float, float]]] = {"fwd": [], "back": [], "jump": []}
        silent = 0
        for i, (key, kind) in enumerate(pattern(lesson_steps(lesson))):
            c = task_cpu_ns(term.pid)
            w = time.perf_counter()
            os.write(term.fd, KEYS[key])
            got, last = term.read_until_quiet(quiet)
            cpu = (task_cpu_ns(term.pid) - c) / 1e6
            silent += not got
            if i:                                   # the first press warms caches
                samples[kind].append((cpu, (last - w) * 1e3 if got else float("nan")))
    finally:
        term.close()
    out = {"lesson": lesson, "size": size, "tree": tree or ".", "first_frame_s": first,
           "idle_ms_per_s": idle, "silent": silent}
    for kind, xs in samples.items():
        cpu = [x[0] for x in xs]
        wall = [x[1] for x in xs if x[1] == x[1]]
        out[kind] = {"n": len(xs), "cpu_med": statistics.median(cpu) if cpu else float("nan"),
                     "cpu_p95": pct(cpu, 0.95), "cpu_max": max(cpu, default=float("nan")),
                     "wall_med": statistics.median(wall) if wall else float("nan"),
                     "wall_p95": pct(wall, 0.95)}
    return out


def report(rows: list[dict]) -> None:
    """Per lesson and size: medians over runs of each run's median / p95 (ms of CPU per press)."""
    med = statistics.median
    print(f"{'size':4} {'lesson':18} {'fwd med':>7} {'fwd p95':>7} {'back med':>8} {'back p95':>8} "
          f"{'jump med':>8} {'wall f/b':>11} {'idle':>5} {'first':>6} {'silent':>6}")
    for size in dict.fromkeys(r["size"] for r in rows):
        pooled: dict[str, list[float]] = {"fwd": [], "back": [], "fwd95": [], "back95": []}
        for lesson in dict.fromkeys(r["lesson"] for r in rows if r["size"] == size):
            rs = [r for r in rows if r["size"] == size and r["lesson"] == lesson]
            g = lambda kind, f: med([r[kind][f] for r in rs])  # noqa: E731
            for kind in ("fwd", "back"):
                pooled[kind].append(g(kind, "cpu_med"))
                pooled[kind + "95"].append(g(kind, "cpu_p95"))
            print(f"{size:4} {lesson:18} {g('fwd', 'cpu_med'):7.1f} {g('fwd', 'cpu_p95'):7.1f} "
                  f"{g('back', 'cpu_med'):8.1f} {g('back', 'cpu_p95'):8.1f} {g('jump', 'cpu_med'):8.1f} "
                  f"{g('fwd', 'wall_med'):5.1f}/{g('back', 'wall_med'):5.1f} "
                  f"{med([r['idle_ms_per_s'] for r in rs]):5.2f} "
                  f"{med([r['first_frame_s'] for r in rs]):6.2f} {sum(r['silent'] for r in rs):6d}")
        print(f"{size:4} {'(median of lessons)':18} {med(pooled['fwd']):7.1f} {max(pooled['fwd95']):7.1f} "
              f"{med(pooled['back']):8.1f} {max(pooled['back95']):8.1f}   (p95 columns: the worst lesson)")


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_press",
                                 description="CPU per key press of the app in a real terminal "
                                             "(pty, 200x60), every lesson, forward and back")
    ap.add_argument("--lessons", default="", help="comma-separated lesson ids (default: all)")
    ap.add_argument("--sizes", default="1G,64G", help="1G, 64G (PAE) or both (default)")
    ap.add_argument("--runs", type=int, default=1, help="runs of each (lesson, size)")
    ap.add_argument("--quiet", type=float, default=120.0, help="ms of silence that end a press")
    ap.add_argument("--trees", default="", help="checkouts to compare, interleaved (a,b)")
    ap.add_argument("--json", action="store_true", help="one JSON row per run as it ends")
    a = ap.parse_args(argv)
    bad = [s for s in a.sizes.split(",") if s not in SIZES]
    if bad:
        ap.error(f"unknown size {bad[0]!r} (1G or 64G)")
    from scenarios import all_lessons
    lessons = a.lessons.split(",") if a.lessons else [l.id for l in all_lessons()]
    trees = a.trees.split(",") if a.trees else [None]
    from bench.bench_startup import child_env
    for tree in trees:                              # fills each tree's bytecode cache; not timed
        subprocess.run([sys.executable, "-c", "import app.app, app.cli"], cwd=tree, check=False,
                       env={**child_env(), **({"PYTHONPATH": os.path.abspath(tree)} if tree else {})})
    rows = []
    for _ in range(a.runs):
        for size in a.sizes.split(","):
            for lesson in lessons:
                for tree in trees:
                    rows.append(one(lesson, size, tree, a.quiet / 1e3))
                    if a.json:
                        print(json.dumps(rows[-1]), flush=True)
    if not a.json:
        for name in dict.fromkeys(r["tree"] for r in rows):
            print(f"== {name}")
            report([r for r in rows if r["tree"] == name])


if __name__ == "__main__":
    main(sys.argv[1:])
