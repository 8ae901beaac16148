"""No lesson step imports an engine module: what the engine imports inside its functions
is imported with the timeline (scenarios.timeline.LATE_ENGINE_MODULES), so the first
spawn, fault or 6.1 boot of a lesson does not pay for an import inside a key press."""
from __future__ import annotations

import subprocess
import sys

from scenarios.library import LESSON_DIR

SCRIPT = """
import sys
from scenarios import Timeline, load_lesson
from scenarios.library import LESSON_DIR
late = set()
for path in sorted(LESSON_DIR.glob("*.toml")):
    tl = Timeline(load_lesson(path))
    before = set(sys.modules)
    tl.run_all()
    while tl.position:
        tl.back()
    late |= {m for m in set(sys.modules) - before if m.startswith("engine")}
print(" ".join(sorted(late)))
"""


def test_no_lesson_step_imports_an_engine_module():
    # a fresh interpreter: this test process has imported every engine module already
    assert list(LESSON_DIR.glob("*.toml"))
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [], f"imported inside a step: {out} (add to LATE_ENGINE_MODULES)"
