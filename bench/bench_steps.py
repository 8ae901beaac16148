"""What a student does, timed: real key presses through Pilot, forward and back.

    python -m bench.bench_steps                       # every lesson, 1 GB and 64 GB PAE
    python -m bench.bench_steps --lessons buddy --sizes 64G --runs 3
    python -m bench.bench_steps --rss                 # 500 alternating presses at 64 GB PAE
    python -m bench.bench_steps --sizes 1G --gc 50000:20:100,10000:10:10   # collector policies

Each (lesson, size) runs in a fresh process (so its peak RSS is its own), headless at
200x60, with the collector set up exactly as the app sets it.  The press pattern: every
step forward (``right``), then back to the start re-reading each step (``left left
right``, so every position gets back- and forward-presses), then two long jumps
(``end``, ``home``) twice.  For each press: CPU (``time.process_time``, the whole
process: engine, panes, compositor, Pilot's own waits) and wall time key to repaint.
Reports medians and p95 per direction, the slowest checkpoint save (the stall a forward
press can hit), first frame (app start to first screen, headless) and peak RSS.

Pilot's own cost is measured in the same run, never guessed: ``pilot.press`` sends the key,
then waits for idle twice and posts a callback to every widget of the screen and waits for
them all.  Those waits alone, with no key (:func:`pilot_waits`), timed before and after the
presses, are the "pilot" column; "net" is each press less that median.  A real terminal
pays none of the waits, but it does pay the key's dispatch through the bindings, and that
stays in "net" (an unbound key, ``f19``, is timed too: "no-op key" less "pilot" is that
dispatch).
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time

SIZES = {"1G": ("1G", False), "64G": ("64G", True)}


def pattern(n: int, rss_presses: int = 0) -> list[tuple[str, str]]:
    """(key, kind) presses: all forward, re-reading back to the start, long jumps."""
    if rss_presses:                            # sweep up and down, two forward one back
        out, pos, up = [], 0, True
        while len(out) < rss_presses:
            for key in ("right", "right", "left") if up else ("left", "left", "right"):
                pos += 1 if key == "right" else -1
                out.append((key, "fwd" if key == "right" else "back"))
            up = pos < n - 1 if up else pos <= 1
        return out[:rss_presses]
    keys = [("right", "fwd")] * n
    pos = n
    while pos > 0:
        keys += [("left", "back"), ("left", "back"), ("right", "fwd")] if pos > 1 else [("left", "back")]
        pos -= 1
    keys += [("end", "jump"), ("home", "jump")] * 2
    return keys


NOOP_KEY = "f19"          # bound to nothing in the app: Pilot's waits plus a key's dispatch


async def pilot_waits(app, pilot) -> None:
    """What ``Pilot.press`` does after sending a key, with no key sent (textual 8)."""
    from textual._wait import wait_for_idle
    await wait_for_idle(0)
    await app._animator.wait_until_complete()
    await wait_for_idle(0)
    await pilot._wait_for_screen()


async def baseline(app, pilot, n: int = 15) -> tuple[list[float], list[float]]:
    """CPU (s) of Pilot's waits alone and of a press of a key bound to nothing, ``n`` each."""
    waits, noop = [], []
    for _ in range(n):
        c = time.process_time()
        await pilot_waits(app, pilot)
        waits.append(time.process_time() - c)
        c = time.process_time()
        await pilot.press(NOOP_KEY)
        noop.append(time.process_time() - c)
    return waits, noop


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))] if xs else float("nan")


