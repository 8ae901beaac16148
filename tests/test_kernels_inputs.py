"""Build, firmware and command-line inputs; versions as data (engine.kversion)."""
from __future__ import annotations

import pytest

import engine
from engine import ConfigError
from engine.config import flavour_for
from engine.kversion import RULES, parse_version, rule_values


def test_every_rule_names_a_flavour_field_and_a_source():
    fields = set(engine.config.Flavour.__dataclass_fields__)
    for r in RULES:
        assert r.field in fields, r.field
        assert r.source and r.since >= (2, 6, 20)
    # rules of one field are in release order
    for f in {r.field for r in RULES}:
        since = [r.since for r in RULES if r.field == f]
        assert since == sorted(since), f


@pytest.mark.parametrize("text,want", [("2.6.24-19-generic", (2, 6, 24)), ("6.1.0-rc7-P4", (6, 1, 0)),
                                       ("3.16", (3, 16)), ("2.6", (2, 6, 24))])
def test_parse_version(text, want):
    assert parse_version(text) == want


@pytest.mark.parametrize("bad", ["2.4.37", "7.0", "linux", "1.2"])
def test_versions_outside_the_range_are_one_line_errors(bad):
    with pytest.raises(ConfigError):
        engine.Machine.boot(kernel=bad)


def test_aliases_and_versions_agree():
    assert flavour_for("2.6.24") == flavour_for("2.6")
    assert engine.Machine.boot(kernel="2.6.24").config.kernel == "2.6"
    v = rule_values((3, 5))
    assert not v["vmalloc_start_rounded"] and v["e820_low_reserved_kb"] == 64 and not v["managed_pages"]
    assert rule_values((4, 19))["ldt_remap"] and not rule_values((4, 18))["ldt_remap"]


@pytest.mark.parametrize("kernel,lowmem", [("2.6", "896MB"), ("2.6.31", "887MB"), ("4.19", "875MB"),
                                           ("6.1", "875MB")])
def test_lowmem_per_version(kernel, lowmem):
    m = engine.Machine.boot(ram="2G", kernel=kernel)
    assert f"{lowmem} LOWMEM available." in m.boot_log


def test_nr_cpus_moves_lowmem():
    assert "883MB LOWMEM available." in engine.Machine.boot(ram="2G", config={"NR_CPUS": 2}).boot_log
    m = engine.Machine.boot(ram="2G", config={"NR_CPUS": 64}, cpus=64)
    assert m.config.cpus == 64 and m.max_low_pfn < 0x36bfe
    with pytest.raises(ConfigError, match="CONFIG_NR_CPUS"):
        engine.Machine.boot(cpus=33)
    with pytest.raises(ConfigError, match="unknown build option"):
        engine.Machine.boot(config={"NR_CPU": 2})


def test_struct_page_thp_and_highmem64g_options():
    a = engine.Machine.boot(ram="1G", config={"struct_page_size": 32})
    b = engine.Machine.boot(ram="1G")
    assert a.zone("Normal").managed > b.zone("Normal").managed          # smaller mem_map
    assert engine.Machine.boot(ram="1G", config={"THP": False}).min_free_kbytes < b.min_free_kbytes
    assert engine.Machine.boot(ram="1G", config={"HIGHMEM64G": True}).config.pae
    assert engine.Machine.boot(ram="1G", config={"VMSPLIT": "2G"}).layout.page_offset == 0x80000000


def test_e820_as_ranges_and_as_log_lines_give_the_same_machine():
    ranges = [(0, 0x9F000, "usable"), (0x9F000, 0xA0000, "reserved"), (0x100000, 0x7F66D800, "usable")]
    dash = "\n".join([" BIOS-e820: 0000000000000000 - 000000000009f000 (usable)",
                      " BIOS-e820: 000000000009f000 - 00000000000a0000 (reserved)",
                      " BIOS-e820: 0000000000100000 - 000000007f66d800 (usable)"])
    mem = "\n".join(["BIOS-e820: [mem 0x0000000000000000-0x000000000009efff] usable",
                     "BIOS-e820: [mem 0x000000000009f000-0x000000000009ffff] reserved",
                     "BIOS-e820: [mem 0x0000000000100000-0x000000007f66d7ff] usable"])
    ms = [engine.Machine.boot(e820=e, kernel="2.6") for e in (ranges, dash, mem)]
    assert len({m.max_pfn for m in ms}) == 1 and ms[0].max_pfn == 521837
    with pytest.raises(ConfigError):
        engine.Machine.boot(e820="nothing here")


def test_mem_memmap_highmem_vmalloc_on_the_command_line():
    m = engine.Machine.boot(ram="1G", cmdline="mem=256M")
    assert m.max_pfn == 256 << 8
    m = engine.Machine.boot(ram="512M", cmdline="memmap=16M$0x8000000")
    assert m.pfn_zone(0x8000) is None and m.pfn_zone(0x9000) == "Normal"
    m = engine.Machine.boot(ram="512M", cmdline="highmem=128M")
    assert "128MB HIGHMEM available." in m.boot_log
    m = engine.Machine.boot(ram="2G", cmdline="highmem=256M")
    assert m.max_pfn == m.max_low_pfn + (256 << 8)
    m = engine.Machine.boot(ram="1G", cmdline="vmalloc=256M")
    assert m.layout.vmalloc_end - m.layout.vmalloc_start == 256 << 20
    with pytest.raises(ConfigError):
        engine.Machine.boot(cmdline="memmap=banana")


def test_61_non_pae_above_4g_prints_the_end_of_ram_below_4g():
    m = engine.Machine.boot(ram="6G")
    assert "last_pfn = 0xbffe0 max_arch_pfn = 0x100000" in m.boot_log and m.max_pfn == 0xBFFE0
