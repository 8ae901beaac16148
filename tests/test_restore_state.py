"""A back-step or jump gives the whole machine a fresh run gives, not just what /proc shows.

Restores copy only what changed since the checkpoint (the kmem caches whose ``gen``
moved, engine.checkpoint_kmem) into the same objects.  If a change escaped that tracking
(a cache written without a new gen, a slab left in slab_of, a cache made after the
checkpoint left behind), some view would show the wrong state.  So at every position,
after back-steps, jumps and forward steps again, these tests compare *every object
reachable from the machine* (a canonical walk of its object graph, identity included:
which objects are shared) with what plain forward stepping gave, plus every /proc file
(per-process files too) and ``m.check()``.
"""
from __future__ import annotations

import hashlib
import random
import struct
from dataclasses import replace
from types import BuiltinFunctionType, FunctionType, MethodType

import numpy as np
import pytest

from engine.checkpoint import SHARED
from engine.procfs import PID_FILES, files as proc_paths
from scenarios import Timeline, load_lesson
from scenarios.library import LESSON_DIR

LESSONS = sorted(LESSON_DIR.glob("*.toml"))
ATOMIC = (int, float, str, bytes, bool, type(None), complex, range)
# the last operation's events (a restored machine has run none yet): not machine state
TRACE_SKIP = {"current", "at", "_built_of", "_built"}     # (at: a lone event's pfn)


def canonical(root, opaque: tuple = ()) -> str:
    """sha1 of :func:`canonical_text`."""
    return hashlib.sha1(canonical_text(root, opaque).encode()).hexdigest()


def canonical_text(root, opaque: tuple = ()) -> str:
    """A text naming every value reachable from ``root``: objects by class and their
    fields, a second reference to an object as ``@n`` (its first visit's number), so two
    machines give the same text exactly when their object graphs are equal.  ``slab_of``
    (a lookup table, never iterated) is written in pfn order, a process's ``_vma_objs``
    (keyed by id()) by its values only; ``opaque`` objects are
    written as a mark, wherever they are referenced."""
    seen: dict[int, int] = {id(o): -1 for o in opaque}
    keep: list = []
    out: list[str] = []

    def walk(x, owner: str = "") -> None:
        t = type(x)
        if t in ATOMIC:
            out.append(repr(x))
            return
        if id(x) in seen:
            out.append(f"@{seen[id(x)]}")       # @-1: one of the opaque objects
            return
        seen[id(x)] = len(seen)
        keep.append(x)
        if t is list or t is tuple:
            out.append(t.__name__ + "[")
            for v in x:
                walk(v)
            out.append("]")
        elif t is dict:
            items = sorted(x.items()) if owner == "slab_of" else x.items()
            if owner == "_vma_objs":            # keyed by id(vma): a copy has other ids
                items = [(0, v) for v in x.values()]
            out.append("{")
            for k, v in items:
                walk(k)
                out.append(":")
                walk(v, k if isinstance(k, str) else "")
            out.append("}")
        elif t in (set, frozenset):
            out.append(f"{t.__name__}{sorted(map(repr, x))}")
        elif t is bytearray:
            out.append(f"ba{hashlib.sha1(x).hexdigest()}")
        elif isinstance(x, np.ndarray):
            out.append(f"nd{x.dtype}{x.shape}{hashlib.sha1(np.ascontiguousarray(x).tobytes()).hexdigest()}")
        elif t is MethodType:
            out.append(f"method {x.__func__.__qualname__} of ")
            walk(x.__self__)
        elif t in (FunctionType, BuiltinFunctionType, type):
            out.append(f"fn {x.__module__}.{x.__qualname__}")
        elif t is random.Random:
            out.append(f"rng{hash(x.getstate())}")
        elif t is struct.Struct:
            out.append(f"struct{x.format}")
        elif t.__name__ == "MemMap":
            out.append("memmap")                # compared column by column in test_timeline_restore
        elif t.__name__ == "Machine":
            out.append("machine")               # a back-reference (page_alloc.m, ...)
        else:
            fields = dict(vars(x)) if hasattr(x, "__dict__") else {}
            for k in type(x).__mro__:
                for name in k.__dict__.get("__slots__", ()):
                    if name not in ("__weakref__", "__dict__") and hasattr(x, name):
                        fields[name] = getattr(x, name)
            if t.__name__ == "Trace":
                fields = {k: v for k, v in fields.items() if k not in TRACE_SKIP}
            fields.pop("gen", None)             # a kmem cache's version: a replay gives new ones
            fields.pop("_watch", None)          # mem_map's copy-on-write marks (MemMap.watch)
            out.append(f"<{t.__module__}.{t.__qualname__}")
            for k in sorted(fields):
                out.append(k + "=")
                walk(fields[k], k)
            out.append(">")

    walk(root)
    return "\n".join(out)


def proc_files(m) -> dict[str, str]:
    files = {}
    for path in proc_paths(m):                     # the files of the machine's release
        files[path] = m.proc(path)
    for pid in sorted(m.processes):
        for name in PID_FILES:
            files[f"/proc/{pid}/{name}"] = m.proc(f"/proc/{pid}/{name}")
    return files


def snapshot(tl: Timeline) -> tuple:
    """What is fixed at boot (engine.checkpoint.SHARED: config, layout, boot record, the GFP
    table with its parse cache, ...) is one object for the machine and all its checkpoints,
    so it is left out (its boot record still lists the zones as boot made them)."""
    m = tl.machine
    m.check()
    shared = tuple(v for k, v in m.__dict__.items() if k in SHARED)
    return canonical_text(m.__dict__, shared), proc_files(m), canonical_text(tl.env, shared)