async def one(lesson: str, size: str, rss_presses: int) -> dict:
    import app.app
    from app.app import MmvizApp
    if os.environ.get("MMVIZ_BENCH_GC"):         # --gc: another collector policy, to compare
        app.app.GC_THRESHOLDS = tuple(int(x) for x in os.environ["MMVIZ_BENCH_GC"].split(","))
    from scenarios import timeline as tlmod
    stalls: list[float] = []
    save = tlmod.Timeline._save_checkpoint

    def timed_save(self, *a, **kw):
        t, c = time.perf_counter(), time.process_time()
        try:
            return save(self, *a, **kw)
        finally:
            stalls.append((time.perf_counter() - t, time.process_time() - c))
    tlmod.Timeline._save_checkpoint = timed_save
    gc_pauses: list[tuple[float, int]] = []     # the collector's own pauses (CPU, generation)

    def on_gc(phase: str, info: dict, start: list = [0.0]) -> None:
        if phase == "start":
            start[0] = time.process_time()
        else:
            gc_pauses.append((time.process_time() - start[0], info["generation"]))
    gc.callbacks.append(on_gc)
    ram, pae = SIZES[size]
    t0 = time.perf_counter()
    app = MmvizApp(lesson=lesson, ram=ram, pae=pae)
    samples: dict[str, list[tuple[float, float]]] = {"fwd": [], "back": [], "jump": []}
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        first = time.perf_counter() - t0
        waits, noop = await baseline(app, pilot)
        n = len(app.timeline)
        for i, (key, kind) in enumerate(pattern(n, rss_presses)):
            c, w = time.process_time(), time.perf_counter()
            await pilot.press(key)
            if i:                                   # the first press warms caches
                samples[kind].append((time.process_time() - c, time.perf_counter() - w))
        more = await baseline(app, pilot)
        waits, noop = waits + more[0], noop + more[1]
    pilot_ms = statistics.median(waits) * 1e3
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"lesson": lesson, "size": size, "first_frame_s": first, "peak_rss_mb": rss,
           "max_checkpoint_ms": max((s[0] for s in stalls[1:]), default=0.0) * 1e3,
           "max_checkpoint_cpu_ms": max((s[1] for s in stalls[1:]), default=0.0) * 1e3,
           "n_checkpoints": len(stalls), "max_gc_ms": max(gc_pauses, default=(0.0, 0))[0] * 1e3,
           "n_gc": len(gc_pauses), "gc_ms_by_generation": {
               g: [round(p * 1e3, 1) for p, gen in gc_pauses if gen == g] for g in range(3)},
           "pilot_ms": pilot_ms, "noop_key_ms": statistics.median(noop) * 1e3}
    for kind, xs in samples.items():
        cpu = [x[0] * 1e3 for x in xs]
        wall = [x[1] * 1e3 for x in xs]
        net = [x - pilot_ms for x in cpu]
        out[kind] = {"n": len(xs), "cpu_med": statistics.median(cpu) if cpu else float("nan"),
                     "cpu_p95": pct(cpu, 0.95),
                     "net_med": statistics.median(net) if net else float("nan"),
                     "net_p95": pct(net, 0.95), "wall_med": statistics.median(wall) if wall else float("nan"),
                     "wall_p95": pct(wall, 0.95)}
    return out


