"""Boot logs and boot arguments as people really give them: edited, captured from a serial
console, of a 2.6 stable release, or of the wrong type -- each boots what the kernel would, or
is one ConfigError line; and the command-line options behave as the kernel's parsers do."""
from __future__ import annotations

from pathlib import Path

import pytest

import engine
from engine.dmesg import strip_prefix

CASES = Path(__file__).parent / "field_cases"
GT = Path(__file__).parent / "groundtruth"


def case(name: str) -> str:
    text = next(CASES.glob(f"{name}*")).read_text()
    return text.split("----\n", 2)[-1]


def equal(m) -> int:
    return sum(p.status == "equal" for p in m.dmesg_comparison)


@pytest.mark.parametrize("edit", [(" 516K init", " 0K init"), ("8807K kernel code", "0K kernel code")])
def test_a_log_with_an_empty_kernel_section_is_refused_in_one_line(edit):
    text = case("08").replace(*edit)
    with pytest.raises(engine.ConfigError, match="the log's kernel image has 0k of"):
        engine.Machine.from_dmesg(text)


def test_an_empty_text_section_in_the_layout_block_is_refused_not_a_crash():
    text = case("01").replace(".text : 0xc0100000 - 0xc0320474   (2177 kB)", ".text : 0xc0100000 - 0xc0100000   (   0 kB)")
    assert ".text : 0xc0100000 - 0xc0100000" in text
    with pytest.raises(engine.ConfigError, match="kernel code"):
        engine.Machine.from_dmesg(text)


def test_a_config_with_no_kernel_code_is_refused():
    for key in ("text_kb", "init_kb"):
        with pytest.raises(engine.ConfigError, match=f"{key} must be 1 kB or more"):
            engine.Machine.boot(ram="1G", config={key: 0})


def test_terminal_control_sequences_and_a_glued_first_line_do_not_hide_a_boot():
    one = engine.Machine.from_dmesg(case("08"))
    lines = case("08").splitlines()
    glued = "\n".join(["Probing EDD (edd=off to disable)... ok\x1bc\x1b[?7l\x1b[2J" + lines[0], *lines[1:]])
    m = engine.Machine.from_dmesg("junk\x1b[2J\x1b]0;title\x07" + case("08") + "\n" + glued)
    assert any("2 boots" in d for d in m.dmesg_facts.defaults)
    assert equal(m) == equal(one) and len(m.dmesg_comparison) == len(one.dmesg_comparison)


def test_the_ground_truth_serial_console_capture_compares_every_line_equal():
    text = (GT / "686-1G" / "console.log").read_text(errors="replace")
    m = engine.Machine.from_dmesg(text)
    assert m.dmesg_comparison and equal(m) == len(m.dmesg_comparison)


@pytest.mark.parametrize("text,match", [(None, "got NoneType"), (123, "got int"),
                                        (b"Linux version 6.1.0", "decode the bytes first"),
                                        ("", "the log is empty"), (" \n\t", "the log is empty")])
def test_what_is_no_log_is_refused(text, match):
    with pytest.raises(engine.ConfigError, match=match):
        engine.Machine.from_dmesg(text)


@pytest.mark.parametrize("kw,match", [({"pae": "no"}, "pae: must be true or false"),
                                      ({"pae": "False"}, "pae: must be true or false"),
                                      ({"nx": 1, "pae": True}, "nx: must be true or false"),
                                      ({"kernel": 3.10}, "must be a release as text"),
                                      ({"kernel": "２.６"}, "is not a version"),
                                      ({"kernel": "3.2.7.1"}, "is not a version")])
def test_boot_arguments_of_the_wrong_kind_are_refused(kw, match):
    with pytest.raises(engine.ConfigError, match=match):
        engine.Machine.boot(ram="1G", **kw)


@pytest.mark.parametrize("release", ["2.6.32.69", "2.6.24.1", "2.6.27.57"])
def test_four_part_2_6_stable_releases_are_releases(release):
    m = engine.Machine.boot(ram="1G", kernel=release)
    assert m.config.flavour.version == tuple(int(x) for x in release.split("."))
    assert m.config.flavour.release == release
    log = engine.Machine.from_dmesg(f"[    0.000000] Linux version {release} (x) #1\n" + case("04"))
    assert log.config.flavour.version == tuple(int(x) for x in release.split("."))


def test_a_version_line_without_a_release_says_so():
    text = case("08").replace("Linux version 6.1.0-rc7-P4", "Linux version garbage")
    m = engine.Machine.from_dmesg(text)
    assert any("names no release ('garbage')" in d for d in m.dmesg_facts.defaults)


def test_mem_0_is_ignored_from_2_6_27_and_takes_all_ram_in_2_6_24():
    m = engine.Machine.boot(ram="1G", cmdline="mem=0")
    plain = engine.Machine.boot(ram="1G")
    assert m.zone("Normal").present == plain.zone("Normal").present
    assert "user-defined physical RAM map:" in m.boot_log          # userdef = 1 before the -EINVAL
    with pytest.raises(engine.ConfigError, match="no usable RAM"):
        engine.Machine.boot(ram="1G", kernel="2.6", cmdline="mem=0")


