"""The BUG()s and WARN()s a bad free meets in the kernel, with the source line the release
prints ("kernel BUG at mm/slab.c:2903!"): SLAB's kfree() of a pointer that is no object
(rules slab_kfree_nonslab, engine.kversion_log), SLUB's kfree() of a page that is no slab (rule
kfree_nonslab), a slab grown with __GFP_HIGHMEM (rule slab_bad_gfp) and kunmap_atomic() of an
address that is no atomic kmap (rule log_kunmap_atomic).  The machine is left as it was: a BUG()
kills the task in the kernel (oops_end()), mmviz fails the operation instead (taint D all the same).

A BUG()'s line number is the release's own: SLAB_LINES, GROW_LINES, KFREE_LINES and KMAP_LINES
list them per mirrored tree; a release between two checked trees takes the lower one's lines,
and its report says so in a bracketed note (engine.kmsg_notes "bug_line_from").
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import BadFree, KernelOops
from .kmsg_notes import note

if TYPE_CHECKING:
    from .machine import Machine

# mm/slab.c per checked tree: (page_get_cache()'s BUG_ON(!PageSlab(page)) or 0 where it is
# gone, cache_free_debugcheck()'s BUG_ON(objnr >= cachep->num), BUG_ON(objp != index_to_obj()))
SLAB_LINES = {
    (2, 6, 24): (591, 2902, 2903), (2, 6, 28): (591, 2895, 2896), (2, 6, 30): (600, 2906, 2907),
    (2, 6, 32, 2): (531, 2911, 2912), (2, 6, 37): (497, 2950, 2951), (2, 6, 39, 3): (500, 2951, 2952),
    (3, 1, 3): (501, 3004, 3005), (3, 3, 8): (505, 3023, 3024), (3, 5): (505, 3072, 3073),
    (3, 7, 2): (0, 3065, 3066), (3, 8, 13): (0, 3121, 3122), (3, 10, 4): (0, 2900, 2901),
    (3, 14, 1): (0, 2797, 2798), (3, 18, 30): (0, 2726, 2727), (4, 1, 19): (0, 2743, 2744),
    (4, 4, 1): (0, 2734, 2735), (4, 9): (0, 2831, 2832), (4, 12): (0, 2823, 2824),
    (4, 19): (0, 2947, 2948), (5, 4): (0, 2735, 2736), (5, 8, 1): (0, 2736, 2737),
    (5, 10): (0, 2728, 2729), (5, 14, 2): (0, 2729, 2730), (5, 17): (0, 2721, 2722),
    (6, 1): (0, 2707, 2708),
}
# mm/slab.h virt_to_cache()'s WARN_ONCE(!PageSlab(page), "%s: Object is not a Slab page!\n")
SLAB_H_WARN = {(5, 4): 473, (5, 8, 1): 475, (5, 10): 438, (5, 14, 2): 413, (5, 17): 626, (6, 1): 625}


def _checked(m: Machine, table: dict) -> tuple[tuple[int, ...], object]:
    """(the checked tree, its entry) for the machine's release: the newest tree at or below it,
    a stable tree standing for its mainline release (the oldest if none is)."""
    v = m.config.flavour.version
    below = [t for t in table if t[:len(v)] <= v] or [min(table)]   # "3.3" is the 3.3.8 tree's
    t = max(below)
    return t, table[t]


def _from(m: Machine, tree: tuple[int, ...]) -> str:
    """The bracketed note for a BUG line taken from another release's tree ("" if its own)."""
    v = m.config.flavour.version
    if tree[:len(v)] == v or v[:len(tree)] == tree:
        return ""
    return "\n" + note("bug_line_from", tree=".".join(map(str, tree)))


def bug(m: Machine, where: str, *notes: str) -> KernelOops:
    """A BUG() at ``where`` ("mm/slab.c:2903"): lib/bug.c report_bug() prints "------------[ cut
    here ]------------" and "kernel BUG at %s:%u!" (2.6.24 lib/bug.c:127/156, 6.1.0 l.194/204),
    then die() "invalid opcode: 0000 [#n]" (engine.kmsg.failure_lines) and TAINT_DIE."""
    return KernelOops(f"kernel BUG at {where}!" + "".join("\n" + n for n in (*notes, note("bug_refused")) if n))


