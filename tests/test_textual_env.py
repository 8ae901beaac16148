"""The app runs under every environment variable Textual reads (textual/constants.py).

TEXTUAL_FILTERS=dim stopped the app with an internal error (exit 70) at its first frame:
Textual's dim_style() reads ``style.bgcolor.is_default`` and mmviz draws dim text with no
colour or background of its own.  Values Textual would accept and then fail on (a driver that
is no module, a screenshot folder that is missing, a dim factor of 500 %) are one line, exit 2,
en and zh; values Textual ignores are ignored.
"""
from __future__ import annotations

import re

import pytest

pytest.importorskip("textual")

from rich.segment import Segment                          # noqa: E402
from rich.style import Style                              # noqa: E402
from textual import constants                             # noqa: E402
from textual.color import Color                           # noqa: E402
from textual.filter import DimFilter, Monochrome          # noqa: E402

from app.app import MmvizApp                              # noqa: E402
from app.cli import main                                  # noqa: E402
from app.filters import SafeDim, SafeMonochrome           # noqa: E402
from widgets import LessonPane                            # noqa: E402


@pytest.mark.parametrize("filters, no_color", [("dim", False), ("DIM, dim", False), ("dim", True),
                                               ("bogus", False)])
async def test_the_app_steps_under_textual_filters(monkeypatch, filters, no_color):
    monkeypatch.setattr(constants, "FILTERS", filters)      # read by App.__init__
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = MmvizApp(lesson="memory-map")
    kinds = [type(f) for f in app._filters]
    assert DimFilter not in kinds and Monochrome not in kinds
    assert kinds.count(SafeDim) == (0 if filters == "bogus" else filters.lower().count("dim"))
    assert (SafeMonochrome in kinds) == no_color
    async with app.run_test(size=(100, 30)) as pilot:
        for key in ("right", "right", "right", "end", "home", "right"):
            await pilot.press(key)
        await pilot.pause()
        assert app.timeline.position == 1
        assert "1/" in app.query_one(LessonPane).plain
    assert app.return_code in (None, 0)


def test_dim_text_with_a_colour_is_blended_and_without_one_left_to_the_terminal():
    black = Color(0, 0, 0)
    coloured, plain, bare = SafeDim().apply(
        [Segment("a", Style(color="#ffffff", dim=True)), Segment("b", Style(dim=True)),
         Segment(" ")], black)
    assert not coloured.style.dim and coloured.style.color.triplet == (127, 127, 127)
    assert plain.style == Style(dim=True) and bare.style is None


BAD = {  # variable=value: what the one line says
    "TEXTUAL_DIM_FACTOR=500": "more than 100",
    "TEXTUAL_DRIVER=no_such_driver_module": "not a Textual driver",
    "TEXTUAL_DRIVER=os:path": "not a Textual driver",
    "TEXTUAL_DRIVER=": "not a Textual driver",
    "TEXTUAL_SCREENSHOT=0": "at least 1 second",
    "TEXTUAL_SCREENSHOT=3 TEXTUAL_SCREENSHOT_LOCATION=/no/such/folder": "no such folder",
    "TEXTUAL_SCREENSHOT=3 TEXTUAL_SCREENSHOT_FILENAME=no/such/shot.svg": "no such folder",
    "TEXTUAL_LOG=/no/such/folder/textual.log": "no such folder",
    "TEXTUAL_LOG=/": "is a folder",
}


def set_env(monkeypatch, assignments: str) -> None:
    for assignment in assignments.split(" "):
        name, _, value = assignment.partition("=")
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("assignments", BAD)
def test_a_value_textual_would_fail_on_is_one_line(monkeypatch, capsys, assignments):
    set_env(monkeypatch, assignments)
    for command in (["run", "memory-map"], ["lessons"]):
        assert main(["--lang", "en", *command]) == 2
        _, err = capsys.readouterr()
        name = assignments.split(" ")[-1].partition("=")[0]
        assert len(err.splitlines()) == 1 and err.startswith(f"mmviz: {name}=") \
            and BAD[assignments] in err, err
    assert main(["--lang", "zh", "lessons"]) == 2
    _, err = capsys.readouterr()
    words = re.sub(r"^mmviz|TEXTUAL_\w+='[^']*'|Textual|module:Class|dim|/\S*|'[^']*'", "", err)
    assert len(err.splitlines()) == 1 and not re.search(r"[A-Za-z]{3,}", words), err


@pytest.mark.parametrize("assignments", ["TEXTUAL_DIM_FACTOR=100", "TEXTUAL_DIM_FACTOR=-5",
                                         "TEXTUAL_DIM_FACTOR=lots", "TEXTUAL_SCREENSHOT=-1",
                                         "TEXTUAL_SCREENSHOT=soon", "TEXTUAL_FILTERS=dim",
                                         "TEXTUAL_ANIMATIONS=sometimes", "TEXTUAL_THEME=no-such",
                                         "TEXTUAL_FPS=0", "COLUMNS=abc", "LINES=0"])
def test_values_textual_takes_or_ignores_pass(monkeypatch, capsys, assignments):
    set_env(monkeypatch, assignments)
    assert main(["lessons"]) == 0
    _, err = capsys.readouterr()
    assert err == ""
