"""Differential check of the page tables vmalloc, kmap and kmap_atomic build: after random
allocator traffic, kernel-mode reads of vmalloc pages, guard pages, pkmap and fixmap kmap
slots translate (or fault) identically in the engine's walker and in unicorn, and the
Accessed bits the two set agree byte for byte.  Reuses the harness of test_mmu_unicorn."""
from __future__ import annotations

import random
import struct

import pytest

pytest.importorskip("unicorn")
from test_mmu_unicorn import CODE_PADDR, OFFSETS, Emu, _calibrate, _clear  # noqa: E402

import engine  # noqa: E402
from engine.mmu import Tlb, access  # noqa: E402


@pytest.fixture(scope="module")
def emu():
    e = Emu(0)
    _calibrate(e)
    e.uc.mem_map(32 << 20, (1 << 30) - (32 << 20))       # the rest of a 1 GB machine
    return e


def _traffic(m, rng, state):
    areas, maps, atomics, high = state
    for _ in range(rng.randrange(3, 12)):
        r = rng.random()
        if r < 0.3:
            areas.append(m.vmalloc(rng.randrange(1, 200_000)))
        elif r < 0.45 and areas:
            m.vfree(areas.pop(rng.randrange(len(areas))))
        elif r < 0.65:
            p = rng.choice(high)
            m.kmap(p)
            maps.append(p)
        elif r < 0.75 and maps:
            m.kunmap(maps.pop(rng.randrange(len(maps))))
        elif r < 0.9 and len(atomics) < 6:
            atomics.append(m.kmap_atomic(rng.choice(high)))
        elif atomics:
            m.kunmap_atomic(atomics.pop())
    m.check()


def _targets(m, rng, state):
    areas, maps, atomics, _ = state
    L = m.layout
    out = []
    for a in m.vmap_areas:
        out += [a.start + rng.randrange(a.size - 4096), a.end - 4096]   # a page and the guard
    out += [L.pkmap_base + nr * 4096 for nr, c in enumerate(m.pkmap_count) if c][:6]
    out += [L.pkmap_base + rng.randrange(L.last_pkmap) * 4096 for _ in range(3)]
    out += list(atomics) + [L.fix_to_virt(L.fix_kmap_begin + 15)]
    out += [rng.randrange(L.vmalloc_start, L.vmalloc_end) & ~3 for _ in range(4)]
    return [v | (rng.randrange(0, 4096, 4) if not v & 0xFFF else 0) for v in out]


@pytest.mark.parametrize("pae", [False, True], ids=["2level", "pae"])
def test_kernel_mappings_match_unicorn(emu, pae):
    rng = random.Random(4 + pae)
    m = engine.Machine.boot(ram="1G", pae=pae)
    high = [m.alloc_pages("GFP_HIGHUSER") for _ in range(8)]
    state = ([], [], [], high)
    code_va = m.layout.page_offset + CODE_PADDR
    checked = faults = 0
    for _round in range(6):
        _traffic(m, rng, state)
        for va in _targets(m, rng, state):
            want = m.walk(va)
            marker = rng.getrandbits(32)
            if want.fault is None:
                emu.uc.mem_write(want.paddr, struct.pack("<I", marker))
            before = {pfn: bytes(b) for pfn, b in m.frames.frames.items()}
            fault, eax, ctx = emu.run(before, m.cpu, code_va, "read", va, marker)
            tlb = Tlb(pae=pae)
            assert access(m.frames, m.cpu, tlb, code_va + OFFSETS["read"][0], "exec",
                          False).fault is None
            got = access(m.frames, m.cpu, tlb, va, "read", False)
            where = f"pae={pae} va={va:#x} steps={want.steps}"
            if got.fault is None:
                assert fault is None, f"unicorn faulted {fault}: {where}"
                assert eax == marker and got.paddr == want.paddr, where
            else:
                faults += 1
                assert fault is not None and fault[0] == 14 and fault[1] == va, where
                assert emu.error_code(ctx) == got.fault.error_code, where
            for pfn in m.kernel_pt.pt.table_pfns():
                assert bytes(m.frames.frames.get(pfn, bytes(4096))) == \
                    bytes(emu.uc.mem_read(pfn << 12, 4096)), f"table {pfn:#x}: {where}"
            _clear(emu, m.frames.frames, (want.paddr >> 12,) if want.fault is None else ())
            checked += 1
    assert checked > 60 and 5 < faults < checked
