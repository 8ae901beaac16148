"""The engine's buddy allocator against a bare textbook buddy, in the same process.

    python -m bench.bench_buddy_ratio [n_ops] [runs]
    python -m bench.bench_buddy_ratio --live 40000    # from 40,000 live blocks (untimed fill)
    python -m bench.bench_buddy_ratio --bytecodes     # bytecodes executed per op (no timing)

One pre-drawn stream of mixed operations (allocations of orders 0-3, mostly order 0;
frees of random live blocks, each op an allocation or a free with equal odds) runs on

* a textbook buddy over the same 1 GB of frames: one ``set`` of free block pfns per
  order, split on allocation, merge with ``pfn ^ (1 << order)`` on free; and
* ``engine.Machine.alloc_pages`` / ``free_pages`` on a booted 1 GB machine, events
  recorded and mem_map kept (what the lessons run): the mem_map stores the allocator
  defers (engine.memmap_log) are applied at the end of each block, inside its time.
  The machine has been checkpointed and restored once, as every machine a lesson's
  timeline runs has (a copy that touched the objects' ``__dict__`` once made the
  allocator 20-26 % slower for good: engine.zone.Zone's docstring).

The driver makes the same calls on every side, ``alloc("GFP_KERNEL", order)`` and
``free(pfn, order)``: the textbook takes the GFP argument and ignores it (a wrapper that
supplied it to the engine alone, as ``functools.partial`` did before, cost the engine's
side about 40 ns per allocation that were the harness's, not the allocator's).

The number of live blocks is a random walk: in the default 300,000 operations it stays
between 0 and about 1,200 (740 on average), so the allocators' tables stay in the CPU
caches, as in a lesson's steps (a repeat step allocates a few thousand pages at most).
``--live N`` first allocates N blocks on each side, untimed, and the walk then stays near
N (at most 50,000): with 40,000 the tables outgrow the caches, the engine's (block heads,
free lists, mem_map's pending stores) more than the textbook's sets, and the ratio is lower.

Each run alternates blocks of 5,000 operations between the two (textbook, engine,
textbook, ...: both walk the whole stream, each on its own state) and a floor of calls
that do nothing (what the driver loop and the calls cost alone), CPU time is
``time.process_time`` summed per side with the collector off, so load on the shared
machine hits both alike even when it changes within a run.  Prints ops/s of each and
the ratio engine / textbook (median of the runs), and how much longer than the textbook's
the engine's own time inside the calls is (floor subtracted).

``--bytecodes`` counts the bytecodes each op executes (``sys.settrace`` opcode events,
over 4,000 ops after 60,000 of warm-up, per function): a measure the machine's load
does not disturb.  Both include the driver loop's own ~39 per op.
"""
from __future__ import annotations

import gc
import random
import statistics
import sys
import time

from engine.zone import MAX_ORDER
ORDERS = [0] * 13 + [1, 1, 2, 3]
GFP = "GFP_KERNEL"                      # the first argument of every side's alloc


def stream(n_ops: int, seed: int = 1) -> list[tuple[float, int, float]]:
    rng = random.Random(seed)
    return [(rng.random(), rng.choice(ORDERS), rng.random()) for _ in range(n_ops)]


class Floor:
    """Calls that do nothing, with the engine's signatures: what the driver loop and the
    calls cost by themselves (the floor under both sides)."""

    def alloc_pages(self, gfp="GFP_KERNEL", order: int = 0, owner: int = 1) -> int:
        return 0

    def free_pages(self, pfn: int, order: int = 0) -> None:
        return None


class Textbook:
    """A bare buddy allocator: per-order free sets, no zones, no bookkeeping."""

    def __init__(self, nr_pages: int) -> None:
        self.free = [set() for _ in range(MAX_ORDER)]
        top = MAX_ORDER - 1
        for pfn in range(0, nr_pages, 1 << top):
            self.free[top].add(pfn)

    def alloc(self, gfp: str, order: int) -> int:
        """Take a block of 2^order pages (``gfp`` is ignored: the engine's signature)."""
        free = self.free
        for o in range(order, MAX_ORDER):
            if free[o]:
                pfn = free[o].pop()
                while o > order:
                    o -= 1
                    free[o].add(pfn + (1 << o))
                return pfn
        raise MemoryError

    def free_block(self, pfn: int, order: int) -> None:
        free = self.free
        while order < MAX_ORDER - 1:
            buddy = pfn ^ (1 << order)
            if buddy not in free[order]:
                break
            free[order].remove(buddy)
            pfn &= ~(1 << order)
            order += 1
        free[order].add(pfn)


