"""Event construction: the events' ``__init__`` against the frozen dataclass's own.

    python -m bench.bench_events [n_events] [runs]

Builds the raw hot-path tuples of a heavy lesson step -- zones-gfp's "Exhaust low memory"
(GFP_KERNEL order 6, repeat 4000, 587 failures: 9,626 events), recorded once -- into event
objects as ``Machine.events`` does (``e[0](*e[1:])``), once with each event type's
``__init__`` (engine.events._by_position) and once with the dataclass's own
(``__init__.__wrapped__``), the two taking turns block by block; CPU time
(``time.process_time``), collector off.  Prints ns per event of each (median of the runs)
and their ratio.
"""
from __future__ import annotations

import gc
import statistics
import sys
import time

from engine.events import EVENT_TYPES


def recorded_step() -> list[tuple]:
    """The raw events of zones-gfp's step 11 (1-based), as the trace holds them."""
    from scenarios import Timeline, load_lesson
    from scenarios.library import LESSON_DIR
    tl = Timeline(load_lesson(LESSON_DIR / "zones-gfp.toml"))
    while tl.position < 10:
        tl.step()
    m = tl.machine
    raw: list[tuple] = []
    for _ in range(4000):
        with m.trace as events:
            try:
                m.alloc_pages("GFP_KERNEL", 6)
            except Exception:          # the step's failures: their events count too
                pass
        raw.extend(e for e in events if type(e) is tuple)
    return raw


def build(raw: list[tuple]) -> float:
    t0 = time.process_time()
    for e in raw:
        e[0](*e[1:])
    return time.process_time() - t0


def main(argv: list[str]) -> None:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m bench.bench_events",
                                     description="event construction: __init__ against the "
                                                 "frozen dataclass's own")
    parser.add_argument("runs", nargs="?", type=int, default=7, help="alternated runs")
    args = parser.parse_args(argv)
    raw = recorded_step()
    classes = {e[0] for e in raw}
    fast = {cls: cls.__init__ for cls in EVENT_TYPES.values()}
    own = {cls: getattr(init, "__wrapped__", init) for cls, init in fast.items()}
    times: dict[str, list[float]] = {"__init__": [], "dataclass": []}
    was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(args.runs):
            for name, inits in (("dataclass", own), ("__init__", fast)):
                for cls, init in inits.items():
                    cls.__init__ = init
                times[name].append(build(raw))
    finally:
        for cls, init in fast.items():
            cls.__init__ = init
        if was:
            gc.enable()
    per = {k: statistics.median(v) / len(raw) * 1e9 for k, v in times.items()}
    print(f"{len(raw):,} events of {len(classes)} types "
          f"({', '.join(sorted(c.__name__ for c in classes))}): "
          f"__init__ {per['__init__']:.0f} ns/event, dataclass's own {per['dataclass']:.0f} "
          f"ns/event: {per['__init__'] / per['dataclass']:.2f}x")


if __name__ == "__main__":
    main(sys.argv[1:])
