"""A tiny, safe expression language for lesson arguments and expects.

Lessons refer to earlier results with small arithmetic: ``"v + 0x1000"``,
``"p * 4096"``, ``"(a >> 12) & 0x3ff"``, ``"proc.pid"``, ``"blocks[3]"``.
This module tokenizes and parses such text with a recursive-descent parser
into a small tree, and evaluates the tree against a dictionary of names.
Nothing is ever handed to ``eval``; attribute names starting with ``_`` are
refused, so a lesson cannot reach Python internals.

Grammar (lowest precedence first, all binary operators left-associative)::

    expr    := or
    or      := xor ('|' xor)*
    xor     := and ('^' and)*
    and     := shift ('&' shift)*
    shift   := sum (('<<' | '>>') sum)*
    sum     := term (('+' | '-') term)*
    term    := unary (('*' | '/' | '%') unary)*
    unary   := ('-' | '~') unary | postfix
    postfix := atom ('.' NAME | '[' expr ']')*
    atom    := INT | NAME | '(' expr ')'

Integers are decimal (no leading 0: C would read it as octal), ``0x`` hex, ``0b`` binary,
``0o`` octal, and may carry a size
suffix ``K``, ``M`` or ``G`` (``4K`` = 4096, ``1M`` = 1048576).
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

MAX_TEXT = 400          # longer argument text is refused outright
MAX_DEPTH = 40          # nesting limit for parentheses / unary operators

_SUFFIX = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<int>0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*)(?P<suffix>[KMG](?![A-Za-z0-9_]))?
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><<|>>|[-+*/%&|^~().\[\]])
""", re.VERBOSE)


class ExprError(ValueError):
    """A syntax or evaluation error; ``str()`` is a learner-readable message."""


@dataclass(frozen=True)
class Num:
    value: int


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Attr:
    base: Any
    name: str


@dataclass(frozen=True)
class Index:
    base: Any
    index: Any


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Any


@dataclass(frozen=True)
class Binary:
    op: str
    left: Any
    right: Any


def tokenize(text: str) -> list[tuple[str, Any]]:
    """Split ``text`` into (kind, value) tokens; kind is int, name or op."""
    if len(text) > MAX_TEXT:
        raise ExprError(f"expression longer than {MAX_TEXT} characters")
    tokens: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ExprError(f"unexpected character {text[pos]!r} in expression {text!r}")
        pos = m.end()
        if m.group("ws"):
            continue
        if m.group("int") is not None:
            digits = m.group("int").replace("_", "")
            if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
                raise _leading_zero(m.group("int"), digits, text)
            try:
                value = int(digits, 0) if digits[:2].lower() in ("0x", "0b", "0o") else int(digits, 10)
            except ValueError:
                raise ExprError(f"bad number {m.group('int')!r} in expression {text!r}") from None
            tokens.append(("int", value * _SUFFIX[m.group("suffix") or ""]))
        elif m.group("name"):
            tokens.append(("name", m.group("name")))
        else:
            tokens.append(("op", m.group("op")))
    return tokens


def _leading_zero(tok: str, digits: str, text: str) -> ExprError:
    """C reads 010 as octal 8 and mmviz once read it as ten: a leading 0 is refused, with
    both readings written out (docs/LESSONS.md)."""
    if set(digits) <= set("01234567"):
        how = f"write 0o{digits.lstrip('0') or '0'} or {int(digits, 8)} for octal, {int(digits, 10)} for decimal"
    else:
        how = f"write {int(digits, 10)}"
    return ExprError(f"{tok!r} in expression {text!r} starts with 0, which C reads as octal: {how}")


