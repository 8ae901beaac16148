"""Load and validate lesson files: every problem is one ``path:line: message``.

Everything is checked before the first step runs: TOML syntax (tomllib's own
message, with its line), the header, each step's operation (known, and
present in this engine version), its arguments (types, expressions, names
defined by earlier steps), narration in both languages, focus, expects, quiz
questions and the size of repeat steps.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from . import expr
from .model import BUILTIN_NAMES, FOCUS_KINDS, LANGS, LOOP_NAMES, Lesson, LessonError, Step
from .ops import EXPR_TYPES, OPS, check_literal, engine_has, lookup
from .source import KeyLines, scan
from .validate_expects import IDENT, ExpectChecks, flatten, near, parse_fact_key
from .validate_repeat import RepeatChecks

__all__ = ["load_lesson", "parse_lesson", "Validator", "flatten", "parse_fact_key"]

STEP_KEYS = ("do", "as", "say", "title", "focus", "expect", "ask", "repeat", "each",
             "random", "on_error", "where")
LESSON_KEYS = ("id", "title", "summary", "machine", "order")
_LESSON_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
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


class Validator(RepeatChecks, ExpectChecks):
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
                self.err(lines.line(key), f"unknown key {key!r} in [lesson]{near(key, LESSON_KEYS)}")
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
                         f"{near(key, [p.name for p in boot.params])}")
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
            self.err(lines.line("do"), f"unknown operation {do!r}{near(do, OPS)}")
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
                         f"{near(key, list(params) + list(STEP_KEYS))}")
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
            if not isinstance(name, str) or not IDENT.match(name):
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
                self.err(line, f"unknown name {name!r} in {what}{near(name, names)}"
                         " (names come from an earlier step's 'as')")
                return None
        return tree

    def focus(self, step: Step, focus: Any, lines: KeyLines, names: set) -> None:
        if not isinstance(focus, dict):
            self.err(lines.line("focus"), "focus must be a table like { address = \"v\" }")
            return
        for kind, value in focus.items():
            where = lines.line(f"focus.{kind}")
            if kind not in FOCUS_KINDS:
                self.err(where, f"unknown focus {kind!r}{near(kind, FOCUS_KINDS)} "
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
