"""Benchmarks of user processes: demand-paging faults per second, fork+exit of a
10,000-page process.  ``python -m bench.bench_proc`` prints medians."""
from __future__ import annotations

import statistics
import time

import engine

PAGES = 10_000


def _median(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        times.append(fn())
    return statistics.median(times)


def demand_paging(pae: bool = False, swap: bool = False) -> float:
    """Faults/s: write-touching fresh anonymous pages (each access = #PF + handler + retry)."""
    m = engine.Machine.boot(ram="64M" if swap else "512M", pae=pae, swap="256M" if swap else 0)
    p = m.spawn("example")
    n = 30_000 if swap else PAGES
    a = p.mmap(n * 4096)
    t = time.process_time()
    for i in range(n):
        m.access(a + i * 4096, "write", p.pid)
    dt = time.process_time() - t
    return n / dt


def fork_exit(pae: bool = False) -> float:
    """Seconds for fork + exit of a process with 10,000 resident private pages."""
    m = engine.Machine.boot(ram="512M", pae=pae)
    p = m.spawn("example")
    a = p.mmap(PAGES * 4096)
    for i in range(PAGES):
        m.access(a + i * 4096, "write", p.pid)
    t = time.process_time()
    c = m.fork(p.pid)
    m.exit(c)
    return time.process_time() - t


def main() -> None:
    for pae in (False, True):
        tag = "PAE" if pae else "non-PAE"
        print(f"demand paging, {tag}: {_median(lambda: demand_paging(pae)):,.0f} faults/s")
        print(f"fork+exit of a {PAGES:,}-page process, {tag}: "
              f"{_median(lambda: fork_exit(pae)) * 1000:.1f} ms")
    print(f"demand paging with kswapd swapping (64M RAM, 30,000 pages): "
          f"{_median(lambda: demand_paging(False, True), 3):,.0f} faults/s")
    m = engine.Machine.boot(ram="160M")
    t = time.process_time()
    for _ in range(20):
        m.exit(m.spawn("example").pid)
    print(f"spawn+exit: {(time.process_time() - t) / 20 * 1000:.2f} ms")


if __name__ == "__main__":
    import argparse
    argparse.ArgumentParser(prog="python -m bench.bench_proc",
                            description=(__doc__ or "").strip().splitlines()[0]).parse_args()
    main()
