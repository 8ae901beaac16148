"""Every outcome the engine's fault handlers return is drawn in Chinese in zh (the fault
drawing's result line stayed English)."""
from __future__ import annotations

import ast
from pathlib import Path

import engine
from widgets.faultflow import FAULT_OUTCOME_ZH, fault_outcome

HANDLERS = ("engine/fault.py", "engine/mapdriver.py")


def _returned_strings(path: str) -> set[str]:
    tree = ast.parse(Path(path).read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and node.value is not None:
            value = node.value
            leaves = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
            found |= {leaf.value for leaf in leaves
                      if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str)}
    return found


def test_every_fault_outcome_has_a_chinese_name():
    outcomes = set().union(*(_returned_strings(p) for p in HANDLERS))
    assert {"zero page", "swap-in", "copy-on-write: copied"} <= outcomes
    assert outcomes <= set(FAULT_OUTCOME_ZH), sorted(outcomes - set(FAULT_OUTCOME_ZH))


def test_a_real_fault_reads_in_chinese():
    m = engine.Machine.boot(ram="160M", kernel="6.1")
    p = m.spawn()
    a = p.mmap(4096, flags="private|anonymous")
    m.access(a, "read", pid=p.pid)
    hows = [e.get("how") for e in m.events if e.get("how") is not None]
    assert hows and fault_outcome(hows[-1], "zh") == "零页", hows
    assert fault_outcome(hows[-1], "en") == "zero page"
