"""Differential tests: engine.mmu's walker against unicorn (QEMU's x86 MMU).

Random page-table states are built with PageTables in a FrameStore (32-bit paging
with 4 KB and 4 MB/PSE-36 pages, PAE with 4 KB and 2 MB pages; random P/RW/US/PWT/
PCD/A/D/G/NX bits, occasional reserved bits), copied into unicorn's physical memory,
and one instruction runs at CPL 0 or CPL 3: ``mov eax,[ebx]``, ``mov [ebx],ecx`` or
``jmp ebx`` (the target holds ``mov eax, imm32``).  Both sides must agree on the
physical address (a per-case marker value), or on #PF with the same CR2 and error
code, and every page-table frame must be byte-identical afterwards (A/D bits).

Unicorn does not deliver exceptions through the IDT: the interrupt hook gets the
vector only.  The error code lives in CPUX86State.error_code, which we read from a
CPU context saved inside the interrupt hook; its offset is found once per run by calibration with faults whose
error codes are beyond doubt (not-present read/write, kernel/user).  After a #PF the
CPU context is restored, otherwise QEMU's ``old_exception`` turns the next #PF into
a double fault.  QEMU's MAXPHYADDR is 40 (TCG_PHYS_ADDR_BITS), so the model runs
with ``maxphyaddr=40``.
"""
from __future__ import annotations

import os
import random
import struct

import pytest

unicorn = pytest.importorskip("unicorn")
from unicorn import UC_ARCH_X86, UC_HOOK_INTR, UC_MODE_32, Uc, UcError  # noqa: E402
from unicorn.x86_const import (UC_X86_REG_CR0, UC_X86_REG_CR3, UC_X86_REG_CR4,  # noqa: E402
                               UC_X86_REG_CS, UC_X86_REG_DS, UC_X86_REG_EAX,
                               UC_X86_REG_EBX, UC_X86_REG_ECX, UC_X86_REG_ES,
                               UC_X86_REG_ESP, UC_X86_REG_GDTR, UC_X86_REG_SS)

from engine.mmu import (EFER_NXE, X86_CR0_PE, X86_CR0_PG, X86_CR0_WP,  # noqa: E402
                        X86_CR4_PAE, X86_CR4_PGE, X86_CR4_PSE, CpuRegs, Tlb, access)
from engine.paging import PAE_ADDR_MASK  # noqa: E402
from engine.physmem import FrameStore  # noqa: E402
from engine.pgtable import PageTables  # noqa: E402

SEED = int(os.environ.get("MMVIZ_SEED", "20240817"))
CASES_PER_CPL = int(os.environ.get("MMVIZ_CASES", "5000"))
MSR_EFER = 0xC000_0080
MAXPHYADDR = 40
CODE_PADDR = 0x5000
OFFSETS = {"read": (0x100, b"\x8b\x03"), "write": (0x200, b"\x89\x0b"),
           "exec": (0x300, b"\xff\xe3")}
TABLE_POOL = (0x0010_0000 >> 12, 0x0100_0000 >> 12)   # 1 MB .. 16 MB
LOW_DATA = 0x0100_0000                                # 16 MB .. 32 MB
HIGH_DATA = (0x1_0000_0000, 0xFF_FFC0_0000)           # 4 MB each; bits 32..39
LARGE_BASES = (LOW_DATA, LOW_DATA + (4 << 20), LOW_DATA + (8 << 20)) + HIGH_DATA


def _gdt_entry(access_byte: int) -> bytes:
    """Flat 4 GB segment, 32-bit, page granular."""
    return struct.pack("<HHBBBB", 0xFFFF, 0, 0, access_byte, 0xCF, 0)


