"""Buddy allocator benchmark: python -m bench.bench_buddy

1,000,000 mixed operations on a 1 GB machine (allocations of orders 0-3, mostly
order 0; frees of random live blocks; live set capped at 50,000 blocks), events
recorded; median of 5 runs.  Then the boot time and peak RSS of a 64 GB PAE machine
(measured in a fresh subprocess so earlier runs do not count).
"""
from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time

import engine
from engine.errors import OutOfMemory

ORDERS = [0] * 13 + [1, 1, 2, 3]


def one_run(n_ops: int, seed: int, tuned_gc: bool = False) -> float:
    """Operations per second of CPU time.  The random choices are drawn before the clock
    starts, so the timed loop is the allocator and the live-set bookkeeping only.
    ``tuned_gc``: the collector set up as the mmviz app runs it (gc.freeze() after
    start-up, thresholds 50,000/20/100)."""
    import gc
    m = engine.Machine.boot(ram="1G", seed=seed)
    old = gc.get_threshold()
    if tuned_gc:
        gc.freeze()
        gc.set_threshold(50_000, 20, 100)
    rng = random.Random(seed)
    coins = [rng.random() for _ in range(n_ops)]
    orders = [rng.choice(ORDERS) for _ in range(n_ops)]
    gfps = ["GFP_HIGHUSER" if rng.random() < 0.5 else "GFP_KERNEL" for _ in range(n_ops)]
    picks = [rng.random() for _ in range(n_ops)]
    live: list[tuple[int, int]] = []
    alloc, free = m.alloc_pages, m.free_pages
    t0 = time.process_time()
    for i in range(n_ops):
        if (coins[i] < 0.5 and len(live) < 50_000) or not live:
            order = orders[i]
            try:
                live.append((alloc(gfps[i], order), order))
            except OutOfMemory:
                pass
        else:
            j = int(picks[i] * len(live))
            live[j], live[-1] = live[-1], live[j]
            pfn, order = live.pop()
            free(pfn, order)
    dt = time.process_time() - t0
    if tuned_gc:
        gc.set_threshold(*old)
        gc.unfreeze()
    m.check()
    return n_ops / dt


BOOT_64G = """
import resource, time
t = time.perf_counter()
import engine
m = engine.Machine.boot(ram="64G", pae=True)
dt = time.perf_counter() - t
print(dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def main(argv: list[str]) -> None:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m bench.bench_buddy",
                                     description="buddy ops/s on 1 GB with events, and the "
                                                 "64 GB PAE boot's time and peak RSS")
    parser.add_argument("ops", nargs="?", type=int, default=1_000_000, help="operations per run")
    n = parser.parse_args(argv).ops
    for tuned, what in ((False, "default gc"), (True, "gc as the app runs it")):
        rates = [one_run(n, seed, tuned) for seed in range(5)]
        print(f"buddy: {n:,} mixed ops on 1 GB, events recorded, {what}: median "
              f"{statistics.median(rates):,.0f} ops/s (runs: {', '.join(f'{r:,.0f}' for r in rates)})")
    boots, rss = [], []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", BOOT_64G], capture_output=True, text=True,
                             check=True).stdout.split()
        boots.append(float(out[0]))
        rss.append(float(out[1]))
    print(f"64 GB PAE boot (import + boot): median {statistics.median(boots):.3f} s, "
          f"peak RSS median {statistics.median(rss):.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
