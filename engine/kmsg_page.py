"""bad_page()'s report (mm/page_alloc.c) with the page's fields as the release prints them:
the struct page's address, page->flags encoded in the release's bit layout, the counts, and
from 2.6.34 dump_page()'s lines (rule log_bad_page in engine.kversion_log; the stages and the
source lines are there).

The struct page of pfn n is ``mem_map + n``: FLATMEM's one array, at PAGE_OFFSET plus the
physical address the boot gave it (BootState.mem_map_phys; alloc_node_mem_map() rounds the
node start down to MAX_ORDER_NR_PAGES, which is pfn 0, so mem_map[0] is pfn 0's), each
sizeof(struct page) (Flavour.struct_page_size) bytes.

page->flags: the zone number in the top ZONES_WIDTH (2) bits (ZONES_PGSHIFT 30 on an i386
FLATMEM kernel without NUMA: no section or node bits), then the page flags mmviz keeps (reserved,
slab, lru, swapcache, dirty, referenced, head/tail, buddy) at the release's bit numbers
(PAGE_FLAG_LAYOUTS, from include/linux/page-flags.h of the trees named there).  Simplified: the
flags mmviz does not keep (uptodate, active, swapbacked, mappedtodisk, private, waiters,
workingset, ...) print as clear; page->mapping prints NULL and page->index 0 (mmviz has no
address_space or anon_vma addresses); with SPARSEMEM the address is still mem_map + pfn and
the section bits are not printed; from 4.10 dump_page()'s "raw:" lines (the struct page in
hex) and from 5.9 a compound page's "head:" line are left out.  The report's bracketed note says so.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import physmem as pm
from .errors import BadFree

if TYPE_CHECKING:
    from .machine import Machine

ZONES_PGSHIFT = 30

# (first release, {mmviz flag: (bit, name pageflag_names prints)}): include/linux/page-flags.h of
# i386 builds (PAGEFLAGS_EXTENDED from 2.6.26, MMU, no 64BIT/MEMORY_FAILURE)
_COMMON = {pm.PG_referenced: (2, "referenced"), pm.PG_dirty: (4, "dirty"), pm.PG_lru: (5, "lru"),
           pm.PG_slab: (7, "slab"), pm.PG_reserved: (10, "reserved")}
PAGE_FLAG_LAYOUTS = (
    # 2.6.24 #defines: PG_compound 14 (a tail also has PG_reclaim 17), PG_swapcache 15, PG_buddy 19
    ((2, 6, 20), {**_COMMON, pm.PG_head: (14, "compound"), pm.PG_tail: (14 | 17 << 8, "compound"),
                  pm.PG_swapcache: (15, "swapcache"), pm.PG_buddy: (19, "buddy")}),
    # enum pageflags (2.6.27.57, 2.6.28, 2.6.29.4): PG_head 13, PG_tail 14, swapcache 15, buddy 18
    ((2, 6, 26), {**_COMMON, pm.PG_head: (13, "head"), pm.PG_tail: (14, "tail"),
                  pm.PG_swapcache: (15, "swapcache"), pm.PG_buddy: (18, "buddy")}),
    # 2.6.30: PG_private_2 after PG_private (2.6.30 .. 2.6.37)
    ((2, 6, 30), {**_COMMON, pm.PG_head: (14, "head"), pm.PG_tail: (15, "tail"),
                  pm.PG_swapcache: (16, "swapcache"), pm.PG_buddy: (19, "buddy")}),
    # 2.6.38: PageBuddy is _mapcount == PAGE_BUDDY_MAPCOUNT_VALUE (2.6.39.3 .. 4.1.19: no PG_buddy)
    ((2, 6, 38), {**_COMMON, pm.PG_head: (14, "head"), pm.PG_tail: (15, "tail"),
                  pm.PG_swapcache: (16, "swapcache")}),
    # 4.4: PageTail is compound_head's bit 0 (4.4.1 .. 4.9: no PG_tail)
    ((4, 4), {**_COMMON, pm.PG_head: (14, "head"), pm.PG_swapcache: (15, "swapcache")}),
    # 4.10: PG_waiters after PG_locked... (4.10 .. 4.19: slab 8, reserved 11, head 15; swapcache is
    # PG_owner_priv_1 9, printed as "owner_priv_1")
    ((4, 10), {pm.PG_referenced: (2, "referenced"), pm.PG_dirty: (4, "dirty"), pm.PG_lru: (5, "lru"),
               pm.PG_slab: (8, "slab"), pm.PG_reserved: (11, "reserved"), pm.PG_head: (15, "head"),
               pm.PG_swapcache: (9, "owner_priv_1")}),
    # 5.x (5.4 .. 6.1.0): PG_error after PG_waiters: referenced 1, dirty 3, lru 4, slab 9,
    # owner_priv_1 10, reserved 12, head 16
    ((5, 0), {pm.PG_referenced: (1, "referenced"), pm.PG_dirty: (3, "dirty"), pm.PG_lru: (4, "lru"),
              pm.PG_slab: (9, "slab"), pm.PG_reserved: (12, "reserved"), pm.PG_head: (16, "head"),
              pm.PG_swapcache: (10, "owner_priv_1")}),
)


LAYOUT_KEYS = ("2.6.20", "2.6.26", "2.6.30", "2.6.38", "4.4", "4.10", "5.0")
# bad_page()'s report formats in release order (rule log_bad_page)
STYLES = ("quoted", "pfn", "dump_page", "reason", "debug_c", "compound", "pGp", "px", "refcount",
          "pfn_line", "pGp_fields")


def _layout(fl) -> dict:
    """The release's page-flag layout (rule page_flags_layout)."""
    return PAGE_FLAG_LAYOUTS[LAYOUT_KEYS.index(fl.page_flags_layout)][1]


