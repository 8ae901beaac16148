"""Apply one lesson step to a machine: resolve arguments, call the engine,
collect events, check expects, compute the quiz answer.

Kernel errors (``engine.KernelError``) are outcomes, not exceptions: the
step result carries the error's class name and kernel-style message.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from . import expr
from .facts import PAGE_SHIFT, PAGE_SIZE, FactError, Outcome
from .model import Expect, Step
from .ops import ADAPTERS

ADDRESS_FACTS = frozenset({"paddr", "layout", "pfn", "entry", "table"})


class Item:
    """One result of a repeat/each step: ``it`` in expressions, ``it.order`` its arguments."""

    def __init__(self, value: Any, args: dict[str, Any]) -> None:
        self.value = value
        self.__dict__.update({k: v for k, v in args.items() if k != "value"})

    def __index__(self) -> int:
        return int(self.value)

    def __repr__(self) -> str:
        return f"Item({self.value!r})"


@dataclass
class ExpectResult:
    key: str
    expected: str          # as displayed, e.g. "== 0xc1000000" or "vmalloc"
    actual: str
    ok: bool
    line: int = 0


@dataclass
class Question:
    text: dict[str, str]
    answer: Any            # the engine's answer (int, str or bool)
    shown: str             # the answer as displayed

    def ask(self, lang: str = "en") -> str:
        return self.text.get(lang) or self.text.get("en", "")

    def check(self, reply: str) -> bool:
        """Is the learner's reply right?  Numbers may be hex, decimal or 4K-style."""
        reply = reply.strip()
        if isinstance(self.answer, bool):
            return reply.lower() in (("true", "yes", "y", "1", "是") if self.answer
                                     else ("false", "no", "n", "0", "否"))
        if isinstance(self.answer, int):
            try:
                return int(expr.eval_text(reply, {})) == self.answer
            except expr.ExprError:
                return False
        return reply.lower() == str(self.answer).lower()


@dataclass
class StepResult:
    """What the timeline shows for one applied step."""
    index: int                         # 0-based step index
    step: Step
    args: dict[str, Any]               # resolved argument values (last iteration for repeats)
    result: Any = None                 # what the engine returned (list of Item for repeats)
    value: Any = None                  # primary value: int address/pfn/pid, text, or None
    error: BaseException | None = None
    events: list = field(default_factory=list)
    expects: list[ExpectResult] = field(default_factory=list)
    focus: dict[str, Any] = field(default_factory=dict)
    question: Question | None = None
    items: list | None = None
    errors: int = 0

    @property
    def op(self) -> str:
        return self.step.op.name

    @property
    def ok(self) -> bool:
        return all(e.ok for e in self.expects)

    @property
    def error_kind(self) -> str | None:
        return None if self.error is None else type(self.error).__name__

    @property
    def error_message(self) -> str:
        return "" if self.error is None else str(self.error)

    def narration(self, lang: str = "en") -> str:
        return self.step.narration(lang)

    def title(self, lang: str = "en") -> str:
        return self.step.short_title(lang)

    def call_text(self) -> str:
        """The operation as a call with hex addresses: ``kmalloc(100, 'GFP_KERNEL')``."""
        rep = self.step.repeat
        if rep is None:
            parts = [fmt_arg(k, v) for k, v in self.args.items() if v is not None]
            return f"{self.op}({', '.join(parts)})"
        parts = []
        for p in self.step.op.params:
            if p.name in rep.random:
                mode, spec = rep.random[p.name]
                parts.append(f"{p.name}=random {spec[0]}..{spec[1]}" if mode == "range"
                             else f"{p.name}=random of {spec}")
            elif p.name in self.step.args:
                parts.append(f"{p.name}={fmt_arg(p.name, self.step.args[p.name])}")
        text = f"{self.op}({', '.join(parts)})"
        text += f" x {rep.count}" if rep.count else f" for each of {rep.each}"
        if rep.where is not None:
            text += f" where {rep.where_text}"
        if rep.sample is not None:
            text += f" (random sample {rep.sample}, seed {rep.seed})"
        return text

    def result_text(self) -> str:
        if self.error is not None:
            return f"{self.error_kind}: {self.error_message}"
        if self.items is not None:
            return f"{len(self.items)} done, {self.errors} failed"
        return fmt_result(self.step.op.result, self.result)


