"""print_bad_pte()'s report (mm/memory.c, 2.6.29 on) as each release prints it: after "BUG: Bad
page map in process %s  pte:%08llx pmd:%08llx" the page dump when the caller has a page, the
VMA's line "addr:%p vm_flags:%08lx anon_vma:%p mapping:%p index:%lx" and its vm_ops/file line(s),
then dump_stack() (engine.memory.report_bad_pte) and add_taint(TAINT_BAD_PAGE); and its own rate
limit of 60 reports a minute (bad_pte_ratelimit(), rule bad_pte_burst).

2.6.29 mm/memory.c:413-436: the page line (l.417-421, the form of bad_page()'s, engine.kmsg_page),
the addr line (l.423-425), then print_symbol("vma->vm_ops->fault: %s") if vma->vm_ops and
print_symbol("vma->vm_file->f_op->mmap: %s") if vma->vm_file (l.429-434); 2.6.34 dump_page(page)
(l.513-514), 3.14 dump_page(page, "bad pte"); 4.1 one "file:%pD fault:%pf mmap:%pf readpage:%pf"
line, always (4.1.19 l.693; rule log_bad_pte_file); 5.4 the addr line with %px (rule
log_bad_pte_px); 5.19 "read_folio:%ps" (5.19.0 l.561).  The values are the machine's: the
faulting address, the VMA's flags (mmviz's VM_* bits are the kernel's), its anon_vma's slab
address, linear_page_index() = vm_pgoff + (addr - vm_start) >> PAGE_SHIFT; an anonymous VMA has
no vm_ops and no vm_file (mapping NULL).  Simplified: for a VMA with a file, shared memory, a
driver's vm_ops or a special mapping (or an anon_vma mmviz has no slab address for) the addr and
file lines are left out: mmviz has no address_space, file or symbol addresses to print.

Pointers: %p prints 8 hex digits before 4.15, ptr_to_id()'s hash from 4.15 (engine.kmsg.kptr;
rule log_ptr_hashed), %px the address (5.4); NULL as lib/vsprintf.c pointer() prints it (rule
log_null_ptr: "(null)" 2.6.29, padded to 8 2.6.37) until 5.2, where pointer() stops testing NULL
first (rule log_ptr_checked): %pD's check_pointer() prints "(null)", %ps the symbol of address 0,
"0x0", plain %p hashes NULL like any value (5.4.214 lib/vsprintf.c:911-912, 957-959).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .machine import Machine


def _ptr(m: Machine, val: int) -> str:
    """print_bad_pte()'s %p (%px from 5.4) of ``val`` (0: NULL) in the release's form."""
    from .kmsg import kptr
    fl = m.config.flavour
    if fl.log_bad_pte_px:
        return f"{val & 0xFFFF_FFFF:08x}"
    if not val and not fl.log_ptr_checked:   # pointer(): NULL before the hashing (before 5.2)
        return "(null)" if fl.log_null_ptr == "null" else "  (null)"
    return kptr(m, val)


def _file_lines(m: Machine) -> list[str]:
    """The vm_ops/file lines of an anonymous VMA (vm_ops, vm_file and mapping NULL)."""
    fl = m.config.flavour
    style = fl.log_bad_pte_file
    if style == "symbol":                    # 2.6.29-4.0: print_symbol() only when set
        return []
    if fl.log_ptr_checked:                   # 5.2: check_pointer() "(null)", symbol_string() "0x0"
        null_file, null_sym = "(null)", "0x0"
    else:                                    # pointer()'s NULL test: "(null)" padded (2.6.37)
        null_file = null_sym = _ptr(m, 0)
    read = "read_folio" if style == "read_folio" else "readpage"
    return [f"file:{null_file} fault:{null_sym} mmap:{null_sym} {read}:{null_sym}"]


def bad_pte_lines(m: Machine, p, v, va: int, pte: int, pmd: int, page_pfn: int | None,
                  own_mm: bool = True) -> list[str]:
    """print_bad_pte()'s lines before its dump_stack() for the PTE ``pte`` at ``va`` of VMA ``v`` in
    process ``p`` (``page_pfn``: the frame of the page the caller passes, None for NULL): before
    2.6.29 the one "Bad pte = ..." line (rule bad_pte_line; ``own_mm``: see
    engine.kmsg.bad_pte_message)."""
    from .kmsg import bad_pte_message
    from .kmsg_page import dump_page_lines, page_mapcount, since
    out = [bad_pte_message(m, p, pte, pmd, va, v.vm_flags if v is not None else 0, own_mm)]
    fl = m.config.flavour
    if fl.bad_pte_line != "bad_page_map":
        return out
    if page_pfn is not None:                 # zap: page_remove_rmap() already took one mapcount
        reason = "bad pte" if since(fl, "reason") else None
        out += dump_page_lines(m, page_pfn, reason, mapcount=page_mapcount(m, page_pfn) - 1)
    anon = v is not None and v.file is None and v.shm is None and v.ops is None \
        and v.special is None and v.driver is None
    if not anon or (v.anon_vma is not None and v.anon_vma.addr is None):
        return out
    av = v.anon_vma.addr if v.anon_vma is not None else 0
    index = v.pgoff + ((va - v.start) >> 12)
    out.append(f"addr:{_ptr(m, va)} vm_flags:{v.vm_flags:08x} anon_vma:{_ptr(m, av)} "
               f"mapping:{_ptr(m, 0)} index:{index:x}")
    return out + _file_lines(m)


# page_remove_rmap()'s BUG() after "Eeek!" per checked tree (mm/rmap.c; rule zap_bad_mapcount)
EEEK_LINES = {(2, 6, 24): 631, (2, 6, 26): 669, (2, 6, 28): 725}


def eeek_bug(m: Machine, v, va: int, pte: int, pfn: int, mapcount: int):
    """2.6.20-2.6.28 (rule zap_bad_mapcount "eeek"): zap_pte_range() of the PTE ``pte`` at ``va`` of
    VMA ``v`` mapping frame ``pfn``, which has a struct page but no mapping to lose, before
    page_remove_rmap(): set_page_dirty() / SetPageReferenced() from the PTE's D / A bits for a
    page that is not PageAnon (2.6.24 mm/memory.c:672-681), then page_remove_rmap()'s
    KERN_EMERG lines and BUG() (2.6.24 mm/rmap.c:619-631).  ``mapcount``: page_mapcount() after
    the decrement.  Returns the KernelOops to raise (its first lines are the ones printed before
    the BUG: engine.kmsg.failure_lines).  Simplified: the vm_ops lines only for an anonymous VMA
    (vm_ops NULL, print_symbol() of 0 "0x0": 2.6.24 kernel/kallsyms.c:323-324), mmviz having no
    symbol addresses; a line number of a release between the checked trees is the nearest
    older tree's (a note says so)."""
    from . import physmem as pm
    from .errors import KernelOops
    from .kmsg_bug import _checked, _from, bug
    from .kmsg_notes import note
    from .kmsg_page import page_flags
    mm = m.memmap
    extra = 0
    if not mm.flags[pfn] & pm.PG_anon:
        extra = (pm.PG_dirty if pte & 0x40 else 0) | (pm.PG_referenced if pte & 0x20 else 0)
    flags = page_flags(m, pfn, extra)[0]
    lines = [f"Eeek! page_mapcount(page) went negative! ({mapcount})", f"  page pfn = {pfn:x}",
             f"  page->flags = {flags:x}", f"  page->count = {int(mm.refcount[pfn]):x}",
             "  page->mapping = 00000000"]
    if v is not None and v.file is None and v.shm is None and v.ops is None \
            and v.special is None and v.driver is None:
        lines.append("  vma->vm_ops = 0x0")
    tree, line = _checked(m, EEEK_LINES)
    err = bug(m, f"mm/rmap.c:{line}", note("eeek", pfn=f"{pfn:#x}", va=f"{va:#010x}"), _from(m, tree).strip())
    return KernelOops("\n".join(lines) + "\n" + str(err))


