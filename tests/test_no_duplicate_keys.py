"""A dict literal with the same key twice silently keeps the last value (the buddy pane once
lost its free-page count that way: a verb and a heading shared one translation key).  No
dict literal in the product may repeat a constant key."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for pkg in ("engine", "scenarios", "widgets", "app", "mmviz")
                 for p in (ROOT / pkg).rglob("*.py"))


def duplicate_keys(source: str) -> list[tuple[int, object]]:
    """(line, key) for every constant key seen twice in one dict literal."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            seen = set()
            for k in node.keys:
                if isinstance(k, ast.Constant):
                    if k.value in seen:
                        found.append((k.lineno, k.value))
                    seen.add(k.value)
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_dict_literal_repeats_a_key(path):
    assert duplicate_keys(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_a_repeated_key():
    assert duplicate_keys('T = {"a": 1, "b": 2, "a": 3}') == [(1, "a")]
