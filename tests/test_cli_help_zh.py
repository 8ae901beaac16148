"""``--help`` is mmviz's own words too: in Chinese with --lang zh, before or after the command."""
from __future__ import annotations

import argparse
import re

import pytest

from app import cli
from app.cli_help_zh import HELP_ZH
from app.cli_parser import build_parser


def _parsers():
    top = build_parser()
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    return [("", top), *sub.choices.items()], sub


def test_every_help_line_has_a_chinese_one():
    parsers, sub = _parsers()
    texts = {a.help for _, p in parsers for a in p._actions if a.help and a.help != argparse.SUPPRESS}
    texts |= {c.help for c in sub._choices_actions} | {p.description for _, p in parsers if p.description}
    assert sorted(texts - set(HELP_ZH)) == []


@pytest.mark.parametrize("command", [""] + sorted(_parsers()[1].choices))
def test_help_in_zh_before_and_after_the_command(command, capsys):
    words = [command] if command else []
    for argv in (["--lang", "zh", *words, "--help"], [*words, "--help", "--lang", "zh"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
    zh_before, zh_after = capsys.readouterr().out.split("用法：")[1:]
    assert zh_before == zh_after
    with pytest.raises(SystemExit):
        cli.main([*words, "--help", "--lang", "en"])
    en = capsys.readouterr().out
    assert en.startswith("usage: ") and "\noptions:\n" in en
    assert "选项：" in zh_before and "options:" not in zh_before
    for english in re.findall(r"(?m)^  (?:-\S+|\w+)(?: \S+)?[ ]{2,}(.+)", en):     # each help column
        assert english not in zh_before or english in HELP_ZH.values(), english
