"""show_mem() / show_free_areas() per release: the Mem-Info block of an OOM report.

The lines are the kernel's printk formats of the release (rule ``show_free_areas`` in
engine.kversion_log gives the release and source of each change; the field tables below say
which fields each one added or removed).  Checked against mm/page_alloc.c show_free_areas()
and lib/show_mem.c of 2.6.24-2.6.33 (mainline tags), 2.6.32.67, 3.5, 3.6.0, 3.7.2, 3.8.13, 3.9.6,
3.10.4, 3.11, 3.12.0, 3.13.0, 3.19.8, 4.0.5, 4.1.19, 4.4.11, 4.5.7, 4.6.2, 4.7.4, 4.9, 4.11,
4.12.0, 4.13.4, 4.14.177, 4.19, 5.0.1, 5.8.1, 5.10, 5.11, 5.14.2, 5.15.55, 5.19, 6.0.1 and 6.1.0
(mm/page_alloc.c __show_free_areas).

Values: free pages, watermarks, present, managed and lowmem_reserve are the zone's; the
anonymous pages are the user pages mmviz counts in the zone; counters mmviz does not model
(file LRU, dirty, writeback, isolated, per-CPU lists, CMA, ...) are 0.  Left out: the per-CPU
pageset lines before 4.1 ("DMA per-cpu:" ...), the migrate-type letters after each
"N*4kB" from 3.8 (migrate types are not modelled) and hugetlb_show_meminfo()'s lines.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .machine import Machine

K = 4          # kB per page
ALWAYS, NEVER = (0,), (99,)


def _v(s: str) -> tuple[int, ...]:
    return tuple(int(x) for x in s.split("."))


# show_free_areas()'s per-zone line: (field as printed, first release, first release without it)
ZONE_FIELDS: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...] = (
    ("free", ALWAYS, NEVER),
    ("boost", (5, 16), NEVER),
    ("min", ALWAYS, NEVER), ("low", ALWAYS, NEVER), ("high", ALWAYS, NEVER),
    ("reserved_highatomic", (5, 5), NEVER),
    ("active", ALWAYS, (2, 6, 28)), ("inactive", ALWAYS, (2, 6, 28)),
    ("active_anon", (2, 6, 28), NEVER), ("inactive_anon", (2, 6, 28), NEVER),
    ("active_file", (2, 6, 28), NEVER), ("inactive_file", (2, 6, 28), NEVER),
    ("unevictable", (2, 6, 28), NEVER),
    ("isolated(anon)", (2, 6, 32), (4, 8)), ("isolated(file)", (2, 6, 32), (4, 8)),
    ("writepending", (4, 8), NEVER),
    ("present", ALWAYS, NEVER), ("managed", (3, 8), NEVER),
    ("mlocked", (2, 6, 32), NEVER),
    ("dirty", (2, 6, 32), (4, 8)), ("writeback", (2, 6, 32), (4, 8)),
    ("mapped", (2, 6, 32), (4, 8)), ("shmem", (2, 6, 32), (4, 8)),
    ("slab_reclaimable", (2, 6, 32), (4, 13)), ("slab_unreclaimable", (2, 6, 32), (4, 13)),
    ("kernel_stack", (2, 6, 32), (5, 9)), ("pagetables", (2, 6, 32), (5, 11)),
    ("unstable", (2, 6, 32), (4, 8)),
    ("bounce", (2, 6, 32), NEVER),
    ("free_pcp", (4, 1), NEVER), ("local_pcp", (4, 1), NEVER),
    ("free_cma", (3, 7), NEVER),
    ("writeback_tmp", (2, 6, 32), (4, 8)),
    ("pages_scanned", ALWAYS, (4, 8)),
    ("all_unreclaimable?", ALWAYS, (4, 8)),
)

# 4.8+ (node-based LRU): the "Node 0 ..." line before the zone lines
NODE_FIELDS: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...] = (
    ("active_anon", (4, 8), NEVER), ("inactive_anon", (4, 8), NEVER),
    ("active_file", (4, 8), NEVER), ("inactive_file", (4, 8), NEVER),
    ("unevictable", (4, 8), NEVER),
    ("isolated(anon)", (4, 8), NEVER), ("isolated(file)", (4, 8), NEVER),
    ("mapped", (4, 8), NEVER), ("dirty", (4, 8), NEVER), ("writeback", (4, 8), NEVER),
    ("shmem", (4, 8), NEVER),
    ("shmem_thp", (4, 8), NEVER), ("shmem_pmdmapped", (4, 8), NEVER), ("anon_thp", (4, 8), NEVER),
    ("writeback_tmp", (4, 8), NEVER),
    ("unstable", (4, 8), (5, 8)),
    ("kernel_stack", (5, 9), NEVER), ("pagetables", (5, 11), NEVER),
    ("sec_pagetables", (6, 1), NEVER),
    ("pages_scanned", (4, 8), (4, 12)),
    ("all_unreclaimable?", (4, 8), NEVER),
)
THP_FIELDS = ("shmem_thp", "shmem_pmdmapped", "anon_thp")   # #ifdef CONFIG_TRANSPARENT_HUGEPAGE


def fields(table, v: tuple[int, ...]) -> list[str]:
    """The fields of a line in release v, in the kernel's order."""
    return [name for name, first, gone in table if first <= v < gone]


