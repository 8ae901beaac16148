"""memmap= as each release parses it (engine.cmdline, engine.e820 apply_cmdline).

* memmap=N (no kind) limits RAM as mem=N does: 2.6.24 arch/x86/kernel/e820_32.c:951 and
  setup_32.c parse_mem limit_regions(); 2.6.27 arch/x86/kernel/e820.c:1192 and 1236
  e820_remove_range(mem_size, ULLONG_MAX - mem_size, E820_RAM, 1) in both parsers.
* Before 2.6.27 limit_regions() drops every range after the RAM range it cuts (l.828-850).
* mem= and memmap= act in command-line order, then sanitize_e820_map() keeps the highest type
  where ranges overlap (2.6.27 l.1242-1250, 2.6.28 l.339-342).
* memmap=exactmap drops the firmware's map.
* One range per memmap= until 3.9 (3.8.13 l.838-880), a ','-separated list from 3.9 (3.9.6
  l.880-894); before 2.6.27 what follows the range is ignored.
"""
from __future__ import annotations

import pytest

import engine

RELEASES = ["2.6.20", "2.6.24", "2.6.31", "3.8", "3.9", "6.1"]


def _user_map(m):
    i = m.boot_log.index("user-defined physical RAM map:")
    out = []
    for line in m.boot_log[i + 1:]:
        if "user" not in line:
            break
        out.append(line)
    return out


@pytest.mark.parametrize("kernel", RELEASES)
def test_memmap_size_alone_is_mem(kernel):
    a = engine.Machine.boot(ram="1G", kernel=kernel, cmdline="memmap=256M", seed=1)
    b = engine.Machine.boot(ram="1G", kernel=kernel, cmdline="mem=256M", seed=1)
    assert a.max_pfn == b.max_pfn == 256 << 8
    assert _user_map(a) == _user_map(b)
    for f in ("/proc/meminfo", "/proc/zoneinfo", "/proc/buddyinfo"):
        assert a.proc(f) == b.proc(f)
    a.check()


@pytest.mark.parametrize("kernel", RELEASES)
def test_mem_and_memmap_act_in_command_line_order(kernel):
    """RAM added above a limit given before it stays; a limit given after removes it."""
    after = engine.Machine.boot(ram="1G", kernel=kernel, cmdline="mem=128M memmap=64M@512M", seed=1)
    before = engine.Machine.boot(ram="1G", kernel=kernel, cmdline="memmap=64M@512M mem=128M", seed=1)
    assert after.max_pfn == (512 + 64) << 8
    assert before.max_pfn == 128 << 8


@pytest.mark.parametrize("kernel,drops", [("2.6.20", True), ("2.6.26", True), ("2.6.27", False),
                                          ("6.1", False)])
def test_limit_regions_drops_the_ranges_after_the_cut_before_2_6_27(kernel, drops):
    m = engine.Machine.boot(ram="1G", kernel=kernel, cmdline="mem=256M", seed=1)
    fw_above = [e for e in m.boot_state.firmware_e820 if e.start >= 256 << 20]
    assert fw_above and all(e.type == "reserved" for e in fw_above)
    kept = [e for e in m.boot_state.e820 if e.start >= 256 << 20]
    assert (kept == []) is drops and (kept == fw_above) is not drops


@pytest.mark.parametrize("kernel", RELEASES)
def test_exactmap_replaces_the_firmware_map(kernel):
    m = engine.Machine.boot(ram="1G", kernel=kernel, seed=1,
                            cmdline="memmap=exactmap memmap=640K@0 memmap=255M@1M")
    assert [(e.start, e.end, e.type) for e in m.boot_state.e820] == [
        (0, 640 << 10, "usable"), (1 << 20, 256 << 20, "usable")]
    assert m.max_pfn == 256 << 8
    m.check()


@pytest.mark.parametrize("kernel,ranges", [("2.6.24", 1), ("3.8", None), ("3.9", 2), ("6.1", 2)])
def test_a_list_of_ranges_from_3_9(kernel, ranges):
    line = "memmap=16M$0x8000000,16M$0xa000000"
    if ranges is None:              # 2.6.27-3.8: text after the first range is -EINVAL
        with pytest.raises(engine.ConfigError):
            engine.Machine.boot(ram="1G", kernel=kernel, cmdline=line)
        return
    m = engine.Machine.boot(ram="1G", kernel=kernel, cmdline=line, seed=1)
    got = [e for e in m.boot_state.e820 if e.type == "reserved" and e.start in (0x8000000, 0xA000000)]
    assert len(got) == ranges and all(e.end - e.start == 16 << 20 for e in got)
    m.check()


@pytest.mark.parametrize("kernel", ["2.6.27", "3.9", "6.1"])
def test_overlaps_keep_the_highest_type_from_2_6_27(kernel):
    """memmap=64K@0xf0000 over the BIOS's reserved range: sanitize_e820_map() keeps it reserved."""
    m = engine.Machine.boot(ram="1G", kernel=kernel, cmdline="memmap=64K@0xf0000", seed=1)
    assert [e.type for e in m.boot_state.e820 if e.start <= 0xF0000 < e.end] == ["reserved"]
    assert m.boot_state.e820 == m.boot_state.firmware_e820
