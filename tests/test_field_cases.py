"""Field cases (shared/field/cases): boot mmviz from each case's own lines, reproduce its expected lines."""
from __future__ import annotations

from pathlib import Path

import pytest

import engine
from engine.dmesg import report, strip_prefix

CASES = Path(__file__).parent / "field_cases"


def case_text(name: str) -> str:
    text = (CASES / name).read_text()
    return text.split("----\n", 2)[-1] if "----" in text else text


def real_lines(name: str) -> list[str]:
    return [strip_prefix(l) for l in case_text(name).splitlines() if "] " in l]


def status(m) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"equal": [], "different": [], "missing": []}
    for p in m.dmesg_comparison:
        out[p.status].append(p.real)
    return out


def test_case01_ubuntu_2624_whole_memory_boot_log():
    m = engine.Machine.from_dmesg(case_text("01-ubuntu-2.6.24-2G-vostro-boot.txt"))
    assert m.config.kernel == "2.6" and m.config.cpus == 2
    st = status(m)
    # every memory line is reproduced but the Memory: line's free/reserved (initrd not in the log)
    # and nothing is missing
    assert not st["missing"], st["missing"]
    assert len(st["equal"]) >= 40
    assert all(l.startswith("Memory: ") for l in st["different"]), st["different"]
    mem = next(l for l in m.boot_log if l.startswith("Memory: "))
    real = next(l for l in real_lines("01-ubuntu-2.6.24-2G-vostro-boot.txt") if l.startswith("Memory: "))
    assert mem.split("/")[1].split(" ")[0] == real.split("/")[1].split(" ")[0]     # 2087348k
    for part in ("(2177k kernel code", "1006k data", "368k init", "1169844k highmem)"):
        assert part in mem and part in real
    for line in ("Total pages: 517761", "  DMA zone: 4064 pages, LIFO batch:0",
                 "  HighMem zone: 2284 pages used for memmap", "  Movable zone: 0 pages used for memmap",
                 "      .data : 0xc0320474 - 0xc041bdc4   (1006 kB)",
                 "      .init : 0xc0421000 - 0xc047d000   ( 368 kB)"):
        assert any(line in l for l in m.boot_log), line


def test_case01_issue_numbers_with_the_plain_26_flavour():
    m = engine.Machine.boot(ram="2G", kernel="2.6")
    assert m.zone("DMA").present == 4064
    assert "Built 1 zonelists in Zone order, mobility grouping on.  Total pages: 520161" in m.boot_log
    assert not any("Initializing HighMem" in l for l in m.boot_log)
    assert " BIOS-e820: 0000000000000000 - 000000000009fc00 (usable)" in m.boot_log
    zi = m.proc("/proc/zoneinfo")
    assert "protection: (0, " in zi and zi.count("pcp: 1") == 3     # hot and cold lists, 3 zones
    assert zi.split("zone      DMA")[1].split("pcp: 1")[0].count("batch: 1") == 1


def test_26_nonpae_4g_clamps_to_4g():
    m = engine.Machine.boot(ram="4G", kernel="2.6")
    assert "3200MB HIGHMEM available." in m.boot_log
    assert "Warning only 4GB will be used." in m.boot_log
    assert m.zone("HighMem").end_pfn == 1 << 20


def test_61_nonpae_4g_prints_last_pfn_below_4g():
    m = engine.Machine.boot(ram="4G")
    assert "last_pfn = 0xbffe0 max_arch_pfn = 0x100000" in m.boot_log


def test_case04_ubuntu_2631_era_b():
    m = engine.Machine.from_dmesg(case_text("04-ubuntu-2.6.31-3G-toshiba-boot.txt"), kernel="2.6.31")
    assert m.config.flavour.nr_cpus_config == 8
    st = status(m)
    want = [l for l in real_lines("04-ubuntu-2.6.31-3G-toshiba-boot.txt")
            if not l.startswith(("Memory: ", "NR_CPUS"))]
    for line in want:
        assert line in m.boot_log, line
    assert not st["missing"]
    assert [l for l in st["different"]] == [
        l for l in real_lines("04-ubuntu-2.6.31-3G-toshiba-boot.txt") if l.startswith("Memory: ")]


def test_release_read_from_the_boot_image_when_the_log_has_no_version_line():
    """A log without 'Linux version' still names its release in BOOT_IMAGE= on the command line
    (Ubuntu's GRUB); without either, 6.1 is assumed and the one-line note says how to give it."""
    text = case_text("04-ubuntu-2.6.31-3G-toshiba-boot.txt")
    bare = engine.Machine.from_dmesg(text)
    assert bare.config.flavour.version[:2] == (6, 1)
    assert any("--kernel RELEASE" in d for d in bare.dmesg_facts.defaults)
    line = ("[    0.000000] Kernel command line: BOOT_IMAGE=/boot/vmlinuz-2.6.31-20-generic "
            "root=UUID=x ro quiet splash\n")
    m = engine.Machine.from_dmesg(line + text)
    assert m.config.flavour.version == (2, 6, 31)
    assert status(m)["different"] == [
        l for l in real_lines("04-ubuntu-2.6.31-3G-toshiba-boot.txt") if l.startswith("Memory: ")]


