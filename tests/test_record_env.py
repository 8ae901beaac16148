"""A recording depends on its arguments alone, not on the recorder's terminal settings.

``TEXTUAL_THEME=textual-light mmviz record ...`` gave another recording than without it
(Textual reads the variable as its default theme), as did NO_COLOR (grey, glyph patterns)
and TEXTUAL_FILTERS=dim (which stopped the recording with an internal error); and
TEXTUAL_DIM_FACTOR changed the colour of every dim text (Textual's dim_color() default).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENVS = {"plain": {}, "light": {"TEXTUAL_THEME": "textual-light"}, "nord": {"TEXTUAL_THEME": "nord"},
        "no-color": {"NO_COLOR": "1"}, "dim": {"TEXTUAL_FILTERS": "dim"},
        "dim-factor": {"TEXTUAL_DIM_FACTOR": "10"}}
STRIPPED = ("TEXTUAL_THEME", "NO_COLOR", "TEXTUAL_FILTERS", "TEXTUAL_DIM_FACTOR")


def record(out: Path, extra: dict[str, str], *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in STRIPPED}
    env.update({"PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **extra})
    return subprocess.Popen([sys.executable, "-m", "app.cli", "record", "memory-map", *args,
                             "--size", "100x30", "--quiet", "--lang", "en", *(["-o", str(out)]
                             if out.suffix else ["--svg", str(out), "--step", "3"])],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.mark.parametrize("kind", ["cast", "svg"])
def test_a_recording_is_the_same_whatever_the_terminal_settings(tmp_path, kind):
    outs = {name: tmp_path / (f"{name}.cast" if kind == "cast" else name) for name in ENVS}
    runs = {name: record(outs[name], extra, *(["--step-seconds", "1"] if kind == "cast" else []))
            for name, extra in ENVS.items()}
    for name, p in runs.items():
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, (name, err)
    if kind == "svg":
        outs = {name: path / "step-003.svg" for name, path in outs.items()}
    made = {name: path.read_bytes() for name, path in outs.items()}
    assert all(made[name] == made["plain"] for name in ENVS), \
        [name for name in ENVS if made[name] != made["plain"]]