def run_child(lesson: str, size: str, rss_presses: int = 0, tree: str | None = None,
              gc: str = "") -> dict:
    """One (lesson, size) in a fresh process; ``tree``: run that checkout of mmviz instead;
    ``gc``: collector thresholds ("50000,20,100") instead of the app's GC_THRESHOLDS."""
    cmd = [sys.executable, "-m", "bench.bench_steps", "--child", lesson, size, str(rss_presses)]
    env = dict(os.environ, **({"PYTHONPATH": tree} if tree else {}), MMVIZ_BENCH_GC=gc)
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=tree, env=env)
    if res.returncode:
        raise SystemExit(f"{lesson} {size}: {res.stderr.strip().splitlines()[-1:]}")
    row = json.loads(res.stdout.strip().splitlines()[-1])
    row["tree"] = (tree or ".") + (f" gc={gc}" if gc else "")
    return row


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_steps")
    ap.add_argument("--lessons", default="")
    ap.add_argument("--sizes", default="1G,64G")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--rss", action="store_true", help="500 alternating presses, buddy at 64 GB PAE")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--trees", default="", help="checkouts to compare, interleaved (a,b)")
    ap.add_argument("--gc", default="", help="collector thresholds to compare, interleaved "
                    "(50000:20:100,700:10:10; the app's GC_THRESHOLDS when not given)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(asyncio.run(one(a.child[0], a.child[1], int(a.child[2])))))
        return
    if a.rss:
        rows = [run_child(a.lessons or "buddy", "64G", 500) for _ in range(a.runs)]
        for r in rows:
            print(f"{r['lesson']} 64G PAE, 500 alternating presses: peak RSS {r['peak_rss_mb']:.0f} MB, "
                  f"fwd {r['fwd']['cpu_med']:.1f}/{r['fwd']['cpu_p95']:.1f} ms, back "
                  f"{r['back']['cpu_med']:.1f}/{r['back']['cpu_p95']:.1f} ms, slowest checkpoint "
                  f"{r['max_checkpoint_ms']:.1f} ms (CPU {r['max_checkpoint_cpu_ms']:.1f} ms), "
                  f"slowest collection {r['max_gc_ms']:.1f} ms of {r['n_gc']}")
        return
    from scenarios import all_lessons
    lessons = a.lessons.split(",") if a.lessons else [l.id for l in all_lessons()]
    trees = a.trees.split(",") if a.trees else [None]
    policies = [p.replace(":", ",") for p in a.gc.split(",")] if a.gc else [""]
    rows = []
    for _ in range(a.runs):
        for size in a.sizes.split(","):
            for lesson in lessons:
                for tree in trees:
                    for gc in policies:
                        rows.append(run_child(lesson, size, tree=tree, gc=gc))
                        if a.json:
                            print(json.dumps(rows[-1]), flush=True)
    if not a.json:
        for name in dict.fromkeys(r["tree"] for r in rows):
            print(f"== {name}")
            report([r for r in rows if r["tree"] == name])


def gc_sum(row: dict) -> float:
    """ms of CPU the collector took in the whole run (all generations)."""
    return sum(sum(v) for v in row["gc_ms_by_generation"].values())


def report(rows: list[dict]) -> None:
    """Per lesson and size: medians over runs of each run's median / p95 (ms of CPU per press:
    raw, as Pilot measures it, and net of Pilot's own waits)."""
    med = statistics.median
    keys = sorted({(r["size"], r["lesson"]) for r in rows})
    print(f"{'size':4} {'lesson':18} {'fwd med':>7} {'fwd p95':>7} {'back med':>8} {'back p95':>8} "
          f"{'net f/b med':>11} {'net f/b p95':>11} {'jump med':>8} {'pilot':>5} {'no-op':>5} "
          f"{'wall f/b':>11} {'ckpt max':>8} {'gc sum/max':>10} {'first':>6} {'RSS MB':>6}")
    for size in sorted({k[0] for k in keys}):
        pooled: dict[str, list[float]] = {"fwd": [], "back": [], "net fwd": [], "net back": []}
        for s, lesson in [k for k in keys if k[0] == size]:
            rs = [r for r in rows if r["size"] == s and r["lesson"] == lesson]
            g = lambda kind, f: med([r[kind][f] for r in rs])  # noqa: E731
            for kind in ("fwd", "back"):
                pooled[kind].append(g(kind, "cpu_med"))
                pooled[f"net {kind}"].append(g(kind, "net_med"))
            print(f"{s:4} {lesson:18} {g('fwd', 'cpu_med'):7.1f} {g('fwd', 'cpu_p95'):7.1f} "
                  f"{g('back', 'cpu_med'):8.1f} {g('back', 'cpu_p95'):8.1f} "
                  f"{g('fwd', 'net_med'):5.1f}/{g('back', 'net_med'):5.1f} "
                  f"{g('fwd', 'net_p95'):5.1f}/{g('back', 'net_p95'):5.1f} {g('jump', 'cpu_med'):8.1f} "
                  f"{med([r['pilot_ms'] for r in rs]):5.1f} {med([r['noop_key_ms'] for r in rs]):5.1f} "
                  f"{g('fwd', 'wall_med'):5.1f}/{g('back', 'wall_med'):5.1f} "
                  f"{med([r['max_checkpoint_ms'] for r in rs]):8.1f} "
                  f"{med([gc_sum(r) for r in rs]):5.0f}/{med([r['max_gc_ms'] for r in rs]):4.0f} "
                  f"{med([r['first_frame_s'] for r in rs]):6.2f} {med([r['peak_rss_mb'] for r in rs]):6.0f}")
        print(f"{size:4} {'(median of lessons)':18} {med(pooled['fwd']):7.1f} {'':7} {med(pooled['back']):8.1f} "
              f"{'':8} {med(pooled['net fwd']):5.1f}/{med(pooled['net back']):5.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])
