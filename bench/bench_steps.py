"""What a student does, timed: real key presses through Pilot, forward and back.

    python -m bench.bench_steps                       # every lesson, 1 GB and 64 GB PAE
    python -m bench.bench_steps --lessons buddy --sizes 64G --runs 3
    python -m bench.bench_steps --rss                 # 500 alternating presses at 64 GB PAE
    python -m bench.bench_steps --sizes 1G --gc 50000:20:100,10000:10:10   # collector policies
    python -m bench.bench_steps --sizes 1G --lessons buddy --slowest 5 --profile right:8
    python -m bench.bench_steps --engine --lessons zones-gfp   # the timeline alone, per step

Each (lesson, size) runs in a fresh process (so its peak RSS is its own), headless at
200x60, with the collector set up exactly as the app sets it.  The press pattern: every
step forward (``right``), then back to the start re-reading each step (``left left
right``, so every position gets back- and forward-presses), then two long jumps
(``end``, ``home``) twice.  For each press: CPU (``time.process_time``, the whole
process: engine, panes, compositor, Pilot's own waits) and wall time key to repaint.
Reports medians and p95 per direction, the slowest checkpoint save (the stall a forward
press can hit), first frame (app start to first screen, headless) and peak RSS.
``--slowest N`` lists the N slowest presses with the CPU spent inside the timeline's move
(engine, lesson runner, checkpoints); ``--profile`` runs cProfile over chosen presses.

The trees' .pyc files are written first (``--cold``: not), as an installed mmviz has them:
this machine sets PYTHONDONTWRITEBYTECODE, and without them the first press that imports a
module lazily (the first spawn imports binfmt, fault, mmap_ops, ...) compiled it, 10-20 ms.

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


def _timed(method, acc: list[float]):
    """``method`` adding its CPU time to ``acc[0]``."""
    def timed(self, *a, **kw):
        c = time.process_time()
        try:
            return method(self, *a, **kw)
        finally:
            acc[0] += time.process_time() - c
    return timed


class _profiler:
    """cProfile over the presses; only the presses kept (:meth:`keep`) are reported."""

    def __init__(self) -> None:
        import cProfile
        import pstats
        self._new = lambda: cProfile.Profile(time.process_time)     # CPU, not wall (Pilot sleeps)
        self._stats, self._pstats = None, pstats
        self.prof = self._new()
        self.enable, self.disable = self.prof.enable, self.prof.disable

    def keep(self, yes: bool) -> None:
        if yes:
            if self._stats is None:
                self._stats = self._pstats.Stats(self.prof)
            else:
                self._stats.add(self.prof)
        self.prof = self._new()
        self.enable, self.disable = self.prof.enable, self.prof.disable

    def report(self, n: int = 40) -> str:
        import io
        if self._stats is None:
            return ""
        buf = io.StringIO()
        self._stats.stream = buf
        self._stats.sort_stats("tottime").print_stats(n)
        self._stats.sort_stats("cumulative").print_stats(n)
        return buf.getvalue()


async def one(lesson: str, size: str, rss_presses: int, slowest: int = 0,
              profile: str = "") -> dict:
    import app.app
    from app.app import MmvizApp
    if os.environ.get("MMVIZ_BENCH_GC"):         # --gc: another collector policy, to compare
        app.startup.GC_THRESHOLDS = tuple(int(x) for x in os.environ["MMVIZ_BENCH_GC"].split(","))
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
    engine_cpu = [0.0]                          # CPU inside the timeline's moves (engine + runner)
    for name in ("step", "jump"):              # back() is a jump
        setattr(tlmod.Timeline, name, _timed(getattr(tlmod.Timeline, name), engine_cpu))
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
    presses: list[tuple[float, float, str, int, int]] = []   # cpu, engine cpu (ms), key, from, to
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        first = time.perf_counter() - t0
        waits, noop = await baseline(app, pilot)
        n = len(app.timeline)
        prof = _profiler() if profile else None
        at = profile.split(":") if ":" in profile else None      # KEY:FROM, else MS
        for i, (key, kind) in enumerate(pattern(n, rss_presses)):
            pos, engine_cpu[0] = app.timeline.position, 0.0
            on = prof is not None and (at is None or at == [key, str(pos)])
            c, w = time.process_time(), time.perf_counter()
            if on:
                prof.enable()
            await pilot.press(key)
            if on:
                prof.disable()
            cpu = time.process_time() - c
            if on:
                prof.keep(at is not None or cpu * 1e3 >= float(profile))
            if i:                                   # the first press warms caches
                samples[kind].append((cpu, time.perf_counter() - w))
                presses.append((cpu * 1e3, engine_cpu[0] * 1e3, key, pos, app.timeline.position))
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
           "pilot_ms": pilot_ms, "noop_key_ms": statistics.median(noop) * 1e3,
           "slowest": sorted(presses, reverse=True)[:slowest],
           "profile": prof.report() if prof is not None else ""}
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


def byte_compile(trees: list[str]) -> None:
    """Write the .pyc files of mmviz's packages in each tree, as installing it does, so the
    first press that imports a module lazily does not compile it (``--cold`` skips this)."""
    import compileall
    for tree in trees:
        for pkg in ("app", "engine", "scenarios", "widgets", "bench"):
            compileall.compile_dir(os.path.join(tree, pkg), quiet=1)


def run_child(lesson: str, size: str, rss_presses: int = 0, tree: str | None = None,
              gc: str = "", slowest: int = 0, profile: str = "") -> dict:
    """One (lesson, size) in a fresh process; ``tree``: run that checkout of mmviz instead;
    ``gc``: collector thresholds ("50000,20,100") instead of the app's GC_THRESHOLDS;
    ``slowest``: keep that many slowest presses; ``profile``: profile presses that slow
    (ms), or the presses of one key from one position ("right:10")."""
    cmd = [sys.executable, "-m", "bench.bench_steps", "--child", lesson, size, str(rss_presses),
           str(slowest), profile or "0"]
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
    ap.add_argument("--slowest", type=int, default=0, metavar="N",
                    help="list each run's N slowest presses: CPU, the part inside the timeline "
                    "(engine, lesson runner, checkpoints), key, position from -> to")
    ap.add_argument("--profile", default="", metavar="MS|KEY:POS",
                    help="cProfile (CPU time) every press that took at least MS of CPU as "
                    "profiled (2-5 times the unprofiled time), or the presses of KEY from "
                    "position POS (right:10); print the pooled profile per run (by own time, "
                    "then cumulative)")
    ap.add_argument("--engine", action="store_true",
                    help="the timeline alone, no app: CPU per step split into the operation, "
                    "the step's result, the checkpoint (bench/bench_steps_engine.py)")
    ap.add_argument("--min-ms", type=float, default=5.0,
                    help="--engine: list steps at least this slow (forward or back)")
    ap.add_argument("--profile-step", type=int, default=-1, metavar="N",
                    help="--engine: cProfile step N (0-based) of each run")
    ap.add_argument("--cold", action="store_true",
                    help="do not byte-compile the trees first: with PYTHONDONTWRITEBYTECODE set "
                    "(as here) every lazily imported module is compiled at its first use, "
                    "inside a press; an installed mmviz has its .pyc files")
    ap.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if not a.child and not a.cold:
        byte_compile(a.trees.split(",") if a.trees else ["."])
    if a.engine:
        from bench import bench_steps_engine
        bench_steps_engine.main(a.lessons.split(",") if a.lessons else [],
                                a.sizes.split(","), a.runs, a.min_ms, a.profile_step,
                                a.trees.split(",") if a.trees else None, a.json)
        return
    if a.child:
        print(json.dumps(asyncio.run(one(a.child[0], a.child[1], int(a.child[2]),
                                         int(a.child[3]), "" if a.child[4] == "0" else a.child[4]))))
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
                        rows.append(run_child(lesson, size, tree=tree, gc=gc,
                                              slowest=a.slowest, profile=a.profile))
                        if a.json:
                            print(json.dumps(rows[-1]), flush=True)
                        elif a.slowest or a.profile:
                            print_detail(rows[-1])
    if not a.json:
        for name in dict.fromkeys(r["tree"] for r in rows):
            print(f"== {name}")
            report([r for r in rows if r["tree"] == name])


def print_detail(row: dict) -> None:
    """A run's slowest presses and its profile (--slowest, --profile)."""
    print(f"-- {row['lesson']} {row['size']} {row['tree']}")
    for cpu, eng, key, frm, to in row["slowest"]:
        print(f"   {cpu:6.1f} ms CPU, timeline {eng:6.1f} ms  {key:5} {frm:3} -> {to}")
    if row["profile"]:
        print(row["profile"])


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
