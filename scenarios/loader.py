"""Load and validate lesson files: every problem is one ``path:line: message``.

Everything is checked before the first step runs: TOML syntax (tomllib's own
message, with its line), the header, each step's operation (known, and
present in this engine version), its arguments (types, expressions, names
defined by earlier steps), narration in both languages, focus, expects, quiz
questions and the size of repeat steps.
"""
from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any

from . import expr
from .facts import ADDRESS_KINDS, FACTS, FREE_OPS, LAYOUT_FIELDS, LEVELS, NUMERIC_KINDS, \
    SUBSTRING_FACTS, ZONE_FIELDS, ZONE_NAMES, Fact
from .model import BUILTIN_NAMES, FOCUS_KINDS, LANGS, LOOP_NAMES, MAX_OPS, MAX_REPEAT, \
    Ask, Expect, Lesson, LessonError, Repeat, Step
from .ops import EXPR_TYPES, OPS, check_literal, engine_has, lookup
from .source import KeyLines, scan

STEP_KEYS = ("do", "as", "say", "title", "focus", "expect", "ask", "repeat", "each",
             "random", "on_error", "where")
LESSON_KEYS = ("id", "title", "summary", "machine", "order")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LESSON_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_CMP = re.compile(r"^\s*(==|!=|<=|>=|<|>)\s*")
_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_EOF = re.compile(r"\s*\(at end of document\)\s*$")


