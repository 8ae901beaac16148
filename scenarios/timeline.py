"""The timeline: a lesson applied step by step to a machine, forward and back.

The engine is deterministic (same configuration, seed and operations give
the same machine), so going back is "restore the nearest checkpoint, replay
the steps after it".  A restore puts the checkpoint's state back into the *same*
Machine object (``engine.checkpoint``: mem_map chunks copied back in place, the
Python state copied), and :attr:`Timeline.last_move` says what the move touched, so
views update only what changed in both directions.  Checkpoints are cheap (mem_map
is copy-on-write, and a kmem cache is copied only when it changed), so one is taken every
``checkpoint_every`` steps, after every step that cost more than ``heavy_ms`` and after
every boot step: going back never replays a heavy step or a boot, and a machine a boot step
made lives on in its checkpoint (no machine object is ever thrown away and made again).
When there are more than ``max_checkpoints``, every other one (but those after boot steps)
is dropped and the interval doubles.  Replays record no events.

A replay going back checkpoints the positions it passes within ``max_near`` of where it
lands (at most ``max_near`` such checkpoints, the farthest dropped first, not counted for
thinning): the student's next back-steps there are one restore each, with no replay, and
each step is replayed at most once on the way back.  Forward again over a step taken back,
the step is applied again when that cost less than a restore did, else its checkpoint is
restored; a long jump forward over known steps restores the farthest checkpoint at once.

    tl = Timeline(load_lesson("buddy"))
    r = tl.step()            # StepResult: events, narration, focus, expects
    tl.back(); tl.jump(5); tl.restart()
    tl.last_move             # Move: direction, undone/applied results, mem_map chunks
"""
from __future__ import annotations

import gc
import time
import weakref
from typing import TYPE_CHECKING, Any, Callable

from .model import Lesson, Step
from .results import StepResult, evaluate_step
from .runner import apply_op, bind_value
from .timeline_state import Move, Saved, Touched, is_plain

__all__ = ["Move", "Timeline", "Touched", "boot_machine", "preload_engine"]

if TYPE_CHECKING:
    from engine.machine import Machine


def boot_machine(config: dict[str, Any]) -> Machine:
    import engine
    return engine.Machine.boot(**config)


# engine modules the engine imports inside functions (at a process's first spawn, fault,
# mmap, exit, OOM kill, a 6.1 boot): imported with the timeline, so no step pays for it
LATE_ENGINE_MODULES = ("engine.anon_vma", "engine.binfmt", "engine.fault", "engine.mmap_ops",
                       "engine.oom_kill", "engine.memblock")


def preload_engine() -> None:
    """Import :data:`LATE_ENGINE_MODULES` now (an import inside a step costs that step
    5-10 ms: the first spawn imported five modules)."""
    import importlib
    for name in LATE_ENGINE_MODULES:
        importlib.import_module(name)


