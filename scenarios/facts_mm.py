"""Facts about paging structures, slab caches and processes: walk levels, entry bits,
the TLB, the cache and slab of an object, the VMA of a user address, a frame's map
count.  Registered in :data:`scenarios.facts.FACTS`."""
from __future__ import annotations

from typing import Any

from engine.errors import ConfigError
from engine.paging import entry_flags

from .facts_base import PAGE_SHIFT, SLABINFO_FIELDS, FactError, Outcome, _walk_paddr, \
    subject_paddr, subject_vaddr


def _walk_of(o: Outcome) -> Any:
    walk = o.result if o.op.result == "walk" else o.result.walk
    if walk is None:
        raise FactError("no page walk happened (TLB hit)")
    return walk


def _walk_step(o: Outcome, level: str) -> Any:
    for st in _walk_of(o).steps:
        if st.level == level:
            return st
    raise FactError(f"the walk read no {level}")


def _index(o: Outcome, params: tuple) -> int:
    return int(_walk_step(o, params[0]).index)


def _entry(o: Outcome, params: tuple) -> int:
    return int(_walk_step(o, params[0]).entry)


def _table(o: Outcome, params: tuple) -> int:
    return int(_walk_step(o, params[0]).table_paddr)




def _flags(o: Outcome, params: tuple) -> str:
    return entry_flags(params[0], _entry(o, params))


def _tlb_entries(o: Outcome, _: tuple) -> int:
    return len(o.machine.tlb)


def _slab(o: Outcome) -> Any:
    m = o.machine
    v = subject_vaddr(o)
    if v is None:
        raise FactError("this step has no virtual address")
    return m.slab_of(v)


def _cache(o: Outcome, _: tuple) -> str:
    slab = _slab(o)
    return "none" if slab is None else str(slab.cache.name)


def _slab_list(o: Outcome, _: tuple) -> str:
    slab = _slab(o)
    return "none" if slab is None else str(slab.where)


def _slabinfo(o: Outcome, params: tuple) -> int:
    m = o.machine
    try:
        cache = m.slab_cache(params[0])
    except ConfigError as err:  # the engine's own "no such cache"
        raise FactError(f"no slab cache {params[0]!r}: {err}") from None
    if cache is None:
        raise FactError(f"no slab cache {params[0]!r}")
    return int(cache.slabinfo()[SLABINFO_FIELDS.index(params[1])])


def _walk_paddr_fact(o: Outcome, _: tuple) -> Any:
    v = subject_vaddr(o)
    if v is None:
        raise FactError("this step has no virtual address")
    pid = o.args.get("pid")
    return _walk_paddr(o.machine, v, None if pid is None else int(pid))   # an int: runner._finish_args


def _maps_line(o: Outcome) -> list[str] | None:
    """The fields of the /proc/<pid>/maps line holding the step's address (None: no VMA)."""
    v = subject_vaddr(o)
    pid = o.args.get("pid")
    if v is None or pid is None:
        raise FactError("this step has no user address of a process")
    pid = int(pid)                      # an int: runner._finish_args
    for line in o.machine.proc(f"/proc/{pid}/maps").splitlines():
        fields = line.split()
        lo, _, hi = fields[0].partition("-")
        if int(lo, 16) <= v < int(hi, 16):
            return fields
    return None


def _vma(o: Outcome, _: tuple) -> str:
    fields = _maps_line(o)
    if fields is None:
        return "none"
    return fields[5] if len(fields) > 5 else "anon"


def _vma_perms(o: Outcome, _: tuple) -> str:
    fields = _maps_line(o)
    return "none" if fields is None else fields[1]


def _memmap_field(o: Outcome, field: str) -> int:
    p = subject_paddr(o)
    if p is None:
        raise FactError("the step's address is not mapped")
    return int(getattr(o.machine.memmap, field)[p >> PAGE_SHIFT])    # a mem_map column


def _mapcount(o: Outcome, _: tuple) -> int:
    return _memmap_field(o, "mapcount")


def _page_count(o: Outcome, _: tuple) -> int:
    return _memmap_field(o, "refcount")