def bad_pte_ratelimit(m: Machine) -> tuple[bool, str | None]:
    """print_bad_pte()'s own rate limit (rule bad_pte_burst; 2.6.29 mm/memory.c:386-408, 6.1.0
    l.529-550): (print this report?, the line to print before it or None).  A burst of
    ``burst`` reports starts a minute (resume = jiffies + 60 * HZ); further reports within that
    minute are counted and dropped; the first one after it prints "BUG: Bad page map: N messages
    suppressed" first.  Simplified: mmviz has no clock -- one operation (a step: a munmap, an
    exit, a fork) takes no time and the next one comes more than a minute later, so the
    reports of one operation share a minute and the next operation starts a new one."""
    burst = m.config.flavour.bad_pte_burst
    if not burst:
        return True, None
    op = m.trace.ops
    first, shown, unshown = m.__dict__.get("bad_pte_rs", (0, 0, 0))
    missed = None
    if shown == burst:
        if op == first:                                 # time_before(jiffies, resume)
            m.bad_pte_rs = (first, shown, unshown + 1)
            return False, None
        if unshown:
            missed = f"BUG: Bad page map: {unshown} messages suppressed"
        shown = unshown = 0
    if shown == 0:
        first = op                                      # resume = jiffies + 60 * HZ
    m.bad_pte_rs = (first, shown + 1, unshown)
    return True, missed