def same(got: tuple, want: tuple, where: str) -> None:
    """assert got == want, naming the first lines that differ."""
    if got == want:
        return
    import difflib
    for g, w, what in zip(got, want, ("machine", "/proc", "names")):
        if g != w:
            g, w = (g.splitlines(), w.splitlines()) if isinstance(g, str) else (
                [f"{k}: {v}" for k, v in g.items()], [f"{k}: {v}" for k, v in w.items()])
            lines = list(difflib.unified_diff(w, g, "fresh run", where, lineterm="", n=8))[:60]
            pytest.fail(f"{where}: the {what} differs from a fresh run's\n" + "\n".join(lines))


def run_everywhere(tl: Timeline) -> None:
    """Forward to the end, then back one step at a time, forward-back-forward at each
    position, long jumps: the machine equals the forward run's at every position."""
    states = [snapshot(tl)]
    while tl.step() is not None:
        states.append(snapshot(tl))
    n = len(tl)
    for k in range(n - 1, -1, -1):
        tl.back()
        same(snapshot(tl), states[k], f"back to {k}")
    for k in range(n):
        tl.step()
        same(snapshot(tl), states[k + 1], f"forward to {k + 1} after a back-step")
        tl.back()
        same(snapshot(tl), states[k], f"back to {k} again")
        tl.step()
    for k in (0, n, n // 2, 1, n - 1, 0, n):
        tl.jump(k)
        same(snapshot(tl), states[k], f"jump to {k}")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_back_and_jump_give_the_machine_of_a_fresh_run(path):
    run_everywhere(Timeline(load_lesson(path), checkpoint_every=4))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_the_same_with_a_checkpoint_after_every_step(path):
    """As on a loaded machine, where every step costs more than ``heavy_ms``: a checkpoint
    right after a step holds the names that step bound (an access's events: the very list
    of the machine's last operation, which a checkpoint does not keep as machine state)."""
    run_everywhere(Timeline(load_lesson(path), heavy_ms=0.0))


@pytest.mark.parametrize("name", ["slab", "kmalloc-vmalloc"])
def test_the_same_on_the_other_kernel(name):
    """slab runs SLUB (6.1) and kmalloc-vmalloc SLAB (2.6.24) by default: each on the other."""
    lesson = load_lesson(LESSON_DIR / f"{name}.toml")
    kernel = "6.1" if lesson.machine.get("kernel", "6.1") == "2.6" else "2.6"
    run_everywhere(Timeline(replace(lesson, machine={**lesson.machine, "kernel": kernel}),
                            checkpoint_every=3))


def test_canonical_sees_a_change_in_one_slab():
    """The comparison is not blind: one object's state byte flipped changes the text."""
    tl = Timeline(load_lesson(LESSON_DIR / "slab.toml"))
    tl.run_all()
    m = tl.machine
    before = canonical(m.__dict__)
    slab = next(s for c in m.kmem.caches.values() for s in c.slabs)
    slab.state[0] ^= 1
    assert canonical(m.__dict__) != before
    slab.state[0] ^= 1
    assert canonical(m.__dict__) == before


def test_a_move_names_the_caches_it_copied_back():
    """jump(0) copies back (or drops, when a step made it) every cache the lesson's steps
    wrote, and few others: the kmem_cache objects of all others are left as they are
    (Move.caches, Move.touched)."""
    tl = Timeline(load_lesson(LESSON_DIR / "slab.toml"))
    tl.run_all()
    m = tl.machine
    before = dict(m.kmem.caches)
    written = {e.get("cache") for r in tl.results for e in r.events} - {None}
    tl.jump(0)
    copied = set(tl.last_move.caches)
    assert written and written <= copied, "every cache a step wrote is copied back"
    assert len(copied) < len(before) // 4, "the caches no step wrote are not copied"
    assert all(m.kmem.caches[name] is c for name, c in before.items() if name in m.kmem.caches)
    t = tl.last_move.touched(m)
    assert t is not None and copied <= t.caches


@pytest.mark.parametrize("kernel", ["6.1", "2.6"])
def test_a_cache_held_outside_the_slab_layer_is_still_the_live_one(kernel):
    """A restore puts kmem caches back into the same objects, so a reference to a cache from
    anywhere in the machine (not only from KmemCaches) still finds the live cache."""
    import engine
    from engine import checkpoint
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    va = m.kmalloc(40)
    cache = m.slab_of(va).cache
    m.__dict__["held"] = [cache]
    ck = checkpoint.save(m)
    before = m.proc("/proc/slabinfo")
    m.kmalloc(40)
    m.kfree(va)
    names: list[str] = []
    checkpoint.restore(m, ck, caches=names)
    assert m.__dict__["held"][0] is cache is m.kmem.caches[cache.name]
    assert cache.name in names
    assert m.proc("/proc/slabinfo") == before
    m.check()


def test_a_checkpoint_keeps_the_events_a_callers_value_holds():
    """engine.checkpoint.save(m, extra): the machine's last-operation events come back empty
    (not state), but an Access in ``extra`` holds that very list and keeps its events."""
    from engine import Machine
    from engine.checkpoint import restore, save
    m = Machine.boot(ram="64M")
    pid = m.spawn("x")
    acc = m.access(0x08048000, pid=pid)
    assert acc.events and m.events
    ck = save(m, {"a": acc})
    assert len(ck.extra["a"].events) == len(acc.events) and not ck.state["trace"].current
    _, extra, _ = restore(m, ck)
    assert [type(e) for e in extra["a"].events] == [type(e) for e in acc.events]
    assert not m.events
