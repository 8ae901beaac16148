"""The timeline: a lesson applied step by step to a machine, forward and back.

The engine is deterministic (same configuration, seed and operations give
the same machine), so going back is "restore the nearest checkpoint, replay
the steps after it".  Checkpoints are ``copy.deepcopy`` snapshots of the
machine and the named results, taken every ``checkpoint_every`` steps; when
there are too many, every other one is dropped and the interval doubles, so
memory stays bounded on long stress lessons and 4 GB machines.

    tl = Timeline(load_lesson("buddy"))
    r = tl.step()            # StepResult: events, narration, focus, expects
    tl.back(); tl.jump(5); tl.restart()
"""
from __future__ import annotations

import copy
from typing import Any, Callable

from .model import Lesson, Step
from .results import StepResult, evaluate_step
from .runner import apply_op, bind_value


def boot_machine(config: dict[str, Any]) -> Any:
    import engine
    return engine.Machine.boot(**config)


class Timeline:
    """Owns the machine; applies a lesson's steps; back/jump restore exactly."""

    def __init__(self, lesson: Lesson, *, checkpoint_every: int = 16, max_checkpoints: int = 48,
                 boot: Callable[[dict[str, Any]], Any] = boot_machine) -> None:
        self.lesson = lesson
        self._boot = boot
        self.checkpoint_every = max(1, checkpoint_every)
        self.max_checkpoints = max(2, max_checkpoints)
        self.machine: Any = boot(dict(lesson.machine))
        self.env: dict[str, Any] = {}
        self.results: list[StepResult] = []
        self._checkpoints: dict[int, tuple[Any, dict]] = {}
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
        index = self.position
        result = self._apply(index, record=True)
        self.results.append(result)
        if self.position % self.checkpoint_every == 0:
            self._save_checkpoint(self.position)
        return result

    def back(self) -> StepResult | None:
        """Undo the last step (restoring the exact machine); returns the new current result."""
        if self.position > 0:
            self.jump(self.position - 1)
        return self.current

    def jump(self, n: int) -> StepResult | None:
        """Go to the state after ``n`` steps (0 = start), forward or back."""
        n = max(0, min(int(n), len(self.lesson.steps)))
        if n >= self.position:
            while self.position < n:
                self.step()
            return self.current
        base = max(k for k in self._checkpoints if k <= n)
        machine, env = copy.deepcopy(self._checkpoints[base])
        self.machine, self.env = machine, env
        kept = self.results[:n]
        for index in range(base, n):
            self._apply(index, record=False)
        self.results = kept
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
        step.index = len(self.lesson.steps)
        self.lesson.steps.append(step)
        result = self.step()
        assert result is not None
        return result

    # -- internals ------------------------------------------------------------------------
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
        self.machine = machine
        return Outcome(machine, step.op, args, result=machine,
                       events=list(getattr(machine, "events", []) or []))

    def _snapshot_step(self, step: Step) -> Any:
        from types import SimpleNamespace
        from .facts import Outcome
        from .facts import ZONE_FIELDS
        snap = {z.name: SimpleNamespace(free_area=[int(n) for n in z.free_area],
                                        **{f: int(getattr(z, f)) for f in ZONE_FIELDS})
                for z in self.machine.zones}
        return Outcome(self.machine, step.op, {}, result=snap)

    def _save_checkpoint(self, position: int) -> None:
        self._checkpoints[position] = copy.deepcopy((self.machine, self.env))
        if len(self._checkpoints) > self.max_checkpoints:
            self.checkpoint_every *= 2
            for k in list(self._checkpoints):
                if k % self.checkpoint_every and k != position:
                    del self._checkpoints[k]
