"""Every integer the command line reads refuses a decimal with a leading 0, as lesson
expressions do (C reads 010 as octal 8): --step, --pid, --seed, --cpus, --count and
--max-events read 010 as ten, --cr3/--vaddr/--mem and ``walk 010`` said only "expected an
address", --ram 010M was 10M (the kernel's memparse() reads mem=010M as 8M)."""
from __future__ import annotations

import argparse
import re

import pytest

from app.cli import main
from app.cli_parser import build_parser
from app.cli_types import address, config_pair, entries, size

NUMERIC = {"whole number", "address", "entries", "size", "config_pair"}


def numeric_options() -> list[tuple[str, str, object]]:
    """(command, option, type) for every option of every command that reads a number."""
    found = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{path} {name}".strip())
            elif action.type is not None and action.type.__name__ in NUMERIC:
                found.append((path, action.option_strings[0], action.type))
    walk(build_parser(), "")
    return found


OPTIONS = numeric_options()


def test_the_options_are_found():
    names = {option for _, option, _ in OPTIONS}
    assert {"--step", "--pid", "--seed", "--cpus", "--count", "--max-events", "--cr3", "--vaddr",
            "--mem", "--ram", "--config"} <= names, names


@pytest.mark.parametrize("command, option, kind", OPTIONS, ids=[f"{c} {o}" for c, o, _ in OPTIONS])
def test_every_numeric_option_refuses_a_leading_zero(command, option, kind):
    text = {"entries": "0x1000=010", "config_pair": "NR_CPUS=010", "size": "010M"}.get(kind.__name__, "010")
    with pytest.raises(argparse.ArgumentTypeError, match="starts with 0, which C reads as octal"):
        kind(text)


def test_c_forms_are_read():
    whole_number = next(kind for _, option, kind in OPTIONS if option == "--seed")
    assert [whole_number(t) for t in ("10", "0o10", "0x10", "0", "1_000")] == [10, 8, 16, 0, 1000]
    assert address("0o10") == 8 and address("0") == 0
    assert entries("0x1000=0o10") == {0x1000: 8}
    assert size("0x1000") == "0x1000" and size("0.5G") == "0.5G" and size("0M") == "0M"
    assert config_pair("NR_CPUS=0x8") == "NR_CPUS=0x8"
    with pytest.raises(argparse.ArgumentTypeError, match="write 9$"):
        whole_number("09")
    with pytest.raises(argparse.ArgumentTypeError, match="write 8M for octal, 10M for decimal"):
        size("010M")


@pytest.mark.parametrize("args", [["walk", "0xc0000000", "--pid", "010"], ["walk", "010"],
                                  ["quiz", "buddy", "--seed", "010"],
                                  ["record", "memory-map", "--svg", "/tmp/x", "--step", "010"],
                                  ["layout", "--ram", "010M"], ["layout", "--cpus", "02"]])
def test_one_line_en_and_zh(capsys, args):
    assert main(["--lang", "en", *args]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "starts with 0, which C reads as octal" in err, err
    assert main(["--lang", "zh", *args]) == 2
    err = capsys.readouterr().err
    words = re.sub(r"^mmviz \w+|--[a-z-]+|'[^']*'|0o[0-7]+|\d+M?", "", err)
    assert len(err.splitlines()) == 1 and "八进制" in err and not re.search(r"[A-Za-z]{2,}", words), err
