"""Run accesses of a booted engine.Machine on unicorn (QEMU's x86 MMU) and compare.

The machine's physical memory (every frame the engine wrote) and its control
registers are loaded into a unicorn CPU at CPL 0; one instruction (``mov eax,[ebx]``,
``mov [ebx],ecx`` or ``jmp ebx``) runs from the kernel text, and the result --
translation or #PF with CR2 and error code -- and the page-table bytes afterwards
(Accessed/Dirty bits) must equal what ``m.access`` did.  The error-code offset in
unicorn's saved context is calibrated the same way tests/test_mmu_unicorn.py does.
"""
from __future__ import annotations

import struct

import pytest

from engine import KernelOops

unicorn = pytest.importorskip("unicorn")
from unicorn import UC_ARCH_X86, UC_HOOK_INTR, UC_MODE_32, Uc, UcError  # noqa: E402
from unicorn import x86_const as X  # noqa: E402

MSR_EFER = 0xC000_0080
CODE = {"read": (0x100, b"\x8b\x03"), "write": (0x200, b"\x89\x0b"), "exec": (0x300, b"\xff\xe3")}


class MachineEmu:
    def __init__(self, m) -> None:
        self.m = m
        uc = self.uc = Uc(UC_ARCH_X86, UC_MODE_32)
        # RAM up to the direct map's end: 2.6.24-2.6.26 map the last lowmem PMD whole, over the
        # firmware-reserved top of QEMU's RAM (e820 reserved, still RAM)
        self.ram_top = max(m.max_pfn << 12, m.kernel_pt.direct_map_end())
        uc.mem_map(0, min(self.ram_top, 1 << 32) & ~0xFFF or 0x1000)
        for base in (0xFEC00000, 0xFEE00000):          # IO-APIC, local APIC pages
            if base >= self.ram_top:
                uc.mem_map(base, 0x1000)
        gdt = b"\0" * 8 + struct.pack("<HHBBBB", 0xFFFF, 0, 0, 0x9A, 0xCF, 0) + \
            struct.pack("<HHBBBB", 0xFFFF, 0, 0, 0x92, 0xCF, 0)
        self.gdt_pa = 0x1000                          # pfn 1: firmware area, never an engine frame
        uc.mem_write(self.gdt_pa, gdt)
        uc.reg_write(X.UC_X86_REG_GDTR, (0, self.gdt_pa, len(gdt) - 1, 0))
        uc.reg_write(X.UC_X86_REG_CR0, 1)
        for reg, sel in ((X.UC_X86_REG_CS, 8), (X.UC_X86_REG_SS, 16), (X.UC_X86_REG_DS, 16),
                         (X.UC_X86_REG_ES, 16)):
            uc.reg_write(reg, sel)
        text_pa = m.kernel_image["text"][0]
        self.code_va = m.layout.page_offset + text_pa
        page = bytearray(b"\xf4" * 4096)
        for off, insn in CODE.values():
            page[off:off + len(insn)] = insn
        uc.mem_write(text_pa, bytes(page))
        self.fault = None
        uc.hook_add(UC_HOOK_INTR, self._intr)
        self.clean = uc.context_save()
        self.ec_offset = None

    def _intr(self, uc, intno, _data) -> None:
        self.fault = (intno, uc.reg_read(X.UC_X86_REG_CR2))
        self.ctx = bytes(uc.context_save())
        uc.emu_stop()

    def load_frames(self) -> None:
        for pfn, buf in self.m.frames.frames.items():
            if (pfn << 12) < self.ram_top:
                self.uc.mem_write(pfn << 12, bytes(buf))

    def run(self, kind: str, vaddr: int, marker: int):
        uc, cpu = self.uc, self.m.cpu
        uc.context_restore(self.clean)
        uc.ctl_flush_tb()
        uc.reg_write(X.UC_X86_REG_EBX, vaddr)
        uc.reg_write(X.UC_X86_REG_ECX, marker)
        uc.reg_write(X.UC_X86_REG_EAX, 0)
        uc.msr_write(MSR_EFER, cpu.efer)
        uc.reg_write(X.UC_X86_REG_CR4, cpu.cr4)
        uc.reg_write(X.UC_X86_REG_CR3, cpu.cr3)
        uc.reg_write(X.UC_X86_REG_CR0, cpu.cr0)
        off, insn = CODE[kind]
        start = self.code_va + off
        until = vaddr + 5 if kind == "exec" else start + len(insn)
        self.fault = None
        try:
            uc.emu_start(start, until, count=4)
        except UcError as e:
            return ("error", str(e)), uc.reg_read(X.UC_X86_REG_EAX), None
        return self.fault, uc.reg_read(X.UC_X86_REG_EAX), self.ctx if self.fault else None

    def calibrate(self, unmapped_va: int) -> None:
        """Locate error_code in unicorn's context: kernel read (0) and write (2) faults."""
        snaps = []
        for kind in ("read", "write", "read", "write"):
            fault, _, ctx = self.run(kind, unmapped_va, 0)
            assert fault is not None and fault[0] == 14, fault
            snaps.append((ctx, 2 if kind == "write" else 0))
        n = len(snaps[0][0])
        found = [o for o in range(0, n - 3, 4)
                 if all(struct.unpack_from("<i", c, o)[0] == code for c, code in snaps)]
        # read faults give 0, which many fields hold: keep offsets consistent with both
        assert found, "cannot locate error_code in unicorn's context"
        self.ec_offset = found

    def error_code(self, ctx: bytes) -> int:
        vals = {struct.unpack_from("<i", ctx, o)[0] for o in self.ec_offset}
        return vals

    def compare(self, kind: str, vaddr: int, marker: int) -> str | None:
        """One access on both sides; returns a description of a mismatch or None."""
        m = self.m
        self.load_frames()
        m.flush_tlb()
        try:
            got = m.access(vaddr, kind)
        except KernelOops as oops:          # a kernel-mode #PF with no fixup: the walk it took
            got = oops.access
        mapped = got.fault is None and (got.paddr < self.ram_top or
                                        (got.paddr & ~0xFFF) in (0xFEC00000, 0xFEE00000))
        if mapped and kind != "write":
            data = struct.pack("<BI", 0xB8, marker) if kind == "exec" else struct.pack("<I", marker)
            self.uc.mem_write(got.paddr, data)
        fault, eax, ctx = self.run(kind, vaddr, marker)
        where = f"{kind} {vaddr:#010x}"
        if got.fault is None:
            if fault is not None:
                return f"unicorn faulted {fault}, engine translated to {got.paddr:#x}: {where}"
            if kind != "write" and mapped and eax != marker:
                return f"engine paddr {got.paddr:#x} but unicorn read {eax:#x}: {where}"
            if kind == "write" and mapped and \
                    self.uc.mem_read(got.paddr, 4) != struct.pack("<I", marker):
                return f"unicorn did not write at engine paddr {got.paddr:#x}: {where}"
        else:
            if fault is None or fault[0] != 14:
                return f"engine #PF {got.fault} but unicorn {fault}: {where}"
            if fault[1] != vaddr:
                return f"CR2 {fault[1]:#x}: {where}"
            if got.fault.error_code not in self.error_code(ctx):
                return f"error code engine {got.fault.error_code:#x} unicorn {self.error_code(ctx)}: {where}"
        for pfn in set(m.kernel_pt.table_pfns) | {m.swapper_pg_dir >> 12}:
            mine = m.read_phys(pfn << 12, 4096)
            theirs = bytes(self.uc.mem_read(pfn << 12, 4096))
            if mine != theirs:
                i = next(i for i in range(0, 4096, 4) if mine[i:i + 4] != theirs[i:i + 4])
                return f"table {pfn:#x}+{i:#x}: engine {mine[i:i + 8].hex()} unicorn {theirs[i:i + 8].hex()}: {where}"
        return None
