"""expr.compile_tree (a ``repeat`` step's expressions, walked once) gives what expr.evaluate
gives: the same value, or an ExprError with the same message, for every tree and names."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios import expr
from scenarios.runner import Item


class Rec:
    """A result record: attributes, one private, one a method."""

    def __init__(self) -> None:
        self.pfn = 0x1234
        self.order = 3
        self._hidden = 1

    def method(self) -> int:
        return 1


ENV = {"i": 7, "it": Item(0x2340, {"order": 2, "pfn": 0x2340}), "zero": 0, "neg": -3,
       "big": 70, "flag": True, "np": np.int64(12), "rec": Rec(), "text": "abc",
       "blocks": [Item(5, {"order": 1}), 6, Rec()], "pair": (1, 2), "zones": {"Normal": 5},
       "none": None}

ATOMS = ["0", "1", "64", "65", "0x1000", "4K", "i", "it", "zero", "neg", "big", "flag", "np",
         "rec", "text", "blocks", "pair", "zones", "none", "missing"]
POSTFIX = ["", ".order", ".pfn", ".value", "._hidden", ".method", ".Normal", ".nope", "[0]",
           "[1]", "[2]", "[3]", "[-1]", "[-4]", "[i]", "[zero]", "[text]"]
OPS = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"]


@st.composite
def expressions(draw, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(ATOMS)) + draw(st.sampled_from(POSTFIX))
    kind = draw(st.sampled_from(["bin", "bin", "unary", "paren"]))
    if kind == "unary":
        return draw(st.sampled_from(["-", "~", "+"])) + draw(expressions(depth - 1))
    if kind == "paren":
        return "(" + draw(expressions(depth - 1)) + ")" + draw(st.sampled_from(POSTFIX[:4]))
    return f"{draw(expressions(depth - 1))} {draw(st.sampled_from(OPS))} {draw(expressions(depth - 1))}"


def outcome(fn):
    try:
        value = fn()
    except expr.ExprError as err:
        return "error", str(err)
    return "value", type(value).__name__, repr(value) if not isinstance(value, (Rec, Item)) else id(value)


@settings(max_examples=1500, deadline=None)
@given(expressions())
def test_compiled_equals_evaluated(text):
    try:
        tree = expr.parse(text)
    except expr.ExprError:
        return
    compiled = expr.compile_tree(tree, text)
    assert outcome(lambda: compiled(ENV)) == outcome(lambda: expr.evaluate(tree, ENV, text))


def test_the_lessons_repeat_expressions():
    """The shapes bundled lessons use, each value and error checked by hand once."""
    for text, want in [("i & 1", 1), ("(i + 1) & 1", 0), ("it", ENV["it"]), ("it.order", 2),
                       ("blocks[0].order + 1", 2), ("np << 2", 48), ("flag + 1", 2)]:
        assert expr.compile_tree(expr.parse(text), text)(ENV) == want, text
    for text in ("missing + 1", "i / zero", "i << 65", "text + 1", "rec.method", "pair[5]"):
        tree = expr.parse(text)
        assert outcome(lambda: expr.compile_tree(tree, text)(ENV))[0] == "error", text