def _field(name: str, val: int) -> str:
    if name == "all_unreclaimable?":
        return " all_unreclaimable? no"
    if name == "pages_scanned":
        return f" pages_scanned:{val}"
    if name in THP_FIELDS:
        return f" {name}: {val}kB"                 # "shmem_thp: %lukB": a space after the colon
    if name == "reserved_highatomic":
        return f" reserved_highatomic:{val}KB"      # "%luKB"
    return f" {name}:{val}kB"


def _global_block(v: tuple[int, ...], anon: int, free: int, slab: int, sreclaim: int,
                  sunreclaim: int, pt: int) -> list[str]:
    """show_free_areas()'s first printk: the machine-wide counters (pages)."""
    if v < (2, 6, 28):
        return [f"Active:{anon} inactive:0 dirty:0 writeback:0 unstable:0",
                f" free:{free} slab:{slab} mapped:0 pagetables:{pt} bounce:0"]
    if v < (2, 6, 32):
        return [f"Active_anon:{anon} active_file:0 inactive_anon:0",
                " inactive_file:0 unevictable:0 dirty:0 writeback:0 unstable:0",
                f" free:{free} slab:{slab} mapped:0 pagetables:{pt} bounce:0"]
    out = [f"active_anon:{anon} inactive_anon:0 isolated_anon:0",
           " active_file:0 inactive_file:0 isolated_file:0"]
    unstable = " unstable:0" if v < (5, 8) else ""
    if v < (4, 1):
        out += [f" unevictable:0 dirty:0 writeback:0{unstable}",
                f" free:{free} slab_reclaimable:{sreclaim} slab_unreclaimable:{sunreclaim}",
                f" mapped:0 shmem:0 pagetables:{pt} bounce:0"]
        if v >= (3, 7):
            out.append(" free_cma:0")
        return out
    out += [f" unevictable:0 dirty:0 writeback:0{unstable}",
            f" slab_reclaimable:{sreclaim} slab_unreclaimable:{sunreclaim}"]
    if v < (6, 1):
        out.append(f" mapped:0 shmem:0 pagetables:{pt} bounce:0")
    else:
        out += [f" mapped:0 shmem:0 pagetables:{pt}", " sec_pagetables:0 bounce:0"]
    if v >= (5, 15):
        out.append(" kernel_misc_reclaimable:0")
    out.append(f" free:{free} free_pcp:0 free_cma:0")
    return out


