"""docs/ARCHITECTURE.md stays a true map: its engine module table lists exactly the
modules in engine/, and every kernel file column is filled."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ARCHITECTURE.md"
ROW = re.compile(r"^\| `(engine/[a-z0-9_]+\.py)` \| ([^|]+) \| ([^|]+) \|$")


def _rows() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line.strip())
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} listed twice"
            rows[m.group(1)] = (m.group(2).strip(), m.group(3).strip())
    return rows


def test_module_table_lists_exactly_the_engine_modules():
    listed = set(_rows())
    present = {f"engine/{p.name}" for p in (ROOT / "engine").glob("*.py")}
    assert present - listed == set(), f"add a row to docs/ARCHITECTURE.md for {sorted(present - listed)}"
    assert listed - present == set(), f"docs/ARCHITECTURE.md lists missing modules {sorted(listed - present)}"


def test_every_module_row_says_what_it_models_and_where():
    for module, (what, kernel) in _rows().items():
        assert what and kernel, module


def test_the_four_floors_are_named():
    text = DOC.read_text(encoding="utf-8")
    for floor in ("`app/`", "`widgets/`", "`scenarios/`", "`engine/`"):
        assert floor in text
