"""No probing of mmviz's own engine: every attribute of the machine, its subsystems, tasks,
zones, caches and events exists, so code reads it directly (``m.processes``), never with
``getattr(m, "processes", None)`` or ``hasattr(m, "slab_of")`` as if parts might be missing.

The test reads the product code's syntax trees: a ``getattr``/``hasattr`` whose first
argument names an engine object (``m``, ``machine``, ``self._machine``, ``proc``, ``zone``,
``cache``, ``ev`` ...) fails unless it is in ``ALLOWED`` below, each entry with its reason:
the op table's declared method lookup, and reads of a field whose name is data (a
watermark by name, the zone/layout fields a lesson's fact names)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "widgets", "scenarios", "app")

# names (or attribute names, a leading "_" ignored) that hold engine objects
ENGINE_NAMES = frozenset({
    "m", "machine", "proc", "process", "task", "mm", "vma", "zone", "z", "cache", "slab", "kmem",
    "area", "vmap", "highmem", "hm", "page_alloc", "buddy", "memmap", "frames", "layout", "cpu",
    "tlb", "walk", "kpt", "bs", "config", "flavour", "fl", "ev", "e", "events", "result",
    "pid",                      # a pid argument that may still be a Process
    "step", "lesson",           # and the lesson model a pane shows (scenarios.model)
})

ALLOWED = {
    ("scenarios/runner.py", "getattr(proc, op.engine_method)"):
        "the op table's declared method of a process op (scenarios/ops.py OPS)",
    ("scenarios/runner.py", "getattr(m, op.engine_method)"):
        "the op table's declared Machine method (tests/test_vocabulary.py checks it exists)",
    ("engine/swap.py", "getattr(z, mark)"):
        "the watermark kswapd compares with, by name: watermark_min/low/high",
    ("engine/lifecycle.py", "getattr(parent.mm, k)"):
        "fork copies the mm_struct's code/data/brk/stack fields listed beside it",
    ("scenarios/timeline.py", "getattr(z, f)"):
        "a snapshot step copies the zone fields of facts_base.ZONE_FIELDS",
    ("scenarios/facts.py", "getattr(_zone(o.machine, params[0]), params[1])"):
        "the zone field a lesson's fact names (validated against ZONE_FIELDS)",
    ("scenarios/facts.py", "getattr(o.machine.layout, params[0])"):
        "the layout field a lesson's fact names (validated against LAYOUT_FIELDS)",
    ("scenarios/facts_mm.py", "getattr(o.machine.memmap, field)"):
        "the mem_map column a lesson's fact names (engine.physmem.COLUMNS)",
}


def _names(node: ast.AST) -> list[str] | None:
    """The dotted name a call's first argument reads (``self._machine`` -> [self, _machine])."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        inner = _names(node.value)
        return None if inner is None else [*inner, node.attr]
    if isinstance(node, ast.Call):
        return _names(node.func)
    return None


def probes(source: str, path: str) -> list[tuple[str, int, str]]:
    """(path, line, call) of every getattr/hasattr on an engine object in ``source``."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("getattr", "hasattr") and node.args:
            names = _names(node.args[0])
            if names and any(n.lstrip("_") in ENGINE_NAMES for n in names):
                out.append((path, node.lineno, node.col_offset, ast.unparse(node)))
    return [(path, line, call) for path, line, _, call in sorted(out)]


def product_probes() -> list[tuple[str, int, str]]:
    out = []
    for pkg in PACKAGES:
        for f in sorted((ROOT / pkg).rglob("*.py")):
            rel = f.relative_to(ROOT).as_posix()
            out.extend(probes(f.read_text(encoding="utf-8"), rel))
    return out


def test_no_getattr_or_hasattr_probes_of_the_engine():
    found = [p for p in product_probes() if (p[0], p[2]) not in ALLOWED]
    assert not found, "probes of engine objects (read the attribute, it exists):\n" + \
        "\n".join(f"{path}:{line}: {call}" for path, line, call in found)


def test_every_allowed_lookup_is_still_there():
    """An allow-list entry whose code went away is removed too (the list stays true)."""
    present = {(p[0], p[2]) for p in product_probes()}
    assert set(ALLOWED) <= present, sorted(set(ALLOWED) - present)


def test_the_check_catches_a_reintroduced_probe():
    """The kinds of probe the engine used to be read with are each caught."""
    bad = '''
def f(m, self, proc, ev):
    procs = getattr(m, "processes", None) or {}
    if hasattr(self._machine, "slab_of"):
        pass
    name = getattr(proc, "comm", "?")
    return getattr(ev, "pfn", None), getattr(self.machine.tlb, "hits", 0)
'''
    found = [call for _, _, call in probes(bad, "x.py")]
    assert found == ["getattr(m, 'processes', None)", "hasattr(self._machine, 'slab_of')",
                     "getattr(proc, 'comm', '?')", "getattr(ev, 'pfn', None)",
                     "getattr(self.machine.tlb, 'hits', 0)"]
    foreign = 'getattr(app, "lang", "en"); getattr(ns, "json", False); getattr(os, "O_NONBLOCK", 0)'
    assert probes(foreign, "x.py") == []