def run_interleaved(ops, sides, block: int = 5_000, fill: list | None = None) -> list[float]:
    """Ops per CPU second of each (alloc, free[, settle]) side over the whole stream, the
    sides taking turns block by block (each keeps its own live blocks); ``settle`` runs
    after each of its side's blocks, timed with it (the engine's mem_map sync).  ``fill``:
    operations each side runs first, untimed (allocations that make the live blocks)."""
    lives: list[list] = [[] for _ in sides]
    for (alloc, free, *settle), live in zip(sides, lives):
        _drive(fill or (), alloc, free, live)
        for fn in settle:
            fn()
    spent = [0.0] * len(sides)
    was = gc.isenabled()
    gc.disable()
    try:
        for lo in range(0, len(ops), block):
            part = ops[lo:lo + block]
            for i, (alloc, free, *settle) in enumerate(sides):
                t0 = time.process_time()
                _drive(part, alloc, free, lives[i])
                for fn in settle:
                    fn()
                spent[i] += time.process_time() - t0
    finally:
        if was:
            gc.enable()
    return [len(ops) / t for t in spent]


def bytecodes(warm: int = 60_000, n: int = 4_000) -> dict[str, dict[str, float]]:
    """Bytecodes per op of each allocator, by function (the driver loop is ``run``)."""
    import collections
    ops = stream(warm + n)
    out = {}
    tb = Textbook(262_144)
    m = timeline_machine()
    for name, alloc, free, settle in (
            ("textbook", tb.alloc, tb.free_block, _nothing),
            ("engine", m.alloc_pages, m.free_pages, m.memmap.sync)):
        live: list[tuple[int, int]] = []
        _drive(ops[:warm], alloc, free, live)
        settle()
        counts: collections.Counter = collections.Counter()

        def tracer(frame, event, arg):
            frame.f_trace_opcodes, frame.f_trace_lines = True, False
            if event == "opcode":
                counts[frame.f_code.co_name] += 1
            return tracer
        sys.settrace(tracer)
        try:
            _drive(ops[warm:], alloc, free, live)
            settle()
        finally:
            sys.settrace(None)
        out[name] = {k: v / n for k, v in counts.most_common()}
    return out


def timeline_machine():
    """A booted 1 GB machine as a lesson's timeline leaves it: checkpointed and restored."""
    import engine
    from engine import checkpoint
    m = engine.Machine.boot(ram="1G", seed=1)
    checkpoint.restore(m, checkpoint.save(m))
    return m


def _nothing() -> None:
    return None


def _drive(ops, alloc, free, live: list) -> None:
    """run()'s loop, untimed."""
    for coin, order, pick in ops:
        if (coin < 0.5 and len(live) < 50_000) or not live:
            live.append((alloc(GFP, order), order))
        else:
            j = int(pick * len(live))
            live[j], live[-1] = live[-1], live[j]
            pfn, o = live.pop()
            free(pfn, o)


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.bench_buddy_ratio",
                                     description="buddy ops/s: the engine against a textbook "
                                                 "buddy, same operations, same process")
    parser.add_argument("ops", nargs="?", type=int, default=300_000, help="operations per run")
    parser.add_argument("runs", nargs="?", type=int, default=5, help="alternated runs")
    parser.add_argument("--live", type=int, default=0, metavar="N",
                        help="allocate N blocks on each side first, untimed (a larger working set)")
    parser.add_argument("--bytecodes", action="store_true",
                        help="bytecodes per operation of each side instead of timings")
    args = parser.parse_args(argv)
    if args.bytecodes:
        for name, per in bytecodes().items():
            print(f"{name:9} {sum(per.values()):6.1f} bytecodes/op: "
                  + ", ".join(f"{k} {v:.1f}" for k, v in per.items()))
        return
    n, runs = args.ops, args.runs
    ops = stream(n)
    fill = [(0.0, order, 0.0) for _, order, _ in stream(args.live, seed=2)]   # (coin 0: allocate)
    book, eng, floor = [], [], []
    for _ in range(runs):
        tb, fl = Textbook(262_144), Floor()
        m = timeline_machine()
        b, e, f = run_interleaved(ops, [(tb.alloc, tb.free_block),
                                        (m.alloc_pages, m.free_pages, m.memmap.sync),
                                        (fl.alloc_pages, fl.free_pages)], fill=fill)
        book.append(b)
        eng.append(e)
        floor.append(f)
        m.check()
    ratios = [e / b for e, b in zip(eng, book)]
    # each side's own ns per op: its time less the floor's (driver loop and calls)
    own = [(1 / e - 1 / f) / (1 / b - 1 / f) for e, b, f in zip(eng, book, floor)]
    print(f"textbook buddy {statistics.median(book):,.0f} ops/s, engine (events, mem_map) "
          f"{statistics.median(eng):,.0f} ops/s: ratio {statistics.median(ratios):.2f}x "
          f"(runs: {', '.join(f'{r:.2f}' for r in ratios)}; {n:,} ops each"
          + (f", from {args.live:,} live blocks" if args.live else "") + ")")
    print(f"driver loop and calls alone {statistics.median(floor):,.0f} ops/s: inside the calls "
          f"the engine spends {statistics.median(own):.2f}x the textbook's time")


if __name__ == "__main__":
    main(sys.argv[1:])
