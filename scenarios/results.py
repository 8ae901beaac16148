"""What a played step shows: its result, the checked expects, the quiz question,
and the formatting of addresses, results and facts for the text player and panes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.process import Process

from . import expr
from .facts import PAGE_SHIFT, FactError, Outcome
from .model import Expect, Step
from .notation import call_text, expect_sentence, repeat_text, returned_text
from .facts_base import primary_value
from .runner import builtins

ADDRESS_FACTS = frozenset({"paddr", "layout", "pfn", "entry", "table", "walk_paddr"})


@dataclass
class ExpectResult:
    key: str
    expected: str          # as displayed, e.g. "== 0xc1000000" or "vmalloc"
    actual: str
    ok: bool
    line: int = 0
    cmp: str = "=="        # ==, !=, <, <=, >, >=, contains
    value: str = ""        # the expected value alone, as displayed

    def sentence(self, lang: str = "en") -> str:
        """The check as students read it: "zone.HighMem.start_pfn is 0x38000"."""
        return expect_sentence(self.key, self.cmp, self.value or self.expected, self.ok,
                               self.actual, lang)


@dataclass
class Question:
    text: dict[str, str]
    answer: Any            # the engine's answer (int, str or bool)
    shown: str             # the answer as displayed
    revealed: bool = False  # the learner answered (the TUI shows the answer only then)

    def ask(self, lang: str = "en") -> str:
        return self.text.get(lang) or self.text.get("en", "")

    def check(self, reply: str) -> bool:
        """Is the learner's reply right?  Numbers may be hex, decimal or 4K-style; where the
        answer is shown in hex, bare hex digits (c0000000) are read as hex, as the quiz does."""
        reply = reply.strip()
        if isinstance(self.answer, bool):
            return reply.lower() in (("true", "yes", "y", "1", "是") if self.answer
                                     else ("false", "no", "n", "0", "否"))
        if isinstance(self.answer, int):
            if self.shown.lower().startswith("0x") and _hex_value(reply) == self.answer:
                return True     # c0000000: how the panes and the kernel print it (%08lx)
            try:
                return int(expr.eval_text(reply, {})) == self.answer
            except expr.ExprError:
                return False
        return reply.lower() == str(self.answer).lower()


def _hex_value(reply: str) -> int | None:
    try:
        return int(reply, 16)
    except ValueError:
        return None


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
    zone_free: tuple = ()              # (zone name, free pages) after the step, for the sparkline
    kernel: str = ""                   # the release the step ran on: it spells the call

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

    def call_text(self, lang: str = "en") -> str:
        """The operation in kernel C notation: ``kmalloc(100, GFP_KERNEL)`` (``lang`` words
        the ops that are no call: ``CPU 读取 0xc0100000``)."""
        rep = self.step.repeat
        if rep is None:
            return call_text(self.step.op, self.args, self.kernel, self.result, lang)
        return repeat_text(self.step.op, self.step.args, rep, self.kernel, lang, self.args)

    @property
    def intended(self) -> bool:
        """The step's kernel error is what the lesson means to show (a SIGSEGV, an oops…):
        its checks name the error and hold."""
        return self.error is not None and bool(self.expects) and self.ok and any(
            e.key in ("error", "message") for e in self.expects)

    def result_text(self) -> str:
        if self.error is not None:
            return f"{self.error_kind}: {self.error_message}"
        if self.items is not None:
            return f"{len(self.items)} done, {self.errors} failed"
        return returned_text(self.op, self.args, self.result, fmt_result(self.step.op.result, self.result))


def fmt_arg(key: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return repr(value) if isinstance(value, str) else str(value)
    if key in ("vaddr", "paddr", "addr"):
        return f"{value:#010x}"
    if key == "pfn":
        return f"{value:#x}"
    if key in ("size", "length", "delta"):
        return str(value)
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
    if kind == "driver":
        return f"{r.device}: a {r.size}-byte buffer at {int(r.kaddr):#010x}"
    if kind in ("access", "walk"):
        pa = "-" if r.paddr is None else f"{int(r.paddr):#010x}"
        extra = f", TLB {'hit' if r.tlb_hit else 'miss'}" if kind == "access" else ""
        return f"paddr {pa}{extra}" + (f", fault: {r.fault.reason}" if r.fault is not None else "")
    if kind == "bytes":
        return bytes(r).hex(" ")
    if kind == "machine":
        c = r.config
        return f"booted {c.ram >> 20} MB, {'PAE' if c.pae else 'non-PAE'}, Linux {c.flavour.release}"
    if kind == "snapshot":
        return ", ".join(f"{name}: {z.free_pages} free" for name, z in r.items())
    return str(r)


def fmt_fact(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and (name in ADDRESS_FACTS or name == "value_addr"):
        return f"{value:#x}"
    return str(value)


_CMPS = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
         "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def check_expect(e: Expect, out: Outcome, env: dict[str, Any]) -> ExpectResult:
    """Check one expect; the result carries the comparison and the expected value for display."""
    res = _check_expect(e, out, env)
    res.cmp = e.cmp
    if not res.value:
        res.value = res.expected.removeprefix(f"{e.cmp} ").removeprefix("contains ").strip('"')
    return res


def _check_expect(e: Expect, out: Outcome, env: dict[str, Any]) -> ExpectResult:
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
    if name == "value" and kind in ("vaddr", "paddr", "pfn", "access", "walk", "driver"):
        return "value_addr"
    return name


def _shown_expected(e: Expect, name: str, expected: Any) -> str:
    text = fmt_fact(name, expected)
    if e.cmp == "contains":
        return f'contains "{text}"'
    return text if e.cmp == "==" else f"{e.cmp} {text}"


def _clip(text: str, n: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= n else text[:n - 1] + "…"


def typed_focus(step: Step, args: dict[str, Any], res: StepResult) -> None:
    """What a typed command selects: the address it walked, accessed, read or wrote (walk,
    access, read_virt, write_virt), else the address or frame it returned (mmap, sbrk,
    alloc_pages ...); a user address in the process its ``pid=`` names."""
    pid = args.get("pid")
    pid = pid.pid if isinstance(pid, Process) else pid
    if isinstance(args.get("vaddr"), int):
        kind, value = "address", args["vaddr"]
    elif isinstance(res.value, int) and step.op.result in ("vaddr", "pfn"):
        kind, value = {"vaddr": "address", "pfn": "pfn"}[step.op.result], res.value
    else:
        return
    res.focus[kind] = value
    if kind == "address" and isinstance(pid, int):
        res.focus["process"] = pid


def evaluate_step(index: int, step: Step, out: Outcome, env: dict[str, Any]) -> StepResult:
    """Build the StepResult: expects, focus and quiz answer (after the op ran)."""
    res = StepResult(index, step, out.args, out.result, None, out.error, out.events,
                     items=out.items, errors=out.errors)
    m = out.machine
    if m is not None:                   # None: a boot step failed before any machine existed
        res.kernel = m.config.flavour.release
        res.zone_free = tuple((z.name, int(z.free_pages)) for z in m.zones)
    if out.error is None and out.items is None:
        try:
            res.value = primary_value(step.op.result, out.result)
        except (AttributeError, TypeError, ValueError):
            res.value = None
    res.expects = [check_expect(e, out, env) for e in step.expects]
    allowed = {"error", "errors", "message"} & {e.fact.name for e in step.expects}
    # a typed step's kernel error is the kernel's answer to the user, not a lesson's failed check
    tolerated = step.typed or (step.repeat is not None and step.repeat.on_error == "continue")
    if out.error is not None and not allowed and not tolerated:
        res.expects.append(ExpectResult("error", "none", f"{type(out.error).__name__}: {out.error}",
                                        False, step.line))
    scope = {**builtins(out.machine), **env}
    for kind, (raw, tree) in step.focus.items():
        try:
            res.focus[kind] = expr.evaluate(tree, scope, raw) if tree is not None else raw
        except (expr.ExprError, TypeError, ValueError):
            res.focus[kind] = None
        if kind == "process" and isinstance(res.focus[kind], Process):
            res.focus[kind] = res.focus[kind].pid
    if step.typed and not step.focus:
        typed_focus(step, out.args or {}, res)
    if step.ask is not None:
        a = step.ask
        try:
            answer = a.fact.compute(out, a.params)
            shown = fmt_fact(_fact_display(a.fact.name, step.op.result), answer)
        except Exception as err:  # shown as text, never raised
            answer, shown = None, f"(cannot tell: {err})"
        res.question = Question(a.text, answer, shown)
    return res
