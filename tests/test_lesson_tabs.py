"""/proc/N/status separates its fields with tabs (fs/proc/array.c).  A tab that reaches the
terminal moves the cursor without drawing the cells it skips, so the lesson pane once showed
leftovers of the previous screen there ("Name:hild's init" at fork-cow's last step) and
the pane borders below broke.  The pane and text mode expand tabs to 8-column stops, as cat
does in a terminal."""
from __future__ import annotations

import pytest

from scenarios import Timeline, find_lesson
from widgets.lesson import lesson_text
from widgets.stepview import StepView


def _last_step_text(lesson_id: str, lang: str) -> str:
    les = find_lesson(lesson_id)
    tl = Timeline(les)
    r = None
    while (nxt := tl.step()) is not None:
        r = nxt
    return lesson_text(StepView(1, tl.machine, r, r.index + 1, len(les), None, lang, "t", "s",
                                (), ()), "").plain


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_status_in_the_lesson_pane_has_no_tab(lang):
    text = _last_step_text("fork-cow", lang)        # a real status capture and mmviz's own
    assert "VmPTE:" in text and "Name:" in text
    assert "\t" not in text
    # the capture's fields line up at the tab stop, as cat prints them
    real = [line for line in text.splitlines() if line.lstrip().startswith(("VmPeak:", "VmRSS:"))]
    assert real and len({line.index("kB") for line in real}) == 1, real


def test_text_mode_aligns_the_status_capture(capsys):
    from app.cli import main
    assert main(["run", "fork-cow", "--text"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("   │ Vm")]
    assert rows and len({line.index(" kB") for line in rows}) == 1, rows
