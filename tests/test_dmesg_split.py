"""A log whose lowmem ends elsewhere than mmviz's (a vmalloc= its pasted lines do not show)
says so on every line that follows the split, not "sizeof(struct page)" on Total pages."""
from pathlib import Path

import engine
from app import cli

LOG = Path(__file__).parent / "groundtruth" / "686-1G-vmalloc256M" / "dmesg.txt"


def _without_cmdline() -> str:
    return "".join(ln for ln in LOG.read_text().splitlines(keepends=True) if "Kernel command line" not in ln)


def test_lines_that_follow_the_split_name_it():
    m = engine.Machine.from_dmesg(_without_cmdline())
    different = {p.real.split()[0]: p.why for p in m.dmesg_comparison if p.status == "different"}
    for first in ("Normal", "HighMem", "Built", "Initializing", "Memory:"):
        assert "lowmem ends elsewhere" in different[first], (first, different[first])
    assert "sizeof(struct page)" not in different["Built"]


def test_the_log_with_its_command_line_has_no_such_note():
    m = engine.Machine.from_dmesg(LOG.read_text())
    assert not [p for p in m.dmesg_comparison if "lowmem ends elsewhere" in p.why]


def test_the_note_is_chinese_too(tmp_path, capsys):
    log = tmp_path / "dmesg.txt"
    log.write_text(_without_cmdline())
    cli.main(["--lang", "zh", "boot", "--dmesg", str(log)])
    out = capsys.readouterr().out
    assert "日志里的低端内存在别处结束" in out and "lowmem ends elsewhere" not in out
