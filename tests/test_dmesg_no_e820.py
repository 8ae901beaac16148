"""A pasted log without its firmware map (a forum post of the "Memory:" line and the layout
block) boots the RAM whose pages give the "Memory:" line's total, not the 160 MB default
whose every line then differs."""
import re
from pathlib import Path

import engine
from app import cli

# unix.stackexchange.com question 5124 ("What does the virtual kernel memory layout in dmesg
# imply?"): a PAE kernel with 2 GB, .text at 4M (CONFIG_PHYSICAL_START), no 'Linux version'
POSTED = """\
Memory: 2047804k/2086248k available (3179k kernel code, 37232k reserved, 1935k data, 436k init, 1176944k highmem)
virtual kernel memory layout:
    fixmap  : 0xffc57000 - 0xfffff000   (3744 kB)
    pkmap   : 0xff800000 - 0xffa00000   (2048 kB)
    vmalloc : 0xf7ffe000 - 0xff7fe000   ( 120 MB)
    lowmem  : 0xc0000000 - 0xf77fe000   ( 887 MB)
      .init : 0xc0906000 - 0xc0973000   ( 436 kB)
      .data : 0xc071ae6a - 0xc08feb78   (1935 kB)
      .text : 0xc0400000 - 0xc071ae6a   (3179 kB)
"""
GROUND = Path(__file__).parent / "groundtruth" / "686-1G" / "dmesg.txt"


def _total(line: str) -> str:
    return re.search(r"/(\d+[kK]) available", line).group(1)


def test_the_posted_layout_block_is_reproduced_with_its_release():
    m = engine.Machine.from_dmesg(POSTED, kernel="2.6.31")
    pairs = {p.real.split()[0]: p for p in m.dmesg_comparison}
    for first in ("fixmap", "pkmap", "vmalloc", "lowmem", ".text"):
        assert pairs[first].status == "equal", pairs[first]
    assert _total(pairs["Memory:"].ours) == "2086248k" and "1176944k highmem" in pairs["Memory:"].ours
    assert any("the size whose pages give the Memory line's total (2086248k)" in d for d in m.dmesg_facts.defaults)


def test_without_its_release_the_formats_say_how_old_it_is():
    m = engine.Machine.from_dmesg(POSTED)
    assert any("'Memory: ...k/...k available' < 3.11" in d for d in m.dmesg_facts.defaults)


def test_a_6_1_log_without_its_e820_lines_gets_its_total_back():
    text = "".join(ln for ln in GROUND.read_text().splitlines(keepends=True) if "BIOS-e820" not in ln)
    m = engine.Machine.from_dmesg(text)
    real = next(p for p in m.dmesg_comparison if p.real.startswith("Memory: "))
    assert _total(real.real) == _total(real.ours if real.ours else real.real)
    assert m.config.ram >> 20 in range(1020, 1025)
    m.check()


def test_a_log_with_no_memory_line_keeps_the_stated_default(tmp_path, capsys):
    m = engine.Machine.from_dmesg("Linux version 6.1.0 (x)\nZone ranges:\n")
    assert any("QEMU's map for the RAM size assumed" in d for d in m.dmesg_facts.defaults)
    log = tmp_path / "posted.txt"
    log.write_text(POSTED)
    cli.main(["--lang", "zh", "boot", "--dmesg", str(log), "--kernel", "2.6.31"])
    out = capsys.readouterr().out
    assert "这个大小的页数正好给出 Memory 行的总数（2086248k）" in out and "the size whose" not in out
