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


# -- the code lines of the drawing ---------------------------------------------------------
import re  # noqa: E402

import pytest  # noqa: E402

from engine.fault_flow import chart  # noqa: E402

# the lower-case words a code line may keep in zh: C keywords, goto labels and the variables
# of the handlers' own code (everything else lower-case and without "_" is English prose)
KERNEL_WORDS = {"mm", "vma", "address", "goto", "switch", "reuse", "gotten", "maple", "vdso", "vvar"}


def _prose(code: str) -> list[str]:
    words = re.findall(r"(?<![\w>\-])[a-z]+(?![\w(])", code)
    return [w for w in words if w not in KERNEL_WORDS]


@pytest.mark.parametrize("kernel", ["2.6", "2.6.31", "3.16", "6.1"])
def test_every_code_line_of_the_fault_drawing_is_chinese_in_zh(kernel):
    from widgets.faultflow import flow_lines
    m = engine.Machine.boot(ram="64M", kernel=kernel)
    c = chart(m.config.flavour)
    english = [n.code for n in c.nodes if _prose(n.code)]
    assert english                                         # the English lines have prose ...
    assert [n.code_zh for n in c.nodes if _prose(n.code_zh)] == []      # ... the zh ones none
    shown = [n for n in c.nodes if n.id != "bad_area" and n.parent in
             ("", "entry", "find_vma", "good_area", "handle_mm_fault") and n.id != "retry"]
    zh = "\n".join(line.plain for line in flow_lines(m, [], "zh"))    # the chart, nothing lit
    en = "\n".join(line.plain for line in flow_lines(m, [], "en"))
    assert len(shown) == 13
    assert all(n.code_zh in zh and n.code in en for n in shown)
    assert "else" not in zh and "otherwise" not in zh and "otherwise" in en
