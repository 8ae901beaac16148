"""Timeline benchmarks: back-step latency deep into a stress lesson, and every lesson's run time.

    python -m bench.bench_timeline
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


def main() -> None:
    med, worst = back_step_latency()
    print(f"back-step at step 500 of a 600-step stress lesson, 1 GB: median {med:.1f} ms, max {worst:.1f} ms")
    total = 0.0
    for lid, n, ms in lesson_times():
        total += ms
        print(f"lesson {lid:<12} {n:>3} steps  {ms:8.1f} ms")
    print(f"all lessons: {total:.1f} ms")


if __name__ == "__main__":
    import argparse
    argparse.ArgumentParser(prog="python -m bench.bench_timeline",
                            description=(__doc__ or "").strip().splitlines()[0]).parse_args()
    main()
