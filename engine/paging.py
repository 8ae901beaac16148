"""x86 paging-structure entry formats (IA-32: 32-bit paging and PAE), in kernel words.

Pure functions and constants: the bit names of arch/x86/include/asm/pgtable_types.h,
encoders for every entry kind the i386 kernel writes (PDE, PTE, 4 MB PSE/PSE-36 PDE,
PAE PDPTE, PAE PDE/PTE, 2 MB PAE PDE), the reserved-bit masks of the SDM (Vol. 3A
§4.3, §4.4, Tables 4-4…4-11) as functions of MAXPHYADDR, ``decode()`` listing every
field of an entry by name for the page-walk pane, and the swap-entry encodings of
pgtable-2level.h / pgtable-3level.h for both kernel flavours ("2.6" and "6.1").
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .page_types import PAGE_SHIFT, PAGE_SIZE  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    from .flavour import Flavour

# --- bit numbers and masks ------------------------------------------------------------
_PAGE_BIT_PRESENT = 0
_PAGE_BIT_RW = 1
_PAGE_BIT_USER = 2
_PAGE_BIT_PWT = 3
_PAGE_BIT_PCD = 4
_PAGE_BIT_ACCESSED = 5
_PAGE_BIT_DIRTY = 6
_PAGE_BIT_PSE = 7            # 4 MB / 2 MB page (PDE)
_PAGE_BIT_PAT = 7            # same bit in a PTE
_PAGE_BIT_GLOBAL = 8
_PAGE_BIT_SOFTW1 = 9
_PAGE_BIT_SOFTW2 = 10
_PAGE_BIT_SOFTW3 = 11
_PAGE_BIT_PAT_LARGE = 12
_PAGE_BIT_NX = 63

_PAGE_PRESENT = 1 << _PAGE_BIT_PRESENT
_PAGE_RW = 1 << _PAGE_BIT_RW
_PAGE_USER = 1 << _PAGE_BIT_USER
_PAGE_PWT = 1 << _PAGE_BIT_PWT
_PAGE_PCD = 1 << _PAGE_BIT_PCD
_PAGE_ACCESSED = 1 << _PAGE_BIT_ACCESSED
_PAGE_DIRTY = 1 << _PAGE_BIT_DIRTY
_PAGE_PSE = 1 << _PAGE_BIT_PSE
_PAGE_PAT = 1 << _PAGE_BIT_PAT
_PAGE_GLOBAL = 1 << _PAGE_BIT_GLOBAL
_PAGE_SOFTW1 = 1 << _PAGE_BIT_SOFTW1
_PAGE_SOFTW2 = 1 << _PAGE_BIT_SOFTW2
_PAGE_SOFTW3 = 1 << _PAGE_BIT_SOFTW3
_PAGE_PAT_LARGE = 1 << _PAGE_BIT_PAT_LARGE
_PAGE_NX = 1 << _PAGE_BIT_NX

# kernel templates (include/asm-x86/pgtable.h, 2.6.24; same values in 6.x)
_PAGE_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY
_KERNPG_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY
__PAGE_KERNEL_EXEC = _PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_GLOBAL
PAGE_KERNEL = __PAGE_KERNEL_EXEC | _PAGE_NX
PAGE_KERNEL_EXEC = __PAGE_KERNEL_EXEC
PAGE_KERNEL_RO = (__PAGE_KERNEL_EXEC & ~_PAGE_RW) | _PAGE_NX
PAGE_KERNEL_LARGE = PAGE_KERNEL | _PAGE_PSE
PAGE_KERNEL_LARGE_EXEC = PAGE_KERNEL_EXEC | _PAGE_PSE
PAGE_NONE = _PAGE_ACCESSED                      # plus _PAGE_PROTNONE (flavour-specific)
PAGE_SHARED = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX
PAGE_SHARED_EXEC = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED
PAGE_COPY = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX
PAGE_COPY_EXEC = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED
PAGE_READONLY = PAGE_COPY
PAGE_READONLY_EXEC = PAGE_COPY_EXEC


def supported_pte_mask(pae: bool, nx: bool, pge: bool = True) -> int:
    """__supported_pte_mask: what the CPU/mode lets the kernel put in an entry."""
    mask = (1 << 64) - 1 if pae else 0xFFFFFFFF
    if not (pae and nx):
        mask &= ~_PAGE_NX
    if not pge:
        mask &= ~_PAGE_GLOBAL
    return mask


def as_flavour(flavour) -> "Flavour":
    """A Flavour from a Flavour or a kernel version string ("2.6", "3.16", "6.1", ...).

    Raises ConfigError ("kernel: ... is not a version") for an unreadable string."""
    if isinstance(flavour, str):
        return _flavour_of(flavour)
    return flavour


@lru_cache(maxsize=64)
def _flavour_of(kernel: str):
    from .flavour import flavour_for
    return flavour_for(kernel)


def protnone_bit(flavour="6.1") -> int:
    """_PAGE_BIT_PROTNONE of a kernel (a Flavour or version string): the bit that keeps a
    PROT_NONE PTE "present" to the kernel while the CPU sees it not present.

    Returns 7 (_PAGE_BIT_PSE) before 2.6.29, 8 (_PAGE_BIT_GLOBAL) since
    (arch/x86/include/asm/pgtable_types.h; Flavour.protnone_bit)."""
    return as_flavour(flavour).protnone_bit


# --- address splitting (pgd_index / pmd_index / pte_index) -----------------------------


def pgdir_shift(pae: bool) -> int:
    return 30 if pae else 22


def pgd_index(vaddr: int, pae: bool) -> int:
    return (vaddr >> 30) & 3 if pae else (vaddr >> 22) & 0x3FF


def pmd_index(vaddr: int) -> int:
    """PAE page-directory index (the pmd level; folded away without PAE)."""
    return (vaddr >> 21) & 0x1FF


def pte_index(vaddr: int, pae: bool) -> int:
    return (vaddr >> 12) & (0x1FF if pae else 0x3FF)


def large_page_size(pae: bool) -> int:
    return (2 << 20) if pae else (4 << 20)


# --- address fields and reserved bits -------------------------------------------------
PAE_ADDR_MASK = 0x000F_FFFF_FFFF_F000       # bits 51:12 (PG_ADDRESS_MASK)


def _bits(lo: int, hi: int) -> int:
    """Mask of bits lo..hi inclusive (empty when hi < lo)."""
    return 0 if hi < lo else ((1 << (hi + 1)) - 1) & ~((1 << lo) - 1)


def pse36_reserved(maxphyaddr: int = 36) -> int:
    """Reserved bits of a 32-bit 4 MB PDE: 21:(M-19) (bits 20:13 carry PA bits 39:32)."""
    return _bits(max(13, min(maxphyaddr, 40) - 19), 21)


def pae_high_reserved(maxphyaddr: int = 36) -> int:
    """Bits 62:M of a PAE entry (SDM: reserved in PDPTE, PDE and PTE)."""
    return _bits(maxphyaddr, 62)


PDPTE_RESERVED_LOW = _bits(1, 2) | _bits(5, 8)   # no R/W, U/S, A, D, PS, G in a PDPTE


def reserved_mask(level: str, pae: bool, large: bool = False, maxphyaddr: int = 36,
                  nxe: bool = False) -> int:
    """Bits that must be 0 in a present entry (SDM), for the given level and mode.

    ``level`` is "PDPTE", "PDE" or "PTE"; ``large`` marks a PDE with PS=1 (and PSE
    enabled for 32-bit paging).  ``nxe``: IA32_EFER.NXE; without it bit 63 is
    reserved in PAE PDEs/PTEs.  A PDPTE never allows bit 63.
    """
    if not pae:
        return pse36_reserved(maxphyaddr) if (level == "PDE" and large) else 0
    mask = pae_high_reserved(maxphyaddr)
    if level == "PDPTE":
        return mask | PDPTE_RESERVED_LOW | _PAGE_NX
    if not nxe:
        mask |= _PAGE_NX
    if level == "PDE" and large:
        mask |= _bits(13, 20)
    return mask


def mov_cr3_pdpte_fault(pdptes: list[int], maxphyaddr: int = 36) -> tuple[int, int] | None:
    """MOV to CR3 with CR4.PAE: the CPU loads the four PDPTEs at CR3 & ~0x1f and raises
    #GP(0) if a present one sets a reserved bit (SDM Vol. 3A 4.4.1: bits 2:1, 8:5, 63:M).
    ``pdptes``: the four 64-bit entries.  Returns (index, the reserved bits set) of the
    first such entry, or None.  (engine.mmu.walk, after QEMU, checks them at walk time.)"""
    mask = reserved_mask("PDPTE", True, maxphyaddr=maxphyaddr)
    return next(((i, e & mask) for i, e in enumerate(pdptes) if e & 1 and e & mask), None)


# --- encoders ---------------------------------------------------------------------------
def _check_aligned(paddr: int, align: int, limit: int) -> None:
    if paddr & (align - 1) or paddr < 0 or paddr >= limit:
        raise ValueError(f"physical address {paddr:#x} not {align:#x}-aligned below {limit:#x}")


def mk_pte(paddr: int, flags: int) -> int:
    """32-bit PTE, or a 32-bit PDE that points to a page table."""
    _check_aligned(paddr, PAGE_SIZE, 1 << 32)
    return paddr | (flags & 0xFFF)


def mk_pde_large(paddr: int, flags: int, maxphyaddr: int = 36) -> int:
    """32-bit 4 MB PDE (PS=1); PA bits (M-1):32 go to bits (M-20):13 (PSE-36)."""
    _check_aligned(paddr, 4 << 20, 1 << maxphyaddr)
    return ((paddr & 0xFFC0_0000) | ((paddr >> 32) << 13)
            | (flags & (0xFFF | _PAGE_PAT_LARGE)) | _PAGE_PSE)


def mk_pdpte(paddr: int, flags: int = _PAGE_PRESENT, maxphyaddr: int = 36) -> int:
    """PAE PDPTE: only P, PWT and PCD (and the 11:9 software bits) are allowed."""
    _check_aligned(paddr, PAGE_SIZE, 1 << maxphyaddr)
    bad = flags & (PDPTE_RESERVED_LOW | _PAGE_NX)
    if bad:
        raise ValueError(f"reserved PDPTE bits {bad:#x}")
    return paddr | (flags & 0xFFF)


def mk_pae_entry(paddr: int, flags: int, maxphyaddr: int = 36) -> int:
    """PAE 64-bit PTE, or a PAE PDE that points to a page table."""
    _check_aligned(paddr, PAGE_SIZE, 1 << maxphyaddr)
    return paddr | (flags & (0xFFF | _PAGE_NX))


def mk_pae_pde_large(paddr: int, flags: int, maxphyaddr: int = 36) -> int:
    """PAE 2 MB PDE (PS=1), PAT in bit 12, NX in bit 63."""
    _check_aligned(paddr, 2 << 20, 1 << maxphyaddr)
    return paddr | (flags & (0xFFF | _PAGE_PAT_LARGE | _PAGE_NX)) | _PAGE_PSE


def entry_addr(entry: int, level: str, pae: bool, large: bool = False,
               maxphyaddr: int = 36) -> int:
    """The physical address an entry points to (table, page or large page base)."""
    if not pae:
        if large:
            high = (entry >> 13) & ((1 << max(0, min(maxphyaddr, 40) - 32)) - 1)
            return (entry & 0xFFC0_0000) | (high << 32)
        return entry & 0xFFFF_F000
    if large:
        return entry & PAE_ADDR_MASK & ~((2 << 20) - 1)
    return entry & PAE_ADDR_MASK


# --- decoding ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Field:
    name: str       # SDM name: "P", "R/W", "U/S", "PWT", "PCD", "A", "D", "PS", "G", "PAT", "NX"
    bit: int
    value: int


@dataclass(frozen=True, slots=True)
class DecodedEntry:
    """Every field of one paging-structure entry, for display."""
    level: str
    pae: bool
    raw: int
    fields: tuple[Field, ...]
    address: int            # what the entry points to (table / page / large page)
    large: bool             # PDE with PS=1 (maps a 4 MB / 2 MB page)
    avail: int              # bits 11:9 (software use)
    reserved: int           # reserved bits that are set (SDM; 0 when all is well)

    def __getitem__(self, name: str) -> int:
        for f in self.fields:
            if f.name == name:
                return f.value
        raise KeyError(name)

    @property
    def present(self) -> bool:
        return bool(self.raw & _PAGE_PRESENT)

    def flag_string(self) -> str:
        """E.g. "P RW US A D G NX": the names of the set 1-bit flags."""
        names = {"R/W": "RW", "U/S": "US"}
        return " ".join(names.get(f.name, f.name) for f in self.fields if f.value)


# the flag bits a lesson names, with the short SDM names the page-walk pane and lessons use
ENTRY_FLAG_BITS = ((_PAGE_BIT_PRESENT, "P"), (_PAGE_BIT_RW, "RW"), (_PAGE_BIT_USER, "US"),
                   (_PAGE_BIT_PWT, "PWT"), (_PAGE_BIT_PCD, "PCD"), (_PAGE_BIT_ACCESSED, "A"),
                   (_PAGE_BIT_DIRTY, "D"), (_PAGE_BIT_PSE, "PS"), (_PAGE_BIT_GLOBAL, "G"),
                   (_PAGE_BIT_NX, "NX"))


def entry_flags(level: str, entry: int) -> str:
    """The set flag bits of a paging entry (int) by their SDM names: ``"P RW A D PS G"``.

    Every set bit is named as the byte holds it (a table PDE's D bit too, which the CPU
    ignores); bit 7 is PS in a PDE and PAT in a PTE; a PDPTE has only P, PWT and PCD.
    ``level``: "PDPTE", "PDE" or "PTE".  Returns "" for an entry with none set."""
    names = []
    for bit, name in ENTRY_FLAG_BITS:
        if not entry >> bit & 1:
            continue
        if level == "PTE" and bit == _PAGE_BIT_PAT:
            name = "PAT"
        if level == "PDPTE" and bit not in (_PAGE_BIT_PRESENT, _PAGE_BIT_PWT, _PAGE_BIT_PCD):
            continue
        names.append(name)
    return " ".join(names)


def decode(entry: int, level: str, pae: bool, pse: bool = True,
           maxphyaddr: int = 36) -> DecodedEntry:
    """Split ``entry`` into named fields; ``level`` in "PDPTE", "PDE", "PTE".

    ``pse`` is CR4.PSE for 32-bit paging: without it a PDE's bit 7 is ignored.
    """
    if level not in ("PDPTE", "PDE", "PTE"):
        raise ValueError(f"unknown level {level!r}")
    if level == "PDPTE" and not pae:
        raise ValueError("PDPTEs exist only with PAE")

    def bit(n: int) -> int:
        return (entry >> n) & 1

    large = level == "PDE" and bool(bit(7)) and (pae or pse)
    fields = [Field("P", 0, bit(0))]
    if level != "PDPTE":
        fields += [Field("R/W", 1, bit(1)), Field("U/S", 2, bit(2))]
    fields += [Field("PWT", 3, bit(3)), Field("PCD", 4, bit(4))]
    if level != "PDPTE":
        fields.append(Field("A", 5, bit(5)))
        if level == "PTE" or large:
            fields.append(Field("D", 6, bit(6)))
        if level == "PDE":
            fields.append(Field("PS", 7, bit(7)))
        if level == "PTE":
            fields.append(Field("PAT", 7, bit(7)))
        if level == "PTE" or large:
            fields.append(Field("G", 8, bit(8)))
        if large:
            fields.append(Field("PAT", 12, bit(12)))
        if pae:
            fields.append(Field("NX", 63, bit(63)))
    rsvd = reserved_mask(level, pae, large, maxphyaddr, nxe=True) & entry
    return DecodedEntry(level, pae, entry, tuple(fields),
                        entry_addr(entry, level, pae, large, maxphyaddr),
                        large, (entry >> 9) & 7, rsvd)


# --- swap entries (arch/x86/include/asm/pgtable-2level.h, pgtable-3level.h) -----------
# Non-PAE: bit 0 (present) clear, type in bits 1..5, offset from SWP_OFFSET_SHIFT up:
#   2.6.2x: _PAGE_BIT_FILE 6 < _PAGE_BIT_PROTNONE 7  -> offset << 8
#   6.1:    _PAGE_BIT_PROTNONE = _PAGE_BIT_GLOBAL 8   -> offset << 9
# PAE 2.6.2x: the swp_entry_t value (type | offset << 5) is the high word; low word 0.
# PAE 6.1 (L1TF inversion, since 4.19): type in bits 63..59, *inverted* offset from
#   bit 9 up: pte = (~offset << 14 >> 5) | type << 59 (64-bit arithmetic).
SWP_TYPE_BITS = 5
_M64 = (1 << 64) - 1


def swp_offset_shift(flavour: "Flavour | str" = "6.1") -> int:
    return protnone_bit(flavour) + 1


def __swp_entry(type_: int, offset: int, pae: bool, flavour: "Flavour | str" = "6.1") -> int:
    """swp_entry_t.val in the arch format (what __swp_type/__swp_offset take apart)."""
    if not 0 <= type_ < (1 << SWP_TYPE_BITS):
        raise ValueError(f"swap type {type_} out of range")
    if pae:
        val = type_ | (offset << SWP_TYPE_BITS)
    else:
        val = (type_ << (_PAGE_BIT_PRESENT + 1)) | (offset << swp_offset_shift(flavour))
    if offset < 0 or val >> 32:
        raise ValueError(f"swap offset {offset:#x} does not fit")
    return val


def __swp_type(val: int, pae: bool, flavour: "Flavour | str" = "6.1") -> int:
    if pae:
        return val & ((1 << SWP_TYPE_BITS) - 1)
    return (val >> (_PAGE_BIT_PRESENT + 1)) & ((1 << SWP_TYPE_BITS) - 1)


def __swp_offset(val: int, pae: bool, flavour: "Flavour | str" = "6.1") -> int:
    if pae:
        return val >> SWP_TYPE_BITS
    return val >> swp_offset_shift(flavour)


def __swp_entry_to_pte(val: int, pae: bool, flavour: "Flavour | str" = "6.1") -> int:
    if not pae:
        return val
    if not as_flavour(flavour).swap_l1tf_inversion:
        return val << 32
    type_, offset = __swp_type(val, True), __swp_offset(val, True)
    shift = swp_offset_shift(flavour) + SWP_TYPE_BITS
    return ((((~offset) << shift) & _M64) >> SWP_TYPE_BITS) | (type_ << (64 - SWP_TYPE_BITS))


def __pte_to_swp_entry(pte: int, pae: bool, flavour: "Flavour | str" = "6.1") -> int:
    if not pae:
        return pte & 0xFFFF_FFFF
    if not as_flavour(flavour).swap_l1tf_inversion:
        return pte >> 32
    shift = swp_offset_shift(flavour) + SWP_TYPE_BITS
    type_ = pte >> (64 - SWP_TYPE_BITS)
    offset = (((~pte) << SWP_TYPE_BITS) & _M64) >> shift
    return __swp_entry(type_, offset, True, flavour)


def swp_pte(type_: int, offset: int, pae: bool, flavour: "Flavour | str" = "6.1") -> int:
    """The PTE value the kernel writes for swap slot (type, offset)."""
    return __swp_entry_to_pte(__swp_entry(type_, offset, pae, flavour), pae, flavour)


def swp_pte_decode(pte: int, pae: bool, flavour: "Flavour | str" = "6.1") -> tuple[int, int]:
    """(type, offset) of a swap PTE."""
    val = __pte_to_swp_entry(pte, pae, flavour)
    return __swp_type(val, pae, flavour), __swp_offset(val, pae, flavour)


def is_swap_pte(pte: int, flavour: "Flavour | str" = "6.1") -> bool:
    """!pte_none && !pte_present (pte_present also accepts PROT_NONE entries)."""
    return pte != 0 and not pte & (_PAGE_PRESENT | (1 << protnone_bit(flavour)))