_LEVELS: list[tuple[str, ...]] = [("|",), ("^",), ("&",), ("<<", ">>"), ("+", "-"), ("*", "/", "%")]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take_op(self, ops: tuple[str, ...]) -> str | None:
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in ops:
            self.pos += 1
            return tok[1]
        return None

    def fail(self, what: str) -> ExprError:
        tok = self.peek()
        where = "end of expression" if tok is None else repr(str(tok[1]))
        return ExprError(f"{what}, found {where} in expression {self.text!r}")

    def parse(self) -> Any:
        if not self.tokens:
            raise ExprError("empty expression")
        node = self.binary(0)
        if self.peek() is not None:
            raise self.fail("expected an operator")
        return node

    def binary(self, level: int) -> Any:
        if level == len(_LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while (op := self.take_op(_LEVELS[level])) is not None:
            node = Binary(op, node, self.binary(level + 1))
        return node

    def unary(self) -> Any:
        op = self.take_op(("-", "~", "+"))
        if op is None:
            return self.postfix()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"expression nested too deeply: {self.text!r}")
        node = self.unary()
        self.depth -= 1
        return node if op == "+" else Unary(op, node)

    def postfix(self) -> Any:
        node = self.atom()
        while True:
            if self.take_op((".",)):
                tok = self.peek()
                if tok is None or tok[0] != "name":
                    raise self.fail("expected an attribute name after '.'")
                if tok[1].startswith("_"):
                    raise ExprError(f"attribute {tok[1]!r} is not allowed in expression {self.text!r}")
                self.pos += 1
                node = Attr(node, tok[1])
            elif self.take_op(("[",)):
                index = self.binary(0)
                if not self.take_op(("]",)):
                    raise self.fail("expected ']'")
                node = Index(node, index)
            else:
                return node

    def atom(self) -> Any:
        tok = self.peek()
        if tok is None:
            raise self.fail("expected a number or a name")
        kind, value = tok
        if kind == "int":
            self.pos += 1
            return Num(value)
        if kind == "name":
            if value.startswith("__"):
                raise ExprError(f"name {value!r} is not allowed in expression {self.text!r}")
            self.pos += 1
            return Name(value)
        if value == "(":
            self.pos += 1
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExprError(f"expression nested too deeply: {self.text!r}")
            node = self.binary(0)
            self.depth -= 1
            if not self.take_op((")",)):
                raise self.fail("expected ')'")
            return node
        raise self.fail("expected a number or a name")


def parse(text: str) -> Any:
    """Parse ``text`` into an expression tree; raises ExprError."""
    return _Parser(text).parse()


def names(node: Any) -> set[str]:
    """The free names an expression tree refers to."""
    if isinstance(node, Name):
        return {node.name}
    if isinstance(node, Attr):
        return names(node.base)
    if isinstance(node, Index):
        return names(node.base) | names(node.index)
    if isinstance(node, Unary):
        return names(node.operand)
    if isinstance(node, Binary):
        return names(node.left) | names(node.right)
    return set()


def _as_int(value: Any, text: str) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    conv = getattr(value, "__index__", None)
    if conv is not None:        # numpy integers, result records
        return int(conv())
    raise ExprError(f"{type(value).__name__} value used in arithmetic in expression {text!r}")


_BINOPS: dict[str, Callable[[int, int], int]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "&": lambda a, b: a & b, "|": lambda a, b: a | b, "^": lambda a, b: a ^ b,
}


