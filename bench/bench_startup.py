"""First frame in a real terminal, and ``mmviz record`` speed.

    python -m bench.bench_startup [runs]

First frame: ``python -m app.cli`` (the default lesson), ``--ram 1G run buddy`` and
``--ram 64G --pae run buddy`` start in a pseudo-terminal of 200x60; the screen is read
through pyte until the footer and the buddy pane are drawn.  Wall time is from the spawn
to the first byte of the output burst that drew them; CPU time is the app's user+system
time by then (/proc/PID/stat), the figure that holds on a loaded machine.

The app runs with its bytecode cached, as an installed mmviz does (pip compiles it; a
checkout writes __pycache__ on first run): the children get a private PYTHONPYCACHEPREFIX
and one untimed start fills it.  (With PYTHONDONTWRITEBYTECODE set and no cache, every
start also compiles all of mmviz's modules: ~0.15 s more.)

Record: ``python -m app.cli record LESSON -o x.cast`` for every lesson, steps per second of
wall time with each command's start-up (interpreter, imports) included; and the same
recordings made in one process (``app.record.record_cast``), where only the lessons' own
start (boot, first frame) is counted with the steps.
"""
from __future__ import annotations

import atexit
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


def first_frame(args: list[str], timeout: float = 60.0) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the app) from the spawn to the first full screen."""
    import fcntl
    import struct
    import termios

    import pyte
    screen = pyte.Screen(*SIZE)
    stream = pyte.ByteStream(screen)
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-m", "app.cli", *args],
                  {**child_env(), "TERM": "xterm-256color"})
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    t0 = time.perf_counter()
    drawn_at = None
    last = t0
    try:
        while time.perf_counter() - t0 < timeout:
            r, _, _ = select.select([fd], [], [], 0.05)
            now = time.perf_counter()
            if r:
                try:
                    data = os.read(fd, 1 << 16)
                except OSError:
                    break
                if now - last > 0.05 or drawn_at is None:
                    burst = now
                last = now
                stream.feed(data)
                if drawn_at is None and screen.display[-1].strip() and \
                        any("free_area" in row for row in screen.display):
                    drawn_at = burst            # footer and buddy pane are on the screen
                    return drawn_at - t0, cpu_of(pid)
    finally:
        os.kill(pid, signal.SIGTERM)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        os.close(fd)
    return float("nan"), float("nan")


def record_speed() -> tuple[float, int, float]:
    """(steps/s, steps, wall seconds) of ``mmviz record`` for every lesson, one command each."""
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
    return steps / wall, steps, wall


def record_speed_in_process() -> tuple[float, float, int]:
    """(steps per wall second, steps per CPU second, steps) of every lesson recorded in this
    process: each lesson's boot and first frame counted, the interpreter's start not."""
    from app.record import record_cast
    from scenarios import all_lessons
    steps = 0
    with tempfile.TemporaryDirectory() as d:
        wall, cpu = time.perf_counter(), time.process_time()
        for lesson in all_lessons():
            steps += record_cast(lesson.id, Path(d) / f"{lesson.id}.cast", progress=False)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return steps / wall, steps / cpu, steps


def main(argv: list[str]) -> None:
    runs = int(argv[0]) if argv else 5
    first_frame([])                                 # fills the bytecode cache; not timed
    for label, args in (("default lesson", []), ("buddy, 1 GB", ["--ram", "1G", "run", "buddy"]),
                        ("buddy, 64 GB PAE", ["--ram", "64G", "--pae", "run", "buddy"])):
        got = [first_frame(args) for _ in range(runs)]
        wall, cpu = [g[0] for g in got], [g[1] for g in got]
        print(f"first frame, {label}: wall median {statistics.median(wall):.2f} s, CPU median "
              f"{statistics.median(cpu):.2f} s (CPU runs: {', '.join(f'{t:.2f}' for t in cpu)})",
              flush=True)
    rate, steps, wall = record_speed()
    print(f"mmviz record, every lesson, one command each: {steps} steps in {wall:.1f} s = "
          f"{rate:.1f} steps/s (start-up included)", flush=True)
    rate, cpu_rate, steps = record_speed_in_process()
    print(f"record, every lesson in one process: {rate:.1f} steps/s wall, {cpu_rate:.1f} steps "
          f"per CPU second ({steps} steps)")


if __name__ == "__main__":
    main(sys.argv[1:])
