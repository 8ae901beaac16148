"""First frame in a real terminal, and ``mmviz record`` speed.

    python -m bench.bench_startup [frame|record|all] [runs]      (default: all 5)

First frame: ``python -m app.cli`` (the default lesson), and the buddy lesson on 1 GB and on
64 GB PAE (``python -m bench.lesson_app --ram 1G buddy``: the app as mmviz starts it, on that
machine) start in a pseudo-terminal of 200x60.  The output is read as
fast as it comes (a real terminal's pace) and timestamped; whenever the app is quiet it is
parsed through pyte chunk by chunk, to find the first chunk after which the screen shows the
footer and the buddy pane.  Wall time is from the spawn to that chunk's arrival (the whole first frame
written, not its first byte); CPU time is the app's user+system time then (/proc/PID/stat),
the figure that holds on a loaded machine.

The app runs with its bytecode cached, as an installed mmviz does (pip compiles it; a
checkout writes __pycache__ on first run): the children get a private PYTHONPYCACHEPREFIX
and one untimed start fills it.  (With PYTHONDONTWRITEBYTECODE set and no cache, every
start also compiles all of mmviz's modules: ~0.15 s more.)

Record: every lesson recorded in one process (``app.record.record_cast``): steps per CPU
second, each lesson's own start (boot, first frame) counted with its steps, the
interpreter's start and the imports not (one untimed recording imports them).  Each run is
a fresh process; the figure is the median over runs.  With ``all``, also ``python -m app.cli
record LESSON -o x.cast`` for every lesson, one command each, start-up included.
"""
from __future__ import annotations

import atexit
import json
import os
import pty
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZE = (200, 60)
PYCACHE = tempfile.mkdtemp(prefix="mmviz-bench-pyc-")
atexit.register(shutil.rmtree, PYCACHE, True)


def child_env() -> dict[str, str]:
    """The environment of a timed child: bytecode cached (see the module docstring)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = PYCACHE
    return env


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drawn(screen) -> bool:
    """The footer and the buddy pane are on the screen."""
    rows = screen.display
    return bool(rows[-1].strip()) and any("free_area" in row for row in rows)


def first_frame(args: list[str], timeout: float = 60.0,
                module: str = "app.cli") -> tuple[float, float]:
    """(wall seconds, CPU seconds of the app) from the spawn of ``python -m MODULE ARGS`` to the
    first full screen."""
    import fcntl
    import struct
    import termios

    import pyte
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-m", module, *args],
                  {**child_env(), "TERM": "xterm-256color"})
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    t0 = time.perf_counter()
    screen = pyte.Screen(*SIZE)
    stream = pyte.ByteStream(screen)
    pending: list[tuple[float, float, bytes]] = []
    try:
        while time.perf_counter() - t0 < timeout:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:                                   # read at a terminal's pace ...
                try:
                    data = os.read(fd, 1 << 16)
                except OSError:
                    break
                pending.append((time.perf_counter() - t0, cpu_of(pid), data))
                continue
            for wall, cpu, data in pending:         # ... and parse while the app is quiet
                stream.feed(data)
                if drawn(screen):
                    return wall, cpu
            pending.clear()
    finally:
        os.kill(pid, signal.SIGTERM)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        os.close(fd)
    return float("nan"), float("nan")


def record_in_process(out: Path) -> dict[str, float]:
    """Record every lesson in this process; {steps, cpu, wall, per-lesson start CPU}."""
    from app.record import record_cast
    from scenarios import all_lessons
    lessons = all_lessons()
    record_cast(lessons[0].id, out / "warm.cast", progress=False)     # imports, not timed
    steps, cpu, wall = 0, time.process_time(), time.perf_counter()
    for lesson in lessons:
        steps += record_cast(lesson.id, out / f"{lesson.id}.cast", progress=False)
    return {"steps": steps, "cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}


def record_speed(runs: int) -> None:
    """Steps per CPU second of every lesson recorded in one process, median of ``runs``."""
    rates, walls = [], []
    with tempfile.TemporaryDirectory() as d:
        for _ in range(runs):
            got = subprocess.run([sys.executable, "-m", "bench.bench_startup", "_record", d],
                                 check=True, capture_output=True, text=True, env=child_env())
            r = json.loads(got.stdout)
            rates.append(r["steps"] / r["cpu"])
            walls.append(r["steps"] / r["wall"])
    print(f"record, every lesson in one process ({r['steps']} steps): median "
          f"{statistics.median(rates):.1f} steps per CPU second, {statistics.median(walls):.1f} per "
          f"wall second (runs: {', '.join(f'{x:.1f}' for x in rates)})", flush=True)


def record_commands() -> None:
    """``mmviz record`` for every lesson, one command each: steps per wall second."""
    from scenarios import all_lessons
    steps, wall = 0, 0.0
    with tempfile.TemporaryDirectory() as d:
        for lesson in all_lessons():
            out = Path(d) / f"{lesson.id}.cast"
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "app.cli", "record", lesson.id, "-o", str(out)],
                           check=True, capture_output=True, env=child_env())
            wall += time.perf_counter() - t
            steps += len(lesson.steps)
    print(f"mmviz record, every lesson, one command each: {steps} steps in {wall:.1f} s = "
          f"{steps / wall:.1f} steps/s (start-up included)", flush=True)


def frames(runs: int) -> None:
    first_frame([])                                 # fills the bytecode cache; not timed
    # the buddy lesson on 1 GB and 64 GB PAE: bench.lesson_app (mmviz refuses machine
    # options with a lesson; this is the app as mmviz starts it, on that machine)
    for label, module, args in (("default lesson", "app.cli", []),
                                ("buddy, 1 GB", "bench.lesson_app", ["--ram", "1G", "buddy"]),
                                ("buddy, 64 GB PAE", "bench.lesson_app", ["--ram", "64G", "--pae", "buddy"])):
        got = [first_frame(args, module=module) for _ in range(runs)]
        wall, cpu = [g[0] for g in got], [g[1] for g in got]
        print(f"first frame, {label}: wall median {statistics.median(wall):.2f} s, CPU median "
              f"{statistics.median(cpu):.2f} s (CPU runs: {', '.join(f'{t:.2f}' for t in cpu)})",
              flush=True)


def main(argv: list[str]) -> None:
    if argv[:1] == ["_record"]:                     # the child of record_speed
        print(json.dumps(record_in_process(Path(argv[1]))))
        return
    import argparse
    parser = argparse.ArgumentParser(prog="python -m bench.bench_startup",
                                     description="first frame in a real terminal, and mmviz "
                                                 "record speed")
    parser.add_argument("what", nargs="?", choices=("frame", "record", "all"), default="all")
    parser.add_argument("runs", nargs="?", type=int, default=5)
    if argv and argv[0].isdigit():
        argv = ["all", *argv]                       # python -m bench.bench_startup 3
    args = parser.parse_args(argv)
    what, runs = args.what, args.runs
    if what in ("frame", "all"):
        frames(runs)
    if what in ("record", "all"):
        record_speed(max(1, runs // 2) if what == "all" else runs)
    if what == "all":
        record_commands()


if __name__ == "__main__":
    main(sys.argv[1:])