def load_lesson(path: str | Path) -> Lesson:
    """Read and validate a lesson file; raises LessonError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise LessonError(str(path), [(1, f"cannot read lesson: {getattr(err, 'strerror', None) or err}")]) from None
    return parse_lesson(text, str(path))


def parse_lesson(text: str, path: str = "<lesson>") -> Lesson:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = str(err)
        m = _TOML_POS.search(msg)
        if m:
            raise LessonError(path, [(int(m.group(1)), f"bad TOML: {msg[:m.start()]} "
                                      f"(column {m.group(2)})")]) from None
        line = text.count("\n") + 1
        raise LessonError(path, [(line, f"bad TOML: {_TOML_EOF.sub('', msg)}")]) from None
    return Validator(path, text, data).run()


def _near(word: str, options: Any) -> str:
    near = difflib.get_close_matches(str(word), sorted(options), n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def flatten(table: dict, prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in table.items():
        if isinstance(value, dict) and value:
            out.extend(flatten(value, f"{prefix}{key}."))
        else:
            out.append((f"{prefix}{key}", value))
    return out


def parse_fact_key(key: str) -> tuple[Fact, tuple[str, ...]] | str:
    """'free_area.Normal.3' -> (fact, params) or an error message."""
    parts = key.split(".")
    name, params = parts[0], tuple(parts[1:])
    if name == "zone" and params:
        name = "zone_info"
    fact = FACTS.get(name)
    if fact is None:
        return f"unknown expect {key!r}{_near(name, FACTS)}"
    if len(params) != len(fact.params):
        shape = ".".join([name if name != "zone_info" else "zone"] + [f"<{p}>" for p in fact.params])
        return f"expect {key!r} should look like {shape!r}"
    for kind, value in zip(fact.params, params):
        if kind == "zone" and value not in ZONE_NAMES:
            return f"unknown zone {value!r} in {key!r}{_near(value, ZONE_NAMES)} (zones: DMA, Normal, HighMem)"
        if kind == "order" and not (value.isdigit() and 0 <= int(value) <= 10):
            return f"order {value!r} in {key!r} must be 0..10"
        if kind == "zfield" and value not in ZONE_FIELDS:
            return f"unknown zone field {value!r} in {key!r}{_near(value, ZONE_FIELDS)}"
        if kind == "lfield" and value not in LAYOUT_FIELDS:
            return f"unknown layout field {value!r} in {key!r}{_near(value, LAYOUT_FIELDS)}"
        if kind == "level" and value not in LEVELS:
            return f"unknown paging level {value!r} in {key!r}{_near(value, LEVELS)} (PDPTE, PDE, PTE)"
        if kind == "name" and not _IDENT.match(value):
            return f"bad event name {value!r} in {key!r}"
    return fact, params


class Validator:
    def __init__(self, path: str, text: str, data: dict) -> None:
        self.path = path
        self.data = data
        self.src = scan(text)
        self.problems: list[tuple[int, str]] = []
        self.names: set[str] = set(BUILTIN_NAMES)
        self.list_sizes: dict[str, int] = {}
        self.total_ops = 0

    def err(self, line: int, msg: str) -> None:
        self.problems.append((line, msg))

    # -- lesson header -------------------------------------------------------------------
    def run(self) -> Lesson:
        for line, name in self.src.others:
            self.err(line, f"unknown table [{name}] (a lesson has [lesson] and [[step]] tables)")
        tables = {name.split(".")[0] for _, name in self.src.others}
        for key in self.data:
            if key not in ("lesson", "step") and key not in tables:
                self.err(1, f"unknown top-level key {key!r} (put it under [lesson] or a [[step]])")
        header = self.data.get("lesson")
        lines = self.src.lesson
        if not isinstance(header, dict):
            self.err(1, "missing [lesson] table (id, title, summary, machine)")
            raise LessonError(self.path, self.problems)
        lesson = self.header(header, lines)
        steps = self.data.get("step", [])
        if not isinstance(steps, list) or not steps or not all(isinstance(s, dict) for s in steps):
            self.err(lines.line(), "a lesson needs at least one [[step]]")
            steps = []
        for index, table in enumerate(steps):
            step = self.step(index, table, self.src.step(index))
            if step is not None:
                lesson.steps.append(step)
        if self.problems:
            raise LessonError(self.path, self.problems)
        return lesson

    def bilingual(self, table: Any, key: str, lines: KeyLines, what: str, required: bool = True) -> dict:
        if table is None:
            if required:
                self.err(lines.line(key), f"missing {what} ({key}.en and {key}.zh)")
            return {}
        if not isinstance(table, dict):
            self.err(lines.line(key), f"{key} must be a table with en and zh texts")
            return {}
        out = {}
        for lang in LANGS:
            value = table.get(lang)
            if not isinstance(value, str) or not value.strip():
                self.err(lines.line(f"{key}.{lang}"), f"missing {lang} {what} ({key}.{lang})")
            else:
                out[lang] = value.strip()
        for extra in table:
            if extra not in LANGS:
                self.err(lines.line(f"{key}.{extra}"), f"unknown language {extra!r} in {key} (use en and zh)")
        return out

    def header(self, h: dict, lines: KeyLines) -> Lesson:
        for key in h:
            if key not in LESSON_KEYS:
                self.err(lines.line(key), f"unknown key {key!r} in [lesson]{_near(key, LESSON_KEYS)}")
        lid = h.get("id")
        if not isinstance(lid, str) or not _LESSON_ID.match(lid):
            self.err(lines.line("id"), "lesson id must be lower-case letters, digits, - or _")
            lid = "lesson"
        title = self.bilingual(h.get("title"), "title", lines, "title")
        summary = self.bilingual(h.get("summary"), "summary", lines, "summary")
        machine = h.get("machine", {})
        if not isinstance(machine, dict):
            self.err(lines.line("machine"), "machine must be a table (ram, pae, kernel, ...)")
            machine = {}
        self.boot_args(machine, lines, "machine.")
        order = h.get("order", 1000)
        if not isinstance(order, int) or isinstance(order, bool):
            self.err(lines.line("order"), "order must be an integer")
            order = 1000
        return Lesson(lid, title, summary, dict(machine), [], self.path, order, h)

    def boot_args(self, args: dict, lines: KeyLines, prefix: str) -> None:
        boot = OPS["boot"]
        ok = True
        for key, value in args.items():
            param = boot.param(key)
            if param is None:
                self.err(lines.line(prefix + key), f"unknown machine setting {key!r}"
                         f"{_near(key, [p.name for p in boot.params])}")
                ok = False
                continue
            msg = check_literal(param.type, value) if param.type not in EXPR_TYPES else (
                "" if isinstance(value, int) and not isinstance(value, bool) else
                f"expected an integer, got {value!r}")
            if msg:
                self.err(lines.line(prefix + key), f"bad machine setting {key}: {msg}")
                ok = False
        if ok:
            try:
                from engine.config import make_config
                from engine.errors import ConfigError
            except ImportError:
                return
            try:
                make_config(**args)
            except ConfigError as err:
                self.err(lines.line(prefix.rstrip(".")) if prefix else lines.line(), f"bad machine: {err}")
            except TypeError as err:
                self.err(lines.line(prefix.rstrip(".")) if prefix else lines.line(), f"bad machine: {err}")

    # -- steps ----------------------------------------------------------------------------
    def step(self, index: int, t: dict, lines: KeyLines) -> Step | None:
        n = index + 1
        head = lines.line()
        do = t.get("do")
        if do is None:
            self.err(head, f"step {n} has no 'do' (the operation to run)")
            return None
        op = lookup(do) if isinstance(do, str) else None
        if op is None:
            self.err(lines.line("do"), f"unknown operation {do!r}{_near(do, OPS)}")
            return None
        if not engine_has(op):
            self.err(lines.line("do"), f"operation {op.name!r} is not available in this engine version")
        step = Step(index, head, op, {}, {}, lines=lines, raw=t)
        rep = self.repeat(t, lines, op, step)
        local = self.names | (LOOP_NAMES if rep else set())
        params = {p.name for p in op.params}
        for key, value in t.items():
            if key in STEP_KEYS:
                continue
            if key not in params:
                takes = ", ".join(p.name for p in op.params) or "no arguments"
                self.err(lines.line(key), f"unknown key {key!r} for {op.name} (takes: {takes})"
                         f"{_near(key, list(params) + list(STEP_KEYS))}")
                continue
            self.argument(step, op.param(key), value, lines, local)
        random_args = set(rep.random) if rep else set()
        for p in op.params:
            if p.required and p.name not in t and p.name not in random_args:
                self.err(lines.line("do"), f"{op.name} needs argument {p.name!r}")
        if op.name == "boot":
            self.boot_args({k: v for k, v in t.items() if k not in STEP_KEYS}, lines, "")
        step.say = self.bilingual(t.get("say"), "say", lines, "narration")
        if "title" in t:
            step.title = self.bilingual(t["title"], "title", lines, "step title")
        name = t.get("as")
        if name is not None:
            if not isinstance(name, str) or not _IDENT.match(name):
                self.err(lines.line("as"), f"'as' must be a simple name, got {name!r}")
            elif name in BUILTIN_NAMES or name in LOOP_NAMES:
                self.err(lines.line("as"), f"{name!r} is a reserved name")
            elif op.result == "none":
                self.err(lines.line("as"), f"{op.name} returns nothing to name")
            else:
                step.name = name
        if "focus" in t:
            self.focus(step, t["focus"], lines, local | ({name} if step.name else set()))
        if step.name:
            self.names.add(step.name)
            if rep:
                self.list_sizes[step.name] = rep.count or self.list_sizes.get(rep.each or "", 0)
        if "expect" in t:
            self.expects(step, t["expect"], lines, local | self.names)
        if "ask" in t:
            self.ask(step, t["ask"], lines)
        return step

    def argument(self, step: Step, param: Any, value: Any, lines: KeyLines, names: set) -> None:
        key = param.name
        where = lines.line(key)
        if param.type in EXPR_TYPES:
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                self.err(where, f"bad argument {key}: expected a number or an expression, got {value!r}")
                return
            step.args[key] = value
            if isinstance(value, str):
                tree = self.expression(value, where, names, f"argument {key}")
                if tree is not None:
                    step.trees[key] = tree
            return
        msg = check_literal(param.type, value)
        if msg:
            self.err(where, f"bad argument {key}: {msg}")
        else:
            step.args[key] = value

    def expression(self, text: str, line: int, names: set, what: str) -> Any:
        try:
            tree = expr.parse(text)
        except expr.ExprError as err:
            self.err(line, f"bad expression in {what}: {err}")
            return None
        for name in sorted(expr.names(tree)):
            if name not in names:
                self.err(line, f"unknown name {name!r} in {what}{_near(name, names)}"
                         " (names come from an earlier step's 'as')")
                return None
        return tree

    def repeat(self, t: dict, lines: KeyLines, op: Any, step: Step) -> Repeat | None:
        has = [k for k in ("repeat", "each") if k in t]
        if not has:
            for k in ("random", "on_error", "where"):
                if k in t:
                    self.err(lines.line(k), f"{k!r} needs 'repeat' or 'each'")
            self.total_ops += 1
            return None
        if len(has) == 2:
            self.err(lines.line("each"), "use either 'repeat' or 'each', not both")
        rep = Repeat()
        if "repeat" in t:
            count = t["repeat"]
            if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                self.err(lines.line("repeat"), f"repeat must be a positive integer, got {count!r}")
                count = 1
            elif count > MAX_REPEAT:
                self.err(lines.line("repeat"), f"huge repeat: {count} iterations (at most {MAX_REPEAT})")
                count = 1
            rep.count = count
        else:
            each = t["each"]
            if not isinstance(each, str) or each not in self.list_sizes:
                self.err(lines.line("each"), f"'each' must name an earlier repeat step's result, got {each!r}")
            else:
                rep.each = each
        iterations = rep.count or self.list_sizes.get(rep.each or "", 0)
        self.total_ops += iterations
        if self.total_ops > MAX_OPS:
            self.err(lines.line(has[0]), f"huge repeat: the lesson would run more than {MAX_OPS} operations")
        mode = t.get("on_error", "stop")
        if mode not in ("stop", "continue"):
            self.err(lines.line("on_error"), f"on_error must be \"stop\" or \"continue\", got {mode!r}")
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
                    self.err(where, f"random.sample must be a fraction (0, 1] or a count, got {value!r}")
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
                rep.random[key] = ("range", (lo, hi))
            elif isinstance(value, dict) and isinstance(value.get("choice"), list) and value["choice"]:
                for choice in value["choice"]:
                    msg = check_literal(param.type, choice) if param.type not in EXPR_TYPES else (
                        "" if isinstance(choice, int) and not isinstance(choice, bool) else
                        f"expected an integer, got {choice!r}")
                    if msg:
                        self.err(where, f"random.{key}: {msg}")
                        break
                rep.random[key] = ("choice", list(value["choice"]))
            else:
                self.err(where, f"random.{key} must be [low, high] or {{ choice = [...] }}")

    def focus(self, step: Step, focus: Any, lines: KeyLines, names: set) -> None:
        if not isinstance(focus, dict):
            self.err(lines.line("focus"), "focus must be a table like { address = \"v\" }")
            return
        for kind, value in focus.items():
            where = lines.line(f"focus.{kind}")
            if kind not in FOCUS_KINDS:
                self.err(where, f"unknown focus {kind!r}{_near(kind, FOCUS_KINDS)} "
                         f"(one of {', '.join(FOCUS_KINDS)})")
            elif FOCUS_KINDS[kind] == "text":
                if not isinstance(value, str):
                    self.err(where, f"focus.{kind} must be a string")
                else:
                    step.focus[kind] = (value, None)
            elif isinstance(value, int) and not isinstance(value, bool):
                step.focus[kind] = (value, None)
            elif isinstance(value, str):
                tree = self.expression(value, where, names, f"focus.{kind}")
                if tree is not None:
                    step.focus[kind] = (value, tree)
            else:
                self.err(where, f"focus.{kind} must be a number or an expression")

    def applicable(self, fact: Fact, op: Any, rep: Any) -> str:
        kind = op.result
        if rep is not None and not fact.repeat_ok:
            return f"does not apply to a repeat/each step"
        if fact.kinds is not None and kind not in fact.kinds:
            return f"does not apply to {op.name} (it returns {kind})"
        pnames = {p.name for p in op.params}
        if fact.name in ("region",) and kind not in ADDRESS_KINDS and "vaddr" not in pnames:
            return f"does not apply to {op.name} (no virtual address)"
        if fact.name in ("zone", "paddr", "pfn", "contiguous") and kind not in NUMERIC_KINDS - {"pid", "process"} \
                and not pnames & {"vaddr", "pfn", "paddr"}:
            return f"does not apply to {op.name} (no address or frame)"
        if fact.name == "value" and kind in ("none", "machine"):
            return f"does not apply to {op.name} (it returns nothing)"
        if fact.name == "merged_to" and op.name not in FREE_OPS:
            return "applies to free_pages and free_pages_addr only"
        if fact.name == "order" and "order" not in pnames and op.name not in ("kmalloc", "kfree"):
            return f"does not apply to {op.name} (no page order)"
        return ""

    def expects(self, step: Step, table: Any, lines: KeyLines, names: set) -> None:
        if not isinstance(table, dict):
            self.err(lines.line("expect"), "expect must be a table like { zone = \"Normal\" }")
            return
        for key, value in flatten(table):
            where = lines.line(f"expect.{key}")
            parsed = parse_fact_key(key)
            if isinstance(parsed, str):
                self.err(where, f"bad expect: {parsed}")
                continue
            fact, params = parsed
            why = self.applicable(fact, step.op, step.repeat)
            if why:
                self.err(where, f"bad expect: {key!r} {why}")
                continue
            exp = Expect(key, fact, params, "==", value, None, where)
            ftype = fact.type
            if ftype == "any":
                ftype = "int" if step.op.result in NUMERIC_KINDS else "str"
            if ftype == "bool":
                if not isinstance(value, bool):
                    self.err(where, f"bad expect: {key} must be true or false, got {value!r}")
                    continue
            elif ftype == "str":
                if not isinstance(value, str):
                    self.err(where, f"bad expect: {key} must be a string, got {value!r}")
                    continue
                exp.cmp = "contains" if fact.name in SUBSTRING_FACTS else "=="
            else:
                if isinstance(value, bool) or not isinstance(value, (int, str)):
                    self.err(where, f"bad expect: {key} must be a number or an expression, got {value!r}")
                    continue
                if isinstance(value, str):
                    m = _CMP.match(value)
                    text = value[m.end():] if m else value
                    exp.cmp = m.group(1) if m else "=="
                    tree = self.expression(text, where, names, f"expect {key}")
                    if tree is None:
                        continue
                    exp.expected, exp.tree = text, tree
            step.expects.append(exp)

    def ask(self, step: Step, table: Any, lines: KeyLines) -> None:
        if not isinstance(table, dict):
            self.err(lines.line("ask"), "ask must be a table with en, zh and answer")
            return
        text = {}
        for lang in LANGS:
            q = table.get(lang)
            if not isinstance(q, str) or not q.strip():
                self.err(lines.line(f"ask.{lang}"), f"missing {lang} question (ask.{lang})")
            else:
                text[lang] = q.strip()
        answer = table.get("answer")
        where = lines.line("ask.answer")
        if not isinstance(answer, str):
            self.err(where, "ask needs an answer: the fact the engine computes (e.g. \"merged_to\")")
            return
        parsed = parse_fact_key(answer)
        if isinstance(parsed, str):
            self.err(where, f"bad ask answer: {parsed}")
            return
        fact, params = parsed
        why = self.applicable(fact, step.op, step.repeat)
        if why:
            self.err(where, f"bad ask answer: {answer!r} {why}")
            return
        step.ask = Ask(text, answer, fact, params, where)
