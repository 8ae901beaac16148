"""Every benchmark answers --help with its usage (exit 0) and a bad argument with one line."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHES = sorted(p.stem for p in (Path(__file__).parent.parent / "bench").glob("bench_*.py"))


@pytest.mark.parametrize("name", BENCHES)
def test_bench_help_is_usage_not_a_run_or_a_traceback(name):
    p = subprocess.run([sys.executable, "-m", f"bench.{name}", "--help"], capture_output=True,
                       text=True, timeout=60, cwd=Path(__file__).parent.parent)
    assert p.returncode == 0 and p.stdout.startswith("usage: python -m bench."), (name, p.stderr)
    assert "Traceback" not in p.stderr