class Timeline:
    """Owns the machine; applies a lesson's steps; back/jump restore exactly, in place."""

    def __init__(self, lesson: Lesson, *, checkpoint_every: int = 16, max_checkpoints: int = 48,
                 heavy_ms: float = 4.0, max_near: int = 24,
                 boot: Callable[[dict[str, Any]], Any] = boot_machine) -> None:
        self.lesson = lesson
        self._boot = boot
        self.checkpoint_every = max(1, checkpoint_every)
        self.max_checkpoints = max(2, max_checkpoints)
        self.heavy_ms = heavy_ms
        self.max_near = max(0, max_near)
        preload_engine()
        self.machine: Machine = boot(dict(lesson.machine))
        self.env: dict[str, Any] = {}
        self.results: list[StepResult] = []
        self.last_move = Move()
        self._checkpoints: dict[int, Saved] = {}
        self._future: dict[int, StepResult] = {}      # results of steps taken back, by index
        self._plain_cache: dict[str, tuple[Any, bool]] = {}
        self._like: Any = None                         # the last checkpoint saved or restored
        self._pinned: set[int] = set()                 # checkpoints never thinned (boot steps)
        self._near: set[int] = set()                   # checkpoints a replay saved (_save_near)
        self._cost: dict[int, float] = {}              # CPU ms of each step when last applied
        self._restore_ms = 1.0                         # CPU ms of a restore (running average)
        self._save_checkpoint(0)

    # -- state ----------------------------------------------------------------------------
    @property
    def steps(self) -> list[Step]:
        return self.lesson.steps

    @property
    def position(self) -> int:
        """Number of steps applied (0: the freshly booted machine)."""
        return len(self.results)

    def __len__(self) -> int:
        return len(self.lesson.steps)

    @property
    def at_start(self) -> bool:
        return self.position == 0

    @property
    def at_end(self) -> bool:
        return self.position >= len(self.lesson.steps)

    @property
    def current(self) -> StepResult | None:
        """The result of the last applied step (None at the start)."""
        return self.results[-1] if self.results else None

    @property
    def next_step(self) -> Step | None:
        return None if self.at_end else self.lesson.steps[self.position]

    @property
    def names(self) -> dict[str, Any]:
        return dict(self.env)

    # -- moving ---------------------------------------------------------------------------
    def step(self) -> StepResult | None:
        """Apply the next step; None when already at the end."""
        if self.at_end:
            return None
        before = weakref.ref(self.machine)
        self.last_move = move = Move("step")
        result = self._forward()
        move.applied.append(result)
        self._moved_from(before)
        return result

    def back(self) -> StepResult | None:
        """Undo the last step (restoring the exact machine); returns the new current result."""
        if self.position > 0:
            self.jump(self.position - 1)
            self.last_move.kind = "back"
        return self.current

    def jump(self, n: int) -> StepResult | None:
        """Go to the state after ``n`` steps (0 = start), forward or back."""
        n = max(0, min(int(n), len(self.lesson.steps)))
        before = weakref.ref(self.machine)
        self.last_move = move = Move("jump")
        if n >= self.position:
            self._skip_known(n)
            while self.position < n:
                move.applied.append(self._forward())
            self._moved_from(before)
            return self.current
        base = max(k for k in self._checkpoints if k <= n)
        self._restore(base)
        move.undone = self.results[n:]
        for r in move.undone:
            self._future[r.index] = r
        kept = self.results[:n]
        m = self.machine
        record, m.record_events = m.record_events, False
        try:
            for index in range(base, n):
                self._apply(index, record=False)
                if n - index <= self.max_near and index + 1 not in self._checkpoints:
                    self._save_near(index + 1, n, record)
        finally:
            m.record_events = record
            self.machine.record_events = record     # a replayed boot step made a new one
        self.results = kept
        self._moved_from(before)
        return self.current

    def restart(self) -> None:
        self.jump(0)

    def run_all(self) -> list[StepResult]:
        while self.step() is not None:
            pass
        return self.results

    # -- free exploration -----------------------------------------------------------------
    def add(self, step: Step) -> StepResult:
        """Append a step after the current position (dropping any later ones) and apply it."""
        del self.lesson.steps[self.position:]
        for k in [k for k in self._checkpoints if k > self.position]:
            del self._checkpoints[k]
            self._pinned.discard(k)
            self._near.discard(k)
        self._future.clear()
        for k in [k for k in self._cost if k >= self.position]:
            del self._cost[k]
        step.index = len(self.lesson.steps)
        self.lesson.steps.append(step)
        result = self.step()
        assert result is not None
        return result

    def branch(self) -> "Timeline":
        """A new timeline at the current position with its own machine (the lesson's steps so
        far replayed on it): steps added to it (free exploration from a lesson step) leave
        this one untouched.  Nothing is shared: checkpoints restore into their machine."""
        from dataclasses import replace
        lesson = replace(self.lesson, steps=list(self.lesson.steps[:self.position]))
        other = Timeline(lesson, checkpoint_every=self.checkpoint_every,
                         max_checkpoints=self.max_checkpoints, heavy_ms=self.heavy_ms,
                         max_near=self.max_near, boot=self._boot)
        other.jump(self.position)
        return other

    # -- internals ------------------------------------------------------------------------
    def _moved_from(self, before: weakref.ref) -> None:
        """After a move to another machine object.  Every machine a boot step makes is
        kept by the checkpoint after that step, so this rarely leaves one behind; when it
        does (a step added in exploration dropped it), the machine is garbage in reference
        cycles (its page tables and slab caches point back at it): collect it now, once,
        rather than let machines pile up until a full collection."""
        old = before()
        if old is self.machine:
            return
        self.last_move.new_machine = True
        if old is not None and all(s.ck.machine is not old for s in self._checkpoints.values()):
            del old
            gc.collect()

    def _skip_known(self, n: int) -> None:
        """Going forward to ``n`` over steps whose results are known (taken back before):
        restore the farthest checkpoint on the way at once instead of one per step."""
        pos = self.position
        k = pos
        while k < n and k in self._future:
            k += 1                                   # results of steps pos..k-1 are known
        best = max((c for c in self._checkpoints if pos + 1 < c <= k), default=None)
        if best is None:
            return
        self._restore(best)
        for index in range(pos, best):
            r = self._future.pop(index)
            self.results.append(r)
            self.last_move.applied.append(r)

    def _forward(self) -> StepResult:
        """Apply the next step, or, when it was applied before and a checkpoint follows it,
        restore that checkpoint and reuse the result (the engine is deterministic)."""
        index = self.position
        known = self._future.pop(index, None)
        if (known is not None and index + 1 in self._checkpoints
                and self._cost.get(index, float("inf")) > self._restore_ms):
            self._restore(index + 1)
            self.results.append(known)
            return known
        t0 = time.process_time()
        machine = self.machine
        result = self._apply(index, record=True)
        assert result is not None
        ms = self._cost[index] = (time.process_time() - t0) * 1e3
        heavy = ms > self.heavy_ms
        if known is not None and known == result:
            # the step applied again did what it did before (the engine is deterministic):
            # the result shown before, so what the panes worked out from it is kept
            result = known
        self.results.append(result)
        booted = self.machine is not machine       # a boot step: never replayed, never thinned
        if self.position in self._checkpoints and not booted:
            pass                                   # applied again: its checkpoint is kept
        elif self.position % self.checkpoint_every == 0 or heavy or booted:
            self._save_checkpoint(self.position, pin=booted)
        return result

    def _apply(self, index: int, record: bool) -> StepResult | None:
        step = self.lesson.steps[index]
        if step.op.name == "snapshot":
            out = self._snapshot_step(step)
        elif step.op.target == "timeline":
            out = self._boot_step(step)
        else:
            out = apply_op(self.machine, step, self.env)
        if step.name is not None and out.error is None or (step.name and out.items is not None):
            self.env[step.name] = bind_value(step, out)
        if not record:
            return None
        return evaluate_step(index, step, out, self.env)

    def _boot_step(self, step: Step) -> Any:
        from .facts import Outcome
        from .runner import resolve_args
        args = {k: v for k, v in resolve_args(step, self.env).items() if v is not None}
        try:
            machine = self._boot(dict(args))
        except Exception as err:  # ConfigError: shown as the step's outcome
            return Outcome(self.machine, step.op, args, error=err)
        machine.record_events = self.machine.record_events if self.machine is not None else True
        self.machine = machine
        return Outcome(machine, step.op, args, result=machine, events=list(machine.events))

    def _snapshot_step(self, step: Step) -> Any:
        from types import SimpleNamespace
        from .facts import Outcome
        from .facts import ZONE_FIELDS
        snap = {z.name: SimpleNamespace(free_area=[int(n) for n in z.free_area],
                                        **{f: int(getattr(z, f)) for f in ZONE_FIELDS})
                for z in self.machine.zones}
        return Outcome(self.machine, step.op, {}, result=snap)

    def _machines(self) -> tuple:
        """Every machine object of this timeline (a boot step adds one): never copied."""
        out = {id(s.ck.machine): s.ck.machine for s in self._checkpoints.values()}
        out[id(self.machine)] = self.machine
        return tuple(out.values())

    def _split_env(self) -> tuple[dict, dict]:
        plain, deep = {}, {}
        cache = self._plain_cache
        for name, v in self.env.items():
            hit = cache.get(name)
            ok = hit[1] if hit is not None and hit[0] is v else is_plain(v)
            cache[name] = (v, ok)
            (plain if ok else deep)[name] = v
        return plain, deep

    def _save_near(self, position: int, target: int, record: bool) -> None:
        """A replay (going back to ``target``) passed ``position``: checkpoint it, so the
        next back-steps and forward re-reads there restore instead of replaying.  At most
        ``max_near`` such checkpoints are kept, the farthest from ``target`` dropped first;
        they do not count for thinning."""
        m = self.machine
        m.record_events = record             # restored later, it records as the user's did
        try:
            self._save_checkpoint(position, near=True)
        finally:
            m.record_events = False
        if len(self._near) > self.max_near:
            for k in sorted(self._near, key=lambda k: -abs(k - target))[:len(self._near) - self.max_near]:
                self._near.discard(k)
                del self._checkpoints[k]

    def _save_checkpoint(self, position: int, pin: bool = False, near: bool = False) -> None:
        """Checkpoint the machine after ``position`` steps; ``pin``: keep it when thinning
        (the first position of a machine a boot step made: going back past it then never
        replays the boot, and the machine object lives on in the checkpoint); ``near``: one
        a replay saved (:meth:`_save_near`), never thinned, dropped by distance."""
        from engine.checkpoint import save
        plain, deep = self._split_env()
        ck = save(self.machine, deep, self._machines(), self._like)
        self._like = ck
        self._checkpoints[position] = Saved(ck, plain, list(self.env))
        if pin:
            self._pinned.add(position)
        if near:
            self._near.add(position)
            return
        self._near.discard(position)
        kept = self._pinned | self._near
        if len(self._checkpoints) - len(kept) > self.max_checkpoints:
            self.checkpoint_every *= 2
            for k in list(self._checkpoints):
                if k % self.checkpoint_every and k != position and k not in kept:
                    del self._checkpoints[k]

    def _restore(self, position: int) -> None:
        """Put checkpoint ``position``'s machine and names back (the machine in place)."""
        from engine.checkpoint import discard, restore
        t0 = time.process_time()
        saved = self._checkpoints[position]
        m = saved.ck.machine
        chunks, deep, old = restore(m, saved.ck, self._machines(), self.last_move.caches)
        discard(old)
        self._like = saved.ck
        values = {**saved.env, **deep}
        self.env = {k: list(values[k]) if type(values[k]) is list else values[k]
                    for k in saved.order}
        if m is self.machine:
            self.last_move.chunks = sorted(set(self.last_move.chunks) | set(chunks))
        else:
            self.machine = m
            self.last_move.new_machine = True
        self._restore_ms += ((time.process_time() - t0) * 1e3 - self._restore_ms) / 4
