"""Machine instructions per buddy operation, engine against the textbook buddy (valgrind).

    python -m bench.bench_buddy_instr [n_ops]

Runs bench.bench_buddy_ratio's operation stream under ``valgrind --tool=callgrind``, one
child per side (the textbook buddy, the engine's ``alloc_pages``/``free_pages`` on a booted
1 GB machine checkpointed and restored once, as a lesson's is, and the floor of calls that do nothing), and counts the instructions of the
measured stretch only: the counters are zeroed when the child calls ``math.gamma`` just
before it and dumped when it calls ``math.lgamma`` just after (callgrind's
``--zero-before``/``--dump-before``); the engine's deferred mem_map stores
(engine.memmap_log) are applied inside the stretch, at its end.  Each side first runs 60,000 operations of warm-up, so
the interpreter's specializing has settled.  The count is the dump's ``summary:`` line (the
instructions executed between the two calls); its ``totals:`` line, the sum of its cost
lines, also carries costs from before the zeroing (a constant of the warm-up: 4.9 million
on the floor, 12 million on the engine, so that 10,000 and 30,000 floor operations give
totals 27.7 / 73.3 million where summary gives 22.5 / 67.6, proportional).
``PYTHONHASHSEED=0`` and ``OPENBLAS_NUM_THREADS=1`` (numpy's BLAS starts no worker thread,
whose instructions callgrind would add; none were seen): the count is the same run
after run (to the instruction), and the machine's load does not change it, unlike
``bench.bench_buddy_ratio``'s CPU times.  The ratio textbook / engine of instructions per
operation tracks that benchmark's ops/s ratio within a few hundredths.

Needs valgrind (``apt-get install valgrind``); takes about a minute per side.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

WARM = 60_000

_CHILD = """
import gc, math, sys
gc.disable()
from bench.bench_buddy_ratio import Floor, Textbook, _drive, stream, timeline_machine
side, n = sys.argv[1], int(sys.argv[2])
ops = stream({warm} + n)
live = []
tb = Textbook(262_144)
settle = lambda: None
if side == "engine":
    m = timeline_machine()                 # checkpointed and restored, as a lesson's
    alloc, free = m.alloc_pages, m.free_pages
    settle = m.memmap.sync
else:
    alloc, free = tb.alloc, tb.free_block
_drive(ops[:{warm}], alloc, free, live)
settle()
if side == "floor":
    fl = Floor()
    alloc, free = fl.alloc_pages, fl.free_pages
math.gamma(1.5)
_drive(ops[{warm}:], alloc, free, live)
settle()
math.lgamma(1.5)
"""


def instructions(side: str, n: int) -> int:
    """Instructions the child executes over ``n`` operations of ``side`` (textbook, engine,
    floor).  Raises RuntimeError when valgrind is missing or the child fails."""
    if shutil.which("valgrind") is None:
        raise RuntimeError("valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1")
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--zero-before=math_gamma",
             "--dump-before=math_lgamma", f"--callgrind-out-file={out}",
             sys.executable, "-c", _CHILD.format(warm=WARM), side, str(n)],
            capture_output=True, text=True, env=env, cwd=os.getcwd())
        dumps = [f for f in os.listdir(tmp) if f.startswith("cg.out.")]
        if run.returncode or not dumps:
            raise RuntimeError(f"valgrind run of {side} failed: {run.stderr[-400:]}")
        with open(os.path.join(tmp, sorted(dumps)[0])) as fh:
            for line in fh:
                if line.startswith("summary:"):
                    return int(line.split()[1])
    raise RuntimeError(f"valgrind run of {side}: no summary line")


def main(argv: list[str]) -> None:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m bench.bench_buddy_instr",
                                     description="instructions per buddy operation under valgrind: "
                                                 "engine against the textbook buddy")
    parser.add_argument("ops", nargs="?", type=int, default=20_000, help="measured operations")
    args = parser.parse_args(argv)
    try:
        per = {side: instructions(side, args.ops) / args.ops for side in ("textbook", "engine", "floor")}
    except RuntimeError as err:
        sys.exit(f"bench_buddy_instr: {err}")
    book, eng, floor = per["textbook"], per["engine"], per["floor"]
    print(f"instructions per op: textbook {book:,.0f}, engine (events, mem_map) {eng:,.0f}, "
          f"calls alone {floor:,.0f}: ratio {book / eng:.3f}x")
    print(f"inside the calls the engine executes {(eng - floor) / (book - floor):.2f}x the textbook's; "
          f"0.6x needs the engine at <= {book / 0.6:,.0f} per op")


if __name__ == "__main__":
    main(sys.argv[1:])
