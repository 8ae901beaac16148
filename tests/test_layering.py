"""House rule: widgets read what the app hands them; they never import scenarios or app."""
from __future__ import annotations

import ast
from pathlib import Path

WIDGETS = Path(__file__).parent.parent / "widgets"


def test_widgets_import_neither_scenarios_nor_app():
    bad = []
    for path in sorted(WIDGETS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            bad += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("scenarios", "app")]
    assert bad == []


def test_scenarios_import_neither_widgets_nor_app():
    """scenarios/__init__.py: "Imports engine; never app or widgets" (lazy imports included)."""
    bad = []
    for path in sorted((WIDGETS.parent / "scenarios").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            bad += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("widgets", "app")]
    assert bad == []
