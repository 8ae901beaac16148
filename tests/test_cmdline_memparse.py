"""The boot command line's sizes as lib/cmdline.c memparse() reads them: simple_strtoull(ptr,
&endptr, 0) -- "0x" hex, a leading 0 octal, else decimal, digits while they belong to the base --
then one suffix (K M G; T P E from 3.15), what follows ignored by mem=, highmem=, vmalloc=
(2.6.24 lib/cmdline.c:129-146, 6.1.0 l.154-179).  The API's sizes (ram="010M") refuse a leading
0 as the command line's --ram does."""
from __future__ import annotations

import pytest

import engine
from engine.cmdline import memparse, parse_cmdline


@pytest.mark.parametrize("text,value,rest", [
    ("010M", 8 << 20, ""), ("0400M", 256 << 20, ""), ("09M", 0, "9M"), ("08", 0, "8"),
    ("0x10M", 16 << 20, ""), ("0X1fK", 0x1F << 10, ""), ("0x", 0, "x"), ("0xg", 0, "xg"),
    ("0", 0, ""), ("512Mfoo", 512 << 20, "foo"), ("1e", 1 << 60, ""), ("abc", 0, "abc"),
    ("0x1e", 0x1E, ""),                                   # 'e' is a hex digit there, no suffix
    ("16E", 0, ""),                                       # unsigned long long wraps
])
def test_memparse(text, value, rest):
    assert memparse(text) == (value, rest)


def test_t_p_e_only_from_3_15():
    assert memparse("1T", "kmg") == (1, "T")
    assert parse_cmdline("vmalloc=1T", engine.config.flavour_for("3.14").memparse_suffixes)["vmalloc"] == 1
    assert parse_cmdline("vmalloc=1T", engine.config.flavour_for("4.1").memparse_suffixes)["vmalloc"] == 1 << 40


@pytest.mark.parametrize("octal,decimal", [("mem=0200M", "mem=128M"), ("mem=0x8000000", "mem=128M"),
                                           ("memmap=020M$0x4000000", "memmap=16M$64M"),
                                           ("highmem=0200M", "highmem=128M"),
                                           ("vmalloc=0400M", "vmalloc=256M"), ("mem=128MB", "mem=128M")])
def test_the_command_line_reads_a_leading_0_as_octal(octal, decimal):
    a = engine.Machine.boot(ram="1G", kernel="6.1", cmdline=octal, seed=1)
    b = engine.Machine.boot(ram="1G", kernel="6.1", cmdline=decimal, seed=1)
    for f in ("/proc/meminfo", "/proc/zoneinfo", "/proc/vmallocinfo"):
        assert a.proc(f) == b.proc(f)
    a.check()


@pytest.mark.parametrize("bad", ["mem=abc", "memmap=16M$0x4000000zz", "memmap=16M$", "memmap=abc"])
def test_no_number_is_refused(bad):
    with pytest.raises(engine.ConfigError):
        engine.Machine.boot(ram="1G", cmdline=bad)


@pytest.mark.parametrize("ram,line", [
    ("010M", "ram: '010M' starts with 0, which C reads as octal: write 8M for octal, 10M for decimal"),
    ("0160M", "ram: '0160M' starts with 0, which C reads as octal: write 112M for octal, 160M for decimal"),
    ("09M", "ram: '09M' starts with 0, which C reads as octal: write 9M"),
])
def test_the_api_refuses_a_leading_0_in_one_line(ram, line):
    with pytest.raises(engine.ConfigError) as err:
        engine.Machine.boot(ram=ram)
    assert str(err.value) == line
    assert engine.parse_size("0x10M") == 16 << 20 and engine.parse_size("0.5G") == 1 << 29