class Emu:
    """One unicorn CPU parked at CPL 0 or CPL 3 with paging off; run() does one case."""

    def __init__(self, cpl: int) -> None:
        uc = self.uc = Uc(UC_ARCH_X86, UC_MODE_32)
        uc.mem_map(0, 32 << 20)
        for base in HIGH_DATA:
            uc.mem_map(base, 4 << 20)
        gdt = b"\0" * 8 + b"".join(_gdt_entry(a) for a in (0x9A, 0x92, 0xFA, 0xF2))
        uc.mem_write(0x1000, gdt)
        uc.reg_write(UC_X86_REG_GDTR, (0, 0x1000, len(gdt) - 1, 0))
        uc.reg_write(UC_X86_REG_CR0, X86_CR0_PE)
        for reg, sel in ((UC_X86_REG_CS, 0x08), (UC_X86_REG_SS, 0x10),
                         (UC_X86_REG_DS, 0x23), (UC_X86_REG_ES, 0x23)):
            uc.reg_write(reg, sel)
        if cpl == 3:   # far return to an outer level: push ss, esp, cs, eip; retf
            uc.mem_write(0x2000, b"\x6a\x23\x68" + struct.pack("<I", 0x3F00)
                         + b"\x6a\x1b\x68" + struct.pack("<I", 0x2100) + b"\xcb")
            uc.reg_write(UC_X86_REG_ESP, 0x3000)
            uc.emu_start(0x2000, 0x2100)
        assert uc.reg_read(UC_X86_REG_CS) & 3 == cpl
        code = bytearray(b"\xf4" * 4096)
        for off, insn in OFFSETS.values():
            code[off:off + len(insn)] = insn
        uc.mem_write(CODE_PADDR, bytes(code))
        self.cpl = cpl
        self.fault: tuple[int, int] | None = None
        uc.hook_add(UC_HOOK_INTR, self._intr)
        self.clean = uc.context_save()
        self.ec_offset: int | None = None

    def _intr(self, uc, intno, _data) -> None:
        # The context must be saved inside the hook: after an instruction-fetch fault
        # unicorn clears env->error_code again before emu_start returns.
        self.fault = (intno, uc.reg_read(unicorn.x86_const.UC_X86_REG_CR2))
        self.ctx = bytes(uc.context_save())
        uc.emu_stop()

    def run(self, frames: dict, cpu: CpuRegs, code_va: int, kind: str, vaddr: int,
            marker: int):
        """Load frames and registers, execute; returns (fault, eax, context bytes)."""
        uc = self.uc
        uc.context_restore(self.clean)
        for pfn, buf in frames.items():
            uc.mem_write(pfn << 12, bytes(buf))
        uc.ctl_flush_tb()
        uc.reg_write(UC_X86_REG_EBX, vaddr)
        uc.reg_write(UC_X86_REG_ECX, marker)
        uc.reg_write(UC_X86_REG_EAX, 0)
        uc.msr_write(MSR_EFER, cpu.efer)
        uc.reg_write(UC_X86_REG_CR4, cpu.cr4)
        uc.reg_write(UC_X86_REG_CR3, cpu.cr3)
        uc.reg_write(UC_X86_REG_CR0, cpu.cr0)
        off, insn = OFFSETS[kind]
        start = code_va + off
        until = vaddr + 5 if kind == "exec" else start + len(insn)
        self.fault = None
        try:
            uc.emu_start(start, until, count=4)
        except UcError as e:          # e.g. executing garbage after a wrong translation
            return ("error", str(e)), uc.reg_read(UC_X86_REG_EAX), None
        return self.fault, uc.reg_read(UC_X86_REG_EAX), self.ctx if self.fault else None

    def error_code(self, ctx: bytes) -> int:
        return struct.unpack_from("<i", ctx, self.ec_offset)[0]


