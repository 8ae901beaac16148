"""A log whose lowmem ends elsewhere than mmviz's (a vmalloc= its pasted lines do not show)
says so on every line that follows the split, not "sizeof(struct page)" on Total pages."""
from pathlib import Path

import pytest

import engine
from app import cli

LOG = Path(__file__).parent / "groundtruth" / "686-1G-vmalloc256M" / "dmesg.txt"


def _without_cmdline() -> str:
    return "".join(ln for ln in LOG.read_text().splitlines(keepends=True) if "Kernel command line" not in ln)


def test_lines_that_follow_the_split_name_it():
    m = engine.Machine.from_dmesg(_without_cmdline())
    different = {p.real.split()[0]: p.why for p in m.dmesg_comparison if p.status == "different"}
    for first in ("Normal", "HighMem", "Built", "Initializing", "Memory:"):
        assert "lowmem or HighMem ends elsewhere" in different[first], (first, different[first])
    assert "sizeof(struct page)" not in different["Built"]


def test_the_log_with_its_command_line_has_no_such_note():
    m = engine.Machine.from_dmesg(LOG.read_text())
    assert not [p for p in m.dmesg_comparison if "lowmem or HighMem ends elsewhere" in p.why]


def test_the_note_is_chinese_too(tmp_path, capsys):
    log = tmp_path / "dmesg.txt"
    log.write_text(_without_cmdline())
    cli.main(["--lang", "zh", "boot", "--dmesg", str(log)])
    out = capsys.readouterr().out
    assert "日志里的低端内存或高端内存在别处结束" in out and "ends elsewhere" not in out


def _edited(drop: str = "", cmdline: str = "") -> str:
    out = []
    for ln in LOG.read_text().splitlines(keepends=True):
        if drop and drop in ln:
            continue
        if cmdline and "Kernel command line" in ln:
            ln = ln.rstrip("\n") + f" {cmdline}\n"
        out.append(ln)
    return "".join(out)


def test_without_the_normal_line_the_lowmem_lines_still_say_it():
    text = "".join(ln for ln in _without_cmdline().splitlines(keepends=True) if "  Normal   [mem" not in ln)
    m = engine.Machine.from_dmesg(text)
    different = {p.real.split()[0]: p.why for p in m.dmesg_comparison if p.status == "different"}
    assert "ends elsewhere" in different["Built"] and "ends elsewhere" in different["Memory:"]


def test_a_highmem_end_the_log_does_not_keep_is_named_too():
    """highmem=64M written into a 1 GB log whose lines are those of the whole HighMem zone."""
    m = engine.Machine.from_dmesg(_edited(cmdline="highmem=64M"))
    built = next(p for p in m.dmesg_comparison if p.real.startswith("Built"))
    assert built.status == "different" and "HighMem ends elsewhere" in built.why, built


def test_equal_free_and_reserved_name_no_size_the_log_lacks():
    m = engine.Machine.from_dmesg(_without_cmdline())
    mem = next(p for p in m.dmesg_comparison if p.real.startswith("Memory: "))
    assert "free and reserved equal" in mem.why and "KFENCE" not in mem.why, mem.why


FIELD04 = Path(__file__).parent / "field_cases" / "04-ubuntu-2.6.31-3G-toshiba-boot.txt"


def test_config_gives_only_what_the_log_does_not_print(capsys):
    """--config NR_CPUS=4 on a log whose setup_percpu line says 8 was taken quietly."""
    assert cli.main(["boot", "--dmesg", str(FIELD04), "--kernel", "2.6.31", "--config", "NR_CPUS=4"]) == 2
    err = capsys.readouterr().err
    assert err == ("mmviz boot: --config: NR_CPUS=4: the log gives NR_CPUS=8; config gives only what the log "
                   "does not print\n"), err
    assert cli.main(["boot", "--dmesg", str(FIELD04), "--kernel", "2.6.31", "--config", "NR_CPUS=8"]) == 0
    capsys.readouterr()


def test_nr_cpus_below_the_cpus_the_log_counts_is_said_as_such():
    log = "Linux version 6.1.0 (x)\nsetup_percpu: nr_cpumask_bits:8 nr_cpu_ids:2 nr_node_ids:1\n"
    with pytest.raises(engine.ConfigError, match=r"NR_CPUS=1 is fewer than the 2 CPU\(s\) the log counts"):
        engine.Machine.from_dmesg(log, config={"NR_CPUS": 1})
