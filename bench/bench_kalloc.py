"""Kernel allocator benchmark: kmalloc+kfree pairs per second on a 1 GB machine.

Run from the project root:  python -m bench.bench_kalloc
Each figure is the median of 5 runs.  "hot" pairs hit the CPU freelist / array cache;
"mixed" keeps 256 objects of random sizes alive (slabs are created and discarded);
vmalloc+vfree and kmap+kunmap are measured too.  Events are recorded, as in the TUI.
"""
from __future__ import annotations

import random
import statistics
import time

import engine

RUNS = 5


def median_rate(fn, n: int) -> float:
    rates = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn(n)
        rates.append(n / (time.perf_counter() - t))
    return statistics.median(rates)


def main() -> None:
    for kw in (dict(ram="1G"), dict(ram="1G", kernel="2.6")):
        m = engine.Machine.boot(**kw)
        label = f"{kw.get('kernel', '6.1')} {m.config.allocator}"

        def hot(n):
            for _ in range(n):
                m.kfree(m.kmalloc(100))

        rng = random.Random(1)
        live: list[int] = []

        def mixed(n):
            for _ in range(n):
                live.append(m.kmalloc(rng.choice((16, 100, 300, 1000, 3000))))
                if len(live) > 256:
                    m.kfree(live.pop(rng.randrange(len(live))))

        def vm(n):
            for _ in range(n):
                m.vfree(m.vmalloc(16384))

        hp = m.alloc_pages("GFP_HIGHUSER")

        def km(n):
            for _ in range(n):
                m.kmap(hp)
                m.kunmap(hp)

        print(f"{label:10s} kmalloc(100)+kfree pairs/s (hot):   {median_rate(hot, 50_000):10,.0f}")
        print(f"{label:10s} kmalloc+kfree pairs/s (mixed sizes): {median_rate(mixed, 20_000):10,.0f}")
        print(f"{label:10s} vmalloc(16K)+vfree pairs/s:        {median_rate(vm, 1_000):10,.0f}")
        print(f"{label:10s} kmap+kunmap pairs/s:               {median_rate(km, 50_000):10,.0f}")
        m.check()


if __name__ == "__main__":
    import argparse
    argparse.ArgumentParser(prog="python -m bench.bench_kalloc",
                            description=(__doc__ or "").strip().splitlines()[0]).parse_args()
    main()
