"""API.md: "Sizes accept ints (bytes) or strings like "160M", "4K", "1G"" -- every call that takes
a size reads a string as boot(ram=) does, and refuses what is no size with a ConfigError (never
Python's own TypeError), changing nothing."""
from __future__ import annotations

import pytest

import engine
from engine.errors import ConfigError


@pytest.fixture(scope="module")
def m():
    return engine.Machine.boot(ram="160M", kernel="2.6.24")


def test_string_sizes_equal_their_byte_counts():
    a, b = engine.Machine.boot(ram="160M"), engine.Machine.boot(ram="160M")
    for mach, k, v, c, n in ((a, "4K", "64K", "1K", "8K"), (b, 4096, 65536, 1024, 8192)):
        mach.kmalloc(k)
        mach.vmalloc(v)
        mach.kmem_cache_create("sized", c)
        p = mach.spawn()
        x = p.mmap(n)
        p.mprotect(x, n, "r--")
        p.munmap(x, n)
        mach.check()
    for f in ("/proc/buddyinfo", "/proc/meminfo", "/proc/slabinfo", "/proc/vmallocinfo", "/proc/1/maps"):
        assert a.proc(f) == b.proc(f), f


@pytest.mark.parametrize("bad", [1.5, None, "lots", [4096], True])
def test_what_is_no_size_is_a_config_error_and_changes_nothing(m, bad):
    p = m.spawn()
    x = p.mmap(8192)
    before = {f: m.proc(f) for f in ("/proc/buddyinfo", "/proc/meminfo", "/proc/slabinfo",
                                     f"/proc/{p.pid}/maps")}
    calls = [lambda: m.kmalloc(bad), lambda: m.vmalloc(bad), lambda: p.mmap(bad),
             lambda: p.munmap(x, bad), lambda: p.mprotect(x, bad, "r--"),
             lambda: m.kmem_cache_create(f"c{id(bad)}", bad)]
    for call in calls:
        with pytest.raises(ConfigError):
            call()
    m.check()
    assert before == {f: m.proc(f) for f in before}
    m.exit(p.pid)
