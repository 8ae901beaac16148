"""Process layout against the seed example (2.6) and the 6.1 ground truth captures."""
from __future__ import annotations

from pathlib import Path

import pytest

import engine

GT = Path(__file__).parent / "groundtruth"


def _gt_lines(name: str) -> list[str]:
    return (GT / "686-160M" / name).read_text().splitlines()


def _maps_block(lines: list[str], header: str) -> list[str]:
    i = lines.index(header) + 1
    out = []
    while i < len(lines) and lines[i][:1] in "0123456789abcdef" and "-" in lines[i][:9]:
        out.append(lines[i])
        i += 1
    return out


@pytest.mark.parametrize("pae", [False, True])
def test_mmaptest_topdown_matches_ground_truth(pae):
    m = engine.Machine.boot(ram="160M" if not pae else "1G", pae=pae, nx=pae)
    p = m.spawn("mmaptest")
    lines = _gt_lines("mmaptest_norandmaps.txt")
    assert m.proc(f"/proc/{p.pid}/maps").splitlines() == _maps_block(lines, "--- maps: at start ---")
    assert p.brk(0) == 0x0804D000
    assert p.brk(p.mm.brk + 0x21000) == 0x0806E000
    got = [p.mmap(n) for n in (0x1000, 0x1000, 0x100000, 0x4000000, 0x10000000)]
    assert got == [0xB7FF9000, 0xB7FF8000, 0xB7EF8000, 0xB3EF8000, 0xA3EF8000]
    after = _maps_block(lines, "--- maps: after brk + mmaps ---")
    assert m.proc(f"/proc/{p.pid}/maps").splitlines() == after
    assert p.mm.largest_gap() >> 20 == 2494
    assert p.mmap(0x40000000) == 0x63EF8000
    m.check()


def test_mmaptest_legacy_matches_ground_truth():
    m = engine.Machine.boot(ram="64M")
    p = m.spawn("mmaptest", legacy=True)
    lines = _gt_lines("mmaptest_legacy_norandmaps.txt")
    assert m.proc(f"/proc/{p.pid}/maps").splitlines() == _maps_block(lines, "--- maps: at start ---")
    p.brk(p.mm.brk + 0x21000)
    got = [p.mmap(n) for n in (0x1000, 0x1000, 0x100000, 0x4000000, 0x10000000)]
    assert got == [0x40006000, 0x40007000, 0x40008000, 0x40108000, 0x44108000]
    after = _maps_block(lines, "--- maps: after brk + mmaps ---")
    assert p.maps().splitlines() == after
    assert p.mm.largest_gap() >> 20 == 1725
    assert p.mmap(0x40000000) == 0x54108000
    m.check()


def _kind(line: str) -> str:
    """What a maps line is: the file/pseudo name or 'anon', with its perms."""
    parts = line.split()
    return f"{parts[1]} {parts[5] if len(parts) > 5 else 'anon'}"


def test_seed_example_26():
    """The seed program on the 2.6 flavour: addresses fall where the article printed."""
    m = engine.Machine.boot(ram="64M", kernel="2.6")
    p = m.spawn("example")
    s = p.symbols
    assert s["main"] == 0x8048388 and s["stack_var0"] == 0xBFFFFAB4
    assert s["stack_var1"] == 0xBFFFFAB0 and s["data_var0"] == 0x8049758
    b = p.sbrk(0)
    assert b == 0x8049868                          # "Initial end of heap"
    assert p.brk(b + 4) == 0x804986C and p.sbrk(0) == 0x804986C
    lines = p.maps().splitlines()
    assert lines[0] == "08048000-08049000 r-xp 00000000 03:03 439029     /home/mm/src/example"
    assert lines[0].index("/home") == 49
    assert lines[1].startswith("08049000-0804a000 rw-p 00000000 03:03 439029 ")
    # 2.6.24 setup_arg_pages: the argument page + EXTRA_STACK_VM_PAGES (20), rw-p, and the
    # offset column is vm_pgoff (insert_vm_struct: vm_start >> PAGE_SHIFT, lowered on expansion)
    assert lines[-1] == "bffeb000-c0000000 rw-p bffeb000 00:00 0          [stack]"
    assert [_kind(x) for x in lines] == ["r-xp /home/mm/src/example",
                                         "rw-p /home/mm/src/example", "rw-p [stack]"]
    for name, want in (("main", "r-xp /home/mm/src/example"),
                       ("data_var0", "rw-p /home/mm/src/example"),
                       ("data_var1", "rw-p /home/mm/src/example"),
                       ("bss_var", "rw-p /home/mm/src/example"),
                       ("stack_var0", "rw-p [stack]")):
        v = p.mm.vma_at(s[name])
        assert _kind(lines[p.mm.vmas.index(v)]) == want, name
    assert p.mm.vma_at(p.mm.brk - 1) is p.mm.vma_at(s["bss_var"])
    m.write_virt(s["data_var0"], (1).to_bytes(4, "little"), p.pid)
    m.write_virt(s["stack_var0"], (2).to_bytes(4, "little"), p.pid)
    assert m.read_virt(s["data_var0"], 4, p.pid) == b"\x01\0\0\0"
    m.check()


def test_seed_example_61_heap_vma():
    m = engine.Machine.boot(ram="160M")
    p = m.spawn("example")
    b = p.sbrk(0)
    assert b == 0x804A000                          # 6.1 page-aligns start_brk
    p.brk(b + 4)
    kinds = [_kind(x) for x in p.maps().splitlines()]
    assert kinds == ["r-xp /home/mm/src/example", "rw-p /home/mm/src/example",
                     "rw-p [heap]", "r--p [vvar]", "r-xp [vdso]", "rw-p [stack]"]
    m.check()


def test_status_lines():
    m = engine.Machine.boot(ram="160M")
    p = m.spawn("mmaptest")
    st = m.proc(f"/proc/{p.pid}/status")
    for key in ("VmSize", "VmRSS", "VmData", "VmStk", "VmExe", "VmSwap"):
        assert f"\n{key}:\t" in st
    assert "VmStk:\t     132 kB\n" in st and "VmLib:\t       8 kB\n" in st
    assert "VmExe:\t       4 kB\n" in st and "VmData:\t       8 kB\n" in st


def test_aslr_randomises():
    tops = set()
    for seed in range(4):
        m = engine.Machine.boot(ram="64M", aslr=True, seed=seed)
        p = m.spawn("mmaptest")
        stack = p.mm.vmas[-1]
        tops.add((stack.end, p.mm.mmap_base, p.mm.start_brk))
        assert 0xC0000000 - (0x7FF << 12) <= stack.end <= 0xC0000000
        assert 0xB8000000 - (0xFF << 12) <= p.mm.mmap_base <= 0xB8000000
        m.check()
    assert len(tops) > 1