def since(fl, style: str) -> bool:
    """The release's bad_page() report is of ``style`` or a later one (STYLES)."""
    return STYLES.index(fl.log_bad_page) >= STYLES.index(style)


def _kept_flags(m: Machine, pfn: int) -> int:
    """mmviz's flags of frame ``pfn``, with PG_buddy where the frame heads a free block (the
    allocator keeps that in its buddy_order table, not in mem_map's flags column)."""
    from .buddy import ALLOCATED
    kept = int(m.memmap.flags[pfn])
    for z in m.page_alloc.zones:
        if z.start_pfn <= pfn < z.start_pfn + z.spanned:
            code = z.buddy_order.get(pfn)
            if code is not None and code < ALLOCATED:
                kept |= pm.PG_buddy
    return kept


def page_flags(m: Machine, pfn: int, extra: int = 0) -> tuple[int, list[str]]:
    """(page->flags, the names dump_page() prints for its page-flag bits, in bit order) of
    frame ``pfn`` in the release's layout: the zone number << 30 and mmviz's flags (with the
    mmviz flags ``extra`` set too)."""
    mm, layout = m.memmap, _layout(m.config.flavour)
    kept, value, named = _kept_flags(m, pfn) | extra, max(int(mm.zone[pfn]), 0) << ZONES_PGSHIFT, {}
    for bit, (pos, name) in layout.items():
        if kept & bit:
            for b in (pos & 0xFF, pos >> 8):
                if b:
                    value |= 1 << b
            named[pos & 0xFF] = name
    return value, [named[b] for b in sorted(named)]


def page_mapcount(m: Machine, pfn: int) -> int:
    """page_mapcount() as the release's dump prints it: mmviz's mapcount, but a free block's
    head is PageBuddy, which 2.6.38-4.17 mark as _mapcount PAGE_BUDDY_MAPCOUNT_VALUE (-128, so
    -127) and 4.18+ as the page type PG_buddy (0xffffff7f: -128) (rule page_buddy_mapcount)."""
    mm, fl = m.memmap, m.config.flavour
    if _kept_flags(m, pfn) & pm.PG_buddy and fl.page_buddy_mapcount:
        return fl.page_buddy_mapcount
    return int(mm.mapcount[pfn])


