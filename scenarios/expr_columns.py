"""An expression over the loop counter ``i`` alone, evaluated for i = 0 .. n-1 at once.

A ``repeat`` step's ``where`` is written out as a C loop when it picks every k-th
iteration (notation._stride), which must hold for every iteration a step can have
(MAX_REPEAT = 10,000): one compiled call per iteration cost 3-4 ms the first time a lesson
pane showed such a step.  Here each operator runs once over a column of Python ints (a numpy
array of objects, so every value and every operation is Python's own, big ints and floor
division included): the same values as :func:`scenarios.expr.evaluate`, and an
:class:`~scenarios.expr.ExprError` wherever one iteration would raise it.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .expr import Binary, ExprError, Name, Num, Unary

_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "&": operator.and_,
        "|": operator.or_, "^": operator.xor, "/": operator.floordiv, "%": operator.mod,
        "<<": operator.lshift, ">>": operator.rshift}


class NotAColumn(Exception):
    """The tree has a node this evaluator does not take (a name other than ``i``, an
    attribute, an index): evaluate it iteration by iteration instead."""


def truth_column(node: Any, n: int, text: str = "") -> list[int]:
    """The iterations i in [0, n) for which ``node`` (a tree of scenarios.expr over ``i``)
    is non-zero, in order.  Raises ExprError when some iteration raises it (division by zero,
    a shift count outside 0..64), NotAColumn for a tree it does not evaluate."""
    values = _column(node, np.arange(n, dtype=object), text)
    if not isinstance(values, np.ndarray):               # (a tree without i: one value)
        return list(range(n)) if values else []
    return np.flatnonzero(values != 0).tolist()


def _column(node: Any, i: np.ndarray, text: str) -> Any:
    if isinstance(node, Num):
        return int(node.value)
    if isinstance(node, Name) and node.name == "i":
        return i
    if isinstance(node, Unary) and node.op in ("-", "~"):
        value = _column(node.operand, i, text)
        return -value if node.op == "-" else ~value
    if isinstance(node, Binary) and node.op in _OPS:
        left, right = _column(node.left, i, text), _column(node.right, i, text)
        if node.op in ("/", "%") and np.any(np.equal(right, 0)):
            raise ExprError(f"division by zero in expression {text!r}")
        if node.op in ("<<", ">>") and not np.all((np.greater_equal(right, 0))
                                                  & np.less_equal(right, 64)):
            raise ExprError(f"shift count out of range in expression {text!r}")
        return _OPS[node.op](left, right)
    raise NotAColumn(type(node).__name__)
