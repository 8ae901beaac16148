"""Differential tests of user-mode accesses: engine vs unicorn (QEMU's x86 MMU).

Processes run random traffic -- mmap, munmap, mprotect, fork, writes that break COW,
reclaim that swaps pages out, accesses that swap them back in -- and between steps
one user-mode instruction (``mov eax,[ebx]``, ``mov [ebx],ecx`` or ``jmp ebx``) runs
at CPL 3 from the process's own text page on the process's page tables, in unicorn
and in the engine's MMU (on copies of the same physical memory).  Translation,
#PF (CR2 and error code) and every byte of the process's page tables afterwards
(Accessed/Dirty bits) must agree.  Then the access is replayed on the machine with
the kernel's fault handler, which is what moves the traffic forward.
"""
from __future__ import annotations

import os
import random
import struct

import pytest

pytest.importorskip("unicorn")
from test_mmu_unicorn import OFFSETS, Emu, _calibrate  # noqa: E402

import engine  # noqa: E402
from engine.mmu import Tlb, access  # noqa: E402
from engine.physmem import FrameStore  # noqa: E402

SEED = int(os.environ.get("MMVIZ_SEED", "20240817"))
STEPS = int(os.environ.get("MMVIZ_PROC_CASES", "250"))
CODE_VA = 0x08048000


@pytest.fixture(scope="module")
def emu():
    e = Emu(3)
    _calibrate(e)
    e.uc.mem_map(32 << 20, 32 << 20)            # the machines below have 48 MB
    return e


def _prepare_code(m, pid):
    acc = m.access(CODE_VA, "exec", pid)
    page = acc.paddr & ~0xFFF
    code = bytearray(b"\xf4" * 4096)
    for off, insn in OFFSETS.values():
        code[off:off + len(insn)] = insn
    m.frames.write(page, bytes(code))
    for off, _ in OFFSETS.values():
        m.access(CODE_VA + off, "exec", pid)


def _traffic(m, rng, procs, regions):
    pid = rng.choice(procs)
    p = m.process(pid)
    r = rng.random()
    try:
        if r < 0.2 or not regions[pid]:
            prot = rng.choice(["rw-", "r--", "rwx", "r-x", "---", "rw-"])
            flags = rng.choice(["private|anonymous"] * 3 + ["shared|anonymous"])
            n = rng.randint(1, 12)
            a = p.mmap(n * 4096, prot=prot, flags=flags)
            regions[pid].append((a, n))
        elif r < 0.3:
            a, n = rng.choice(regions[pid])
            k = rng.randrange(n)
            p.munmap(a + k * 4096, rng.randint(1, n - k) * 4096)
        elif r < 0.45:
            a, n = rng.choice(regions[pid])
            k = rng.randrange(n)
            try:
                p.mprotect(a + k * 4096, rng.randint(1, n - k) * 4096,
                           rng.choice(["rw-", "r--", "---", "r-x", "rwx"]))
            except engine.OutOfMemory:
                pass
        elif r < 0.52 and len(procs) < 4:
            c = m.fork(pid)
            procs.append(c)
            regions[c] = list(regions[pid])
        elif r < 0.56 and len(procs) > 1:
            m.exit(pid)
            procs.remove(pid)
            del regions[pid]
        elif r < 0.66:
            m.reclaim()
        else:
            a, n = rng.choice(regions[pid])
            m.write_virt(a + rng.randrange(n * 4096 - 8), rng.randbytes(8), pid)
    except engine.SegFault:
        pass


def _target(m, rng, p, regions):
    if regions and rng.random() < 0.85:
        a, n = rng.choice(regions)
        va = a + rng.randrange(n) * 4096
    elif rng.random() < 0.5:
        v = rng.choice(p.mm.vmas)
        va = v.start + rng.randrange(v.pages) * 4096
    else:
        va = rng.randrange(0x10000, 0xBFFF0000) & ~0xFFF
    return va


@pytest.mark.parametrize("kernel,pae", [("6.1", False), ("6.1", True), ("2.6", False)])
def test_user_accesses_match_unicorn(emu, kernel, pae):
    rng = random.Random(SEED + pae * 7 + (kernel == "2.6") * 13)
    m = engine.Machine.boot(ram="48M", pae=pae, nx=pae, kernel=kernel, swap="16M")
    emu.uc.mem_write(1 << 20, bytes(47 << 20))   # nothing left over from another machine
    p = m.spawn("example")
    _prepare_code(m, p.pid)
    procs, regions = [p.pid], {p.pid: []}
    prev: set[int] = set()
    faults = hits = 0
    for step in range(STEPS):
        _traffic(m, rng, procs, regions)
        pid = rng.choice(procs)
        proc = m.process(pid)
        _prepare_code(m, pid)
        m.switch_to(pid)
        kind = rng.choice(["read", "write", "exec"])
        va = _target(m, rng, proc, regions[pid])
        va |= rng.randrange(0, 0xFF0, 16 if kind == "exec" else 4)
        marker = rng.getrandbits(32)
        # the engine's MMU alone, on a copy of physical memory
        fs = FrameStore(m.frames.limit)
        fs.frames = {pfn: bytearray(b) for pfn, b in m.frames.frames.items()}
        cpu = m.cpu.copy()
        tlb = Tlb(pae=pae)
        code = access(fs, cpu, tlb, CODE_VA + OFFSETS[kind][0], "exec", True)
        assert code.fault is None, code.fault
        got = access(fs, cpu, tlb, va, kind, True)
        # unicorn on the same memory (+ the marker where the engine says the data is)
        frames = {pfn: bytearray(b) for pfn, b in m.frames.frames.items()}
        if got.fault is None and kind != "write":
            data = struct.pack("<BI", 0xB8, marker) if kind == "exec" else struct.pack("<I", marker)
            pfn, off = got.paddr >> 12, got.paddr & 0xFFF
            frames.setdefault(pfn, bytearray(4096))[off:off + len(data)] = data
        zero = bytes(4096)
        for pfn in prev - set(frames):
            emu.uc.mem_write(pfn << 12, zero)
        prev = set(frames)
        fault, eax, ctx = emu.run(frames, m.cpu, CODE_VA, kind, va, marker)
        where = f"step {step} {kernel} pae={pae} pid {pid} {kind} {va:#010x} fault={got.fault}"
        if got.fault is None:
            hits += 1
            assert fault is None, f"unicorn faulted {fault}: {where}"
            if kind == "write":
                assert emu.uc.mem_read(got.paddr, 4) == struct.pack("<I", marker), where
            else:
                assert eax == marker, where
        else:
            faults += 1
            assert fault is not None and fault[0] == 14, f"unicorn {fault}: {where}"
            assert fault[1] == va, where
            assert emu.error_code(ctx) == got.fault.error_code, where
        for pfn in proc.mm.pgd.owned:
            mine = bytes(fs.frames.get(pfn, bytes(4096)))
            theirs = bytes(emu.uc.mem_read(pfn << 12, 4096))
            assert mine == theirs, f"page table {pfn:#x} differs (A/D bits): {where}"
        # the real access, with the kernel's fault handler
        try:
            m.access(va, kind, pid)
        except engine.SegFault:
            pass
        m.check()
    assert faults > STEPS // 20 and hits > STEPS // 20, (faults, hits)
    assert m.swap_state.pswpout > 0 and m.swap_state.pswpin > 0