def slab_not_an_object(m: Machine, cache: str, vaddr: int, off: int, size: int, num: int) -> KernelOops:
    """kfree()/kmem_cache_free() of ``vaddr`` inside a SLAB slab but not at an object's start:
    CONFIG_DEBUG_SLAB's cache_free_debugcheck() computes objnr = obj_to_index() (the offset from
    s_mem as a u32, so one before the first object is huge) and BUG_ON(objnr >= cachep->num),
    then BUG_ON(objp != index_to_obj(cachep, slab, objnr)) (2.6.24 mm/slab.c:2902-2903, 6.1.0
    l.2707-2708).  Before them verify_redzone_free() checks the words around the pointer, which
    mmviz does not model (its note says so)."""
    tree, (_, past, mid) = _checked(m, SLAB_LINES)
    line = past if off < 0 or off // size >= num else mid
    return bug(m, f"mm/slab.c:{line}", note("not_object_start", cache=cache),
               note("redzone_unmodelled"), _from(m, tree).strip())


def slab_kfree_nonslab(m: Machine, vaddr: int, pfn: int):
    """SLAB's kfree() of a pointer into a page that is no slab (rule slab_kfree_nonslab):
    before 3.7 virt_to_cache() -> page_get_cache() BUG_ON(!PageSlab(page)) (2.6.24 mm/slab.c:591);
    3.7-5.3 nothing checks it (3.7.2 l.520 VM_BUG_ON needs CONFIG_DEBUG_VM, gone by 3.14) and the
    kernel takes a garbage cache: mmviz refuses, with a note only; from 5.4 mm/slab.h
    virt_to_cache() WARN_ONCE(... "%s: Object is not a Slab page!") returns NULL and kfree()
    returns (5.4 mm/slab.h:473, 6.1.0 l.625)."""
    kind = m.config.flavour.slab_kfree_nonslab
    if kind == "bug":
        tree, (line, _, _) = _checked(m, SLAB_LINES)
        return bug(m, f"mm/slab.c:{line}", note("kfree_not_slab", pfn=f"{pfn:#x}"), _from(m, tree).strip())
    if kind == "unchecked":
        return BadFree(note("kfree_unchecked", pfn=f"{pfn:#x}"))
    tree, line = _checked(m, SLAB_H_WARN)
    err = BadFree(f"virt_to_cache: Object is not a Slab page!\n"
                  f"WARNING: CPU: {m.current_cpu} PID: {m.current or 0} at mm/slab.h:{line} kfree\n"
                  + note("kfree_not_slab", pfn=f"{pfn:#x}") + _from(m, tree))
    err.once = "virt_to_cache"
    return err


# A slab grown with a flag of GFP_SLAB_BUG_MASK (__GFP_DMA32 | __GFP_HIGHMEM on i386), per checked tree: (mm/slab.c
# cache_grow()'s, mm/slub.c new_slab()'s) BUG_ON(flags & GFP_SLAB_BUG_MASK), from 3.19 the BUG() after
# pr_emerg("gfp: %u\n", flags & GFP_SLAB_BUG_MASK) (4.0.5 mm/slab.c:2594-2595, mm/slub.c:1419-1420);
# 4.8 warns instead (rule slab_bad_gfp)
GROW_LINES = {
    (2, 6, 24): (2772, 1086), (2, 6, 26): (2774, 1149), (2, 6, 28): (2766, 1117), (2, 6, 29): (2768, 1122),
    (2, 6, 32, 69): (2744, 1170), (2, 6, 34): (2753, 1158), (2, 6, 39, 3): (2822, 1241),
    (3, 1, 3): (2875, 1424), (3, 3, 8): (2894, 1357), (3, 4, 2): (2943, 1363), (3, 5): (2943, 1363),
    (3, 10, 4): (2771, 1351), (4, 0, 5): (2595, 1420), (4, 4): (2607, 1532),
}
# mm/slub.c kfree()'s BUG_ON(!PageCompound(page)) for a page that is no slab, per checked tree
# (2.6.24 and 2.6.26 l.2760 kfree(): put_page(page) unchecked; rule kfree_nonslab)
KFREE_LINES = {
    (2, 6, 28): 2743, (2, 6, 29): 2751, (2, 6, 32, 69): 2969, (2, 6, 34): 2846, (2, 6, 39, 3): 2994,
    (3, 1, 3): 3297, (3, 3, 8): 3442, (3, 4, 2): 3474, (3, 5): 3474, (3, 10, 4): 3352, (4, 0, 5): 3415,
    (4, 4): 3709, (4, 8, 15): 3851, (4, 9): 3866, (4, 10, 17): 3873, (4, 15, 18): 3961, (4, 19): 3901,
    (5, 4, 214): 4020, (5, 10, 13): 4136, (5, 11, 4): 4132,
}


