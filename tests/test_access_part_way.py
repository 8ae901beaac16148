"""A CPU access that faults part way is not all or nothing, as on the CPU: the page the first
bytes needed is faulted in (and written), the segfault names the first byte it cannot reach,
and the machine stays consistent.  One that faults at its first byte changes nothing."""
from __future__ import annotations

import pytest

import engine
from engine.errors import SegFault


@pytest.mark.parametrize("kernel", ["2.6.24", "6.1"])
def test_a_store_across_the_end_of_a_mapping(kernel):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    p = m.spawn()
    a = p.mmap(8192, addr=0x50000000, flags="private|anonymous|fixed")      # nothing above it
    with pytest.raises(SegFault, match=f"segfault at {a + 8192:x}"):
        m.write_virt(a + 8190, b"ABCD", pid=p.pid)
    m.check()
    assert m.read_virt(a + 8190, 2, pid=p.pid) == b"AB"      # stored before the fault


@pytest.mark.parametrize("kernel", ["2.6.24", "6.1"])
def test_a_fault_at_the_first_byte_changes_nothing(kernel):
    m = engine.Machine.boot(ram="160M", kernel=kernel)
    p = m.spawn()
    a = p.mmap(8192, addr=0x50000000, flags="private|anonymous|fixed")      # nothing above it
    files = ("/proc/buddyinfo", "/proc/meminfo", f"/proc/{p.pid}/maps")
    before = {f: m.proc(f) for f in files}
    with pytest.raises(SegFault):
        m.read_virt(a + 8192, 4, pid=p.pid)
    m.check()
    assert before == {f: m.proc(f) for f in files}
