"""Load and validate lesson files: every problem is one ``path:line: message``.

Everything is checked before the first step runs: TOML syntax (tomllib's own
message, with its line), the header, each step's operation (known, and
present in this engine version), its arguments (types, expressions, names
defined by earlier steps), narration in both languages, focus, expects, quiz
questions and the size of repeat steps.
"""
from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from engine.errors import shown
from engine.layout import REGION_NAMES
from engine.zone import ZONE_NAMES

from . import expr, teaching
from .model import (BUILTIN_NAMES, FOCUS_KINDS, LANGS, LOOP_NAMES, VIEWS, Lesson, LessonError,
                    LessonNotFound, Step)
from .ops import EXPR_TYPES, OPS, lookup
from .source import (MAX_KEY_PARTS, MAX_NESTING, KeyLines, Lexed, depth, key_problems, lex, scan,
                     toml_error)
from .textsafe import is_clean, sanitize

# the focus names the engine knows whatever the lesson does (a cache is the lesson's own)
_FOCUS_NAMES = {"zone": ZONE_NAMES, "region": REGION_NAMES}
from .validate_args import check_machine, check_value, constant, kind_problem
from .validate_expects import IDENT, ExpectChecks, flatten, near, parse_fact_key
from .validate_repeat import RepeatChecks

__all__ = ["load_lesson", "parse_lesson", "Validator", "flatten", "parse_fact_key"]

STEP_KEYS = ("do", "as", "say", "title", "focus", "expect", "ask", "repeat", "each",
             "random", "on_error", "where", "errata", "listing", "deeper")
LESSON_KEYS = ("id", "title", "summary", "machine", "order", "requires", "try", "kernel")
_LESSON_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


MAX_LESSON_BYTES = 1 << 20      # a lesson file is text of at most 1 MiB
MAX_TITLE = 100                 # terminal columns of a title (the shipped ones: at most 78)


