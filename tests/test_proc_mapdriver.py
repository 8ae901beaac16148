"""The seed's map_driver: kernel memory mapped into a process page by page on fault."""
from __future__ import annotations

import pytest

import engine
from engine.mapdriver import GREETING


@pytest.mark.parametrize("pae", [False, True])
def test_map_driver_maps_kernel_pages_on_fault(pae):
    m = engine.Machine.boot(ram="128M", pae=pae)
    drv = m.load_map_driver(3 * 4096)
    p = m.spawn("maptest")
    a = p.mmap(3 * 4096, prot="r--", flags="shared", file="/dev/mapfile")
    assert f"{a:08x}-{a + 3 * 4096:08x} r--s 00000000 " in p.maps()
    assert m.read_virt(a, len(GREETING), p.pid) == GREETING
    kinds = [type(e).__name__ for e in m.events]
    assert "DriverFault" in kinds and "WalkStep" in kinds
    df = next(e for e in m.events if type(e).__name__ == "DriverFault")
    kpfn = m.walk(drv.kaddr).paddr >> 12
    assert df.kaddr == drv.kaddr and df.pfn == kpfn
    assert m.walk(a, p.pid).paddr >> 12 == kpfn              # same frame, two mappings
    assert m.read_virt(a + 4096, 7, p.pid) == b"page 1\n"
    assert m.memmap.mapcount[kpfn] == 1
    m.check()
    with pytest.raises(engine.SegFault):
        m.write_virt(a, b"x", p.pid)                          # mapped read-only
    m.exit(p.pid)
    assert m.memmap.mapcount[kpfn] == 0
    m.check()


def test_map_driver_sigbus_beyond_buffer():
    m = engine.Machine.boot(ram="64M")
    m.load_map_driver(4096)
    p = m.spawn("maptest")
    a = p.mmap(2 * 4096, prot="r--", flags="shared", file="/dev/mapfile")
    log = list(m.kmsg)
    with pytest.raises(engine.SegFault, match="SIGBUS"):
        m.read_virt(a + 4096, 1, p.pid)
    assert m.kmsg == log                 # do_sigbus() logs nothing (no "segfault at" line)
    m.check()
