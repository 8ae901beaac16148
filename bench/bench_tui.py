"""TUI benchmark: headless 200×60, all panes, 100 steps of a lesson.

    python -m bench.bench_tui

Reports the first-frame time, and the median / p95 CPU time per step (engine step +
every pane's update and render, ``time.process_time``) on 1 GB and on 64 GB PAE.
The per-step time includes Pilot's own wait (it messages every widget); that floor is
measured alone (no step) and printed beside, not subtracted.  The p95 on 64 GB holds
the timeline's checkpoints (a deep copy of the machine every 16 steps).
"""
from __future__ import annotations

import asyncio
import gc
import statistics
import time

STEPS = 100


def bench_lesson(ram: str, pae: bool):
    from scenarios import parse_lesson
    machine = f'ram = "{ram}", kernel = "6.1", seed = 1' + (", pae = true" if pae else "")
    parts = ['[lesson]', 'id = "bench"', 'title.en = "bench"', 'title.zh = "bench"',
             'summary.en = "bench"', 'summary.zh = "bench"', f"machine = {{ {machine} }}"]
    for i in range(STEPS // 2):
        parts += ["[[step]]", 'do = "alloc_pages"', 'gfp = "GFP_KERNEL"', f"order = {i % 4}",
                  f'as = "a{i}"', 'say.en = "alloc"', 'say.zh = "分配"', "focus = { pfn = \"a%d\" }" % i]
    for i in range(STEPS // 2):
        parts += ["[[step]]", 'do = "free_pages"', f'pfn = "a{i}"', f"order = {i % 4}",
                  'say.en = "free"', 'say.zh = "释放"']
    return parse_lesson("\n".join(parts), "<bench>")


async def run(ram: str, pae: bool) -> dict[str, float]:
    from app.app import MmvizApp
    t0 = time.perf_counter()
    app = MmvizApp(lesson=bench_lesson(ram, pae))
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        first = time.perf_counter() - t0
        gc.collect()
        gc.freeze()
        cpu, wall = [], []
        for _ in range(STEPS):
            c, w = time.process_time(), time.perf_counter()
            app.action_step()
            await pilot.pause()
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)
        idle = []
        for _ in range(30):
            c = time.process_time()
            await pilot.pause()
            idle.append(time.process_time() - c)
        gc.unfreeze()
    cpu.sort()
    return {"first_frame_s": first, "median_ms": statistics.median(cpu) * 1e3,
            "pilot_idle_ms": statistics.median(idle) * 1e3,
            "p95_ms": cpu[int(len(cpu) * 0.95)] * 1e3, "wall_median_ms": statistics.median(wall) * 1e3}


def main() -> None:
    for ram, pae in (("1G", False), ("64G", True)):
        r = asyncio.run(run(ram, pae))
        print(f"{ram:>4} {'PAE' if pae else 'non-PAE':<8} first frame {r['first_frame_s']:.2f} s   "
              f"CPU/step median {r['median_ms']:.1f} ms  p95 {r['p95_ms']:.1f} ms   "
              f"wall key→repaint median {r['wall_median_ms']:.1f} ms   "
              f"(Pilot idle wait alone {r['pilot_idle_ms']:.1f} ms CPU)")


if __name__ == "__main__":
    import argparse
    argparse.ArgumentParser(prog="python -m bench.bench_tui",
                            description=(__doc__ or "").strip().splitlines()[0]).parse_args()
    main()