class Case:
    """A random page-table state, CPU mode and access, built on the model side."""

    def __init__(self, rng: random.Random, cpl: int, next_pfn) -> None:
        self.rng, self.user = rng, cpl == 3
        r = rng.random
        self.pae = r() < 0.5
        pse = self.pae or r() < 0.8
        nxe = r() < 0.7
        self.cpu = CpuRegs(
            cr0=X86_CR0_PE | X86_CR0_PG | (X86_CR0_WP if r() < 0.5 else 0),
            cr4=(X86_CR4_PSE if pse else 0) | (X86_CR4_PAE if self.pae else 0)
            | (X86_CR4_PGE if r() < 0.5 else 0),
            efer=EFER_NXE if nxe else 0, maxphyaddr=MAXPHYADDR)
        self.fs = FrameStore(1 << MAXPHYADDR)
        self.pt = PageTables(self.fs, self.pae, next_pfn, maxphyaddr=MAXPHYADDR)
        self.cpu.cr3 = self.pt.cr3
        self.kind = rng.choice(("read", "write", "exec"))
        top_shift = 30 if self.pae else 22
        slots = rng.sample(range(4 if self.pae else 1024), 2)
        span = 1 << top_shift
        self.code_va = (slots[0] << top_shift) + (rng.randrange(span) & ~0xFFF)
        self.vaddr = (slots[1] << top_shift) + (rng.randrange(span) & ~0xFFF)
        self.vaddr |= rng.randrange(0, 0xFF0, 16 if self.kind == "exec" else 4)
        self.large = pse and r() < 0.35
        self._map_code()
        self._map_data(pse)

    def _flags(self, final: bool) -> int:
        r = self.rng.random
        f = 1 if r() < 0.93 else 0
        for bit, p in ((1, 0.6), (2, 0.6), (3, 0.2), (4, 0.2), (5, 0.5), (6, 0.5),
                       (8, 0.3), (9, 0.2), (10, 0.2), (11, 0.2)):
            if r() < p:
                f |= 1 << bit
        if self.pae and r() < (0.3 if self.cpu.efer & EFER_NXE else 0.04):
            f |= 1 << 63
        if r() < 0.05:
            f |= 1 << self._odd_bit(final)
        return f

    def _odd_bit(self, final: bool) -> int:
        """A bit the SDM or QEMU reserve (or that QEMU ignores) at this level."""
        rng = self.rng
        if not self.pae:
            return 21 if (self.large and final) else rng.randrange(9, 12)
        choices = list(range(40, 63))
        if self.large and final:
            choices += list(range(13, 21))
        return rng.choice(choices)

    def _map_code(self) -> None:
        rng, pt, pae = self.rng, self.pt, self.pae
        flags = 1 | rng.choice((0, 2)) | rng.choice((0, 0x20, 0x60)) | rng.choice((0, 0x100))
        if self.user or rng.random() < 0.5:
            flags |= 4
        pt.map_page(self.code_va, CODE_PADDR, flags)
        pde_pa = pt.pde_paddr(self.code_va)
        pde = pt.read_entry(pde_pa) & ~0x27 | 1 | rng.choice((0, 2)) | rng.choice((0, 0x20))
        pt.set_entry(pde_pa, pde | (4 if flags & 4 else rng.choice((0, 4))))
        if pae:
            top = pt.root + ((self.code_va >> 30) << 3)
            pt.set_entry(top, pt.read_entry(top) | rng.choice((0, 8, 0x10)))

    def _map_data(self, pse: bool) -> None:
        rng, pt, pae = self.rng, self.pt, self.pae
        va = self.vaddr
        size = (2 << 20) if pae else (4 << 20)
        if self.large:
            base = rng.choice(LARGE_BASES if pae or rng.random() < 0.5 else LARGE_BASES[:3])
            base += rng.randrange(0, 4 << 20, size)
            pt.map_large(va & ~(size - 1), base, 0x80)
            self.paddr_expect = base + (va & (size - 1))
            pde_pa = pt.pde_paddr(va)
            addr_mask = (PAE_ADDR_MASK & ~0x1F_FFFF) if pae else 0xFFC0_0000 | 0x3F_E000
            pde = pt.read_entry(pde_pa) & addr_mask | self._flags(final=True) | 0x80
            pde |= rng.choice((0, 0x1000))                         # PAT of a large page
        else:
            if pae and rng.random() < 0.25:
                frame = rng.choice(HIGH_DATA) + rng.randrange(0, 4 << 20, 4096)
            else:
                frame = LOW_DATA + rng.randrange(0, 16 << 20, 4096)
            pt.map_page(va, frame, 1)
            self.paddr_expect = frame + (va & 0xFFF)
            pte_pa = pt.pte_paddr(va)
            addr_mask = PAE_ADDR_MASK if pae else 0xFFFF_F000
            pt.set_entry(pte_pa, pt.read_entry(pte_pa) & addr_mask | self._flags(final=True))
            pde_pa = pt.pde_paddr(va)
            pde = pt.read_entry(pde_pa) & addr_mask | self._flags(final=False) & ~0x80
            if not pae and not pse and rng.random() < 0.3:
                pde |= 0x80            # PS with CR4.PSE=0: ignored, still a table
        pt.set_entry(pde_pa, pde)
        if pae:
            top = pt.root + ((va >> 30) << 3)
            e = pt.read_entry(top) | rng.choice((0, 8, 0x10, 0x200))
            if rng.random() < 0.05:
                e &= ~1
            if rng.random() < 0.06:
                e |= 1 << rng.choice([1, 2, 5, 6, 7, 8] + list(range(40, 64)))
            pt.set_entry(top, e)


class PoolAllocator:
    def __init__(self) -> None:
        self.next = TABLE_POOL[0]

    def __call__(self) -> int:
        pfn = self.next
        self.next = pfn + 1 if pfn + 1 < TABLE_POOL[1] else TABLE_POOL[0]
        return pfn


@pytest.fixture(scope="module", params=[0, 3], ids=["cpl0", "cpl3"])
def emu(request) -> Emu:
    e = Emu(request.param)
    _calibrate(e)
    return e


