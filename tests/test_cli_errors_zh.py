"""In zh, an error line of the command line is mmviz's words in Chinese: no English phrase
of mmviz's own is left in it (option names, values, paths and what the kernel or a library
prints in quotes stay as typed), and Chinese is not spaced like English ("应为整数")."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import cli

PROSE = re.compile(r"\b[a-zA-Z]{2,}(?: [a-zA-Z]{2,}){2,}\b")     # three English words in a row
SPACED = re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff]")           # 应为 整数

BAD = [
    ["--ram", "-1G", "--text"],                              # argparse: expected one argument
    ["--ram", "1X", "layout"],
    ["lessons", "--ram", "1G"],                              # does not apply (... --help lists ...)
    ["record", "buddy", "-o", "x.cast", "--size", "abc"],
    ["record", "buddy", "-o", "x.cast", "--size", "10x5"],
    ["record", "buddy", "-o", "x.txt"],
    ["check", "/no/such/lesson.toml"],                       # the OS's reason, in Chinese
    ["quiz", "buddy", "--seed", "abc"],
    ["layout", "--config", "NR_CPUS=abc"],
    ["layout", "--config", "NR_CPUS"],
    ["layout", "--cpus", "99"],
    ["walk", "0xzz"],
    ["walk", "0x1000", "--pid", "99"],
    ["boot", "--dmesg", "/no/such/file"],
    ["boot", "--dmesg", str(Path(__file__).resolve().parent / "field_cases" / "12-pae-oops-kernel-pde-flags.txt")],
    ["serve", "--port", "abc"],
]


def _mmviz_words(line: str) -> str:
    """The line without what is quoted or typed: values in quotes, options, paths."""
    line = re.sub(r"'[^']*'", "", line)
    return re.sub(r"(--?[a-z][-a-z]*|/\S*)", "", line)


@pytest.mark.parametrize("argv", BAD, ids=" ".join)
def test_a_zh_error_line_has_no_english_phrase_of_mmviz(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MMVIZ_CONFIG", str(tmp_path / "config.toml"))
    code = cli.main(["--lang", "zh", *argv])
    err = capsys.readouterr().err.strip()
    assert code != 0 and len(err.splitlines()) == 1, err
    words = _mmviz_words(err)
    assert not PROSE.search(words), err
    assert not SPACED.search(err), err


def test_the_exit_status_of_a_bad_config_pair_is_a_usage_error(capsys):
    """--config NR_CPUS (no =VALUE) is a bad option value like --config NR_CPUS=abc: status 2."""
    assert cli.main(["layout", "--config", "NR_CPUS=abc"]) == 2
    assert cli.main(["layout", "--config", "NR_CPUS"]) == 2
    capsys.readouterr()


@pytest.mark.parametrize("command", [["layout"], ["proc", "/proc/meminfo"], ["walk", "0xc0000000"]])
def test_the_machine_commands_boot_every_machine_option_given(command, capsys):
    """layout, proc and walk take all the machine options (cli_parser.TAKES): each reaches
    boot() -- none is accepted and then dropped -- and a bad one is refused."""
    assert cli.main([*command, "--cpus", "99"]) == 2
    assert "--cpus" in capsys.readouterr().err
    assert cli.main([*command, "--nx"]) == 2                    # NX needs PAE page tables
    assert "--nx" in capsys.readouterr().err


def test_layout_and_proc_show_the_allocator_and_swap_asked_for(capsys):
    assert cli.main(["layout", "--allocator", "slab"]) == 0
    assert "SLAB" in capsys.readouterr().out.splitlines()[0]
    assert cli.main(["proc", "/proc/meminfo", "--swap", "64M"]) == 0
    assert "SwapTotal:         65532 kB" in capsys.readouterr().out
