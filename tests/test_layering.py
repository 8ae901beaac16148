"""House rules on the floors: the engine and the lessons import without the TUI (textual,
rich); nothing imports app; widgets read what the app hands them and never import scenarios;
the engine imports nothing above it."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
WIDGETS = ROOT / "widgets"

# Imports every module of engine/ and scenarios/ with textual and rich made unimportable
# (a meta-path finder that refuses them), then reports what failed and what got loaded.
HEADLESS = r'''
import importlib, pkgutil, sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("textual", "rich"):
            raise ImportError(f"the TUI package {name} is blocked here")
        return None
sys.meta_path.insert(0, Refuse())
bad, names = [], []
for pkg in ("engine", "scenarios"):
    mod = importlib.import_module(pkg)
    for info in pkgutil.iter_modules(mod.__path__, pkg + "."):
        names.append(info.name)
        try:
            importlib.import_module(info.name)
        except Exception as e:
            bad.append(f"{info.name}: {type(e).__name__}: {e}")
tui = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich", "app", "widgets"))
print(len(names)); print("\n".join(bad + tui))
'''


def _imports(path: Path) -> list[str]:
    """Absolute module names a file imports (top level or inside functions)."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            out.append(node.module or "")
    return out


def _violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [f"{package}/{path.name}: {name}"
            for path in sorted((ROOT / package).glob("*.py"))
            for name in _imports(path) if name.split(".")[0] in forbidden]


def test_engine_and_scenarios_import_without_textual_or_rich():
    run = subprocess.run([sys.executable, "-c", HEADLESS], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    count, *problems = run.stdout.strip().split("\n")
    assert int(count) > 50                     # every module of both packages was tried
    assert [p for p in problems if p] == []


def test_nothing_imports_app():
    assert [v for pkg in ("engine", "scenarios", "widgets") for v in _violations(pkg, ("app",))] == []


def test_engine_imports_nothing_above_it():
    assert _violations("engine", ("scenarios", "widgets", "app", "textual", "rich")) == []


def test_scenarios_import_neither_widgets_nor_the_tui():
    assert _violations("scenarios", ("widgets", "app", "textual", "rich")) == []


def test_widgets_import_neither_scenarios_nor_app():
    assert _violations("widgets", ("scenarios", "app")) == []
