"""Bounded engine work: python -m bench.bench_reliability

* vmalloc(size) + reading its events, then vfree, on a 256 MB machine for 10M, 20M, 50M and
  100M (the review measured 160 s for 100M when every page re-read all events); the
  events are built (``m.events``) inside the clock, as the TUI does.  CPU time (the
  machine is shared), median of 5.
* fork that fails near OOM (the dry run on a copy of the machine included) and the OOM
  killer's report on a 48 MB machine.  Median of 5.
"""
from __future__ import annotations

import statistics
import time

import engine


def vmalloc_once(mb: int) -> tuple[float, float]:
    """(vmalloc + building its events, vfree + its events) in CPU seconds."""
    m = engine.Machine.boot(ram="256M")
    t0 = time.process_time()
    va = m.vmalloc(mb << 20)
    n = len(m.events)
    t1 = time.process_time()
    m.vfree(va)
    len(m.events)
    t2 = time.process_time()
    assert n > (mb << 8)
    return t1 - t0, t2 - t1


def failed_fork_once() -> float:
    m = engine.Machine.boot(ram="48M")
    p = m.spawn()
    p.mmap(4 << 20, flags="private|anonymous|populate")
    while True:
        t0 = time.process_time()
        try:
            m.fork(p.pid)
        except engine.OutOfMemory:
            return time.process_time() - t0


def oom_kill_once() -> float:
    m = engine.Machine.boot(ram="48M")
    p = m.spawn()
    a = p.mmap(64 << 20)
    i = 0
    t0 = time.process_time()
    try:
        while True:
            m.access(a + i, "write", p.pid)
            i += 4096
    except engine.OomKilled:
        return time.process_time() - t0


def main() -> None:
    for mb in (10, 20, 50, 100):
        runs = [vmalloc_once(mb) for _ in range(5)]
        a = [r[0] for r in runs]
        f = [r[1] for r in runs]
        print(f"vmalloc({mb}M) + events: median {statistics.median(a):.3f} s CPU "
              f"(min {min(a):.3f}); vfree: median {statistics.median(f):.3f} s")
    runs = [failed_fork_once() for _ in range(5)]
    print(f"failed fork near OOM (with its dry run): median {statistics.median(runs):.3f} s")
    runs = [oom_kill_once() for _ in range(5)]
    print(f"fill 48M by user faults until the OOM kill: median {statistics.median(runs):.3f} s")


if __name__ == "__main__":
    import argparse
    argparse.ArgumentParser(prog="python -m bench.bench_reliability",
                            description=(__doc__ or "").strip().splitlines()[0]).parse_args()
    main()