def slab_bad_gfp(m: Machine, kind: str, mask: int, bad: int) -> KernelOops:
    """A slab grown for a kmalloc() whose flags have __GFP_HIGHMEM or __GFP_DMA32 (GFP_SLAB_BUG_MASK) where the
    release BUG()s (rule slab_bad_gfp): SLAB's cache_grow() or SLUB's new_slab() BUG_ON(flags &
    GFP_SLAB_BUG_MASK) (2.6.24 mm/slab.c:2772, mm/slub.c:1086), from 3.19 pr_emerg("gfp: %u") of the
    bad bits ``bad`` in decimal, then BUG() (4.0.5 mm/slab.c:2594-2595, mm/slub.c:1419-1420)."""
    tree, lines = _checked(m, GROW_LINES)
    where = f"mm/{kind}.c:{lines[0] if kind == 'slab' else lines[1]}"
    err = bug(m, where, note("slab_highmem", gfp=f"{mask:#x}", bad=m.gfp.format(bad)), _from(m, tree).strip())
    if m.config.flavour.slab_bad_gfp == "gfp_bug":
        err = KernelOops(f"gfp: {bad}\n{err}")
    return err


# free_large_kmalloc()'s WARN_ON_ONCE(order == 0) per checked tree: (file, line, the function
# the WARNING names: kfree where it is a static inline of mm/slub.c); 5.17 and 6.1 from -rc trees
# (5.17-rc5, 6.1-rc7)
WARN_LINES = {
    (5, 17): ("mm/slub.c", 3542, "kfree"), (5, 19): ("mm/slub.c", 3569, "kfree"),
    (6, 1): ("mm/slab_common.c", 923, "free_large_kmalloc"), (6, 8): ("mm/slub.c", 4371, "free_large_kmalloc"),
}


def slub_kfree_nonslab(m: Machine, vaddr: int, pfn: int):
    """SLUB's kfree() of ``vaddr`` in a page that is neither a slab nor a kmalloc_large() block
    (rule kfree_nonslab): before 2.6.28 kfree() put_page()s it unchecked (2.6.24 mm/slub.c:2600-
    2601); 2.6.28-5.13 BUG_ON(!PageCompound(page)) (2.6.28 l.2743, 5.11.4 l.4132); 5.14
    free_nonslab_page() VM_BUG_ON_PAGE(), nothing without CONFIG_DEBUG_VM, then __free_pages() (5.14.2
    l.3246, 5.15.55 l.3527); 5.17 free_large_kmalloc() WARN_ON_ONCE(order == 0) + pr_warn_once("object
    pointer: 0x%p") and __free_pages() (5.17-rc5 mm/slub.c:3542, 6.1-rc7 mm/slab_common.c:923).  Where
    the kernel frees the page mmviz refuses, with a note; the machine is left as it was."""
    from .kmalloc import warn_once
    from .kmsg import kptr
    kind = m.config.flavour.kfree_nonslab
    if kind in ("put_page", "unchecked"):
        return BadFree(note("kfree_put_page" if kind == "put_page" else "kfree_free_pages", pfn=f"{pfn:#x}"))
    if kind == "bug":
        tree, line = _checked(m, KFREE_LINES)
        return bug(m, f"mm/slub.c:{line}", note("kfree_not_slab", pfn=f"{pfn:#x}"), _from(m, tree).strip())
    tree, (path, line, func) = _checked(m, WARN_LINES)
    return warn_once(f"WARNING: CPU: {m.current_cpu} PID: {m.current or 0} at {path}:{line} {func}\n"
                     f"object pointer: 0x{kptr(m, vaddr)}\n" + note("large_kmalloc_free") + _from(m, tree),
                     "free_large_kmalloc")


