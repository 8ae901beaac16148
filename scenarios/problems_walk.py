"""The page-walk problems' machinery: synthetic page tables written into physical frames
and walked by the engine's MMU (``engine.mmu.walk``), the answer and its working as a
student writes them, in English or Chinese, and :func:`exercise`, a textbook exercise typed
in as ``CR3`` plus ``paddr=value`` entries."""
from __future__ import annotations

import re
from typing import Any


class Frames:
    """Physical memory for engine.mmu.walk: pfn -> 4 KB bytearray (absent frames read 0)."""

    def __init__(self) -> None:
        self.frames: dict[int, bytearray] = {}

    def write(self, paddr: int, value: int, size: int) -> None:
        buf = self.frames.setdefault(paddr >> 12, bytearray(4096))
        off = paddr & 0xFFF
        buf[off:off + size] = value.to_bytes(size, "little")

    def read(self, paddr: int, size: int) -> int:
        buf = self.frames.get(paddr >> 12)
        off = paddr & 0xFFF
        return int.from_bytes(buf[off:off + size], "little") if buf is not None else 0


def mmu_walk(frames: Frames, cr3: int, vaddr: int, pae: bool) -> Any:
    from engine.mmu import CpuRegs, walk
    cr4 = 0x20 if pae else 0x10                       # PAE, or PSE
    cpu = CpuRegs(cr0=0x80000001, cr3=cr3, cr4=cr4)
    return walk(frames, cpu, vaddr, "read", user=False, set_ad=False)


# engine.mmu's fault reasons (the same words as the app's widgets.i18n.ENGINE_ZH)
FAULT_REASON_ZH = {"not present": "页不存在", "reserved bit set": "保留位被置位",
                   "user access to supervisor page": "用户态访问内核页",
                   "write to read-only page": "写只读页",
                   "NX: instruction fetch from no-execute page": "NX：从不可执行页取指"}


def walk_answer(text: str, lang: str) -> str:
    """A walk's answer or working (describe_walk()) in ``lang``: "page fault (not present, error
    code 0)" -> "缺页异常（页不存在，错误码 0）", "PDE[0x1] at 0x1000 = 0x3" -> "PDE[0x1] 位于 0x1000
    = 0x3"; any other text (a number, a machine problem's events) as it is."""
    if lang != "zh":
        return text
    gp = re.fullmatch(r"general protection fault at MOV CR3 \((\S+) = (\S+) sets reserved bits (\S+)\)", text)
    if gp:
        return f"MOV CR3 时一般保护异常（{gp.group(1)} = {gp.group(2)} 置了保留位 {gp.group(3)}）"
    found = re.fullmatch(r"page fault \((.*), error code (\d+)\)", text)
    if found:
        why = FAULT_REASON_ZH.get(found.group(1), found.group(1))
        return f"缺页异常（{why}，错误码 {found.group(2)}）"
    return re.sub(r"(\w+\[0x[0-9a-f]+\]) at (0x[0-9a-f]+) = ", r"\1 位于 \2 = ", text).replace("] at ", "] 位于 ") \
        if re.match(r"\w+\[0x", text) else text


def describe_walk(w: Any) -> tuple[str, str]:
    """(answer, working) of an engine Walk."""
    parts = [f"{s.level}[{s.index:#x}] at {s.entry_paddr:#x} = {s.entry:#x}" for s in w.steps]
    if w.fault is not None:
        return (f"page fault ({w.fault.reason}, error code {w.fault.error_code})", "; ".join(parts))
    return (f"{w.paddr:#x}", "; ".join(parts))


def exercise(cr3: int, entries: dict[int, int], vaddr: int, pae: bool = False) -> tuple[str, str]:
    """Walk a typed-in textbook exercise: ``entries`` maps physical addresses to values (ValueError
    for one the entry size cannot hold: 4 bytes and 32-bit addresses, PAE 8 and 36).  With
    PAE, loading CR3 comes first: a present PDPTE with a reserved bit set (R/W or U/S, as in a
    PDE, is one) is a #GP at MOV CR3, before any access (engine.paging.mov_cr3_pdpte_fault)."""
    for paddr, value in entries.items():
        if not (0 <= paddr < 1 << (36 if pae else 32) and 0 <= value < 1 << (64 if pae else 32)):
            raise ValueError(f"{paddr:#x}={value:#x}: " + (
                "PAE entries are 8 bytes: PADDR below 2^36, VALUE below 2^64" if pae else
                "32-bit paging: PADDR and VALUE below 2^32 (--pae for PAE's 8-byte entries)"))
    frames = Frames()
    for paddr, value in entries.items():
        frames.write(paddr, value, 8 if pae else 4)
    if pae:
        from engine.paging import mov_cr3_pdpte_fault
        base = cr3 & 0xFFFF_FFE0
        pdptes = [frames.read(base + 8 * i, 8) for i in range(4)]
        bad = mov_cr3_pdpte_fault(pdptes)
        if bad is not None:
            i, bits = bad
            return (f"general protection fault at MOV CR3 (PDPTE[{i:#x}] = {pdptes[i]:#x} sets reserved "
                    f"bits {bits:#x})", f"PDPTE[{i:#x}] at {base + 8 * i:#x} = {pdptes[i]:#x}")
    return describe_walk(mmu_walk(frames, cr3, vaddr, pae))
