"""The kernel's own page tables (swapper_pg_dir as booted) walked by unicorn and by the engine."""
from __future__ import annotations

import random

import pytest

import engine

pytest.importorskip("unicorn")
from machine_unicorn import MachineEmu  # noqa: E402


@pytest.mark.parametrize("kw", [dict(ram="160M"), dict(ram="1G"), dict(ram="1G", pae=True, nx=True),
                                dict(ram="160M", kernel="2.6"), dict(ram="64M", pse=False),
                                dict(ram="160M", kernel="2.6", pae=True, nx=True),
                                dict(ram="160M", kernel="2.6.26", pae=True, nx=True)],
                         ids=["160M", "1G", "pae-nx-1G", "2.6-160M", "64M-nopse", "2.6-pae-nx-160M",
                              "2.6.26-pae-nx-160M"])
def test_kernel_accesses_match_unicorn(kw):
    m = engine.Machine.boot(**kw)
    emu = MachineEmu(m)
    L = m.layout
    emu.load_frames()
    emu.calibrate(L.vmalloc_start + 0x10000)
    rng = random.Random(7)
    ki = m.kernel_image
    picks = [L.page_offset + ki["text"][0] + 0x5000, L.page_offset + ki["data"][0],
             L.high_memory - 4096, L.high_memory, L.vmalloc_start, L.pkmap_base,
             L.fixaddr_top - 3 * 4096, L.fixaddr_top - 5 * 4096, 0x08048000, 0]
    picks += [rng.randrange(L.page_offset, L.high_memory) & ~3 for _ in range(120)]
    picks += [rng.randrange(0, 1 << 32) & ~3 for _ in range(40)]
    n = 0
    for va in picks:
        for kind in ("read", "write", "exec"):
            err = emu.compare(kind, va, rng.getrandbits(32))
            assert err is None, err
            n += 1
    assert n >= 400
    m.check()
