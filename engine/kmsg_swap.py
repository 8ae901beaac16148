"""What the kernel says when it frees a swap entry that names no used swap slot: the
complaint of swap_info_get() (mm/swapfile.c) in the release's words, and whether the caller
goes on to print_bad_pte() (mm/memory.c zap_pte_range(), 2.6.29 on); and what fork says when
copy_one_pte() duplicates such an entry: swap_duplicate()'s (swap_dup_complaint()).

The kernel takes the PTE apart into a swp_entry_t (pte_to_swp_entry(): the arch format's type
and offset, put back together as ``type << SWP_TYPE_SHIFT | offset``, the value it prints with
``%08lx``), then checks, in this order (2.6.24 mm/swapfile.c:240-266, 6.1.0 l.1132-1161):

* ``!entry.val``: no message, NULL (so 2.6.29+ print_bad_pte());
* the type is not a swap area (``type >= nr_swapfiles``): "Bad swap file entry ";
* the area is not in use: "Unused swap file entry " (mmviz has no swapoff: never);
* ``offset >= p->max``: "Bad swap offset entry ";
* ``!p->swap_map[offset]``: "Unused swap offset entry ".

Slot 0 (the header) passes: its swap_map count is SWAP_MAP_BAD, which swap_entry_free() leaves
alone, so the kernel frees it silently.  Not modelled: non_swap_entry() (6.1 free_swap_and_cache()
returns 1 for migration/hwpoison types before any check) and 2.6.x's pte_file() entries (skipped
by zap_pte_range()); mmviz takes every non-present PTE for a swap entry.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .machine import Machine

_M64 = (1 << 64) - 1

# swap_info_get()'s four complaints (2.6.24 mm/swapfile.c:40-43, 6.1.0 l.71-74)
BAD_FILE, UNUSED_FILE = "Bad swap file entry ", "Unused swap file entry "
BAD_OFFSET, UNUSED_OFFSET = "Bad swap offset entry ", "Unused swap offset entry "


def swp_entry_of_pte(m: Machine, pte: int) -> tuple[int, int, int]:
    """(entry.val, swp_type, swp_offset) of the generic swp_entry_t pte_to_swp_entry() makes of
    non-present PTE ``pte``: the i386 arch entry (non-PAE: the PTE's low word, type in bits 1-5,
    offset above _PAGE_BIT_PROTNONE; PAE: the high word, or from 4.19 the L1TF-inverted offset
    with the type in bits 59-63; a 32-bit swp_entry_t either way), then swp_entry(type, offset)
    with the release's SWP_TYPE_SHIFT (Flavour.swp_entry_offset_bits).  Raises nothing."""
    from .paging import SWP_TYPE_BITS, swp_offset_shift
    fl, tmask = m.config.flavour, (1 << SWP_TYPE_BITS) - 1
    if not m.config.pae:
        arch = pte & 0xFFFF_FFFF
        type_, offset = (arch >> 1) & tmask, arch >> swp_offset_shift(fl)
    else:
        if fl.swap_l1tf_inversion:
            shift = swp_offset_shift(fl) + SWP_TYPE_BITS
            arch = ((pte >> (64 - SWP_TYPE_BITS)) | ((((~pte) << SWP_TYPE_BITS) & _M64) >> shift)
                    << SWP_TYPE_BITS) & 0xFFFF_FFFF
        else:
            arch = (pte >> 32) & 0xFFFF_FFFF
        type_, offset = arch & tmask, arch >> SWP_TYPE_BITS
    bits = fl.swp_entry_offset_bits
    val = ((type_ << bits) | (offset & ((1 << bits) - 1))) & 0xFFFF_FFFF
    return val, val >> bits, val & ((1 << bits) - 1)


def swap_complaint(m: Machine, pte: int) -> tuple[str | None, bool]:
    """(the line swap_info_get() prints for swap PTE ``pte`` or None, True if it returns NULL)
    in the release's words (rule log_swap_info_get): "swap_free: Bad swap file entry 08000000"
    before 4.11, "swap_info_get: ..." from 4.11, "__swap_info_get: ..." from 5.12 (the unused
    offset still "_swap_info_get: ..."), "_swap_info_get: ..." from 5.19.  A NULL makes
    2.6.29+ zap_pte_range() call print_bad_pte() (rule swap_bad_pte)."""
    val, type_, offset = swp_entry_of_pte(m, pte)
    if not val:
        return None, True
    sw = m.swap_state
    nr_swapfiles = 1 if sw.nr_slots else 0
    if type_ >= nr_swapfiles:
        what = BAD_FILE
    elif offset >= sw.nr_slots:
        what = BAD_OFFSET
    elif offset and not sw.swap_map[offset]:
        what = UNUSED_OFFSET
    else:
        return None, False                   # a used slot, or the header (SWAP_MAP_BAD)
    func = m.config.flavour.log_swap_info_get
    if func == "split":                      # 5.12-5.18: __swap_info_get() and _swap_info_get()
        func = "_swap_info_get" if what == UNUSED_OFFSET else "__swap_info_get"
    return f"{func}: {what}{val:08x}", True


def swap_dup_complaint(m: Machine, pte: int) -> str | None:
    """The line fork's copy_one_pte() -> swap_duplicate() prints for swap PTE ``pte`` naming no
    used slot, in the release's words (rule log_swap_dup), or None where it prints nothing.  fork
    never print_bad_pte()s a swap entry and copies it to the child whatever swap_duplicate() says
    (2.6.24 mm/memory.c:438, 6.1.0 l.796 only a count continuation's -ENOMEM fails the copy):

    * before 5.1 (s)wap_duplicate()/__swap_duplicate() checks the type only: "swap_dup: Bad swap file
      entry %08lx" (2.6.24 mm/swapfile.c:1755, 2.6.34 l.2181, 4.19 l.3431, 5.0.4 l.3425); an offset
      past the area, an unused slot or the header (SWAP_MAP_BAD) are refused silently;
    * 5.1 get_swap_device(): "get_swap_device: Bad swap file entry %08lx" (5.4.214 l.1282, 5.17 l.1291);
    * 5.19 it also prints "get_swap_device: Bad swap offset entry %08lx" (5.19.0 l.1277, 6.1.0 l.1281);
    * 6.5 __swap_duplicate() takes swp_swap_info() unchecked (6.8.0 l.3280): nothing is printed
      (a bad type is a NULL dereference there, an offset past the area a read past swap_map)."""
    val, type_, offset = swp_entry_of_pte(m, pte)
    style = m.config.flavour.log_swap_dup
    sw = m.swap_state
    if style == "unchecked" or (style != "swap_dup" and not val):   # get_swap_device(): !entry.val
        return None
    if type_ >= (1 if sw.nr_slots else 0):
        func = "swap_dup" if style == "swap_dup" else "get_swap_device"
        return f"{func}: {BAD_FILE}{val:08x}"
    if offset >= sw.nr_slots and style == "get_swap_device_offset":
        return f"get_swap_device: {BAD_OFFSET}{val:08x}"
    return None
