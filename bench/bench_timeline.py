"""Timeline benchmarks: back-step latency deep into a stress lesson, every lesson's run time,
and the CPU of the timeline's moves when a student re-reads a lesson (no app, no panes).

    python -m bench.bench_timeline

The re-reading pattern is bench.bench_steps's (every step forward, back to the start
re-reading each step: back, back, forward; then End, Home twice); per lesson at 1 GB, the
median, p95 and max CPU (``time.process_time``) of the back-steps and of the forward
presses that re-read a step.  The max is the first back-step of a stretch (it replays from
the checkpoint before it and checkpoints the positions it passes).
"""
from __future__ import annotations

import random
import statistics
import time

from scenarios import Timeline, parse_lesson
from scenarios.library import all_lessons


def stress_lesson(steps: int = 600, seed: int = 3) -> str:
    """A 1 GB machine and `steps` single allocations/frees of random orders."""
    rng = random.Random(seed)
    parts = ['[lesson]\nid = "stress"\ntitle = { en = "Stress", zh = "压力" }\n'
             'summary = { en = "Random allocations.", zh = "随机分配。" }\n'
             'machine = { ram = "1G", seed = 3 }\n']
    live: list[tuple[str, int]] = []
    for k in range(steps):
        if live and rng.random() < 0.4:
            name, order = live.pop(rng.randrange(len(live)))
            parts.append(f'\n[[step]]\ndo = "free_pages"\npfn = "{name}"\norder = {order}\n'
                         'say = { en = "free", zh = "释放" }\n')
        else:
            order = rng.randrange(4)
            name = f"b{k}"
            live.append((name, order))
            parts.append(f'\n[[step]]\ndo = "alloc_pages"\ngfp = "GFP_KERNEL"\norder = {order}\n'
                         f'as = "{name}"\nsay = {{ en = "alloc", zh = "分配" }}\n')
    return "".join(parts)


def back_step_latency(at: int = 500, samples: int = 30) -> tuple[float, float]:
    tl = Timeline(parse_lesson(stress_lesson(), "<stress>"))
    tl.jump(at)
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        tl.back()
        times.append(time.perf_counter() - t0)
        tl.step()
    return statistics.median(times) * 1000, max(times) * 1000


def lesson_times() -> list[tuple[str, int, float]]:
    out = []
    for lesson in all_lessons():
        t0 = time.perf_counter()
        Timeline(lesson).run_all()
        out.append((lesson.id, len(lesson.steps), (time.perf_counter() - t0) * 1000))
    return out


def reread_moves(lesson_id: str, ram: str = "1G") -> dict[str, list[float]]:
    """CPU (ms) of each back-step and each forward re-read of ``lesson_id`` in the pattern."""
    from bench.bench_steps import pattern
    from scenarios import find_lesson
    lesson = find_lesson(lesson_id)
    lesson.machine = {**lesson.machine, "ram": ram}
    tl = Timeline(lesson)
    n = len(tl)
    out: dict[str, list[float]] = {"back": [], "reread": []}
    for i, (key, _) in enumerate(pattern(n)):
        c = time.process_time()
        if key == "right":
            tl.step()
            if i >= n:
                out["reread"].append((time.process_time() - c) * 1e3)
        elif key == "left":
            tl.back()
            out["back"].append((time.process_time() - c) * 1e3)
        else:
            tl.jump(n if key == "end" else 0)
    return out


def main() -> None:
    med, worst = back_step_latency()
    print(f"back-step at step 500 of a 600-step stress lesson, 1 GB: median {med:.1f} ms, max {worst:.1f} ms")
    total = 0.0
    for lid, n, ms in lesson_times():
        total += ms
        print(f"lesson {lid:<12} {n:>3} steps  {ms:8.1f} ms")
    print(f"all lessons: {total:.1f} ms")
    print("re-reading, 1 GB (ms CPU): back med/p95/max, forward re-read med/p95")
    for lesson in all_lessons():
        r = reread_moves(lesson.id)
        b, f = sorted(r["back"]), sorted(r["reread"])
        p95 = lambda xs: xs[min(len(xs) - 1, int(len(xs) * 0.95))]  # noqa: E731
        print(f"lesson {lesson.id:<16} back {statistics.median(b):5.2f} {p95(b):5.2f} {b[-1]:5.1f}   "
              f"re-read {statistics.median(f):5.2f} {p95(f):5.2f}")


if __name__ == "__main__":
    import argparse
    argparse.ArgumentParser(prog="python -m bench.bench_timeline",
                            description=(__doc__ or "").strip().splitlines()[0]).parse_args()
    main()
