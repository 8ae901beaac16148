"""/proc/slabinfo, /proc/vmallocinfo and the slab/vmalloc fields of /proc/meminfo.

slabinfo (mm/slab_common.c / mm/slab.c ``s_show``): "slabinfo - version: 2.1", the
column header, then one line per cache, newest cache first:
``%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu``.
SLUB prints tunables 0 0 0 and counts only the free objects of partial slabs as
free (objects on a CPU freelist count as active); SLAB prints limit/batchcount/
sharedfactor and counts array-cache objects as active.

vmallocinfo (mm/vmalloc.c ``s_show``): ``0x%08lx-0x%08lx %7ld caller pages=N vmalloc``.
/proc/vmallocinfo appeared in 2.6.25; the 2.6 flavour prints it in that format too.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .machine import Machine

HEADER = ("slabinfo - version: 2.1\n"
          "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
          " : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs>"
          " <num_slabs> <sharedavail>\n")


def slabinfo(m: Machine) -> str:
    out = [HEADER]
    for c in reversed(list(m.kmem.caches.values())):
        active, num, objsize, per, pages, nslabs = c.slabinfo()
        limit, batch, shared = c.tunables()
        active_slabs = c.active_slabs()
        out.append(f"{c.name:<17} {active:6d} {num:6d} {objsize:6d} {per:4d} {pages:4d}"
                   f" : tunables {limit:4d} {batch:4d} {shared:4d}"
                   f" : slabdata {active_slabs:6d} {nslabs:6d} {0:6d}\n")
    return "".join(out)


def vmallocinfo(m: Machine) -> str:
    return m.vmap.vmallocinfo()


def kalloc_meminfo(m: Machine) -> dict[str, int]:
    rec, unrec = m.kmem.pages()
    out = {"SReclaimable": rec * 4, "SUnreclaim": unrec * 4, "VmallocUsed": m.vmap.used_kb(m)}
    if m.config.flavour.meminfo_vmalloc_chunk:     # 0 since 4.4
        out["VmallocChunk"] = m.vmap.largest_chunk(m) >> 10
    return out


def kalloc_node_stats(m: Machine) -> dict[str, int]:
    rec, unrec = m.kmem.pages()
    return {"nr_slab_reclaimable": rec, "nr_slab_unreclaimable": unrec}
