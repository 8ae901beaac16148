"""engine/machine.py is the façade docs/ARCHITECTURE.md describes: every Machine method
is a short delegation to a subsystem (the work lives in engine/page_alloc.py, tasks.py,
lifecycle.py, ...), so the file is long only by its API.md docstrings."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_BODY_LINES = 10          # lines of code of one method, its docstring not counted
CONSTRUCTION = {"__init__"}  # the composition root: it builds every subsystem


def _method_bodies(source: str, name: str = "Machine") -> dict[str, int]:
    cls = next(n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == name)
    out = {}
    for f in cls.body:
        if isinstance(f, ast.FunctionDef):
            body = f.body
            if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]
            out[f.name] = body[-1].end_lineno - body[0].lineno + 1 if body else 0
    return out


def test_every_machine_method_is_a_short_delegation():
    bodies = _method_bodies((ROOT / "engine" / "machine.py").read_text(encoding="utf-8"))
    bodies |= _method_bodies((ROOT / "engine" / "machine_kmem.py").read_text(encoding="utf-8"),
                             "KernelMemoryApi")      # the kernel-memory half of the façade
    long = {name: n for name, n in bodies.items() if n > MAX_BODY_LINES and name not in CONSTRUCTION}
    assert not long, f"move the work into a subsystem, keep the delegation: {long}"


def test_the_check_counts_code_not_docstrings():
    src = '''
class Machine:
    def short(self):
        """A docstring
        of several
        lines."""
        return 1

    def long(self):
''' + "".join(f"        x{i} = {i}\n" for i in range(MAX_BODY_LINES + 1))
    assert _method_bodies(src) == {"short": 1, "long": MAX_BODY_LINES + 1}
