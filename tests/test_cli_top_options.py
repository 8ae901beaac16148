"""An option given before the command is the command's too: ``mmviz --lang zh run L`` and
``mmviz --ram 1G layout`` mean ``mmviz run L --lang zh`` and ``mmviz layout --ram 1G``.
(argparse let the command's own default overwrite the value given before it, so
``--lang``, ``--text``, ``--no-ask`` and the machine options were silently dropped.)"""
from __future__ import annotations

import argparse

import pytest

from app.cli_parser import build_parser

SAMPLES = {"ram": "1G", "kernel": "2.6.32", "vmalloc": "256M", "swap": "64M", "cpus": "4",
           "config": "NR_CPUS=8", "lessons": "/tmp", "lang": None, "layout": None, "allocator": None}


def _positionals(command: argparse.ArgumentParser) -> list[str]:
    words = []
    for a in command._actions:
        if not a.option_strings and a.dest != "help" and a.nargs != "?" and a.nargs != "*":
            words.append(str(next(iter(a.choices))) if a.choices else "x")
        elif a.option_strings and a.required:
            words += [a.option_strings[-1], "x"]
    return words


def _shared():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    top = {a.dest for a in parser._actions if a.option_strings and a.dest != "help"}
    for name, command in sub.choices.items():
        for a in command._actions:
            if a.option_strings and a.dest in top and a.dest != "help":
                yield name, command, a


CASES = sorted({(n, a.option_strings[-1]) for n, _, a in _shared()})


def test_the_commands_share_top_level_options():
    assert ("run", "--lang") in CASES and ("layout", "--ram") in CASES and ("run", "--no-ask") in CASES


@pytest.mark.parametrize("name,option", CASES, ids=[f"{n}{o}" for n, o in CASES])
def test_an_option_before_the_command_is_the_commands(name, option):
    parser = build_parser()
    command, action = next((c, a) for n, c, a in _shared() if n == name and option in a.option_strings)
    if action.nargs == 0:
        given = [option]
    else:
        value = SAMPLES.get(action.dest)
        if action.choices:
            value = str(list(action.choices)[-1])
        given = [option, value]
    words = _positionals(command)
    before = parser.parse_args([*given, name, *words])
    after = build_parser().parse_args([name, *words, *given])
    plain = build_parser().parse_args([name, *words])
    assert getattr(before, action.dest) == getattr(after, action.dest)
    assert getattr(before, action.dest) != getattr(plain, action.dest), "the sample must change the value"

def test_a_command_keeps_its_own_defaults():
    assert build_parser().parse_args(["layout"]).ram == "160M"
    assert build_parser().parse_args(["glossary"]).lang is None      # the locale's, as every command
    assert build_parser().parse_args(["layout"]).kernel == build_parser().parse_args(["layout", "--kernel", "6.1"]).kernel
    assert build_parser().parse_args(["layout"]).config == []
