"""What a timeline move changed (:class:`Move`, :class:`Touched`) and what a checkpoint keeps
of the lesson's names (:class:`Saved`, :func:`is_plain`): the data of scenarios.timeline."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .results import StepResult
from .runner import Item

if TYPE_CHECKING:
    from engine.machine import Machine


@dataclass
class Move:
    """What the last move of the timeline changed (for incremental redraws).

    ``new_machine``: the machine object changed (a boot step, or back across one):
    views must redraw from scratch.  Otherwise ``chunks`` are the mem_map chunks that
    were copied back (``machine.memmap.chunk_range(c)``; every frame that changed is in
    one of them or in an event of ``applied``/``undone``), ``caches`` the kmem caches
    copied back or dropped (every other cache object is untouched), ``undone`` the results of
    the steps taken back, ``applied`` those applied forward."""
    kind: str = "none"                          # "step", "back", "jump" or "none"
    new_machine: bool = False
    chunks: list[int] = field(default_factory=list)
    caches: list[str] = field(default_factory=list)
    undone: list[StepResult] = field(default_factory=list)
    applied: list[StepResult] = field(default_factory=list)

    @property
    def events(self) -> list:
        """The events of every step this move applied or undid, oldest first."""
        return [e for r in (*self.undone, *self.applied) for e in r.events]

    def touched(self, machine: Machine) -> "Touched | None":
        """What this move may have changed, for views that update incrementally; None when
        the machine object changed (redraw everything)."""
        if self.new_machine:
            return None
        t = Touched([machine.memmap.chunk_range(c) for c in self.chunks], set(), set(self.caches),
                    set())
        for e in self.events:
            pfn, zone, cache, pid = (e.get(k) for k in ("pfn", "zone", "cache", "pid"))
            if isinstance(pfn, int):
                order = e.get("order", 0)
                n = e.get("nr_pages") or (1 << (order if isinstance(order, int) else 0))
                t.frames.append((pfn, pfn + n))
            if isinstance(zone, str):
                t.zones.add(zone)
            if isinstance(cache, str):
                t.caches.add(cache)
            if isinstance(pid, int):
                t.pids.add(pid)
        return t


@dataclass
class Touched:
    """Frames ([lo, hi) pfn ranges), zones, slab caches and processes a move touched."""
    frames: list[tuple[int, int]]
    zones: set[str]
    caches: set[str]
    pids: set[int]


_PLAIN = {int, float, str, bytes, bool, type(None)}
_all_plain = _PLAIN.issuperset          # _all_plain(map(type, xs)): every x of a _PLAIN type


def is_plain(v: Any) -> bool:
    """A value the lesson can share with checkpoints as is (no engine object in it)."""
    t = type(v)
    if t in _PLAIN:
        return True
    if t is list or t is tuple:             # (a repeat step's thousands of Items: the
        for x in v:                         # common cases tested here, without a call)
            tx = type(x)
            if tx in _PLAIN:
                continue
            if tx is Item:
                d = x.__dict__
                if _all_plain(map(type, d)) and _all_plain(map(type, d.values())):
                    continue
            if not is_plain(x):
                return False
        return True
    if t is Item or t is SimpleNamespace:
        v, t = v.__dict__, dict
    if t is dict:
        return all(type(k) in _PLAIN for k in v) and all(map(is_plain, v.values()))
    return False


@dataclass
class Saved:
    ck: Any                      # engine.checkpoint.Checkpoint (env's engine objects in .extra)
    env: dict                    # the plain names, shared
    order: list                  # env's names in their order