def evaluate(node: Any, env: Mapping[str, Any], text: str = "") -> Any:
    """Evaluate a tree; ``env`` maps names to ints or result objects."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        if node.name not in env:
            raise ExprError(f"unknown name {node.name!r} in expression {text!r}")
        return env[node.name]
    if isinstance(node, Attr):
        base = evaluate(node.base, env, text)
        if isinstance(base, Mapping):
            if node.name in base:
                return base[node.name]
        elif not node.name.startswith("_") and hasattr(base, node.name):
            value = getattr(base, node.name)
            if callable(value):
                raise ExprError(f"{node.name!r} is a method, not a value, in expression {text!r}")
            return value
        raise ExprError(f"no attribute {node.name!r} on {type(base).__name__} in expression {text!r}")
    if isinstance(node, Index):
        base = evaluate(node.base, env, text)
        index = _as_int(evaluate(node.index, env, text), text)
        if not isinstance(base, (list, tuple)):
            raise ExprError(f"{type(base).__name__} cannot be indexed in expression {text!r}")
        if not -len(base) <= index < len(base):
            raise ExprError(f"index {index} out of range (length {len(base)}) in expression {text!r}")
        return base[index]
    if isinstance(node, Unary):
        value = _as_int(evaluate(node.operand, env, text), text)
        return -value if node.op == "-" else ~value
    if isinstance(node, Binary):
        left = _as_int(evaluate(node.left, env, text), text)
        right = _as_int(evaluate(node.right, env, text), text)
        if node.op in ("/", "%"):
            if right == 0:
                raise ExprError(f"division by zero in expression {text!r}")
            return left // right if node.op == "/" else left % right
        if node.op in ("<<", ">>"):
            if not 0 <= right <= 64:
                raise ExprError(f"shift count {right} out of range in expression {text!r}")
            return left << right if node.op == "<<" else left >> right
        return _BINOPS[node.op](left, right)
    raise ExprError(f"cannot evaluate expression {text!r}")


def eval_text(text: str, env: Mapping[str, Any]) -> Any:
    """Parse and evaluate in one go."""
    return evaluate(parse(text), env, text)


def compile_tree(node: Any, text: str = "") -> Callable[[Mapping[str, Any]], Any]:
    """``lambda env: evaluate(node, env, text)``, with the tree walked once, here: for a
    ``repeat`` step that evaluates the same expressions thousands of times.  Same values,
    same errors (ExprError and its message) as :func:`evaluate`."""
    if isinstance(node, Num):
        value = node.value
        return lambda env: value
    if isinstance(node, Name):
        name = node.name

        def get_name(env):
            if name not in env:
                raise ExprError(f"unknown name {name!r} in expression {text!r}")
            return env[name]
        return get_name
    if isinstance(node, Attr):
        get_base, attr = compile_tree(node.base, text), node.name

        def get_attr(env):
            base = get_base(env)
            is_map = _IS_MAPPING.get(type(base))
            if is_map is None:
                is_map = _IS_MAPPING[type(base)] = isinstance(base, Mapping)
            if is_map:
                if attr in base:
                    return base[attr]
            elif not attr.startswith("_") and hasattr(base, attr):
                value = getattr(base, attr)
                if callable(value):
                    raise ExprError(f"{attr!r} is a method, not a value, in expression {text!r}")
                return value
            raise ExprError(f"no attribute {attr!r} on {type(base).__name__} in expression {text!r}")
        return get_attr
    if isinstance(node, Index):
        get_base, get_index = compile_tree(node.base, text), compile_tree(node.index, text)

        def get_item(env):
            base = get_base(env)
            index = _int_of(get_index(env), text)
            if not isinstance(base, (list, tuple)):
                raise ExprError(f"{type(base).__name__} cannot be indexed in expression {text!r}")
            if not -len(base) <= index < len(base):
                raise ExprError(f"index {index} out of range (length {len(base)}) in expression {text!r}")
            return base[index]
        return get_item
    if isinstance(node, Unary):
        operand, negate = compile_tree(node.operand, text), node.op == "-"

        def unary(env):
            value = _int_of(operand(env), text)
            return -value if negate else ~value
        return unary
    if isinstance(node, Binary):
        return _compile_binary(node, text)
    return lambda env: evaluate(node, env, text)       # (raises, as evaluate does)


_IS_MAPPING: dict[type, bool] = {dict: True}   # isinstance(x, Mapping) by type (an ABC check is slow)


def _int_of(value: Any, text: str) -> int:
    """:func:`_as_int`, an int first."""
    return value if type(value) is int else _as_int(value, text)


def _compile_binary(node: Binary, text: str) -> Callable[[Mapping[str, Any]], Any]:
    left, right, op = compile_tree(node.left, text), compile_tree(node.right, text), node.op
    if op in ("/", "%"):
        def divide(env):
            a, b = _int_of(left(env), text), _int_of(right(env), text)
            if b == 0:
                raise ExprError(f"division by zero in expression {text!r}")
            return a // b if op == "/" else a % b
        return divide
    if op in ("<<", ">>"):
        def shift(env):
            a, b = _int_of(left(env), text), _int_of(right(env), text)
            if not 0 <= b <= 64:
                raise ExprError(f"shift count {b} out of range in expression {text!r}")
            return a << b if op == "<<" else a >> b
        return shift
    fn = _INT_OPS[op]                    # (on ints, what _BINOPS' functions compute)
    if isinstance(node.right, Num):      # "i & 1", "(i + 1) & 1": a constant right operand
        const = node.right.value

        def binary_const(env):
            a = left(env)
            return fn(a if type(a) is int else _as_int(a, text), const)
        return binary_const

    def binary(env):
        a = left(env)
        if type(a) is not int:
            a = _as_int(a, text)
        b = right(env)
        return fn(a, b if type(b) is int else _as_int(b, text))
    return binary


_INT_OPS: dict[str, Callable[[int, int], int]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul,
    "&": operator.and_, "|": operator.or_, "^": operator.xor}