def fmt_arg(key: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return repr(value) if isinstance(value, str) else str(value)
    if key in ("vaddr", "paddr", "addr"):
        return f"{value:#010x}"
    if key == "pfn":
        return f"{value:#x}"
    if value >= 0x10000:
        return f"{value:#010x}"
    return str(value)


def fmt_result(kind: str, r: Any) -> str:
    if r is None:
        return "-"
    if kind in ("vaddr", "paddr"):
        return f"{int(r):#010x}"
    if kind == "pfn":
        return f"pfn {int(r):#x} (phys {int(r) << PAGE_SHIFT:#010x})"
    if kind == "pid":
        return f"pid {int(r)}"
    if kind == "process":
        return f"pid {r.pid}"
    if kind in ("access", "walk"):
        pa = "-" if r.paddr is None else f"{int(r.paddr):#010x}"
        fault = getattr(r, "fault", None)
        extra = f", TLB {'hit' if getattr(r, 'tlb_hit', False) else 'miss'}" if kind == "access" else ""
        return f"paddr {pa}{extra}" + (f", fault: {getattr(fault, 'reason', fault)}" if fault else "")
    if kind == "bytes":
        return bytes(r).hex(" ")
    if kind == "machine":
        c = getattr(r, "config", None)
        return "booted" if c is None else \
            f"booted {c.ram >> 20} MB, {'PAE' if c.pae else 'non-PAE'}, kernel {c.kernel}"
    if kind == "snapshot":
        return ", ".join(f"{name}: {z.free_pages} free" for name, z in r.items())
    return str(r)


def fmt_fact(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and (name in ADDRESS_FACTS or name == "value_addr"):
        return f"{value:#x}"
    return str(value)


def builtins(m: Any) -> dict[str, Any]:
    lay = getattr(m, "layout", None)
    zones = {z.name: z for z in getattr(m, "zones", [])}
    return {"layout": lay, "config": getattr(m, "config", None), "cpu": getattr(m, "cpu", None),
            "zones": zones,
            "PAGE_SIZE": PAGE_SIZE, "PAGE_SHIFT": PAGE_SHIFT,
            "PAGE_OFFSET": getattr(lay, "page_offset", 0xC0000000)}


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
        if p.type == "pid" and hasattr(v, "pid"):
            args[p.name] = int(v.pid)
        elif p.type in ("int", "addr", "size", "pid") and not isinstance(v, int):
            args[p.name] = int(v)
    return args


def find_process(m: Any, pid: int) -> Any:
    for attr in ("process", "get_process", "task"):
        fn = getattr(m, attr, None)
        if callable(fn):
            return fn(pid)
    for attr in ("processes", "procs", "tasks"):
        table = getattr(m, attr, None)
        if table is not None:
            try:
                return table[pid]
            except (KeyError, IndexError):
                break
    import engine
    raise engine.SegFault(f"no such process: pid {pid}")


def call_engine(m: Any, op: Any, args: dict[str, Any]) -> Any:
    values = [args.get(p.name) for p in op.params]
    if op.name == "write_virt" and isinstance(values[1], str):
        values[1] = values[1].encode("utf-8")
    if op.target == "process":
        proc = find_process(m, int(values[0]))
        return getattr(proc, op.engine_method)(*values[1:])
    while values and values[-1] is None and not op.params[len(values) - 1].required:
        values.pop()
    method = getattr(m, op.engine_method, None)
    if method is None and op.name in ADAPTERS:
        return ADAPTERS[op.name][0](m, *values)
    return getattr(m, op.engine_method)(*values)


def kernel_error_types() -> tuple[type, ...]:
    """Errors that are a step's outcome: kernel errors and impossible arguments."""
    try:
        from engine.errors import ConfigError, KernelError
        return (KernelError, ConfigError)
    except ImportError:
        return ()


class EngineFailure(Exception):
    """The engine raised something that is not a kernel error (shown, never a traceback)."""


def apply_op(m: Any, step: Step, env: dict[str, Any]) -> Outcome:
    """Run the step's operation (all iterations) on ``m``; never raises KernelError."""
    op = step.op
    kerr = kernel_error_types()
    scope = {**builtins(m), **env}
    rep = step.repeat
    if rep is None:
        out = Outcome(m, op, {})
        before = getattr(m, "events", None)
        try:
            out.args = _finish_args(op, resolve_args(step, scope))
            out.result = call_engine(m, op, out.args)
        except kerr as err:
            out.error = err
        except expr.ExprError as err:
            out.error = StepFailed(str(err))
        except Exception as err:  # an engine bug: keep the learner's screen clean
            out.error = EngineFailure(f"{type(err).__name__}: {err}")
        out.events = fresh_events(m, before, op, out.result)
        return out
    source = list(range(rep.count)) if rep.count else list(env.get(rep.each) or [])
    rng = random.Random(rep.seed)
    order = list(range(len(source)))
    if rep.sample is not None:
        k = round(len(order) * rep.sample) if isinstance(rep.sample, float) else min(rep.sample, len(order))
        order = rng.sample(order, k)
    out = Outcome(m, op, {}, items=[])
    events: list = []
    for i in order:
        scope["i"] = i
        scope["it"] = source[i] if rep.each else i
        before = getattr(m, "events", None)
        try:
            if rep.where is not None and not expr.evaluate(rep.where, scope, rep.where_text):
                continue
            args = resolve_args(step, scope)
            for name, (mode, spec) in rep.random.items():
                args[name] = rng.randint(*spec) if mode == "range" else rng.choice(spec)
            args = _finish_args(op, args)
            out.args = args
            result = call_engine(m, op, args)
            out.items.append(Item(_primary(op.result, result), args))
        except kerr as err:
            out.errors += 1
            if out.error is None:
                out.error = err
            if rep.on_error == "stop":
                events.extend(fresh_events(m, before, op, None))
                break
        except expr.ExprError as err:
            out.error = StepFailed(str(err))
            break
        except Exception as err:  # an engine bug
            out.error = EngineFailure(f"{type(err).__name__}: {err}")
            break
        events.extend(fresh_events(m, before, op, result))
    out.result = out.items
    out.events = events
    return out


def fresh_events(m: Any, before: Any, op: Any, result: Any) -> list:
    """The events of the operation just run: none if it left ``m.events`` alone.

    A side-effect-free walk records nothing on the machine; its steps (and #PF) are
    its events.
    """
    after = getattr(m, "events", None)
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


def _primary(kind: str, r: Any) -> Any:
    if r is None:
        return None
    if kind in ("pfn", "vaddr", "paddr", "pid"):
        return int(r)
    if kind == "process":
        return int(r.pid)
    return r


def bind_value(step: Step, out: Outcome) -> Any:
    """The value the step's ``as`` name gets."""
    if out.items is not None:
        return out.items
    kind = step.op.result
    if kind in ("pfn", "vaddr", "paddr", "pid"):
        return None if out.result is None else int(out.result)
    return out.result


_CMPS = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
         "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def check_expect(e: Expect, out: Outcome, env: dict[str, Any]) -> ExpectResult:
    name = _fact_display(e.fact.name, out.op.result)
    try:
        actual = e.fact.compute(out, e.params)
    except (FactError, ArithmeticError, AttributeError, LookupError, TypeError, ValueError) as err:
        return ExpectResult(e.key, _shown_expected(e, name, e.expected), f"(cannot tell: {err})", False, e.line)
    except Exception as err:  # an engine error while inspecting the machine
        return ExpectResult(e.key, _shown_expected(e, name, e.expected),
                            f"(cannot tell: {type(err).__name__}: {err})", False, e.line)
    expected = e.expected
    if e.tree is not None:
        try:
            expected = int(expr.evaluate(e.tree, {**builtins(out.machine), **env}, e.expected))
        except (expr.ExprError, TypeError, ValueError) as err:
            return ExpectResult(e.key, str(e.expected), f"(cannot tell: {err})", False, e.line)
    if e.cmp == "contains":
        ok = isinstance(actual, str) and str(expected) in actual
        shown_actual = "(contains it)" if ok else _clip(str(actual))
    elif isinstance(expected, str) and not isinstance(actual, str):
        ok = False
        shown_actual = fmt_fact(name, actual)
    else:
        try:
            ok = bool(_CMPS[e.cmp](actual, expected)) if actual is not None else False
        except TypeError:
            ok = False
        shown_actual = fmt_fact(name, actual)
    return ExpectResult(e.key, _shown_expected(e, name, expected), shown_actual, ok, e.line)


def _fact_display(name: str, kind: str) -> str:
    if name == "value" and kind in ("vaddr", "paddr", "pfn", "access", "walk"):
        return "value_addr"
    return name


def _shown_expected(e: Expect, name: str, expected: Any) -> str:
    text = fmt_fact(name, expected)
    if e.cmp == "contains":
        return f"contains {text!r}"
    return text if e.cmp == "==" else f"{e.cmp} {text}"


def _clip(text: str, n: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= n else text[:n - 1] + "…"


def evaluate_step(index: int, step: Step, out: Outcome, env: dict[str, Any]) -> StepResult:
    """Build the StepResult: expects, focus and quiz answer (after the op ran)."""
    res = StepResult(index, step, out.args, out.result, None, out.error, out.events,
                     items=out.items, errors=out.errors)
    if out.error is None and out.items is None:
        try:
            res.value = _primary(step.op.result, out.result)
        except (AttributeError, TypeError, ValueError):
            res.value = None
    res.expects = [check_expect(e, out, env) for e in step.expects]
    allowed = {"error", "errors", "message"} & {e.fact.name for e in step.expects}
    tolerated = step.repeat is not None and step.repeat.on_error == "continue"
    if out.error is not None and not allowed and not tolerated:
        res.expects.append(ExpectResult("error", "none", f"{type(out.error).__name__}: {out.error}",
                                        False, step.line))
    scope = {**builtins(out.machine), **env}
    for kind, (raw, tree) in step.focus.items():
        try:
            res.focus[kind] = expr.evaluate(tree, scope, raw) if tree is not None else raw
        except (expr.ExprError, TypeError, ValueError):
            res.focus[kind] = None
        if kind in ("process",) and hasattr(res.focus[kind], "pid"):
            res.focus[kind] = int(res.focus[kind].pid)
    if step.ask is not None:
        a = step.ask
        try:
            answer = a.fact.compute(out, a.params)
            shown = fmt_fact(_fact_display(a.fact.name, step.op.result), answer)
        except Exception as err:  # shown as text, never raised
            answer, shown = None, f"(cannot tell: {err})"
        res.question = Question(a.text, answer, shown)
    return res