def show_free_areas(m: Machine, gfp_mask: int | None = None) -> list[str]:
    """show_mem(): "Mem-Info:" and show_free_areas() of the machine's release (kernel lines).
    gfp_mask: the failed allocation's; from 6.1 the OOM report shows only the zones up to its
    gfp_zone() (__show_mem(..., gfp_zone(oc->gfp_mask)))."""
    from . import physmem as pm
    from .vmstat import meminfo_values, owner_pages
    fl = m.config.flavour
    v = _v(fl.show_free_areas)
    mv = meminfo_values(m)
    anon = mv["AnonPages"] // K
    free = sum(z.free_pages for z in m.all_zones)
    out = ["Mem-info:" if v < (2, 6, 27) else "Mem-Info:"]
    out += _global_block(v, anon, free, mv["Slab"] // K, mv["SReclaimable"] // K,
                         mv["SUnreclaim"] // K, mv["PageTables"] // K)
    if v >= (4, 8):
        node = {"active_anon": anon * K, "pagetables": mv["PageTables"]}
        names = [n for n in fields(NODE_FIELDS, v) if fl.thp or n not in THP_FIELDS]
        out.append("Node 0" + "".join(_field(n, node.get(n, 0)) for n in names))
    zone_names = fields(ZONE_FIELDS, v)
    zones = m.zones                         # for_each_populated_zone()
    if gfp_mask is not None and v >= (6, 1):
        zones = [z for z in zones if z.idx <= gfp_zone(m, gfp_mask)]
    for z in zones:
        zanon = owner_pages(m, pm.OWNER_USER, z.idx) * K
        vals = {"free": z.free_pages * K, "min": z.watermark_min * K, "low": z.watermark_low * K,
                "high": z.watermark_high * K, "present": z.present * K, "managed": z.managed * K,
                "active": zanon, "active_anon": zanon}
        out.append(z.name + "".join(_field(n, vals.get(n, 0)) for n in zone_names))
        out.append("lowmem_reserve[]: " + " ".join(str(r) for r in z.lowmem_reserve))
    for z in zones:
        line = f"{z.name}: " + "".join(f"{n}*{K << o}kB " for o, n in enumerate(z.nr_free))
        out.append(line + f"= {sum(n * (K << o) for o, n in enumerate(z.nr_free))}kB")
    return out


def gfp_zone(m: Machine, mask: int) -> int:
    """gfp_zone() (GFP_ZONE_TABLE): __GFP_DMA -> DMA, __GFP_HIGHMEM -> HighMem, with
    __GFP_MOVABLE -> Movable, otherwise Normal."""
    g = m.gfp
    if mask & g.DMA:
        return 0
    if mask & g.HIGHMEM:
        return 3 if mask & g.MOVABLE else 2
    return 1


def show_mem_tail(m: Machine) -> list[str]:
    """show_swap_cache_info() and show_mem()'s page counts of the release."""
    v = _v(m.config.flavour.show_free_areas)
    sw = m.swap_state
    out = []
    if v >= (2, 6, 25):
        out.append("0 total pagecache pages")
    if v < (2, 6, 25):
        out.append("Swap cache: add 0, delete 0, find 0/0, race 0+0")
    elif v < (2, 6, 27):
        out.append("Swap cache: add 0, delete 0, find 0/0")
    else:
        out.append(f"{len(sw.cache)} pages in swap cache")
        if v < (6, 0):
            out.append("Swap cache stats: add 0, delete 0, find 0/0")
    out += [f"Free swap  = {(sw.total - sw.used) * K}kB", f"Total swap = {sw.total * K}kB"]
    ram = sum(z.present for z in m.zones)
    high = sum(z.present for z in m.zones if z.is_highmem)
    reserved = ram - sum(z.managed for z in m.zones)
    if v < (2, 6, 27):
        # arch/x86/mm/pgtable_32.c show_mem(): every page of the node's span, PageReserved ones
        # ("Free swap:" until 2.6.25)
        import numpy as np
        from .physmem import PG_reserved
        flags = m.memmap.flags.view(np.ndarray)
        total = int(flags.shape[0])
        high = sum(z.spanned for z in m.all_zones if z.is_highmem)
        reserved = int(np.count_nonzero(flags & PG_reserved))
        if v < (2, 6, 26):
            out.append(f"Free swap:       {(sw.total - sw.used) * K:6d}kB")
        return out + [f"{total} pages of RAM", f"{high} pages of HIGHMEM", f"{reserved} reserved pages"]
    label = "HighMem" if v < (3, 13) else "HighMem/MovableOnly"
    return out + [f"{ram} pages RAM", f"{high} pages {label}", f"{reserved} pages reserved"]
