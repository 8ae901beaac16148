"""Validating ``repeat`` / ``each`` stress steps and their ``random`` arguments
(part of the loader): iteration counts are bounded (MAX_REPEAT per step, MAX_OPS
per lesson), random ranges and choices are checked against the op's parameters.
"""
from __future__ import annotations

from typing import Any

from engine.errors import shown

from .model import LOOP_NAMES, MAX_OPS, MAX_REPEAT, Repeat, Step
from .ops import EXPR_TYPES
from .validate_args import check_value
from .source import KeyLines


class RepeatChecks:
    """Mixin of the lesson Validator: ``repeat``, ``each``, ``random``, ``where``."""

    total_ops = 0

    def count_ops(self, n: int, line: int) -> None:
        """Count the operations a step runs; plain steps and repeats share MAX_OPS."""
        before = self.total_ops
        self.total_ops += n
        if before <= MAX_OPS < self.total_ops:
            self.err(line, f"too many operations: the lesson would run more than {MAX_OPS} "
                           "(plain steps and repeat iterations together)")

    def repeat(self, t: dict, lines: KeyLines, op: Any, step: Step) -> Repeat | None:
        has = [k for k in ("repeat", "each") if k in t]
        if not has:
            for k in ("random", "on_error", "where"):
                if k in t:
                    self.err(lines.line(k), f"{k!r} needs 'repeat' or 'each'")
            self.count_ops(1, lines.line())
            return None
        if len(has) == 2:
            self.err(lines.line("each"), "use either 'repeat' or 'each', not both")
        rep = Repeat()
        if "repeat" in t:
            count = t["repeat"]
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                self.err(lines.line("repeat"), f"repeat must be a positive integer, got {shown(count)}")
                count = 1
            elif count > MAX_REPEAT:
                self.err(lines.line("repeat"), f"huge repeat: {count} iterations (at most {MAX_REPEAT})")
                count = 1
            rep.count = count
        else:
            each = t["each"]
            if not isinstance(each, str) or each not in self.list_sizes:
                self.err(lines.line("each"), f"'each' must name an earlier repeat step's result, got {shown(each)}")
            else:
                rep.each = each
        iterations = rep.count or self.list_sizes.get(rep.each or "", 0)
        self.count_ops(iterations, lines.line(has[0]))
        mode = t.get("on_error", "stop")
        if mode not in ("stop", "continue"):
            self.err(lines.line("on_error"), f"on_error must be \"stop\" or \"continue\", got {shown(mode)}")
        rep.on_error = mode if mode in ("stop", "continue") else "stop"
        where = t.get("where")
        if where is not None:
            if not isinstance(where, str):
                self.err(lines.line("where"), "where must be an expression like \"i & 1\"")
            else:
                rep.where = self.expression(where, lines.line("where"), self.names | LOOP_NAMES, "where")
                rep.where_text = where
        rnd = t.get("random")
        if rnd is not None:
            self.random(rnd, lines, op, rep)
        step.repeat = rep
        return rep

    def random(self, rnd: Any, lines: KeyLines, op: Any, rep: Repeat) -> None:
        if not isinstance(rnd, dict):
            self.err(lines.line("random"), "random must be a table like { seed = 3, order = [0, 3] }")
            return
        seed = rnd.get("seed")
        if not isinstance(seed, int) or isinstance(seed, bool):
            self.err(lines.line("random.seed"), "random needs an integer seed (random.seed)")
        rep.seed = seed if isinstance(seed, int) else 0
        for key, value in rnd.items():
            where = lines.line(f"random.{key}")
            if key == "seed":
                continue
            if key == "sample":
                good = (isinstance(value, float) and 0 < value <= 1) or \
                       (isinstance(value, int) and not isinstance(value, bool) and value >= 1)
                if not good:
                    self.err(where, f"random.sample must be a fraction (0, 1] or a count, got {shown(value)}")
                rep.sample = value
                continue
            param = op.param(key)
            if param is None:
                self.err(where, f"random.{key}: {op.name} has no argument {key!r}")
                continue
            if isinstance(value, list) and len(value) == 2 and all(
                    isinstance(v, int) and not isinstance(v, bool) for v in value) and param.type in EXPR_TYPES:
                lo, hi = value
                if lo > hi:
                    self.err(where, f"random.{key}: empty range [{lo}, {hi}]")
                for end in (lo, hi):
                    msg = check_value(op, param, end, self.machine)
                    if msg:
                        self.err(where, f"random.{key}: {msg}")
                        break
                rep.random[key] = ("range", (lo, hi))
            elif isinstance(value, dict) and isinstance(value.get("choice"), list) and value["choice"]:
                for choice in value["choice"]:
                    msg = check_value(op, param, choice, self.machine) if param.type not in EXPR_TYPES \
                        or (isinstance(choice, int) and not isinstance(choice, bool)) else \
                        f"expected an integer, got {shown(choice)}"
                    if msg:
                        self.err(where, f"random.{key}: {msg}")
                        break
                rep.random[key] = ("choice", list(value["choice"]))
            else:
                self.err(where, f"random.{key} must be [low, high] or {{ choice = [...] }}")
