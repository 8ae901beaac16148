"""The timeline alone, no app: what each lesson step costs the engine and the lesson runner.

    python -m bench.bench_steps --engine                          # every lesson, 1 GB
    python -m bench.bench_steps --engine --lessons zones-gfp --sizes 1G,64G --runs 5
    python -m bench.bench_steps --engine --lessons zones-gfp --profile-step 10
    python -m bench.bench_steps --engine --trees /tmp/before,. --runs 5   # interleaved

Each lesson is stepped forward from its start ``runs`` times (a fresh timeline each time, the
app's collector policy), then back one step at a time to the start.  Per step, the CPU
(``time.process_time``) of the forward move, split into: the operation (``apply_op``: the
engine and the runner's per-iteration work), the step's result (``evaluate_step``: expects,
focus, quiz), the checkpoint saved after it, and the rest (the Move, collector pauses).  The
back move is timed too.  Reported: medians over runs; steps whose forward median is at least
``--min-ms``.  ``--profile-step N`` runs cProfile (CPU time) over step N's first application
in each run and prints the pooled profile.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

PARTS = ("op", "result", "ckpt")


def _wrap(module: Any, name: str, acc: dict[str, float], part: str) -> Any:
    """Replace ``module.name`` by a version adding its CPU to ``acc[part]``; returns the old."""
    orig = getattr(module, name)

    def timed(*a, **kw):
        c = time.process_time()
        try:
            return orig(*a, **kw)
        finally:
            acc[part] += time.process_time() - c
    setattr(module, name, timed)
    return orig


def run_lesson(lesson_id: str, size: str, profile_step: int = -1,
               prof: Any = None) -> tuple[list[str], list[dict[str, float]], list[float]]:
    """One fresh timeline, every step forward then back: (op names, forward parts per step in
    ms, back CPU per position in ms)."""
    from app.timeline_ui import load_timeline
    tl = load_timeline(lesson_id, size, size == "64G")
    import scenarios.timeline as tlmod
    acc = dict.fromkeys(PARTS, 0.0)
    olds = [(tlmod, "apply_op", _wrap(tlmod, "apply_op", acc, "op")),
            (tlmod, "evaluate_step", _wrap(tlmod, "evaluate_step", acc, "result"))]
    save = tlmod.Timeline._save_checkpoint

    def timed_save(self, *a, **kw):
        c = time.process_time()
        try:
            return save(self, *a, **kw)
        finally:
            acc["ckpt"] += time.process_time() - c
    tlmod.Timeline._save_checkpoint = timed_save
    names, fwd, back = [], [], []
    try:
        for i in range(len(tl)):
            for k in acc:
                acc[k] = 0.0
            if i == profile_step and prof is not None:
                prof.enable()
            c = time.process_time()
            tl.step()
            total = time.process_time() - c
            if i == profile_step and prof is not None:
                prof.disable()
            names.append(tl.lesson.steps[i].op.name)
            row = {k: v * 1e3 for k, v in acc.items()}
            row["total"] = total * 1e3
            row["rest"] = row["total"] - sum(row[k] for k in PARTS)
            fwd.append(row)
        while tl.position:
            c = time.process_time()
            tl.back()
            back.append((time.process_time() - c) * 1e3)
    finally:
        tlmod.Timeline._save_checkpoint = save
        for mod, name, old in olds:
            setattr(mod, name, old)
    return names, fwd, back[::-1]


def main(lessons: list[str], sizes: list[str], runs: int, min_ms: float,
         profile_step: int, trees: list[str] | None = None, as_json: bool = False) -> None:
    """Print the table (see the module docstring); ``trees``: checkouts to compare, each run
    of each lesson in a fresh process, the trees interleaved; ``as_json``: one JSON line of
    raw results per lesson and size (what a tree's process hands back)."""
    import cProfile
    import pstats
    from app.startup import gc_policy_on, gc_policy_off
    from scenarios import all_lessons
    lessons = lessons or [l.id for l in all_lessons()]
    med = statistics.median
    if trees:
        return compare(lessons, sizes, runs, min_ms, trees)
    before = gc_policy_on()
    try:
        for size in sizes:
            for lesson in lessons:
                prof = cProfile.Profile(time.process_time) if profile_step >= 0 else None
                got = [run_lesson(lesson, size, profile_step, prof) for _ in range(runs)]
                if as_json:
                    print(json.dumps({"lesson": lesson, "size": size, "runs": got}), flush=True)
                    continue
                names = got[0][0]
                print(f"== {lesson} {size}: {len(names)} steps, {runs} runs, medians (ms CPU)")
                print(f"   {'step':>4} {'op':14} {'fwd':>6} {'op':>6} {'result':>6} {'ckpt':>5} "
                      f"{'rest':>5} {'back to':>7}")
                for i, name in enumerate(names):
                    g = lambda k: med([r[1][i][k] for r in got])  # noqa: E731
                    b = med([r[2][i] for r in got])
                    if g("total") >= min_ms or b >= min_ms:
                        print(f"   {i:4} {name[:14]:14} {g('total'):6.1f} {g('op'):6.1f} "
                              f"{g('result'):6.1f} {g('ckpt'):5.1f} {g('rest'):5.1f} {b:7.1f}")
                tot = [sum(x["total"] for x in r[1]) for r in got]
                print(f"   all steps forward {med(tot):.0f} ms, back {med([sum(r[2]) for r in got]):.0f} ms")
                if prof is not None:
                    st = pstats.Stats(prof)
                    st.sort_stats("tottime").print_stats(30)
                    st.sort_stats("cumulative").print_stats(30)
    finally:
        gc_policy_off(before)


def compare(lessons: list[str], sizes: list[str], runs: int, min_ms: float,
            trees: list[str]) -> None:
    """Each run of each (lesson, size) in a fresh process per tree, the trees taking turns;
    per step the median forward and back CPU of each tree, and the ratio to the first."""
    med = statistics.median
    got: dict[tuple[str, str, str], list] = {}
    for _ in range(runs):
        for size in sizes:
            for lesson in lessons:
                for tree in trees:
                    cmd = [sys.executable, "-m", "bench.bench_steps", "--engine", "--json",
                           "--runs", "1", "--lessons", lesson, "--sizes", size]
                    res = subprocess.run(cmd, capture_output=True, text=True, cwd=tree,
                                         env=dict(os.environ, PYTHONPATH=tree))
                    if res.returncode:
                        raise SystemExit(f"{tree} {lesson} {size}: "
                                         f"{res.stderr.strip().splitlines()[-1:]}")
                    row = json.loads(res.stdout.strip().splitlines()[-1])
                    got.setdefault((size, lesson, tree), []).extend(row["runs"])
    for size in sizes:
        for lesson in lessons:
            rows = [got[(size, lesson, t)] for t in trees]
            names = rows[0][0][0]
            print(f"== {lesson} {size}: {runs} runs per tree, interleaved, medians (ms CPU) "
                  f"of {' | '.join(trees)}")
            for i, name in enumerate(names):
                fwd = [med([r[1][i]["total"] for r in rs]) for rs in rows]
                back = [med([r[2][i] for r in rs]) for rs in rows]
                if max(fwd + back) >= min_ms:
                    print(f"   {i:4} {name[:14]:14} fwd " + " | ".join(f"{x:6.1f}" for x in fwd)
                          + f"  ({fwd[-1] / fwd[0]:.2f}x)   back "
                          + " | ".join(f"{x:6.1f}" for x in back))
            tot = [med([sum(x["total"] for x in r[1]) for r in rs]) for rs in rows]
            print("   all steps forward " + " | ".join(f"{x:.0f}" for x in tot) + " ms")


if __name__ == "__main__":           # the same as ``python -m bench.bench_steps --engine ...``
    from bench import bench_steps
    bench_steps.main(["--engine", *sys.argv[1:]])
