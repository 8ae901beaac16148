"""Apply one lesson step to a machine: resolve arguments, call the engine,
collect events.  (Checking expects and the quiz answer: :mod:`scenarios.results`.)

Kernel errors (``engine.KernelError``) are outcomes, not exceptions: the
step result carries the error's class name and kernel-style message.
"""
from __future__ import annotations

import random
from functools import partial
from typing import TYPE_CHECKING, Any

from engine.errors import ConfigError, KernelError
from engine.process import Process

from . import expr
from .facts import PAGE_SHIFT, PAGE_SIZE, Outcome
from .facts_base import primary_value
from .model import Step

if TYPE_CHECKING:
    from engine.machine import Machine

class Item:
    """One result of a repeat/each step: ``it`` in expressions, ``it.order`` its arguments."""

    def __init__(self, value: Any, args: dict[str, Any]) -> None:
        d = self.__dict__
        d["value"] = value
        d.update(args)
        if "value" in args:                   # an argument named "value" does not hide it
            d["value"] = value

    def __index__(self) -> int:
        return int(self.value)

    def __repr__(self) -> str:
        return f"Item({self.value!r})"


def builtins(m: Machine | None) -> dict[str, Any]:
    """The names every lesson expression sees; with no machine (a boot step that failed
    before any machine existed) the machine's names are None."""
    names: dict[str, Any] = {"PAGE_SIZE": PAGE_SIZE, "PAGE_SHIFT": PAGE_SHIFT}
    if m is None:
        return {**names, "layout": None, "config": None, "cpu": None, "zones": {},
                "PAGE_OFFSET": 0xC0000000}
    return {**names, "layout": m.layout, "config": m.config, "cpu": m.cpu,
            "zones": {z.name: z for z in m.zones}, "PAGE_OFFSET": m.layout.page_offset}


