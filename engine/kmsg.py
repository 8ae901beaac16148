"""The kernel log (printk) and the kernel's reports about page-table entries that
point at nothing: print_bad_pte() and the swap-entry complaints (mm/memory.c,
mm/swapfile.c).

``m.kmsg`` holds the lines the kernel printed after boot (the OOM killer's report,
"Bad page map", "Bad rss-counter state"), newest last, at most ``KMSG_LINES`` of them
(the ring buffer of the kernel is bounded too).  Each printk also becomes a
``KernelMessage`` event of the operation that printed it.
"""
from __future__ import annotations

from . import physmem as pm
from .events import Event, event

KMSG_LINES = 4000


@event
class KernelMessage(Event):
    """printk(): lines the kernel logged during the operation."""
    tracepoint = "console"
    level: str          # "err", "alert", "warning", "info"
    lines: tuple


def printk(m, level: str, lines, events) -> None:
    """Append lines to m.kmsg (bounded) and to the operation's events."""
    lines = tuple(lines)
    log = m.kmsg
    log.extend(lines)
    if len(log) > KMSG_LINES:
        del log[: len(log) - KMSG_LINES]
    if events is not None:
        events.append(KernelMessage(level, lines))


def page_ok(m, pfn: int) -> bool:
    """vm_normal_page()'s sanity test: the frame has a struct page (below max_pfn) and
    is not free or a hole, so a PTE may map it."""
    if not 0 <= pfn < m.max_pfn:
        return False
    return int(m.memmap.owner[pfn]) not in (pm.OWNER_FREE, pm.OWNER_HOLE)


def bad_pte_message(m, p, pte: int, pmd: int = 0, vaddr: int = 0, vm_flags: int = 0) -> str:
    """print_bad_pte() of the flavour."""
    if m.config.flavour.bad_pte_line == "bad_page_map":
        return f"BUG: Bad page map in process {p.comm}  pte:{pte:08x} pmd:{pmd:08x}"
    return (f"Bad pte = {pte:08x}, process = {p.comm}, vm_flags = {vm_flags:x}, "
            f"vaddr = {vaddr:x}")


def swap_entry_ok(m, pte: int) -> bool:
    """The entry names swap type 0 and a slot of the area (not the header)."""
    from .paging import swp_pte_decode
    try:
        type_, slot = swp_pte_decode(pte, m.config.pae, m.config.flavour)
    except ValueError:
        return False
    sw = m.swap_state
    return type_ == 0 and 1 <= slot < sw.nr_slots and sw.swap_map[slot] > 0


def bad_swap_message(pte: int) -> str:
    """swap_info_get()'s complaint about an entry that names no swap slot."""
    return f"swap_free: Bad swap file entry {pte & 0xFFFF_FFFF:08x}"


def bad_rss_message(m, p, kind: str, val: int) -> str:
    """check_mm() at mm teardown (6.1) when the counters did not come back to zero."""
    return f"BUG: Bad rss-counter state mm:{p.mm.pgd.cr3 | 0xc0000000:08x} type:{kind} val:{val}"


def alloc_failure_message(flavour, comm: str, order: int, mask: int, gfp_names: str) -> str:
    """The first line of __alloc_pages()'s failure warning in the flavour's format:
    2.6.24 "insmod: page allocation failure. order:0, mode:0xd0" (mm/page_alloc.c:1633),
    6.1 warn_alloc "insmod: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL),
    nodemask=(null)" (engine.kversion rule log_alloc_failure)."""
    style = flavour.log_alloc_failure
    if style == "dot":
        return f"{comm}: page allocation failure. order:{order}, mode:{mask:#x}"
    if style == "colon":
        return f"{comm}: page allocation failure: order:{order}, mode:{mask:#x}"
    return (f"{comm}: page allocation failure: order:{order}, mode:{mask:#x}({gfp_names}), "
            f"nodemask=(null)")
