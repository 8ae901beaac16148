"""#17: generated malformed lessons (tests/fuzz_lessons.py), each through ``check`` and
``run --text`` in a separate process: exit status 0, 1 or 2 only, no traceback or
"internal error", every rejection at ``file:line``, each run under 60 s, the process
under 1 GB.  MMVIZ_FUZZ_CASES sets how many lessons (default 60)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.fuzz_lessons import write_cases

ROOT = Path(__file__).resolve().parent.parent
CASES = int(os.environ.get("MMVIZ_FUZZ_CASES", "60"))
GB = 1 << 30


def test_malformed_lessons_end_in_located_lines(tmp_path):
    cases = tmp_path / "cases"
    cases.mkdir()
    write_cases(cases, CASES, seed=17)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8",
           "MMVIZ_LOG_DIR": str(tmp_path / "logs")}
    guard = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({4 * GB}, {4 * GB}))"
    code = (f"{guard}\nimport runpy, sys\nsys.argv = ['fuzz_lessons', '--run', {str(cases)!r}]\n"
            "runpy.run_module('tests.fuzz_lessons', run_name='__main__')")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                       timeout=60 * 2 * CASES)
    assert p.returncode == 0, p.stderr[-2000:]
    runs = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(runs) == 2 * CASES
    rejected = 0
    for r in runs:
        where = f"{r['command']} {r['path']}"
        assert r["code"] in (0, 1, 2), (where, r["code"], r["stderr"][-500:])
        assert "Traceback" not in r["stderr"] + r["stdout_tail"], where
        assert "internal error" not in r["stderr"], (where, r["stderr"])
        assert r["seconds"] < 60, where
        for line in r["stderr"].splitlines():
            assert re.match(rf"^{re.escape(r['path'])}:\d+:(?:\d+:)? \S", line), (where, line)
        rejected += r["code"] == 1 and r["command"] == "check"
    assert max(r["peak_rss_mb"] for r in runs) < 1024
    assert 0 < rejected < CASES            # the generator makes both kinds
    assert not (tmp_path / "logs").exists()
