"""Free exploration: typed lines become lesson steps; a session saves as a lesson.

One line is ``[name =] op arg... [key=value...] [as name]``; positional
arguments fill the operation's parameters in order::

    kmalloc 100
    v = vmalloc 1M
    alloc_pages GFP_KERNEL 3 as a
    free_pages a 3
    touch 0x0804a000 write          # touch = access
    kmalloc size=64 gfp="GFP_ATOMIC"

The line is turned into the same table a lesson file holds and validated by
the lesson loader, so a typed session can be written out with
:func:`to_toml` and loaded back as a lesson.
"""
from __future__ import annotations

import re
import shlex
from typing import Any

from engine.mapdriver import MapDriver
from engine.process import Process

from .loader import Validator
from .model import Lesson, Step
from .ops import EXPR_TYPES, lookup
from .source import KeyLines

_INT = re.compile(r"^(0[xX][0-9a-fA-F]{1,16}|[0-9]{1,40})$")
_ASSIGN = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?![=])")


MAX_LINE = 1000            # characters of one typed line


class CommandError(ValueError):
    """A typed line that is not a valid step; ``str()`` is one line."""


def _literal(ptype: str, text: str) -> Any:
    if ptype in EXPR_TYPES:     # a leading 0 (010: octal 8 in C) is the expression's to refuse
        if not _INT.match(text) or (len(text) > 1 and text[0] == "0" and text[1].isdigit()):
            return text
        return int(text, 16) if text[:2].lower() == "0x" else int(text, 10)
    if ptype == "bool":
        low = text.lower()
        if low in ("true", "yes", "1"):
            return True
        if low in ("false", "no", "0"):
            return False
        return text
    return text


def command_table(line: str) -> dict[str, Any]:
    """Turn a typed line into a step table (not yet validated)."""
    text = line.strip()
    name = None
    m = _ASSIGN.match(text)
    if m and lookup(m.group(1)) is None:
        name, text = m.group(1), text[m.end():]
    try:
        words = shlex.split(text)
    except ValueError as err:
        raise CommandError(f"cannot read the line: {err}") from None
    if not words:
        raise CommandError("type an operation, e.g. kmalloc 100 or vmalloc 1M")
    if len(words) >= 2 and words[-2] == "as":
        name = words[-1]
        words = words[:-2]
    op = lookup(words[0])
    if op is None:
        import difflib
        from .ops import OPS
        near = difflib.get_close_matches(words[0], list(OPS) + ["touch"], n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise CommandError(f"unknown operation {words[0]!r}{hint}")
    table: dict[str, Any] = {"do": words[0] if words[0] == op.name else op.name}
    positional: list[str] = []
    for word in words[1:]:
        if "=" in word and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", word):
            key, value = word.split("=", 1)
            param = op.param(key)
            table[key] = _literal(param.type, value) if param else value
        else:
            positional.append(word)
    free = [p for p in op.params if p.name not in table]
    if len(positional) > len(free):
        takes = " ".join(p.name for p in op.params) or "nothing"
        raise CommandError(f"too many arguments for {op.name} (takes: {takes})")
    for param, word in zip(free, positional):
        table[param.name] = _literal(param.type, word)
    if name:
        table["as"] = name
    shown = line.strip()
    table["say"] = {"en": f"You typed: {shown}", "zh": f"你输入了：{shown}"}
    return table


def value_kind(value: Any) -> str:
    """What a named value holds, as validate_args.kind_problem names it ('' for a number)."""
    if isinstance(value, (bool, int)) or hasattr(value, "__index__"):
        return ""
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, MapDriver):
        return "driver"
    if isinstance(value, Process):
        return "process"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (bytes, bytearray)):
        return "bytes"
    return type(value).__name__.lower()


def parse_command(line: str, names: "set[str] | dict[str, Any] | None" = None, index: int = 0,
                  machine: dict[str, Any] | None = None) -> Step:
    """Validate a typed line into a Step; raises CommandError with one line.

    ``names`` are the names earlier steps defined (a dict of their values also lets a
    process or a map_driver be refused where a number is needed); ``machine`` is the
    configuration the step will run on (its kernel flavour decides which GFP flags exist)."""
    if len(line) > MAX_LINE:
        raise CommandError(f"the line is longer than {MAX_LINE} characters")
    table = command_table(line)
    v = Validator("<typed>", "", {})
    v.names |= set(names or ())
    v.list_sizes = {n: 0 for n in (names or ())}
    if isinstance(names, dict):
        v.kinds = {n: k for n, k in ((n, value_kind(x)) for n, x in names.items()) if k}
    v.machine = dict(machine or {})
    step = v.step(index, table, KeyLines({"": 1}))
    if v.problems or step is None:
        raise CommandError(v.problems[0][1] if v.problems else "not a valid step")
    step.typed = True
    if not step.title:                  # the title is what the user typed, as typed (0xc0000000, not 3221225472)
        step.title = {"en": line.strip()}
    return step


# -- writing lessons ---------------------------------------------------------------------

def _toml_key(key: str) -> str:
    return key if re.match(r"^[A-Za-z0-9_-]+$", key) else _toml_str(key)


_TOML_ESCAPES = {0x5C: "\\\\", 0x22: '\\"', 0x0A: "\\n", 0x09: "\\t",
                 **{c: f"\\u{c:04x}" for c in [*range(0x20), *range(0x7F, 0xA0)] if c not in (0x0A, 0x09)}}


def _toml_str(text: str) -> str:
    """A TOML basic string; control characters as \\uXXXX escapes (TOML forbids them raw)."""
    return f'"{text.translate(_TOML_ESCAPES)}"'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:#x}" if value >= 0x10000 else str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return _toml_str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _lines(table: dict[str, Any], prefix: str = "") -> list[str]:
    out = []
    for key, value in table.items():
        if isinstance(value, dict) and key in ("say", "title", "summary", "expect", "machine"):
            for sub, v in value.items():
                if isinstance(v, dict):
                    out.append(f"{prefix}{key}.{_toml_key(sub)} = {toml_value(v)}")
                else:
                    out.append(f"{prefix}{key}.{_toml_key(sub)} = {toml_value(v)}")
        else:
            out.append(f"{prefix}{_toml_key(key)} = {toml_value(value)}")
    return out


def to_toml(lesson: Lesson) -> str:
    """Write a lesson (e.g. a typed session) as a lesson file."""
    head = {"id": lesson.id, "title": dict(lesson.title), "summary": dict(lesson.summary)}
    if lesson.machine:
        head["machine"] = dict(lesson.machine)
    parts = ["[lesson]", *_lines(head), ""]
    for step in lesson.steps:
        parts.append("[[step]]")
        parts.extend(_lines(step.raw))
        parts.append("")
    return "\n".join(parts)


EXPLORE_PATH = "<explore>"          # the path of a free exploration's lesson (no file)


def explore_lesson(machine: dict[str, Any] | None = None, lesson_id: str = "explore") -> Lesson:
    """An empty lesson for free exploration on a machine of this configuration."""
    return Lesson(lesson_id, {"en": "Free exploration", "zh": "自由探索"},
                  {"en": "Steps typed by hand.", "zh": "手动输入的步骤。"},
                  dict(machine or {}), [], EXPLORE_PATH)


def is_free_exploration(lesson: Lesson) -> bool:
    """Whether ``lesson`` is a free exploration's (its steps are the ones typed), not a lesson
    file's: a typed command adds a step to it rather than exploring a branch."""
    return lesson.path == EXPLORE_PATH