def resolve_args(step: Step, env: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for p in step.op.params:
        if p.name in step.trees:
            value = expr.evaluate(step.trees[p.name], env, step.args[p.name])
        elif p.name in step.args:
            value = step.args[p.name]
        elif p.required:
            continue                          # filled in by random
        else:
            value = p.default
        out[p.name] = value
    return out


def _finish_args(op: Any, args: dict[str, Any]) -> dict[str, Any]:
    for p in op.params:
        v = args.get(p.name)
        if v is None:
            continue
        if p.type == "pid" and isinstance(v, Process):
            args[p.name] = v.pid
        elif p.type in ("int", "addr", "size", "pid") and not isinstance(v, int):
            args[p.name] = int(v)
    return args


def call_engine(m: Machine, op: Any, args: dict[str, Any]) -> Any:
    values = [args.get(p.name) for p in op.params]
    if op.name == "write_virt" and isinstance(values[1], str):
        values[1] = values[1].encode("utf-8")
    if op.target == "process":
        proc = m.process(int(values[0]))
        return getattr(proc, op.engine_method)(*values[1:])
    while values and values[-1] is None and not op.params[len(values) - 1].required:
        values.pop()
    return getattr(m, op.engine_method)(*values)       # the op table's declared method


KERNEL_ERRORS = (KernelError, ConfigError)   # a step's outcome: kernel errors and impossible arguments


class EngineFailure(Exception):
    """The engine raised something that is not a kernel error (shown, never a traceback)."""


def apply_op(m: Machine, step: Step, env: dict[str, Any]) -> Outcome:
    """Run the step's operation (all iterations) on ``m``; never raises KernelError."""
    op = step.op
    kerr = KERNEL_ERRORS
    scope = {**builtins(m), **env}
    rep = step.repeat
    if rep is None:
        out = Outcome(m, op, {})
        before = m.events
        try:
            out.args = _finish_args(op, resolve_args(step, scope))
            out.result = call_engine(m, op, out.args)
        except kerr as err:
            out.error = err.with_traceback(None)     # no frames kept alive by the outcome
        except expr.ExprError as err:
            out.error = StepFailed(str(err))
        except Exception as err:  # an engine bug: keep the learner's screen clean
            out.error = EngineFailure(f"{type(err).__name__}: {err}")
        out.events = fresh_events(m, before, op, out.result)
        return out
    return _apply_repeat(m, step, env, scope, rep)


def _apply_repeat(m: Machine, step: Step, env: dict[str, Any], scope: dict[str, Any],
                  rep: Any) -> Outcome:
    """A repeat/each step: every iteration's call, one Item per success, the events of all.
    What does not change between iterations is worked out once, here: the literal
    arguments and their integer checks, the expressions, the engine method."""
    op = step.op
    kerr = KERNEL_ERRORS
    source = list(range(rep.count)) if rep.count else list(env.get(rep.each) or [])
    rng = random.Random(rep.seed)
    order = list(range(len(source)))
    if rep.sample is not None:
        k = round(len(order) * rep.sample) if isinstance(rep.sample, float) else min(rep.sample, len(order))
        order = rng.sample(order, k)
    out = Outcome(m, op, {}, items=[])
    plan = [(p.name, step.trees.get(p.name), step.args[p.name] if p.name in step.args else p.default)
            for p in op.params if p.name in step.args or not p.required]
    compiled = [(name, None if tree is None else expr.compile_tree(tree, value), value)
                for name, tree, value in plan]
    randoms = list(rep.random.items())
    finish = [(p.name, p.type) for p in op.params if p.type in ("int", "addr", "size", "pid")]
    base = {name: value for name, _, value in plan}       # the keys in the order they had
    getters = [(name, get) for name, get, _ in compiled if get is not None]
    # the integer checks an iteration needs: those of values that may not be ints yet
    # (an expression's, a choice's, a literal that is not an int)
    dynamic = {name for name, _ in getters}
    dynamic |= {name for name, (mode, spec) in randoms
                if mode != "range" or not all(type(x) is int for x in spec)}
    dynamic |= {name for name, value in base.items() if value is not None and type(value) is not int}
    finish_dyn = [(name, typ) for name, typ in finish if name in dynamic]
    draws = [(name, rng.randint, spec) if mode == "range" else (name, rng.choice, (spec,))
             for name, (mode, spec) in randoms]
    call = engine_caller(m, op)
    fixed = None                      # the arguments when no iteration can change them
    if not randoms and not getters:
        try:
            fixed = _finish_typed(dict(base), finish)
        except Exception:             # noqa: BLE001 -- each iteration reports it, as before
            fixed = None
        else:
            call_fixed = engine_caller(m, op, fixed)
    kind = op.result
    value_of = _VALUE_OF.get(kind)
    # primary_value gives int(r) for these kinds: r itself when it is an int already
    int_type = int if kind in ("pfn", "vaddr", "paddr", "pid") else _NotAType
    walk = kind == "walk"
    each, stop = rep.each, rep.on_error == "stop"
    where = None if rep.where is None else expr.compile_tree(rep.where, rep.where_text)
    items = out.items
    add = items.append
    new_item, item_dict = object.__new__, "value" not in base and all(n != "value" for n, _ in randoms)
    # the iterations' events as the trace left them (engine.trace: a list per operation,
    # or an operation's lone event maker and its pfn), built into event objects once, at the end
    trace = m.trace
    raw: list = []
    for i in order:
        scope["i"] = i
        scope["it"] = source[i] if each else i
        before = m.events if walk else trace.current
        before_at = trace.at
        result = None
        try:
            if where is not None and not where(scope):
                continue
            if fixed is None:
                args = base.copy()
                for name, get in getters:
                    args[name] = get(scope)
                for name, draw, spec in draws:
                    args[name] = draw(*spec)
                if finish_dyn:
                    _finish_typed(args, finish_dyn)
                out.args = args
                result = call(args)
            else:
                out.args = args = fixed
                result = call_fixed()
            value = result
            if value_of is not None and type(result) is not int_type:
                value = value_of(result)
            if item_dict:                 # Item(value, args), without the call
                item = new_item(Item)
                item.__dict__ = {"value": value, **args}
                add(item)
            else:
                add(Item(value, args))
        except kerr as err:
            out.errors += 1
            if out.error is None:
                out.error = err.with_traceback(None)
            if walk:
                raw.extend(fresh_events(m, before, op, None))
            else:
                _take_events(trace, before, before_at, raw)
            if stop:
                break
            continue
        except expr.ExprError as err:
            out.error = StepFailed(str(err))
            break
        except Exception as err:  # an engine bug
            out.error = EngineFailure(f"{type(err).__name__}: {err}")
            break
        if walk:
            raw.extend(fresh_events(m, before, op, result))
        else:
            after = trace.current             # _take_events, inline
            if type(after) is list:
                if after is not before:
                    raw.extend(after)
            elif after is not None and (after is not before or trace.at != before_at):
                raw.append(after if type(after) is tuple else (after, trace.at))
    out.result = out.items
    out.events = [e[0](*e[1:]) if type(e) is tuple else e for e in raw]
    return out


_PRIMARY_KINDS = ("pfn", "vaddr", "paddr", "pid", "process", "driver")
# an Item's value: facts_base.primary_value of the step's result kind (None: the result itself)
_VALUE_OF = {kind: partial(primary_value, kind) for kind in _PRIMARY_KINDS}


class _NotAType:
    """The type no result has."""


def _finish_typed(args: dict[str, Any], finish: list[tuple[str, str]]) -> dict[str, Any]:
    """Integer arguments as ints (a pid argument may be a Process)."""
    for name, typ in finish:
        v = args.get(name)
        if v is None or type(v) is int:
            continue
        if typ == "pid" and isinstance(v, Process):
            args[name] = v.pid
        elif not isinstance(v, int):
            args[name] = int(v)
    return args


def _take_events(trace: Any, before: Any, before_at: int, raw: list) -> None:
    """Add the events of the operation that just ran (``m.trace.current`` and ``at`` were
    ``before`` and ``before_at`` before it; unchanged: it recorded none) to ``raw``, as the
    trace holds them."""
    after = trace.current
    if type(after) is list:
        if after is not before:
            raw.extend(after)
    elif after is not None and (after is not before or trace.at != before_at):
        raw.append(after if type(after) is tuple else (after, trace.at))   # one hot-path event


def engine_caller(m: Machine, op: Any, fixed: dict[str, Any] | None = None) -> Any:
    """``call_engine(m, op, args)`` with the engine method looked up once (repeat steps);
    with ``fixed`` arguments, a function of no arguments that calls with those."""
    if op.target == "process" or op.name == "write_virt":
        if fixed is not None:
            return lambda: call_engine(m, op, fixed)
        return lambda args: call_engine(m, op, args)
    method = getattr(m, op.engine_method)               # the op table's declared method
    params = op.params
    names = tuple(p.name for p in params)

    def values_of(args: dict[str, Any]) -> list:
        values = list(map(args.get, names))
        while values and values[-1] is None and not params[len(values) - 1].required:
            values.pop()
        return values
    if fixed is not None:
        return partial(method, *values_of(fixed))

    def call(args: dict[str, Any]) -> Any:
        return method(*values_of(args))
    return call


def fresh_events(m: Machine, before: list | None, op: Any, result: Any) -> list:
    """The events of the operation just run: none if it left ``m.events`` alone.

    A side-effect-free walk records nothing on the machine; its steps (and #PF) are
    its events.
    """
    after = m.events
    if after is not None and after is not before:
        return list(after)
    if op.result == "walk" and result is not None:
        events = list(result.steps)
        fault = result.fault
        if fault is not None:
            from engine.mmu_events import PageFault
            events.append(PageFault(fault.vaddr, fault.error_code, fault.reason))
        return events
    return []


class StepFailed(Exception):
    """A lesson-level failure while running a step (e.g. an expression hit a bad index)."""


def bind_value(step: Step, out: Outcome) -> Any:
    """The value the step's ``as`` name gets."""
    if out.items is not None:
        return out.items
    kind = step.op.result
    if kind in ("pfn", "vaddr", "paddr", "pid"):
        return None if out.result is None else int(out.result)
    return out.result