def struct_page(m: Machine, pfn: int) -> int:
    """The virtual address of pfn's struct page: PAGE_OFFSET + mem_map's physical address +
    pfn * sizeof(struct page)."""
    return (m.layout.page_offset + m.boot_state.mem_map_phys
            + pfn * m.config.flavour.struct_page_size) & 0xFFFF_FFFF


def bad_reason(m: Machine, pfn: int, flags_bad: bool) -> str | None:
    """free_pages_check()'s bad_reason (3.14 on), the last test that fails winning: "nonzero
    mapcount", "nonzero _count" ("nonzero _refcount" from 4.6), "PAGE_FLAGS_CHECK_AT_FREE flag(s)
    set" (3.14.1 mm/page_alloc.c, 6.1.0 page_bad_reason()); None if the page passes them all."""
    reason = None
    if page_mapcount(m, pfn):
        reason = "nonzero mapcount"
    if int(m.memmap.refcount[pfn]):
        reason = "nonzero _refcount" if since(m.config.flavour, "pGp") else "nonzero _count"
    if flags_bad:
        reason = "PAGE_FLAGS_CHECK_AT_FREE flag(s) set"
    return reason


# PAGE_FLAGS_CHECK_AT_FREE's flags among mmviz's (3.14.1 include/linux/page-flags.h: lru, slab,
# swapcache, reserved, ...; from 4.10 PG_swapcache is PG_owner_priv_1, not among them: 6.1.0)
_CHECK_AT_FREE = pm.PG_lru | pm.PG_slab | pm.PG_reserved | pm.PG_swapcache


def _null(fl) -> str:
    """printk("%p") of NULL (rule log_null_ptr) where the report prints page->mapping with %p:
    "00000000" before 2.6.29, "(null)" from 2.6.29, padded to a pointer's width from 2.6.37;
    %px from 4.15 and ptr_to_id()'s unhashed NULL from 5.7 print 00000000 again."""
    if since(fl, "px") or fl.log_null_ptr == "zeros":
        return "00000000"
    return "(null)" if fl.log_null_ptr == "null" else "  (null)"


def bad_page_lines(m: Machine, pfn: int) -> list[str]:
    """bad_page()'s lines before its dump_stack() (rule log_bad_page), for frame ``pfn`` as
    mmviz's mem_map has it (see the module docstring)."""
    fl, comm = m.config.flavour, m.comm
    style = fl.log_bad_page
    if not dumps_page(m, pfn):               # no struct page: the dump would read past mem_map
        return ([f"Bad page state in process '{comm}'", "Trying to fix it up, but a reboot is needed",
                 "Backtrace:"] if style == "quoted"
                else [f"BUG: Bad page state in process {comm}  pfn:{pfn & 0xFFFFFFFF:05x}"])
    if style == "quoted":                    # 2.6.24 mm/page_alloc.c:225-228
        flags, _ = page_flags(m, pfn)
        return [f"Bad page state in process '{comm}'",
                f"page:{struct_page(m, pfn):08x} flags:0x{flags:08x} mapping:{_null(fl)} "
                f"mapcount:{page_mapcount(m, pfn)} count:{int(m.memmap.refcount[pfn])}",
                "Trying to fix it up, but a reboot is needed", "Backtrace:"]
    out = [f"BUG: Bad page state in process {comm}  pfn:{pfn:05x}"]
    check = _CHECK_AT_FREE & ~(pm.PG_swapcache if fl.page_flags_layout in ("4.10", "5.0") else 0)
    bad = int(m.memmap.flags[pfn]) & check
    out += dump_page_lines(m, pfn, bad_reason(m, pfn, bool(bad)), bad)
    if fl.bad_page_modules:
        out.append("Modules linked in:")     # print_modules(): mmviz loads no module
    return out


