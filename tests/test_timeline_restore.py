"""Back and forward give the same machine at every position of every lesson.

A back-step or jump restores a checkpoint *into the same Machine object* (mem_map chunks
copied back in place, copy-on-write checkpoints); these tests compare, at every
position, the /proc files, a digest of every mem_map column and frame contents, and the
events of every step applied again, with what plain forward stepping gave.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pytest

from engine import checkpoint
from engine.physmem import CHUNK_SHIFT, COLUMNS
from scenarios import Timeline, load_lesson
from scenarios.library import LESSON_DIR

LESSONS = sorted(LESSON_DIR.glob("*.toml"))
PROC = ("/proc/buddyinfo", "/proc/zoneinfo", "/proc/meminfo", "/proc/slabinfo", "/proc/vmallocinfo")


def state(tl: Timeline) -> tuple:
    m = tl.machine
    procs = []
    for path in PROC:
        try:
            procs.append(m.proc(path))
        except Exception as err:            # a file this machine lacks: compare the error
            procs.append(type(err).__name__)
    h = hashlib.sha1()
    for col in COLUMNS:
        h.update(np.ascontiguousarray(getattr(m.memmap, col)).tobytes())
    for pfn in sorted(m.frames.frames):
        h.update(pfn.to_bytes(8, "little") + bytes(m.frames.frames[pfn]))
    return (*procs, h.hexdigest(), sorted(tl.env))


def forward(tl: Timeline) -> tuple[list, list]:
    states, events = [state(tl)], []
    while (r := tl.step()) is not None:
        states.append(state(tl))
        events.append([repr(e) for e in r.events])
    return states, events


@pytest.mark.parametrize("heavy_ms", [4.0, float("inf")], ids=["heavy-checkpoints", "replay"])
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_position_back_jump_and_forward_again(path, heavy_ms):
    tl = Timeline(load_lesson(path), checkpoint_every=5, heavy_ms=heavy_ms)
    states, events = forward(tl)
    n = len(tl)
    m = tl.machine
    for k in range(n - 1, -1, -1):                  # one back-step at a time
        tl.back()
        assert state(tl) == states[k], f"back to {k}"
    for k in range(n):                              # re-read: forward, back, forward
        r = tl.step()
        assert [repr(e) for e in r.events] == events[k], f"events of step {k + 1} again"
        assert state(tl) == states[k + 1]
        tl.back()
        assert state(tl) == states[k]
        r = tl.step()
        assert [repr(e) for e in r.events] == events[k]
    for k in (0, n, n // 2, 1, n - 1, 0):          # long jumps
        tl.jump(k)
        assert state(tl) == states[k], f"jump to {k}"
    tl.jump(n)
    boots = any(s.op.target == "timeline" for s in tl.lesson.steps)
    assert boots or tl.machine is m, "a restore without a boot step keeps the Machine object"


def test_restore_reports_the_chunks_that_changed_and_keeps_the_object():
    tl = Timeline(load_lesson(LESSON_DIR / "buddy.toml"))
    m = tl.machine
    tl.run_all()
    tl.jump(0)
    assert tl.machine is m and not tl.last_move.new_machine
    assert tl.last_move.chunks, "the lesson's allocations changed mem_map"
    assert [r.index for r in tl.last_move.undone] == list(range(len(tl)))
    assert tl.last_move.events, "the undone steps' events are handed to the views"


def test_a_checkpoint_copies_only_the_chunks_written_after_it():
    import engine
    m = engine.Machine.boot(ram="64G", pae=True)
    at_checkpoint = m.proc("/proc/buddyinfo")
    ck = checkpoint.save(m)
    assert all(c.data is None for c in ck.memmap)          # nothing copied yet
    pfn = m.alloc_pages("GFP_HIGHUSER", 0)
    # the allocator's mem_map stores wait until mem_map is read (engine.memmap_log)
    assert all(c.data is None for c in ck.memmap)
    assert m.memmap.owner[pfn] == 6                         # OWNER_PAGES, read: stored now
    copied = [i for i, c in enumerate(ck.memmap) if c.data is not None]
    assert copied == [pfn >> CHUNK_SHIFT]
    owner_copy = ck.memmap[pfn >> CHUNK_SHIFT].data[3]     # the checkpoint's owner column
    assert owner_copy[pfn - (pfn >> CHUNK_SHIFT << CHUNK_SHIFT)] == 0    # free, as it was
    m.memmap.flags[5] |= 1 << 9                             # a numpy store is seen too
    assert ck.memmap[0].data is not None
    m.free_pages(pfn, 0)
    m.alloc_pages("GFP_KERNEL", 3)
    chunks, _, _ = checkpoint.restore(m, ck)
    assert set(chunks) >= {0, pfn >> CHUNK_SHIFT}
    assert not m.memmap.flags[5] & (1 << 9)
    assert m.memmap.owner[pfn] == 0
    m.check()
    assert m.proc("/proc/buddyinfo") == at_checkpoint
    pfn2 = m.alloc_pages("GFP_HIGHUSER", 0)
    assert pfn2 == pfn                                      # the same machine again


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_a_restore_leaves_no_cyclic_garbage(path):
    """What a restore replaces is freed by reference counting, not left to the collector."""
    import gc
    tl = Timeline(load_lesson(path), heavy_ms=float("inf"))
    tl.run_all()
    gc.collect()
    gc.disable()
    try:
        tl.jump(len(tl) // 2)
        tl.jump(len(tl))
        tl.back()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = sorted({type(o).__qualname__ for o in gc.garbage
                       if type(o).__module__.startswith("engine")})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == [], f"engine objects in reference cycles after a restore: {left}"


def test_a_move_says_which_frames_zones_caches_and_processes_it_touched():
    tl = Timeline(load_lesson(LESSON_DIR / "fork-cow.toml"))
    tl.run_all()
    m = tl.machine
    tl.jump(0)
    t = tl.last_move.touched(m)
    assert t is not None and t.frames
    assert t.pids == {1, 2} and "Normal" in t.zones        # the parent and its forked child
    assert {"task_struct", "mm_struct", "vm_area_struct"} <= t.caches
    tl2 = Timeline(load_lesson(LESSON_DIR / "memory-map.toml"))
    tl2.run_all()
    tl2.jump(0)
    assert tl2.last_move.touched(tl2.machine) is None          # back across boot steps


def test_a_one_page_step_undone_copies_back_16_mb_of_frames():
    import engine
    m = engine.Machine.boot(ram="1G")
    ck = checkpoint.save(m)
    m.alloc_pages("GFP_KERNEL", 0)
    chunks, _, _ = checkpoint.restore(m, ck)
    frames = sum(hi - lo for lo, hi in map(m.memmap.chunk_range, chunks))
    assert 0 < frames <= 4096, f"{frames} frames copied back (and recounted by the physical map)"
