"""The ground of the expect vocabulary: what a step did (:class:`Outcome`), what a
fact is (:class:`Fact`), and the helpers that find a step's address and frame."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from engine.events import Event
from engine.page_types import PAGE_SHIFT, PAGE_SIZE  # noqa: F401 (re-exported)
from engine.zone import ZONE_NAMES  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    from engine.machine import Machine

ZONE_FIELDS = ("start_pfn", "spanned", "present", "managed", "free_pages",
               "watermark_min", "watermark_low", "watermark_high")
LAYOUT_FIELDS = ("page_offset", "high_memory", "vmalloc_start", "vmalloc_end", "pkmap_base",
                 "fixaddr_start", "fixaddr_top")
LEVELS = ("PDPTE", "PDE", "PTE")
SLABINFO_FIELDS = ("active_objs", "num_objs", "objsize", "objperslab", "pagesperslab",
                   "num_slabs")
NUMERIC_KINDS = frozenset({"pfn", "vaddr", "paddr", "pid", "process", "access", "walk", "driver"})
ADDRESS_KINDS = frozenset({"vaddr", "access", "walk", "driver"})


class FactError(Exception):
    """A fact cannot be computed for this step (shown as a failed expect)."""


@dataclass
class Outcome:
    """What one step did: the input to every fact."""
    machine: Machine | None       # None: a boot step failed before any machine existed
    op: Any                       # scenarios.ops.Op
    args: dict[str, Any]
    result: Any = None
    error: BaseException | None = None
    events: list = field(default_factory=list)
    items: list | None = None     # repeat/each steps: one result per successful iteration
    errors: int = 0               # repeat/each steps: iterations that raised


@dataclass(frozen=True)
class Fact:
    name: str
    type: str                              # int | str | bool | any
    compute: Callable[[Outcome, tuple[str, ...]], Any]
    doc: str
    kinds: frozenset | None = None         # result kinds it applies to (None: any)
    params: tuple[str, ...] = ()           # dotted parameters: zone | order | zfield | lfield | name | level
    repeat_ok: bool = True                 # meaningful on repeat/each steps
    needs: str = ""                        # engine Machine method it needs


# -- helpers ---------------------------------------------------------------------------

def primary_value(kind: str, r: Any) -> Any:
    """A step's value: an int for pfn/vaddr/paddr/pid results, a process's pid, a driver
    buffer's kernel address; any other result as it is (None stays None)."""
    if r is None:
        return None
    if kind in ("pfn", "vaddr", "paddr", "pid"):
        return int(r)
    if kind == "process":
        return int(r.pid)
    if kind == "driver":
        return int(r.kaddr)
    return r


def _walk_paddr(m: Machine, vaddr: int, pid: Any = None) -> int | None:
    w = m.walk(vaddr, pid=pid)
    return None if w.fault is not None else w.paddr


def subject_vaddr(o: Outcome) -> int | None:
    kind = o.op.result
    if kind == "vaddr" and o.result is not None:
        return int(o.result)
    if kind == "driver" and o.result is not None:
        return int(o.result.kaddr)
    if "vaddr" in o.args and o.args["vaddr"] is not None:
        return int(o.args["vaddr"])
    return None


def vaddr_to_paddr(o: Outcome, vaddr: int) -> int | None:
    m = o.machine
    lay = m.layout
    if lay.page_offset <= vaddr < lay.high_memory and o.op.target != "process":
        return vaddr - lay.page_offset
    pid = o.args.get("pid")
    return _walk_paddr(m, vaddr, pid)


def subject_paddr(o: Outcome) -> int | None:
    kind = o.op.result
    r = o.result
    if kind == "pfn":
        return int(r) << PAGE_SHIFT
    if kind == "paddr":
        return int(r)
    if kind in ("access", "walk"):
        return None if r.paddr is None else int(r.paddr)
    if "pfn" in o.args and o.args["pfn"] is not None:
        offset = (int(r) & (PAGE_SIZE - 1)) if kind == "vaddr" and r is not None else 0
        return (int(o.args["pfn"]) << PAGE_SHIFT) | offset
    if "paddr" in o.args:
        return int(o.args["paddr"])
    v = subject_vaddr(o)
    if v is None:
        raise FactError("this step has no address to look at")
    return vaddr_to_paddr(o, v)


def zone_of_pfn(m: Machine, pfn: int) -> str:
    for z in m.zones:
        if z.start_pfn <= pfn < z.start_pfn + z.spanned:
            return z.name
    return "none"


def _zone(m: Machine, name: str) -> Any:
    for z in m.zones:
        if z.name == name:
            return z
    raise FactError(f"this machine has no {name} zone")


def event_kind(ev: Event) -> str:
    """The event type's name, as lessons write it (``events.Split``)."""
    return ev.kind


def event_kind_of(cls: type) -> str:
    """:func:`event_kind` of any event of the class ``cls`` (Event.kind: its type's name)."""
    return cls.__name__