def dump_page_lines(m: Machine, pfn: int, reason: str | None, bad: int = 0, mapcount: int | None = None) -> list[str]:
    """The page dump of frame ``pfn`` (which has a struct page) as the release prints it from
    2.6.29 (rule log_bad_page): 2.6.29-2.6.33 the one "page:%p flags:%p count:%d mapcount:%d
    mapping:%p index:%lx" line (bad_page() 2.6.29 mm/page_alloc.c:252-255, print_bad_pte() mm/memory.c:
    418-421), from 2.6.34 dump_page()'s lines, from 3.14 with "page dumped because: ``reason``" and
    (before 4.6) "bad because of flags:" for the mmviz flags ``bad``; ``mapcount``: the page_mapcount()
    to print (None: the machine's)."""
    from .kmsg import kptr
    fl = m.config.flavour
    flags, names = page_flags(m, pfn)
    count = int(m.memmap.refcount[pfn])
    mapcount = page_mapcount(m, pfn) if mapcount is None else mapcount
    page, null = struct_page(m, pfn), _null(fl)
    if fl.log_bad_page == "pfn":             # flags printed with %p
        shown = f"{flags:08x}" if flags else null.strip()
        return [f"page:{page:08x} flags:{shown} count:{count} mapcount:{mapcount} mapping:{null} index:0"]
    ptr = f"{page:08x}" if since(fl, "px") and not since(fl, "pfn_line") else kptr(m, page)
    if not since(fl, "refcount"):
        first = f"page:{ptr} count:{count} mapcount:{mapcount} mapping:{null} index:0x0"
    else:
        first = f"page:{ptr} refcount:{count} mapcount:{mapcount} mapping:{null} index:0x0"
        first += f" pfn:{pfn:#x}" if since(fl, "pfn_line") else ""
    if int(m.memmap.flags[pfn]) & (pm.PG_head | pm.PG_tail) and since(fl, "compound") \
            and not since(fl, "pfn_line"):
        first += " compound_mapcount: 0"
    out = [first]
    head = "flags" if since(fl, "debug_c") else "page flags"
    if since(fl, "pGp_fields"):              # %pGp: the value, the names, "zone="
        out.append(f"flags: {flags:#x}(" + "|".join(names + [f"zone={flags >> ZONES_PGSHIFT}"]) + ")")
    else:                                    # dump_page_flags() / %pGp: names without the zone
        out.append(f"{head}: {flags:#x}({'|'.join(names)})")
    if since(fl, "reason"):
        if reason:
            out.append(f"page dumped because: {reason}")
        if bad and not since(fl, "pGp"):     # dump_page_badflags(): "bad because of flags:"
            lay = _layout(fl)
            bits = sorted((lay[b][0] & 0xFF, lay[b][1]) for b in lay if bad & b)
            value = sum(1 << pos for pos, _ in bits)
            out += ["bad because of flags:", f"{head}: {value:#x}({'|'.join(n for _, n in bits)})"]
    return out


def dumps_page(m: Machine, pfn: int) -> bool:
    """bad_page_lines() prints a page dump for ``pfn`` (the page line or dump_page()): the frame
    has a struct page in mem_map; else the report is its header line(s) only."""
    return 0 <= pfn < m.memmap.nr_pfns


def dump_note(m: Machine, pfn: int) -> str:
    """mmviz's bracketed note on what its page dump of ``pfn`` leaves out (engine.kmsg_notes),
    or "" where the report prints no dump (dumps_page())."""
    from .kmsg_notes import note
    if not dumps_page(m, pfn):
        return ""
    raw = m.config.flavour.page_flags_layout in ("4.10", "5.0")    # raw: lines from 4.10.0 mm/debug.c
    return note("page_dump_raw" if raw else "page_dump")


def bad_page(m: Machine, pfn: int, why: str) -> BadFree:
    """bad_page()'s report of a free the allocator refuses (engine.page_alloc): the error,
    its message the kernel's lines before dump_stack() (bad_page_lines, dump_note), then
    mmviz's note ``why``.  free_pages() called on its own opens no bracket, so the report
    reaches m.kmsg here (inside an operation, the operation's bracket reports it)."""
    lines = [*bad_page_lines(m, pfn), dump_note(m, pfn)]   # the note only where a dump is printed
    err = BadFree("\n".join(ln for ln in lines if ln) + "\n" + why)
    trace = m.trace
    if not trace.depth and trace.on_failure is not None:
        trace.on_failure(err)                      # "BUG: Bad page state ..." (engine.kmsg)
    return err
