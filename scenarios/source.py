"""Line numbers for TOML keys.

``tomllib`` returns plain dictionaries without positions, so the loader finds
each ``[[step]]`` header and each key's line by scanning the raw text.  The
scan understands what lessons use: ``[lesson]``, ``[lesson.machine]``,
``[[step]]``, ``[step.say]``-style sub-tables, dotted keys (``say.en = ...``)
and inline tables (whose children map to the line of their key).  Text inside
multi-line strings is skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([^\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([^\]\[]+?)\s*\]")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")


def _norm(key: str) -> str:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", key)
    return ".".join(p.strip("\"'") for p in parts)


@dataclass
class KeyLines:
    """Key path -> line (1-based) for one table; '' is the table's header."""
    lines: dict[str, int] = field(default_factory=dict)

    def line(self, path: str = "") -> int:
        """The line of ``path``, or of its nearest ancestor that was written out."""
        parts = path.split(".") if path else []
        while parts:
            key = ".".join(parts)
            if key in self.lines:
                return self.lines[key]
            parts.pop()
        return self.lines.get("", 1)

    def has(self, path: str) -> bool:
        return path in self.lines


@dataclass
class SourceMap:
    lesson: KeyLines
    steps: list[KeyLines]
    others: list[tuple[int, str]]     # unexpected tables: (line, name)

    def step(self, index: int) -> KeyLines:
        if 0 <= index < len(self.steps):
            return self.steps[index]
        return KeyLines({"": 1})


def scan(text: str) -> SourceMap:
    lesson = KeyLines()
    steps: list[KeyLines] = []
    others: list[tuple[int, str]] = []
    current: KeyLines | None = None
    prefix = ""
    in_multiline: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        if in_multiline is not None:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _ARRAY_HEADER.match(line)
        if m:
            name = _norm(m.group(1))
            if name == "step":
                current = KeyLines({"": number})
                steps.append(current)
                prefix = ""
            else:
                others.append((number, name))
                current, prefix = None, ""
            continue
        m = _TABLE_HEADER.match(line)
        if m:
            name = _norm(m.group(1))
            if name == "lesson" or name.startswith("lesson."):
                current = lesson
                prefix = name[len("lesson."):] + "." if name != "lesson" else ""
                lesson.lines.setdefault(prefix.rstrip("."), number)
            elif name.startswith("step.") and steps:
                current = steps[-1]
                prefix = name[len("step."):] + "."
                current.lines.setdefault(prefix.rstrip("."), number)
            else:
                others.append((number, name))
                current, prefix = None, ""
            continue
        m = _KEY.match(line)
        if m and current is not None:
            key = prefix + _norm(m.group(1))
            current.lines.setdefault(key, number)
            # record the first line of parents of dotted keys too (say.en -> say)
            parts = key.split(".")
            for i in range(1, len(parts)):
                current.lines.setdefault(".".join(parts[:i]), number)
            rest = line[m.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
                    break
    return SourceMap(lesson, steps, others)