def test_case05_ubuntu_35_pae():
    m = engine.Machine.from_dmesg(case_text("05-ubuntu-3.5-pae-2G-a880g-boot.txt"), kernel="3.5")
    assert m.config.pae and m.config.nx and m.config.flavour.nr_cpus_config == 8
    for line in real_lines("05-ubuntu-3.5-pae-2G-a880g-boot.txt"):
        if line.startswith(("Memory: ", "setup_percpu", "NX ")) or not line:
            continue
        assert line in m.boot_log, line


def test_case08_gentoo_61_nr_cpus_2():
    m = engine.Machine.from_dmesg(case_text("08-gentoo-6.1-rc7-P4-2G-nrcpus2-boot.txt"))
    assert m.config.flavour.nr_cpus_config == 2 and m.config.flavour.struct_page_size == 32
    real = real_lines("08-gentoo-6.1-rc7-P4-2G-nrcpus2-boot.txt")
    mem = [l for l in real if strip_prefix(l) and any(
        l.startswith(p) for p in ("BIOS-e820", "e820:", "last_pfn", "  mapped", "  low ram", "Zone ranges",
                                  "  DMA", "  Normal", "  HighMem", "Movable zone", "Early memory",
                                  "  node", "Initmem", "On node", "Built", "Dentry", "Inode",
                                  "Initializing"))
           or l.endswith(("HIGHMEM available.", "LOWMEM available."))]
    assert len(mem) >= 25
    for line in mem:
        assert line in m.boot_log, line
    assert any(l.startswith("different  Memory:") for l in report(m))


def test_case12_kernel_pdes_carry_page_table_flags():
    for kernel in ("2.6", "3.13", "6.1"):
        m = engine.Machine.boot(ram="1G", pae=True, nx=True, kernel=kernel)
        va = m.vmalloc(8192)
        pdpte, pde, _ = m.walk(va).steps
        assert pdpte.entry & 0xFFF == 0x001                 # *pdpt = ...001
        assert pde.entry & 0xFFF == 0x067, (kernel, hex(pde.entry))   # *pde = ...067
    m = engine.Machine.boot(ram="1G", kernel="6.1")
    va = m.vmalloc(4096)
    assert m.walk(va).steps[0].entry & 0xFFF == 0x067


def test_case12b_first_page_above_4g_in_mem_map():
    m = engine.Machine.boot(ram="4G", pae=True, nx=True, config={"NR_CPUS": 8})
    assert m.layout.high_memory == 0xF75FE000


def test_26_pae_swapper_user_pdpt_entries_point_at_the_zero_page():
    m = engine.Machine.boot(ram="1G", pae=True, kernel="2.6")
    zero = m.zero_pfn << 12
    assert zero == m.kernel_image["bss"][0] + 2 * 4096      # swapper_pg_dir, swapper_pg_pmd, zero
    w = m.walk(0x1000)
    assert w.steps[0].entry == zero | 1 and w.fault is not None
    m = engine.Machine.boot(ram="1G", pae=True)
    assert m.walk(0x1000).steps[0].entry == 0


def test_case14_two_level_translation_exercise():
    m = engine.Machine.boot(ram="160M")
    p = m.spawn()
    p.mmap(0x400000, addr=0x00200000)
    m.write_virt(0x200FFC, (0xBEBEEBEE).to_bytes(4, "little"), pid=p.pid)
    w = m.walk(0x200FFC, pid=p.pid)
    pde, pte = w.steps
    assert pde.index == 0x200FFC >> 22 == 0
    assert pte.index == (0x200FFC >> 12) & 0x3FF == 0x200
    assert pte.entry_paddr == (pde.entry & 0xFFFFF000) + 0x200 * 4
    assert w.paddr == (pte.entry & 0xFFFFF000) | 0xFFC
    assert m.read_virt(0x200FFC, 4, pid=p.pid) == (0xBEBEEBEE).to_bytes(4, "little")


@pytest.mark.parametrize("text", ["", "garbage\nmore", "[    0.000000] Memory: nonsense",
                                  "BIOS-e820: [mem 0x0-0xfff] usable"])
def test_from_dmesg_odd_logs_give_a_machine_or_a_config_error(text):
    try:
        m = engine.Machine.from_dmesg(text)
    except engine.ConfigError:
        return
    assert m.dmesg_facts.defaults


def test_cli_boot_dmesg_marks_lines(capsys):
    from app.cli import main
    rc = main(["boot", "--dmesg", str(CASES / "01-ubuntu-2.6.24-2G-vostro-boot.txt")])
    text = capsys.readouterr().out
    assert rc == 0
    assert "equal        DMA zone: 4064 pages, LIFO batch:0" in text
    assert "different  Memory: 2057520k/2087348k" in text
    assert text.rstrip().endswith("memory lines equal")