def _columns(text: str) -> int:
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def read_lesson_text(path: str | Path) -> str:
    """The text of a lesson file; LessonError unless it is a regular UTF-8 file of at
    most MAX_LESSON_BYTES (a device, FIFO or directory is refused without reading it)."""
    name = str(path)

    def fail(msg: str, kind: type[LessonError] = LessonError) -> LessonError:
        return kind(name, [(1, msg)])

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as err:          # no such file, no permission: no lesson file was named
        raise fail(f"cannot read lesson: {err.strerror or err}", LessonNotFound) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise fail("cannot read lesson: it is a directory, not a .toml file", LessonNotFound)
        if not stat.S_ISREG(st.st_mode):
            raise fail("cannot read lesson: not a regular file (a device, FIFO or socket)", LessonNotFound)
        if st.st_size > MAX_LESSON_BYTES:
            raise fail(f"lesson file too large: {st.st_size} bytes (at most {MAX_LESSON_BYTES})")
        with os.fdopen(fd, "rb", closefd=True) as f:
            fd = -1
            data = f.read(MAX_LESSON_BYTES + 1)
    except OSError as err:
        raise fail(f"cannot read lesson: {err.strerror or err}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > MAX_LESSON_BYTES:
        raise fail(f"lesson file too large: more than {MAX_LESSON_BYTES} bytes")
    try:
        return data.decode("utf-8-sig")     # a byte-order mark (Windows Notepad's UTF-8) dropped
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise LessonError(name, [(line, f"cannot read lesson: not UTF-8 text ({err.reason} "
                                        f"at byte {err.start})")]) from None


def load_lesson(path: str | Path) -> Lesson:
    """Read and validate a lesson file; raises LessonError."""
    return parse_lesson(read_lesson_text(path), str(path))


def parse_lesson(text: str, path: str = "<lesson>") -> Lesson:
    """Validate lesson text; raises LessonError, each problem at its line."""
    lexed = lex(text)
    problems = lexed.problems + key_problems(text, lexed)
    if problems:
        raise LessonError(path, problems)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        line, column, msg = toml_error(err, text)          # the decoder's own position
        raise LessonError(path, [(line, f"bad TOML: {msg}")], column=column) from None
    except (RecursionError, ValueError, MemoryError) as err:   # limits the lexer did not foresee
        raise LessonError(path, [(1, f"bad TOML: {type(err).__name__}: {str(err)[:120]}")]) from None
    if depth(data) > MAX_NESTING + 2 * MAX_KEY_PARTS:          # quoted dotted keys, table names
        lines = text.split("\n")                               # the line with the longest key
        line = max(range(len(lines)), key=lambda i: lines[i].count(".")) + 1
        raise LessonError(path, [(line, "tables nested too deeply (a key of too many dotted parts?)")])
    return Validator(path, text, data, lexed).run()


class Validator(RepeatChecks, ExpectChecks):
    def __init__(self, path: str, text: str, data: dict, lexed: Lexed | None = None) -> None:
        self.path = path
        self.data = data
        self.src = scan(text, lexed)
        self.problems: list[tuple[int, str]] = []
        self.names: set[str] = set(BUILTIN_NAMES)
        self.list_sizes: dict[str, int] = {}
        self.kinds: dict[str, str] = {}          # name -> what it holds (op result kind, "list")
        self.machine: dict[str, Any] = {}        # the configuration steps run on (kernel flavour)
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
                self.err(self.src.top.get(key, 1),
                         f"unknown top-level key {key!r} (put it under [lesson] or a [[step]])")
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
            elif key == "title" and _columns(value.strip()) > MAX_TITLE:
                self.err(lines.line(f"{key}.{lang}"), f"{lang} {what} too long: {_columns(value.strip())} "
                         f"columns (at most {MAX_TITLE}; a Chinese character takes two)")
            elif teaching.untranslated(what, key, lang, value):
                self.err(lines.line(f"{key}.zh"), teaching.untranslated(what, key, lang, value))
            else:
                out[lang] = sanitize(value.strip(), newlines=(key != "title"))
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
        self.machine = dict(machine)
        order = h.get("order", 1000)
        if not isinstance(order, int) or isinstance(order, bool):
            self.err(lines.line("order"), "order must be an integer")
            order = 1000
        lesson = Lesson(lid, title, summary, dict(machine), [], self.path, order, h)
        teaching.header(self, lesson, h, lines)
        return lesson

    def boot_args(self, args: dict, lines: KeyLines, prefix: str) -> None:
        """A machine configuration: each setting, then the whole as boot() takes it."""
        boot = OPS["boot"]
        ok = True
        for key, value in args.items():
            param = boot.param(key)
            if param is None:
                self.err(lines.line(prefix + key), f"unknown machine setting {key!r}"
                         f"{near(key, [p.name for p in boot.params])}")
                ok = False
                continue
            if param.type in EXPR_TYPES and (isinstance(value, bool) or not isinstance(value, int)):
                msg = f"expected an integer, got {shown(value)}"
            else:
                msg = check_value(boot, param, value, args)
            if msg:
                self.err(lines.line(prefix + key), f"bad machine setting {key}: {msg.removeprefix(key + ': ')}")
                ok = False
        if ok:
            msg = check_machine(args)
            if msg:
                self.err(lines.line(prefix.rstrip(".")) if prefix else lines.line(), f"bad machine: {msg}")

    # -- steps ----------------------------------------------------------------------------
    def step(self, index: int, t: dict, lines: KeyLines) -> Step | None:
        n = index + 1
        head = lines.line()
        do = t.get("do")
        if do is None:
            self.err(head, f"step {n} has no 'do' (the operation to run)")
            return None
        if not isinstance(do, str):
            self.err(lines.line("do"), f"do must be a string (an operation's name), got {shown(do)}")
            return None
        op = lookup(do)
        if op is None:
            self.err(lines.line("do"), f"unknown operation {do!r}{near(do, OPS)}")
            return None
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
            self.machine = {k: v for k, v in t.items() if k not in STEP_KEYS}
            self.boot_args(self.machine, lines, "")
        step.say = self.bilingual(t.get("say"), "say", lines, "narration")
        if "deeper" in t:
            step.deeper = self.bilingual(t["deeper"], "deeper", lines, "deeper note")
        if "title" in t:
            step.title = self.bilingual(t["title"], "title", lines, "step title")
        name = t.get("as")
        if name is not None:
            if not isinstance(name, str) or not IDENT.match(name):
                self.err(lines.line("as"), f"'as' must be a simple name, got {shown(name)}")
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
            self.kinds[step.name] = "list" if rep else op.result
            if rep:
                self.list_sizes[step.name] = rep.count or self.list_sizes.get(rep.each or "", 0)
        if "expect" in t:
            self.expects(step, t["expect"], lines, local | self.names)
        if "ask" in t:
            self.ask(step, t["ask"], lines)
        teaching.step(self, step, t, lines)
        return step

    def argument(self, step: Step, param: Any, value: Any, lines: KeyLines, names: set) -> None:
        key = param.name
        where = lines.line(key)
        if param.type in EXPR_TYPES:
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                self.err(where, f"bad argument {key}: expected a number or an expression, got {shown(value)}")
                return
            step.args[key] = value
            if isinstance(value, str):
                tree = self.expression(value, where, names, f"argument {key}")
                if tree is None:
                    return
                step.trees[key] = tree
                msg = kind_problem(tree, param.type, self.kinds)
                if msg:
                    self.err(where, f"bad argument {key}: {msg}")
                    return
                try:
                    known, value = constant(tree, value)
                except expr.ExprError as err:
                    self.err(where, f"bad argument {key}: {err}")
                    return
                if not known:
                    return
        msg = check_value(step.op, param, value, self.machine)
        if msg:
            self.err(where, f"bad argument {key}: {msg}")
        elif param.type not in EXPR_TYPES:
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
            elif FOCUS_KINDS[kind] == "view":
                if value not in VIEWS:
                    self.err(where, f"focus.view must be one of {', '.join(VIEWS)}, got {shown(value)}")
                else:
                    step.focus[kind] = (value, None)
            elif FOCUS_KINDS[kind] == "text":
                known = _FOCUS_NAMES.get(kind)
                if not isinstance(value, str) or not is_clean(value):
                    self.err(where, f"focus.{kind} must be a name without control characters")
                elif known is not None and value not in known:
                    self.err(where, f"unknown {kind} {value!r}{near(value, known)} (one of {', '.join(known)})")
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
