"""The firmware RAM map (BIOS-e820), as QEMU's i440FX PC machine with SeaBIOS gives it.

QEMU (hw/i386/pc_piix.c): with -m >= 3.5G the RAM below 4 GB stops at 3 GB
(gigabyte-aligned split) and the rest is placed from 4 GB up; SeaBIOS keeps
the EBDA at 0x9fc00, the BIOS at 0xf0000-0xfffff, the top 128 KB of low RAM
for its tables, and the flash at 0xfffc0000.
"""
from __future__ import annotations

from dataclasses import dataclass

GB = 1 << 30
E820_RAM, E820_RESERVED = "usable", "reserved"


@dataclass(frozen=True)
class E820Entry:
    start: int
    end: int          # exclusive
    type: str

    def line(self) -> str:
        return f"BIOS-e820: [mem {self.start:#018x}-{self.end - 1:#018x}] {self.type}"


def qemu_pc_e820(ram: int) -> list[E820Entry]:
    below_4g = ram
    if ram >= 0xE0000000:
        below_4g = 0xC0000000
    above_4g = ram - below_4g
    entries = [
        E820Entry(0, 0x9FC00, E820_RAM),
        E820Entry(0x9FC00, 0xA0000, E820_RESERVED),
        E820Entry(0xF0000, 0x100000, E820_RESERVED),
        E820Entry(0x100000, below_4g - 0x20000, E820_RAM),
        E820Entry(below_4g - 0x20000, below_4g, E820_RESERVED),
        E820Entry(0xFFFC0000, 1 << 32, E820_RESERVED),
    ]
    if above_4g:
        entries.append(E820Entry(1 << 32, (1 << 32) + above_4g, E820_RAM))
    return entries


def usable_pfn_ranges(entries: list[E820Entry], max_arch_pfn: int,
                      reserve_page0: bool) -> list[tuple[int, int]]:
    """RAM as whole pages: [PFN_UP(start), PFN_DOWN(end)), page 0 and 640K-1M removed.

    6.x: "e820: update [mem 0x00000000-0x00000fff] usable ==> reserved" and
    "e820: remove [mem 0x000a0000-0x000fffff] usable".
    """
    out = []
    for e in entries:
        if e.type != E820_RAM:
            continue
        s = (e.start + 0xFFF) >> 12
        t = e.end >> 12
        if reserve_page0 and s == 0:
            s = 1
        if s < 0x100 < t and s < 0xA0:
            t = min(t, 0xA0)
        t = min(t, max_arch_pfn)
        if t > s:
            out.append((s, t))
    return out