# kunmap_atomic() per checked tree: its file, BUG_ON(vaddr < PAGE_OFFSET), BUG_ON(vaddr >=
# high_memory), WARN_ON_ONCE(vaddr != __fix_to_virt(FIX_KMAP_BEGIN + idx)) (2.6.37 on, 0 before),
# and kmap_atomic_idx_pop()'s BUG_ON(idx < 0) ("file:line"); from 5.11 mm/highmem.c
# kunmap_local_indexed(): WARN_ON_ONCE(addr < PAGE_OFFSET), WARN_ON_ONCE(addr != ...),
# kmap_local_idx_pop()'s BUG_ON(current->kmap_ctrl.idx < 0)
_HM, _HH = "arch/x86/mm/highmem_32.c", "include/linux/highmem.h"
KMAP_LINES = {
    (2, 6, 24): (_HM, 69, 70, 0, ""), (2, 6, 28): (_HM, 114, 115, 0, ""), (2, 6, 32, 2): (_HM, 71, 72, 0, ""),
    (2, 6, 37): (_HM, 94, 95, 81, f"{_HH}:101"), (3, 1, 3): (_HM, 94, 95, 81, f"{_HH}:103"),
    (3, 14, 1): (_HM, 97, 98, 83, f"{_HH}:111"), (4, 9): (_HM, 97, 98, 83, f"{_HH}:112"),
    (4, 19): (_HM, 97, 98, 83, f"{_HH}:113"), (5, 4): (_HM, 98, 99, 84, f"{_HH}:137"),
    (5, 8, 1): (_HM, 59, 60, 45, f"{_HH}:204"), (5, 10): (_HM, 59, 60, 45, f"{_HH}:204"),
    (5, 11): ("mm/highmem.c", 573, 0, 579, "mm/highmem.c:446"),
    (5, 14, 2): ("mm/highmem.c", 580, 0, 586, "mm/highmem.c:453"),
    (6, 1): ("mm/highmem.c", 603, 0, 609, "mm/highmem.c:478"),
}


def kunmap_bad(m: Machine, vaddr: int, cpu: int, in_slots: bool, depth: int, top: int | None,
               own: bool = False):
    """kunmap_atomic() of ``vaddr``, a highmem-side address that is not this CPU's most recent
    atomic kmap, as the release reports it (rule log_kunmap_atomic; ``in_slots``: it lies in the
    FIX_KMAP slots of any CPU; ``depth``: this CPU's atomic kmaps; ``top``: the most recent one's
    address; ``own``: it is one of this CPU's slots).  Before 2.6.37 an own slot that is not mapped
    is taken for the km_type the caller names: kunmap_atomic() clears its clear PTE, no report (None
    returned).  The checks before 5.11 are CONFIG_DEBUG_HIGHMEM's (mmviz assumes it, as it assumes
    DEBUG_SLAB): before 2.6.37 an address that is not its km_type's slot, and 2.6.37-5.10 one
    outside the slots, meets BUG_ON(vaddr < PAGE_OFFSET) / BUG_ON(vaddr >= high_memory) (2.6.24
    arch/x86/mm/highmem_32.c:69-70); 2.6.37 on, with no kmap left kmap_atomic_idx_pop()'s
    BUG_ON(idx < 0) (5.11: kmap_local_idx_pop(), always on: 6.1.0 mm/highmem.c:478); any other
    slot WARN_ON_ONCE(vaddr != __fix_to_virt(FIX_KMAP_BEGIN + idx)) (2.6.37 l.81, 6.1.0 l.609)
    and the kernel unmaps the most recent one instead; 5.11+ outside the slots warns for a user
    address (l.603) and returns for any other.  Returns the error to raise; mmviz changes nothing."""
    fl = m.config.flavour
    tree, (path, low, high, warn, pop) = _checked(m, KMAP_LINES)
    src, debug = _from(m, tree).strip(), note("debug_highmem")
    below = vaddr < m.layout.page_offset
    if not fl.kmap_atomic_stack and own:
        return None
    if not fl.kmap_atomic_stack or (not in_slots and not fl.kmap_local):
        return bug(m, f"{path}:{low if below else high}", debug, src)
    if not in_slots:                          # 5.11+: kunmap_local_indexed() returns
        if not below:
            return BadFree(note("kunmap_ignored", addr=f"{vaddr:#010x}"))
        return _warn_once(m, f"{path}:{low}", fl.log_kunmap_atomic, "kunmap_user", src)
    if not depth:
        return bug(m, pop, note("kunmap_empty", warn=f"{path}:{warn}"), "" if fl.kmap_local else debug, src)
    return _warn_once(m, f"{path}:{warn}", fl.log_kunmap_atomic, "kunmap_atomic", note("unmap_reverse"),
                      note("kunmap_top", top=f"{top:#010x}"), "" if fl.kmap_local else debug, src)


def _warn_once(m: Machine, where: str, func: str, site: str, *notes: str) -> BadFree:
    """A WARN_ON_ONCE() at ``where`` in ``func``: "WARNING: CPU: %d PID: %d at %s:%d %pS" (the
    offsets left out), logged the first time only."""
    err = BadFree(f"WARNING: CPU: {m.current_cpu} PID: {m.current or 0} at {where} {func}"
                  + "".join("\n" + n for n in notes if n))
    err.once = site
    return err
