"""``mmviz run LESSON --text`` shows a step's output as far as its narration talks about it:
the first line and every line the title or narration names (swap's SwapTotal and SwapFree, the
buddy lesson's Normal row), and --full shows every line."""
from __future__ import annotations

import re

from app import cli
from app.cli_lesson import referred_lines


def _step(text: str, n: int, total: int) -> str:
    return text.split(f"-- {n}/{total}:")[1].split(f"-- {n + 1}/{total}:")[0]


def test_the_lines_the_narration_names_are_shown(capsys):
    assert cli.main(["run", "swap", "--text"]) == 0
    out = capsys.readouterr().out
    step = _step(out, 2, 13)                       # "SwapTotal and SwapFree"
    assert re.search(r"^     SwapTotal: +32760 kB$", step, re.M), step
    assert re.search(r"^     SwapFree: +32760 kB$", step, re.M), step
    assert "(25 more lines; --full shows them)" in step and "Cached:" not in step
    assert cli.main(["run", "buddy", "--text"]) == 0
    step = _step(capsys.readouterr().out, 11, 12)  # "The Normal row now has many blocks"
    assert re.search(r"^     Node 0, zone +Normal( +\d+){11}", step, re.M), step


def test_full_shows_every_line(capsys):
    assert cli.main(["run", "swap", "--text", "--full"]) == 0
    step = _step(capsys.readouterr().out, 2, 13)
    for key in ("MemFree", "Cached", "SwapTotal", "SwapFree", "VmallocTotal"):
        assert re.search(rf"^     {key}: ", step, re.M), (key, step)
    assert "more lines" not in step


def test_a_word_common_to_every_line_names_none():
    lines = ["Node 0, zone      DMA 1 2", "Node 0, zone   Normal 3 4", "Node 0, zone  HighMem 5 6"]
    assert referred_lines(lines, "the zone's Node lists") == []
    assert referred_lines(lines, "the HighMem row") == [2]
    assert referred_lines(["MemTotal: 1 kB", "Buffers: 0 kB"], "no buffers here") == []


def test_the_note_of_the_lines_left_out_says_how_to_see_them(capsys):
    """"(25 more lines)" did not say how to see them: it names --full, en and zh."""
    for lang, note in (("en", "(25 more lines; --full shows them)"), ("zh", "（另有 25 行；加 --full 全部显示）")):
        assert cli.main(["run", "swap", "--text", "--lang", lang]) == 0
        step = _step(capsys.readouterr().out, 2, 13)
        assert note in step, step