def test_any_mem_or_memmap_prints_the_user_defined_map():
    m = engine.Machine.boot(ram="1G", cmdline="mem=2G")
    i = m.boot_log.index("user-defined physical RAM map:")
    assert m.boot_log[i + 1].startswith("user: [mem 0x0000000000000000-")
    assert "user-defined physical RAM map:" not in engine.Machine.boot(ram="1G").boot_log


@pytest.mark.parametrize("kernel,ram,highmem,line", [
    ("6.1", "1G", "100G", "only 147MB highmem pages available, ignoring highmem size of 102400MB!"),
    ("6.1", "512M", "1G", "highmem size (1024MB) is bigger than pages available (511MB)!"),
    ("6.1", "512M", "460M", "highmem size (460MB) results in <64MB lowmem, ignoring it!"),
    ("2.6", "1G", "512M", "only 127MB highmem pages available, ignoring highmem size of 512MB."),
    ("2.6", "512M", "1G", "highmem size specified (1024MB) is bigger than pages available (511MB)!."),
    ("2.6", "512M", "460M", "highmem size 460MB results in smaller than 64MB lowmem, ignoring it.")])
def test_highmem_the_kernel_ignores_is_said_as_it_says_it(kernel, ram, highmem, line):
    m = engine.Machine.boot(ram=ram, kernel=kernel, cmdline=f"highmem={highmem}")
    assert line in m.boot_log
    assert not any("highmem size" in l for l in engine.Machine.boot(
        ram=ram, kernel=kernel, cmdline="highmem=64M").boot_log)


def test_a_too_small_machine_made_by_mem_blames_mem():
    with pytest.raises(engine.ConfigError, match=r"^cmdline: mem=15M is too small for this kernel"):
        engine.Machine.boot(ram="1G", cmdline="mem=15M")
    with pytest.raises(engine.ConfigError, match=r"^ram: 20M is too small"):
        engine.Machine.boot(ram="20M")


def test_vmalloc_that_wraps_vmalloc_start_names_the_bug_on_that_trips():
    with pytest.raises(engine.ConfigError, match=r"wraps past 4G to 0x800000; .*high_memory > VMALLOC_START"):
        engine.Machine.boot(ram="1G", kernel="2.6", vmalloc="1M")
    with pytest.raises(engine.ConfigError, match=r"BUG_ON\(VMALLOC_START > VMALLOC_END\)"):
        engine.Machine.boot(ram="1G", kernel="2.6", vmalloc="16M")


def test_vmalloc_0_on_the_command_line_is_zero_not_the_default():
    with pytest.raises(engine.ConfigError, match="a 8M reserve"):              # 0 + VMALLOC_OFFSET
        engine.Machine.boot(ram="1G", cmdline="vmalloc=0")
    assert engine.Machine.boot(ram="1G", vmalloc=0).layout.max_low_pfn == \
        engine.Machine.boot(ram="1G").layout.max_low_pfn                        # the argument's 0: default


def test_a_memory_total_no_ram_size_gives_says_the_default_was_taken():
    m = engine.Machine.from_dmesg("[    0.000000] Memory: 99999999999K/99999999999K available (8807K kernel code, "
                                  "934K rwdata, 2808K rodata, 516K init, 9568K bss, 44052K reserved, "
                                  "0K cma-reserved, 1191880K highmem)\n")
    assert any("no RAM size of QEMU's map gives the Memory line's total (99999999999k): 160M assumed" in d
               for d in m.dmesg_facts.defaults)


def test_the_per_cpu_reason_names_the_release_it_is_about():
    old = engine.Machine.from_dmesg(case("01"))
    mid = engine.Machine.from_dmesg(case("04"), kernel="2.6.31")
    why = lambda m: next(p.why for p in m.dmesg_comparison if p.real.startswith("Memory:"))   # noqa: E731
    assert "2.6.24 prints no 'PERCPU:' line" in why(old)
    assert "no 'PERCPU: Embedded' line in the log" in why(mid) and "2.6.24" not in why(mid)


def test_prefixes_still_strip():
    assert strip_prefix("[    0.000000] Linux version 6.1.0") == "Linux version 6.1.0"


def test_a_walk_into_the_cpu_entry_area_says_mmviz_leaves_it_unmapped(capsys):
    from app.cli_machine import print_walk
    from app.cli_more import walk_record
    m = engine.Machine.boot(ram="1G")
    rec = walk_record(m, m.layout.region_at(0xff400000).start, None, "read")
    assert rec["fault"] is not None and rec["simplified"] == "cpu_entry_area"
    print_walk(rec, "en")
    assert "simplified: mmviz does not map the cpu_entry_area" in capsys.readouterr().out
    assert walk_record(m, 0xc0000000, None, "read")["simplified"] is None
