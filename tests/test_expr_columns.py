"""scenarios.expr_columns evaluates a ``where`` over i for every iteration at once: the same
iterations as one expr.evaluate per iteration, or an ExprError where one of them raises;
and the loop text of a stress step (notation._stride) is the same as before."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios import expr
from scenarios.expr_columns import NotAColumn, truth_column
from scenarios.notation import _stride

ATOMS = ["i", "i", "0", "1", "2", "3", "7", "64", "65", "0x1000", "-1"]
OPS = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"]
N = 300


@st.composite
def over_i(draw, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(ATOMS))
    kind = draw(st.sampled_from(["bin", "bin", "unary", "paren"]))
    if kind == "unary":
        return draw(st.sampled_from(["-", "~"])) + draw(over_i(depth - 1))
    if kind == "paren":
        return "(" + draw(over_i(depth - 1)) + ")"
    return f"{draw(over_i(depth - 1))} {draw(st.sampled_from(OPS))} {draw(over_i(depth - 1))}"


def one_by_one(tree, text: str):
    try:
        return "hits", [i for i in range(N) if expr.evaluate(tree, {"i": i}, text)]
    except expr.ExprError:
        return "error", None


@settings(max_examples=1500, deadline=None)
@given(over_i())
def test_a_column_gives_the_iterations_one_evaluation_each_gives(text):
    try:
        tree = expr.parse(text)
    except expr.ExprError:
        return
    try:
        got = "hits", truth_column(tree, N, text)
    except expr.ExprError:
        got = "error", None
    assert got == one_by_one(tree, text), text


def test_other_trees_are_left_to_the_loop():
    for text in ("it & 1", "i.order", "blocks[i] & 1"):
        with pytest.raises(NotAColumn):
            truth_column(expr.parse(text), N, text)


@pytest.mark.parametrize("where, stride", [
    ("i & 1", (1, 2)), ("(i + 1) & 1", (0, 2)), ("-i & 1", (1, 2)), ("~i & 1", (0, 2)),
    ("(i & 3) ^ 3", None), ("i % 4", None), ("1 << i", None), ("i / 0", None), ("i - i", None),
    ("i * 0 + 1", (0, 1)), ("(i % 3) - 1", None)])
def test_loop_strides(where, stride):
    assert _stride(where) == stride
