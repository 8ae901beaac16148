"""Line numbers for TOML keys.

``tomllib`` returns plain dictionaries without positions, so the loader finds
each ``[[step]]`` header and each key's line by scanning the raw text.  The
scan understands what lessons use: ``[lesson]``, ``[lesson.machine]``,
``[[step]]``, ``[step.say]``-style sub-tables, dotted keys (``say.en = ...``)
and inline tables (whose children map to the line of their key).  Text inside
multi-line strings and multi-line arrays is skipped (:func:`lex`).
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
    top: dict[str, int] = field(default_factory=dict)   # keys before any table: first line of each

    def step(self, index: int) -> KeyLines:
        if 0 <= index < len(self.steps):
            return self.steps[index]
        return KeyLines({"": 1})


MAX_NESTING = 16       # arrays / inline tables inside each other
MAX_KEY_PARTS = 16     # parts of a dotted key or table name
MAX_DIGITS = 40        # digits of a bare number

_LEX = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<ml>"{3}|'{3})
  | (?P<str>"(?:[^"\\\n]|\\.)*"?|'[^'\n]*'?)
  | (?P<open>[\[{])
  | (?P<close>[\]}])
  | (?P<nl>\n)
  | (?P<digits>[0-9][0-9_]*)
  | (?P<other>[^"'\#\[\]{}\n0-9]+)
""", re.VERBOSE)
_DOTTED = re.compile(r"(?:[A-Za-z0-9_-]+\s*\.\s*){%d}[A-Za-z0-9_-]" % MAX_KEY_PARTS)
_ML_END = {'"' * 3: re.compile(r'(?:[^"\\]|\\.|"(?!""))*"{3,}', re.DOTALL),
           "'" * 3: re.compile(r"(?:[^']|'(?!''))*'{3,}", re.DOTALL)}


@dataclass
class Lexed:
    """What a lexical pass over the raw text found."""
    hidden: set[int]                          # lines that start inside a string or an array
    problems: list[tuple[int, str]]           # nesting / number limits exceeded
    depth: dict[int, int] = field(default_factory=dict)   # array lines: nesting at their start


def lex(text: str) -> Lexed:
    """One pass over the text that knows TOML's strings, comments and brackets.

    It finds the lines where a key or a table header cannot start (inside a
    multi-line string or a multi-line array), and refuses nesting deeper than
    MAX_NESTING and numbers longer than MAX_DIGITS digits, each at its line,
    before tomllib sees them (tomllib would recurse or build huge integers).
    """
    hidden: set[int] = set()
    problems: list[tuple[int, str]] = []
    depth_at: dict[int, int] = {}
    line, depth, pos, n = 1, 0, 0, len(text)
    while pos < n:
        m = _LEX.match(text, pos)
        kind = m.lastgroup
        pos = m.end()
        if kind == "nl":
            line += 1
            if depth:
                hidden.add(line)
                depth_at[line] = depth
        elif kind == "ml":
            end = _ML_END[m.group()].match(text, pos)
            stop = end.end() if end else n
            crossed = text.count("\n", pos, stop)
            hidden.update(range(line + 1, line + crossed + 1))
            line += crossed
            pos = stop
        elif kind == "open":
            depth += 1
            if depth > MAX_NESTING:
                problems.append((line, f"nested too deeply: more than {MAX_NESTING} arrays "
                                       "or inline tables inside each other"))
                break
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "digits" and len(m.group()) > MAX_DIGITS and \
                len(m.group()) - m.group().count("_") > MAX_DIGITS:      # digits, not underscores
            problems.append((line, f"a number with more than {MAX_DIGITS} digits"))
            break
        elif kind == "other" and "." in m.group() and _DOTTED.search(m.group()):
            problems.append((line, f"a key with more than {MAX_KEY_PARTS} dotted parts"))
            break
    return Lexed(hidden, problems, depth_at)


def _lines(text: str, lexed: Lexed):
    """(number, line) of the lines where a key or a header may start."""
    for number, line in enumerate(text.split("\n"), start=1):
        if number in lexed.hidden:
            continue
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, line


def depth(data: object) -> int:
    """How deeply tables and arrays nest in parsed TOML (without recursion)."""
    deepest, stack = 0, [(data, 0)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(node, dict):
            stack.extend((v, d + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, d + 1) for v in node)
    return deepest


def key_problems(text: str, lexed: Lexed) -> list[tuple[int, str]]:
    """Dotted keys and table names with more than MAX_KEY_PARTS parts, at their lines."""
    out = []
    for number, line in _lines(text, lexed):
        m = _ARRAY_HEADER.match(line) or _TABLE_HEADER.match(line) or _KEY.match(line)
        if m and len(re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", m.group(1))) > MAX_KEY_PARTS:
            out.append((number, f"a key with more than {MAX_KEY_PARTS} dotted parts"))
    return out


def scan(text: str, lexed: Lexed | None = None) -> SourceMap:
    lexed = lexed or lex(text)
    lesson = KeyLines()
    steps: list[KeyLines] = []
    others: list[tuple[int, str]] = []
    top: dict[str, int] = {}
    current: KeyLines | None = None
    prefix = ""
    for number, line in _lines(text, lexed):
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
        if m and current is None and not prefix and not steps and not others and lesson.lines == {}:
            top.setdefault(_norm(m.group(1)).split(".")[0], number)      # before any table
        if m and current is not None:
            key = prefix + _norm(m.group(1))
            current.lines.setdefault(key, number)
            # record the first line of parents of dotted keys too (say.en -> say)
            parts = key.split(".")
            for i in range(1, len(parts)):
                current.lines.setdefault(".".join(parts[:i]), number)
        elif m and current is None and not steps and _norm(m.group(1)) == "step":
            steps = _inline_steps(text, lexed, number, line[m.end():])
    return SourceMap(lesson, steps, others, top)


def _inline_steps(text: str, lexed: Lexed, number: int, rest: str) -> list[KeyLines]:
    """``step = [ {...}, {...} ]``: each inline table's line is its step's line."""
    steps = [KeyLines({"": number})] * rest.lstrip().lstrip("[").lstrip().startswith("{")
    for i, line in enumerate(text.split("\n")[number:], start=number + 1):
        d = lexed.depth.get(i)
        if d is None:
            break
        if d == 1 and line.lstrip().startswith("{"):
            steps.append(KeyLines({"": i}))
    return steps


_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_EOF = re.compile(r"\s*\(at end of document\)\s*$")


def toml_error(err: ValueError, text: str) -> tuple[int, int, str]:
    """(line, column, message) of a ``tomllib.TOMLDecodeError``, both 1-based, as the decoder
    computed them: its ``lineno``/``colno`` attributes (Python 3.14+), else the same numbers
    from the fixed suffix 3.11-3.13's decoder appends to its message ("(at line N, column M)",
    or "(at end of document)": the last line, one past its end)."""
    msg = str(getattr(err, "msg", None) or err)
    lineno, colno = getattr(err, "lineno", None), getattr(err, "colno", None)
    if isinstance(lineno, int) and isinstance(colno, int):
        return lineno, colno, _TOML_EOF.sub("", _TOML_POS.sub("", msg))
    m = _TOML_POS.search(msg)
    if m:
        return int(m.group(1)), int(m.group(2)), msg[:m.start()]
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1, _TOML_EOF.sub("", msg)
