"""Every way a value the engine refuses (engine.ConfigError) reaches the command line is bad
input: one line, never a traceback.  A command-line value or file -- boot --dmesg's log and its
--initrd/--config/--kernel -- exits 2 naming what made the machine impossible; a lesson file
whose machine only booting refuses (ram = "16M" on 6.1) is a lesson read and found wrong, exit
1 at its machine line, for check as for run, proc, walk, record and the app.  A simulated
kernel error (an OOM, an oops) keeps its own words and status 1."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import cli

ROOT = Path(__file__).resolve().parent.parent
LOG = str(ROOT / "tests" / "field_cases" / "01-ubuntu-2.6.24-2G-vostro-boot.txt")   # 2.6.24, 2 CPUs, 2G
PROSE = re.compile(r"\b[a-zA-Z]{2,}(?: [a-zA-Z]{2,}){2,}\b")

BOOT = [  # argv, what the line names
    (["boot", "--dmesg", LOG, "--initrd", "4G"], "--initrd 4G: ram: "),           # too big for lowmem
    (["boot", "--dmesg", LOG, "--initrd", "1G"], "--initrd 1G: ram: "),
    (["boot", "--dmesg", LOG, "--config", "KFENCE=1"], "--config: KFENCE: KFENCE exists from Linux 5.12"),
    (["boot", "--dmesg", LOG, "--config", "NR_CPUS=1"], "--config: NR_CPUS=1 is fewer than the 2 CPU(s) the log counts"),
    (["boot", "--dmesg", "{old}"], "{old}: kernel: '2.4.20' is outside the modelled range"),
]


def _old_log(tmp_path: Path) -> str:
    path = tmp_path / "old.txt"
    path.write_text("Linux version 2.4.20 (gcc)\nBIOS-e820: 0000000000000000 - 000000000009fc00 (usable)\n")
    return str(path)


@pytest.mark.parametrize("argv, names", BOOT, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_a_boot_log_machine_the_engine_refuses_is_an_argument_error(argv, names, capsys, tmp_path):
    old = _old_log(tmp_path)
    argv = [a.replace("{old}", old) for a in argv]
    assert cli.main(["--lang", "en", *argv]) == cli.EXIT_USAGE == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("mmviz boot: " + names.replace("{old}", old)), err
    assert cli.main(["--lang", "zh", *argv]) == 2
    zh = capsys.readouterr().err.strip()
    assert zh.startswith("mmviz boot：") and len(zh.splitlines()) == 1, zh
    assert not PROSE.search(re.sub(r"'[^']*'|--?[a-z][-a-z]*|/\S*", "", zh)), zh


SMALL = """[lesson]
id = "small"
title = { en = "T", zh = "T" }
summary = { en = "S", zh = "S" }
machine = { ram = "16M", kernel = "6.1" }

[[step]]
do = "proc"
path = "/proc/buddyinfo"
say = { en = "x", zh = "x" }
"""


@pytest.mark.parametrize("argv", [["check", "{f}"], ["run", "{f}", "--text"], ["{f}", "--text"],
                                  ["proc", "/proc/meminfo", "--lesson", "{f}"],
                                  ["walk", "0xc0000000", "--lesson", "{f}"],
                                  ["record", "{f}", "-o", "{tmp}/x.cast"]], ids=" ".join)
def test_a_lesson_whose_machine_only_booting_refuses_is_found_wrong(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MMVIZ_CONFIG", str(tmp_path / "config.toml"))
    lesson = tmp_path / "small.toml"
    lesson.write_text(SMALL, encoding="utf-8")
    argv = [a.replace("{f}", str(lesson)).replace("{tmp}", str(tmp_path)) for a in argv]
    assert cli.main(["--lang", "en", *argv]) == cli.EXIT_FAIL == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{lesson}:5: bad machine: ram: 16M is too small for this kernel: its image is loaded at "
                   "16M (CONFIG_PHYSICAL_START) and ends at 31.0M, with lowmem ending at 15.9M (the boot "
                   "allocations need 256 KB above it)"], err
    assert not (tmp_path / "x.cast").exists()
    assert cli.main(["--lang", "zh", *argv]) == 1
    assert capsys.readouterr().err.strip().startswith(f"{lesson}:5：机器配置有误：ram：16M 对这个内核太小：")


@pytest.mark.parametrize("argv", [["{f}"], ["run", "{f}"]], ids=" ".join)
def test_the_app_does_not_start_on_such_a_lesson(argv, capsys, tmp_path, tui_made):
    made = tui_made
    lesson = tmp_path / "small.toml"
    lesson.write_text(SMALL, encoding="utf-8")
    assert cli.main(["--lang", "en", *[a.replace("{f}", str(lesson)) for a in argv]]) == 1
    assert made == []
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_an_engine_refusal_any_command_lets_through_is_status_2_a_kernel_error_1(capsys, monkeypatch):
    import engine

    def refused(ns):
        raise engine.ConfigError("ram: '3Q' is not a size (try 160M, 1G, 4096)")

    def oom(ns):
        raise engine.OutOfMemory("Out of memory: Killed process 7 (a)")
    monkeypatch.setitem(cli.COMMANDS, "lessons", refused)
    assert cli.main(["--lang", "en", "lessons"]) == 2
    assert capsys.readouterr().err == "mmviz lessons: ram: '3Q' is not a size (try 160M, 1G, 4096)\n"
    assert cli.main(["--lang", "zh", "lessons"]) == 2
    assert capsys.readouterr().err == "mmviz lessons：ram：'3Q' 不是大小（例如 160M、1G、4096）\n"
    monkeypatch.setitem(cli.COMMANDS, "lessons", oom)
    assert cli.main(["--lang", "en", "lessons"]) == 1
    assert capsys.readouterr().err == "mmviz lessons: Out of memory: Killed process 7 (a)\n"
