"""Paging entries and linear addresses as a reader sees them (crash's ``vtop``, the SDM's tables).

One decoder for every display: the page-walk pane and ``mmviz walk`` both print what
these functions say, so a bit has one name everywhere.

- ``address_split(vaddr, pae, large)``: the linear-address fields of the walk that
  translates ``vaddr`` -- 10+10+12, 10+22 (4 MB page), 2+9+9+12, 2+9+21 (2 MB page)
  ([SDM] §4.3, §4.4.2, Figures 4-2 to 4-6).
- ``entry_meaning(entry, level, ...)``: a present entry's set flags in the names the
  lessons use (bit 7 is PS in a PDE and PAT in a PTE; a non-leaf PDE has no D; bit 63
  is NX, the SDM's XD; a PDPTE has only P, PWT, PCD), the address it
  points to; a non-present entry is empty, a swap entry (type and offset in the
  flavour's layout: arch/x86/include/asm/pgtable-2level.h / pgtable-3level.h), or a
  PROT_NONE page (``_PAGE_PROTNONE``: bit 7 on 2.6.2x, bit 8 since 2.6.29).
"""
from __future__ import annotations

from dataclasses import dataclass

from .paging import decode, is_swap_pte, protnone_bit, swp_pte_decode

# the names the lessons, their checks and DecodedEntry.flag_string() use: the SDM's flags with
# R/W and U/S written RW and US, bit 63 by Linux's name NX (the SDM's XD, execute-disable)
SHORT_NAMES = {"R/W": "RW", "U/S": "US"}


def address_split(vaddr: int, pae: bool, large: bool = False) -> tuple[tuple[int, ...], str]:
    """(the index fields and the offset, "10+10+12"-style widths) for this walk."""
    vaddr &= 0xFFFF_FFFF
    if pae:
        if large:
            return (vaddr >> 30, vaddr >> 21 & 0x1FF, vaddr & 0x1F_FFFF), "2+9+21"
        return (vaddr >> 30, vaddr >> 21 & 0x1FF, vaddr >> 12 & 0x1FF, vaddr & 0xFFF), "2+9+9+12"
    if large:
        return (vaddr >> 22, vaddr & 0x3F_FFFF), "10+22"
    return (vaddr >> 22, vaddr >> 12 & 0x3FF, vaddr & 0xFFF), "10+10+12"


def split_text(vaddr: int, pae: bool, large: bool = False) -> str:
    """``[768|0x123|0x456] 10+10+12``: the indices in decimal, the offset in hex."""
    fields, widths = address_split(vaddr, pae, large)
    digits = (int(widths.rsplit("+", 1)[1]) + 3) // 4
    parts = [str(f) for f in fields[:-1]] + [f"{fields[-1]:#0{digits + 2}x}"]
    return f"[{'|'.join(parts)}] {widths}"


@dataclass(frozen=True, slots=True)
class EntryMeaning:
    """What one paging-structure entry means to the CPU and to Linux."""
    level: str                      # "PDPTE", "PDE", "PTE"
    raw: int
    present: bool
    flags: tuple[str, ...]          # set flags: P RW US PWT PCD A D PS PAT G NX
    kind: str                       # "table", "page", "large page", "empty", "swap", "prot_none", "not present"
    address: int | None             # what a present entry points to
    swap: tuple[int, int] | None    # (type, offset) of a swap entry
    reserved: int                   # reserved bits that are set (0 when all is well)

    def text(self) -> str:
        """One line: ``P RW A D PS G NX``; with P = 0 ``swap entry: type 0, offset 0x3``,
        ``PROT_NONE: pfn 0x1234, P = 0``, ``not present (empty)`` or ``not present``."""
        if self.present:
            out = " ".join(self.flags)
            return out + (f"  reserved bits {self.reserved:#x}!" if self.reserved else "")
        if self.kind == "empty":
            return "not present (empty)"
        if self.kind == "swap":
            return f"swap entry: type {self.swap[0]}, offset {self.swap[1]:#x}"
        if self.kind == "prot_none":
            return f"PROT_NONE: pfn {(self.address or 0) >> 12:#x}, P = 0"
        return "not present"


def entry_meaning(entry: int, level: str, pae: bool, pse: bool = True, flavour: "Flavour | str" = "6.1",
                  maxphyaddr: int = 36) -> EntryMeaning:
    """Decode one entry for display; ``pse`` is CR4.PSE, ``flavour`` the kernel ("6.1" / "2.6").

    Raises ValueError for an unknown level or a PDPTE without PAE (as ``paging.decode``)."""
    d = decode(entry, level, pae, pse, maxphyaddr)
    if d.present:
        flags = tuple(SHORT_NAMES.get(f.name, f.name) for f in d.fields if f.value)
        kind = "large page" if d.large else ("page" if level == "PTE" else "table")
        return EntryMeaning(level, entry, True, flags, kind, d.address, None, d.reserved)
    if entry == 0:
        return EntryMeaning(level, entry, False, (), "empty", None, None, 0)
    if level == "PTE" and entry >> protnone_bit(flavour) & 1:
        return EntryMeaning(level, entry, False, (), "prot_none", d.address, None, 0)
    if level == "PTE" and is_swap_pte(entry, flavour):
        return EntryMeaning(level, entry, False, (), "swap", None,
                            swp_pte_decode(entry, pae, flavour), 0)
    return EntryMeaning(level, entry, False, (), "not present", None, None, 0)