def _calibrate(emu: Emu) -> None:
    """Find CPUX86State.error_code in the saved context with unambiguous faults."""
    alloc, snaps = PoolAllocator(), []
    for kind, present in (("read", False), ("write", False), ("write", True),
                          ("read", False), ("write", True), ("write", False)):
        fs = FrameStore(1 << 32)
        pt = PageTables(fs, False, alloc)
        pt.map_page(0x0040_0000, CODE_PADDR, 0x27)
        if present:
            pt.map_page(0x0080_0000, LOW_DATA, 0x25)       # user, read-only
        cpu = CpuRegs(cr0=X86_CR0_PE | X86_CR0_PG | X86_CR0_WP, cr3=pt.cr3)
        fault, _, ctx = emu.run(fs.frames, cpu, 0x0040_0000, kind, 0x0080_0000, 0)
        assert fault is not None and fault[0] == 14, fault
        code = (2 if kind == "write" else 0) | (1 if present else 0) | (4 if emu.cpl else 0)
        snaps.append((ctx, code))
        _clear(emu, fs.frames)
    n = len(snaps[0][0])
    found = [off for off in range(0, n - 3, 4)
             if all(struct.unpack_from("<i", c, off)[0] == code for c, code in snaps)]
    assert len(found) == 1, f"cannot locate error_code in unicorn's context: {found}"
    emu.ec_offset = found[0]


def _clear(emu: Emu, frames: dict, extra: tuple = ()) -> None:
    zero = bytes(4096)
    for pfn in list(frames) + list(extra):
        emu.uc.mem_write(pfn << 12, zero)


def test_walker_matches_unicorn(emu: Emu) -> None:
    rng = random.Random(SEED * 10 + emu.cpl)
    alloc = PoolAllocator()
    faults = 0
    for n in range(CASES_PER_CPL):
        case = Case(rng, emu.cpl, alloc)
        marker = rng.getrandbits(32)
        pa = case.paddr_expect
        data = struct.pack("<BI", 0xB8, marker) if case.kind == "exec" else struct.pack("<I", marker)
        emu.uc.mem_write(pa, data)
        frames_before = {pfn: bytes(b) for pfn, b in case.fs.frames.items()}
        fault, eax, ctx = emu.run(frames_before, case.cpu, case.code_va, case.kind,
                                  case.vaddr, marker)
        tlb = Tlb(pae=case.pae)
        code = access(case.fs, case.cpu, tlb, case.code_va + OFFSETS[case.kind][0], "exec",
                      case.user)
        assert code.fault is None, code.fault
        got = access(case.fs, case.cpu, tlb, case.vaddr, case.kind, case.user)
        where = (f"seed={SEED} cpl={emu.cpl} case={n} pae={case.pae} cr0={case.cpu.cr0:#x} "
                 f"cr4={case.cpu.cr4:#x} efer={case.cpu.efer:#x} {case.kind} "
                 f"va={case.vaddr:#x} steps={got.walk.steps if got.walk else None}")
        if got.fault is None:
            assert fault is None, f"unicorn faulted {fault}, model did not: {where}"
            assert got.paddr == pa, where
            if case.kind == "write":
                assert emu.uc.mem_read(pa, 4) == struct.pack("<I", marker), where
            else:
                assert eax == marker, f"eax={eax:#x} marker={marker:#x}: {where}"
        else:
            faults += 1
            assert fault is not None and fault[0] == 14, f"unicorn {fault} model {got.fault}: {where}"
            assert fault[1] == case.vaddr, where
            assert emu.error_code(ctx) == got.fault.error_code, (
                f"error code unicorn={emu.error_code(ctx):#x} model={got.fault.error_code:#x} "
                f"({got.fault.reason}): {where}")
        for pfn, buf in case.fs.frames.items():
            mine = bytes(buf)
            theirs = bytes(emu.uc.mem_read(pfn << 12, 4096))
            if mine != theirs:
                diff = next(i for i in range(0, 4096, 4) if mine[i:i + 8] != theirs[i:i + 8])
                raise AssertionError(
                    f"table frame {pfn:#x}+{diff:#x}: model {mine[diff:diff + 8].hex()} "
                    f"unicorn {theirs[diff:diff + 8].hex()}: {where}")
        _clear(emu, case.fs.frames, (pa >> 12,))
    # the random mix must exercise both outcomes a fair amount
    assert CASES_PER_CPL // 10 < faults < CASES_PER_CPL * 9 // 10, faults
