"""One Chinese table per message: the engine's refusals a machine option reaches
(``mmviz: --ram: '1M' is too small ...``) are the same messages a lesson's machine reaches
(``bad machine: ram: '1M' is too small ...``), so app/lesson_errors_zh.py translates them for
both and app/cli_text.py keeps no second copy (it had fifteen, some worded differently); the
OS's reasons come from the one STRERROR table."""
from __future__ import annotations

import re

import pytest

from app import cli
from app.cli_text import _MESSAGES, error_zh
from app.lesson_errors_zh import STRERROR, problem_zh

FRAME = r"(--[a-z-]+): (.*)"        # any option's line: the option, then the message's own patterns
OPTIONS = [["--ram", "1M"], ["--ram", "4097"], ["--ram", "65G", "--pae"], ["--ram", "16M"],
           ["--ram", "9" * 23 + "G"], ["--vmalloc", "9" * 23 + "G"],
           ["--config", "struct_page_size=33"], ["--config", "PHYSICAL_START=0x123"],
           ["--config", "fixmap_slots=1"], ["--kernel", "2.6.24", "--config", "THP=y"],
           ["--pae", "--config", "HIGHMEM64G=n"], ["--kernel", "2.6.24", "--config", "KFENCE=y"],
           ["--config", "DEBUG_RODATA=n"], ["--config", "FOO=1"], ["--ram", "1G", "--swap", "99G"],
           ["--ram", "1G", "--kernel", "2.6", "--swap", "99G"]]


@pytest.mark.parametrize("argv", OPTIONS, ids=" ".join)
def test_an_engine_refusal_after_an_option_has_one_translation(argv, capsys):
    assert cli.main(["--lang", "en", "layout", *argv]) == 2
    line = capsys.readouterr().err.strip()
    m = re.fullmatch(r"mmviz layout: (--[a-z]+): (.*)", line)
    assert m, line
    zh = problem_zh(m[2])
    assert zh is not None, line                                     # the lesson problems' table has it
    copies = [p for p, _ in _MESSAGES if p != FRAME and (re.fullmatch(p, m[2]) or re.fullmatch(p, f"{m[1]}: {m[2]}"))]
    assert copies == [], line
    assert cli.main(["--lang", "zh", "layout", *argv]) == 2
    assert capsys.readouterr().err.strip() == f"mmviz layout：{m[1]}：{zh}"


@pytest.mark.parametrize("en", sorted(STRERROR))
def test_every_reason_of_the_os_a_lesson_line_knows_the_command_line_knows(en):
    assert error_zh(f"mmviz boot: /x/log.txt: {en}") == f"mmviz boot：/x/log.txt：{STRERROR[en]}"
