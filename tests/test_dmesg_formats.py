"""Boot logs as people paste them: syslog and journalctl prefixes, several boots in one file,
a non-PAE kernel's NX notice, a case's own prose; and --kernel against a log's own version.
Every form of the real 686 1 GB log must give the comparison the bare log gives."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import engine
from engine.errors import ConfigError

LOG = (Path(__file__).parent / "groundtruth" / "686-1G" / "dmesg.txt").read_text()
TS = re.compile(r"^(\[ *\d+\.\d+\]) ", re.M)


def counts(m) -> tuple[int, int]:
    st = [p.status for p in m.dmesg_comparison]
    return st.count("equal"), len(st)


BARE = counts(engine.Machine.from_dmesg(LOG))


@pytest.mark.parametrize("form", [
    lambda t: TS.sub("Dec  1 14:00:00 myhost kernel: ", t),               # syslog, no timestamp
    lambda t: TS.sub("2026-12-01T14:00:00.123456+00:00 myhost kernel: ", t),   # ISO kern.log
    lambda t: TS.sub(r"\1 myhost kernel: ", t),                           # journalctl -o short-monotonic
    lambda t: TS.sub(r"\1 [    T0] ", t),                                 # CONFIG_PRINTK_CALLER
    lambda t: TS.sub(r"Dec  1 14:00:00 myhost kernel: \1 ", t),           # syslog with the timestamp
    lambda t: t * 3,                                                      # three boots in one file
], ids=["syslog", "iso", "journal-monotonic", "printk-caller", "syslog-ts", "three-boots"])
def test_a_log_in_another_form_gives_the_same_comparison(form):
    m = engine.Machine.from_dmesg(form(LOG))
    assert counts(m) == BARE and BARE[0] == BARE[1] > 25
    assert m.config.ram == engine.Machine.from_dmesg(LOG).config.ram


def test_several_boots_are_read_as_the_last_one_and_said():
    m = engine.Machine.from_dmesg(LOG + LOG)
    assert any("holds 2 boots; the last one is read" in d for d in m.dmesg_facts.defaults)


def test_a_non_pae_nx_notice_says_non_pae():
    """x86_report_nx() on a non-PAE kernel: "... cannot be enabled: non-PAE kernel!" (the
    word PAE in it once made the machine PAE)."""
    text = "\n".join(l for l in LOG.splitlines() if "max_arch_pfn" not in l)
    text += "\n[    0.000000] Notice: NX (Execute Disable) protection cannot be enabled: non-PAE kernel!\n"
    m = engine.Machine.from_dmesg(text)
    assert not m.config.pae and counts(m)[0] >= BARE[0] - 1
    assert not engine.Machine.from_dmesg(text + "[    0.000000] my notes: PAE later\n").config.pae


def test_pae_read_from_what_only_a_pae_kernel_prints():
    base = "\n".join(l for l in LOG.splitlines() if "max_arch_pfn" not in l and "Linux version" not in l)
    for line in ("[    0.000000] NX (Execute Disable) protection: active",
                 "[    0.000000] Linux version 3.2.0-4-686-pae (debian-kernel@lists.debian.org)"):
        assert engine.Machine.from_dmesg(line + "\n" + base).config.pae, line


def test_nr_cpus_only_from_the_setup_percpu_line():
    prose = "# Gentoo, NR_CPUS:2 in its .config\n" + LOG.replace("setup_percpu: NR_CPUS:", "setup_percpu: x:")
    m = engine.Machine.from_dmesg(prose)
    assert not any("NR_CPUS" in k for k in m.dmesg_facts.config)


def test_kernel_is_refused_for_a_log_with_its_own_version():
    with pytest.raises(ConfigError, match="the log says Linux 6.1"):
        engine.Machine.from_dmesg(LOG, kernel="2.6.24")
    bare = "\n".join(l for l in LOG.splitlines() if "Linux version" not in l)
    assert engine.Machine.from_dmesg(bare, kernel="6.1").config.kernel.startswith("6.1")


def test_a_log_without_its_command_line_says_what_was_assumed():
    """vmalloc=256M moves lowmem (739 MB): without the command line the comparison differs,
    and mmviz says it assumed no vmalloc= (it said nothing)."""
    vm = (Path(__file__).parent / "groundtruth" / "686-1G-vmalloc256M" / "dmesg.txt").read_text()
    bare = "\n".join(l for l in vm.splitlines() if "Kernel command line" not in l)
    m = engine.Machine.from_dmesg(bare)
    assert any(d.startswith("command line: no 'Kernel command line'") for d in m.dmesg_facts.defaults)
    full = engine.Machine.from_dmesg(vm)
    assert not any(d.startswith("command line") for d in full.dmesg_facts.defaults)
    assert counts(full)[0] == counts(full)[1]


def test_overlapping_e820_ranges_are_sanitized_as_the_kernel_does():
    """Usable 1M-1G and 512M-1.5G: one usable range to 1.5G (their union, not their sum); a
    reserved range inside wins over usable (sanitize_e820_map: the highest type number)."""
    from engine.e820 import parse_e820
    m = engine.Machine.boot(e820=[(0, 0x9f000, "usable"), (0x100000, 0x40000000, "usable"),
                                  (0x20000000, 0x60000000, "usable"),
                                  (0x30000000, 0x30100000, "reserved")])
    assert [l for l in m.boot_log if l.startswith("BIOS-e820")][1:] == [
        "BIOS-e820: [mem 0x0000000000100000-0x000000002fffffff] usable",
        "BIOS-e820: [mem 0x0000000030000000-0x00000000300fffff] reserved",
        "BIOS-e820: [mem 0x0000000030100000-0x000000005fffffff] usable"]
    assert [(e.start, e.end, e.type) for e in parse_e820([(0x100000, 0x40000000, "usable"),
                                                          (0x20000000, 0x60000000, "usable")])] == \
        [(0x100000, 0x60000000, "usable")]
    m.check()


def test_an_older_log_without_its_version_is_told_to_give_it():
    """Case 04 (2.6.31) has no 'Linux version' line: read as 6.1, 1 of 45 lines equal; the
    note says its formats are older and --kernel gives the release (44 of 45 then)."""
    case = (Path(__file__).parent / "field_cases" / "04-ubuntu-2.6.31-3G-toshiba-boot.txt").read_text()
    m = engine.Machine.from_dmesg(case)
    assert any("formats are older than 6.1's (Zone PFN ranges)" in d for d in m.dmesg_facts.defaults)
    given = engine.Machine.from_dmesg(case, kernel="2.6.31")
    assert not any(d.startswith("kernel version") for d in given.dmesg_facts.defaults)
    assert counts(given)[0] > counts(m)[0]
    assert not any("older" in d for d in engine.Machine.from_dmesg(
        "\n".join(l for l in LOG.splitlines() if "Linux version" not in l)).dmesg_facts.defaults)


def test_a_log_the_assumed_release_refuses_says_so_not_config():
    """Case 01 (2.6.24) without its 'Linux version' line: its 720 kB fixmap does not fit 6.1,
    and the refusal named --config, which nobody gave; it names the assumed release now."""
    case = (Path(__file__).parent / "field_cases" / "01-ubuntu-2.6.24-2G-vostro-boot.txt").read_text()
    bare = "\n".join(l for l in case.splitlines() if "Linux version" not in l)
    with pytest.raises(ConfigError, match=r"^kernel: the log's lines do not fit Linux 6\.1, assumed"):
        engine.Machine.from_dmesg(bare)
    assert counts(engine.Machine.from_dmesg(bare, kernel="2.6.24"))[0] > 35
