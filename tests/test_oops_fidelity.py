"""Kernel-mode faults: the oops line per release, an oops with no process, no state change."""
from __future__ import annotations

import pytest

import engine
from engine.procfs import has_file

PROC = ("/proc/meminfo", "/proc/buddyinfo", "/proc/vmallocinfo")


def _state(m):
    return {path: m.proc(path) for path in PROC if has_file(m, path)}, m.current


@pytest.mark.parametrize("kernel, null, other", [
    ("2.6.24", "BUG: unable to handle kernel NULL pointer dereference at virtual address 00000010",
     "BUG: unable to handle kernel paging request at virtual address {:08x}"),
    ("2.6.31", "BUG: unable to handle kernel NULL pointer dereference at 00000010",
     "BUG: unable to handle kernel paging request at {:08x}"),
    ("4.19", "BUG: unable to handle kernel NULL pointer dereference at 00000010",
     "BUG: unable to handle kernel paging request at {:08x}"),
    ("5.10", "BUG: kernel NULL pointer dereference, address: 00000010",
     "BUG: unable to handle page fault for address: {:08x}"),
    ("6.1", "BUG: kernel NULL pointer dereference, address: 00000010",
     "BUG: unable to handle page fault for address: {:08x}"),
])
def test_oops_first_line_per_release(kernel, null, other):
    """show_fault_oops() (2.6.24 fault_32.c:546; 2.6.26 fault.c:401; 5.0+ decoded lines)."""
    m = engine.Machine.boot(ram="64M", kernel=kernel)
    bad = m.layout.vmalloc_start + 0x1000
    with pytest.raises(engine.KernelOops) as e:
        m.read_virt(0x10, 4)
    assert str(e.value) == null
    with pytest.raises(engine.KernelOops) as e:
        m.access(bad, "write")
    assert str(e.value) == other.format(bad)
    assert [type(x).__name__ for x in m.events][-1] == "Oops"
    m.check()


@pytest.mark.parametrize("kernel", ["2.6", "6.1"])
def test_kernel_access_without_a_process_is_an_oops_that_changes_nothing(kernel):
    m = engine.Machine.boot(ram="64M", kernel=kernel)
    p = m.spawn("example")
    m.access(0x08048000, "read", p.pid)          # p runs
    before = _state(m)
    for va, kind in ((0, "read"), (m.layout.vmalloc_start, "write"), (m.layout.vmalloc_start - 4096, "exec")):
        with pytest.raises(engine.KernelOops) as e:
            m.access(va, kind)
        assert e.value.access.fault is not None and e.value.access.paddr is None
        assert _state(m) == before                # /proc and the running task unchanged
        assert m.kmsg[-1].startswith("Oops: ")    # the log has the oops (engine.kmsg.failure_lines)
        m.check()
    assert m.access(m.layout.page_offset + 0x100000).fault is None


def test_kernel_access_in_a_process_restores_the_task_that_ran():
    m = engine.Machine.boot(ram="64M", kernel="2.6")
    a, b = m.spawn("a"), m.spawn("b")
    m.access(0x08048000, "read", a.pid)
    with pytest.raises(engine.KernelOops):
        m.access(m.layout.vmalloc_start, "read", b.pid, user=False)
    assert m.current == a.pid
    m.check()


def test_read_phys_reads_ones_where_no_firmware_range_is():
    """RAM and e820-reserved ranges: their contents (zeros where mmviz holds nothing);
    a physical hole (640K-960K here, above the RAM): 0xff, and nothing changes."""
    m = engine.Machine.boot(ram="64M")
    before = _state(m)
    assert m.read_phys(0xA0000, 16) == b"\xff" * 16              # VGA hole: no e820 range
    assert m.read_phys(0x9FFF8, 16) == bytes(8) + b"\xff" * 8    # reserved EBDA, then the hole
    top = 64 << 20
    assert m.read_phys(top - 8, 16) == bytes(8) + b"\xff" * 8    # e820-reserved RAM top, then nothing
    assert m.read_phys(0x1 << 33, 4) == b"\xff" * 4
    sd = m.swapper_pg_dir
    assert m.read_phys(sd, 4096) == m.frames.read(sd, 4096)
    assert _state(m) == before
    m.check()
