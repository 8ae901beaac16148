"""The command line is split by role (docs/ARCHITECTURE.md, "The command line, module by
module"): the table there lists exactly the app/cli*.py files, and each stays under the house's
400 lines (app/cli.py grew to 442 with parsing, commands and reporting in one file)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\| `(app/cli[a-z0-9_]*\.py)` \| ([^|]+) \|$")


def _listed() -> set[str]:
    rows = [ROW.match(line.strip()) for line in (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8").splitlines()]
    names = [m.group(1) for m in rows if m]
    assert len(names) == len(set(names)), names
    return set(names)


def test_the_table_lists_exactly_the_command_line_modules():
    assert _listed() == {f"app/{p.name}" for p in (ROOT / "app").glob("cli*.py")}


def test_each_command_line_module_is_under_400_lines():
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in (ROOT / "app").glob("cli*.py")}
    assert {name: n for name, n in sizes.items() if n > 400} == {}


def test_the_entry_point_and_the_statuses_are_where_they_were():
    from app import cli
    from app.cli_report import EXIT_FAIL, EXIT_INTERNAL, EXIT_USAGE
    assert (cli.EXIT_FAIL, cli.EXIT_USAGE, cli.EXIT_INTERNAL) == (EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL) == (1, 2, 70)
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'mmviz = "app.cli:main"' in text and callable(cli.main)
