"""Facts a step can `expect` (and a quiz can `ask`), computed from the machine.

An expect key is a fact name with optional dotted parameters; the value is
what the fact must equal once the step has run::

    [step.expect]
    value = "0xc1000000"          # the step's result (hex/decimal/expression)
    region = "vmalloc"            # layout region of the result address
    zone = "HighMem"              # zone of the frame behind the result
    contiguous = false            # are the backing frames physically contiguous?
    free_area.Normal.3 = 2        # free blocks of order 3 in zone Normal
    zone.Normal.free_pages = "> 1000"   # numeric facts accept ==, !=, <, <=, >, >=
    error = "OutOfMemory"         # or "none"

Numeric expected values may be expressions over earlier names
(``value = "v + 0x1000"``).  The vocabulary is :data:`FACTS` (``mmviz check``
lists it on an unknown key).
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from engine.events import AllocPages, FreePages

from .facts_base import (ADDRESS_KINDS, LAYOUT_FIELDS, LEVELS, NUMERIC_KINDS,  # noqa: F401
                         PAGE_SHIFT, PAGE_SIZE, SLABINFO_FIELDS, ZONE_FIELDS, ZONE_NAMES, Fact,
                         FactError, Outcome, _walk_paddr, _zone, event_kind, event_kind_of,
                         primary_value, subject_paddr, subject_vaddr, vaddr_to_paddr, zone_of_pfn)
from .facts_mm import (_cache, _entry, _flags, _index, _mapcount, _page_count,  # noqa: F401
                       _slab_list, _slabinfo, _table, _tlb_entries, _vma, _vma_perms,
                       _walk_paddr_fact, entry_flags)

if TYPE_CHECKING:
    from engine.machine import Machine


# -- fact functions --------------------------------------------------------------------

def _value(o: Outcome, _: tuple) -> Any:
    kind, r = o.op.result, o.result
    if o.error is not None:
        raise FactError(f"the step failed: {o.error}")
    if kind in ("pfn", "vaddr", "paddr", "pid", "process", "driver"):
        return primary_value(kind, r)
    if kind in ("access", "walk"):
        return None if r.paddr is None else int(r.paddr)
    if kind == "bytes":
        return bytes(r).hex()
    if kind == "machine":
        raise FactError("a boot step has no value")
    return r if r is None or isinstance(r, str) else str(r)


def _region(o: Outcome, _: tuple) -> str:
    v = subject_vaddr(o)
    if v is None:
        raise FactError("this step has no virtual address")
    for reg in o.machine.layout.regions:
        if reg.start <= v < reg.end:
            return reg.name
    return "none"


def _paddr(o: Outcome, _: tuple) -> Any:
    return subject_paddr(o)


def _pfn(o: Outcome, _: tuple) -> Any:
    p = subject_paddr(o)
    return None if p is None else p >> PAGE_SHIFT


def _zone_fact(o: Outcome, _: tuple) -> str:
    p = subject_paddr(o)
    return "none" if p is None else zone_of_pfn(o.machine, p >> PAGE_SHIFT)


def _span_pages(o: Outcome) -> int:
    if "order" in o.args:
        return 1 << int(o.args["order"])
    size = o.args.get("size") or o.args.get("length") or PAGE_SIZE
    return max(1, -(-int(size) // PAGE_SIZE))


def _contiguous(o: Outcome, _: tuple) -> bool:
    if o.op.result == "pfn":
        return True
    v = subject_vaddr(o)
    if v is None:
        raise FactError("this step has no address to look at")
    base = v & ~(PAGE_SIZE - 1)
    frames = []
    for i in range(_span_pages(o)):
        p = vaddr_to_paddr(o, base + i * PAGE_SIZE)
        if p is None:
            raise FactError(f"page {i} at {base + i * PAGE_SIZE:#010x} is not mapped")
        frames.append(p >> PAGE_SHIFT)
    return all(b == a + 1 for a, b in zip(frames, frames[1:]))


def _fault(o: Outcome, _: tuple) -> str:
    f = o.result.fault
    return "none" if f is None else str(f.reason)


def _fault_code(o: Outcome, _: tuple) -> int:
    f = o.result.fault
    return 0 if f is None else int(f.error_code)


def _tlb_hit(o: Outcome, _: tuple) -> bool:
    return bool(o.result.tlb_hit)


def _levels(o: Outcome, _: tuple) -> int:
    walk = o.result if o.op.result == "walk" else o.result.walk
    return 0 if walk is None else len(walk.steps)


def _page_size(o: Outcome, _: tuple) -> int:
    walk = o.result if o.op.result == "walk" else o.result.walk
    if walk is None:
        raise FactError("no page walk happened (TLB hit)")
    return int(walk.page_size)


def _error(o: Outcome, _: tuple) -> str:
    return "none" if o.error is None else type(o.error).__name__


def _message(o: Outcome, _: tuple) -> str:
    return "" if o.error is None else str(o.error)


def _events(o: Outcome, params: tuple) -> int:
    kinds = Counter(map(type, o.events))          # (a repeat step has thousands of events)
    return sum(n for cls, n in kinds.items() if event_kind_of(cls) == params[0])


def _count(o: Outcome, _: tuple) -> int:
    return len(o.items) if o.items is not None else (0 if o.error else 1)


def _errors(o: Outcome, _: tuple) -> int:
    return o.errors if o.items is not None else (1 if o.error else 0)


def _free_area(o: Outcome, params: tuple) -> int:
    return int(_zone(o.machine, params[0]).free_area[int(params[1])])


def _zone_field(o: Outcome, params: tuple) -> int:
    return int(getattr(_zone(o.machine, params[0]), params[1]))


def _layout(o: Outcome, params: tuple) -> int:
    return int(getattr(o.machine.layout, params[0]))


def _zones(o: Outcome, _: tuple) -> str:
    return ",".join(z.name for z in o.machine.zones)


def _contains(o: Outcome, _: tuple) -> str:
    return o.result if isinstance(o.result, str) else ""


def _merged_to(o: Outcome, _: tuple) -> int:
    """Order of the free block that now holds the freed frame (after all merges)."""
    if o.error is not None:
        raise FactError(f"the step failed: {o.error}")
    for ev in reversed(o.events):
        if isinstance(ev, FreePages):
            return int(ev.final_order)
    p = subject_paddr(o)
    if p is None:
        raise FactError("this step freed no frame")
    return free_block_order(o.machine, p >> PAGE_SHIFT)


def free_block_order(m: Machine, pfn: int) -> int:
    """Order of the free buddy block containing ``pfn`` (-1 if the frame is not free): the
    block whose head page the zone marks PageBuddy with that order (Zone.buddy_order)."""
    zone = _zone(m, zone_of_pfn(m, pfn))
    for order in range(len(zone.free_area)):       # PageBuddy heads: Zone.buddy_order
        if zone.buddy_order.get(pfn & ~((1 << order) - 1)) == order:
            return order
    return -1


def _order(o: Outcome, _: tuple) -> int:
    for ev in reversed(o.events):
        if isinstance(ev, (AllocPages, FreePages)):
            return int(ev.order)
    if "order" in o.args:
        return int(o.args["order"])
    raise FactError("this step allocated or freed no pages")


FREE_OPS = frozenset({"free_pages", "free_pages_addr"})

FACTS: dict[str, Fact] = {f.name: f for f in (
    Fact("value", "any", _value, "the step's result (address, pfn, pid, text)", repeat_ok=False),
    Fact("region", "str", _region, "layout region of the result/argument address: user, "
         "direct, vmalloc, pkmap, fixmap, gap", repeat_ok=False),
    Fact("zone", "str", _zone_fact, "zone of the frame behind the step's address",
         repeat_ok=False),
    Fact("paddr", "int", _paddr, "physical address behind the step's address", repeat_ok=False),
    Fact("pfn", "int", _pfn, "frame number behind the step's address", repeat_ok=False),
    Fact("contiguous", "bool", _contiguous, "are the frames behind the whole allocation "
         "physically contiguous?", repeat_ok=False),
    Fact("fault", "str", _fault, "the access/walk fault reason, or none",
         frozenset({"access", "walk"}), repeat_ok=False),
    Fact("fault_code", "int", _fault_code, "x86 #PF error code (0: no fault)",
         frozenset({"access", "walk"}), repeat_ok=False),
    Fact("tlb_hit", "bool", _tlb_hit, "did the access hit in the TLB?", frozenset({"access"}),
         repeat_ok=False),
    Fact("levels", "int", _levels, "number of paging levels walked",
         frozenset({"access", "walk"}), repeat_ok=False),
    Fact("page_size", "int", _page_size, "size of the page the walk ended in",
         frozenset({"access", "walk"}), repeat_ok=False),
    Fact("index", "int", _index, "index of the entry the walk read at a level (index.PDE)",
         frozenset({"access", "walk"}), params=("level",), repeat_ok=False),
    Fact("entry", "int", _entry, "value of the entry read at a level (entry.PTE), "
         "before A/D updates", frozenset({"access", "walk"}), params=("level",), repeat_ok=False),
    Fact("table", "int", _table, "physical address of the table read at a level (table.PDE "
         "is CR3's page directory)", frozenset({"access", "walk"}), params=("level",),
         repeat_ok=False),
    Fact("flags", "str", _flags, "flag bits of the entry at a level: \"P RW A D PS G\"",
         frozenset({"access", "walk"}), params=("level",), repeat_ok=False),
    Fact("tlb_entries", "int", _tlb_entries, "valid TLB entries after the step"),
    Fact("cache", "str", _cache, "the slab cache holding the step's address (size-128, "
         "kmalloc-96) or none", repeat_ok=False),
    Fact("slab_list", "str", _slab_list, "the list the object's slab is on: cpu, partial, "
         "full, free", repeat_ok=False),
    Fact("slabinfo", "int", _slabinfo, "a /proc/slabinfo column of a cache "
         "(slabinfo.kmalloc-96.active_objs)", params=("cache", "sfield")),
    Fact("vma", "str", _vma, "the /proc/<pid>/maps name of the VMA holding the step's user "
         "address: a path, [heap], [stack], anon, or none", repeat_ok=False),
    Fact("vma_perms", "str", _vma_perms, "the maps permissions of that VMA (r-xp, rw-p) or none",
         repeat_ok=False),
    Fact("mapcount", "int", _mapcount, "page tables mapping the frame behind the step's "
         "address (page_mapcount)", repeat_ok=False),
    Fact("page_count", "int", _page_count, "references to the frame behind the step's address "
         "(page_count)", repeat_ok=False),
    Fact("walk_paddr", "int", _walk_paddr_fact, "physical address the page tables give for "
         "the step's virtual address (None if unmapped)", repeat_ok=False),
    Fact("order", "int", _order, "buddy order allocated or freed by this step",
         repeat_ok=False),
    Fact("merged_to", "int", _merged_to, "order of the free block the freed frame ended in",
         repeat_ok=False),
    Fact("error", "str", _error, "kernel error class raised (OutOfMemory, BadFree, SegFault, "
         "KernelOops) or none"),
    Fact("message", "str", _message, "the kernel-style error message contains this text"),
    Fact("events", "int", _events, "number of events of one type (events.Split = 2)",
         params=("name",)),
    Fact("count", "int", _count, "successful iterations of a repeat/each step"),
    Fact("errors", "int", _errors, "failed iterations of a repeat/each step"),
    Fact("free_area", "int", _free_area, "free blocks of an order in a zone "
         "(free_area.Normal.3)", params=("zone", "order")),
    Fact("zone_info", "int", _zone_field, "a zone field (zone.Normal.free_pages, "
         "zone.DMA.watermark_min)", params=("zone", "zfield")),
    Fact("layout", "int", _layout, "a layout boundary (layout.vmalloc_start)",
         params=("lfield",)),
    Fact("zones", "str", _zones, "populated zones, comma-separated (DMA,Normal,HighMem)"),
    Fact("contains", "str", _contains, "the text result (proc) contains this text",
         frozenset({"text"})),
)}
SUBSTRING_FACTS = frozenset({"message", "contains"})
