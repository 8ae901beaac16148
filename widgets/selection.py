"""The one selection the app holds (an address, a frame, a zone, ...) and what it links to."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

from engine.errors import MmvizError
from engine.page_types import PAGE_SHIFT, TASK_SIZE
from textual.message import Message

if TYPE_CHECKING:
    from engine.machine import Machine
    from engine.layout import Region
    from engine.process import Process
    from engine.vmalloc import VmArea


@dataclass(frozen=True)
class Selection:
    """kind: "address", "pfn", "zone", "region", "vmalloc", "process", "cache".  ``pid``: the
    process whose address space a user "address" is in (a lesson's focus names it); None: the
    process that runs."""
    kind: str
    value: Any
    pid: int | None = None

    def label(self, lang: str = "en") -> str:
        from .i18n import tr
        kind = tr(lang, f"sel.{self.kind}") if self.kind != "pfn" else "pfn"
        if self.kind in ("address", "vmalloc") and isinstance(self.value, int):
            return f"{kind} {self.value:#010x}"
        if self.kind == "pfn" and isinstance(self.value, int):
            return f"pfn {self.value:#x}"
        if self.kind == "region":
            return tr(lang, f"reg.{self.value}")
        return f"{kind} {self.value}"


class SelectionRequested(Message):
    """A pane asks the app to select something; the app tells every pane."""

    def __init__(self, selection: Selection) -> None:
        self.selection = selection
        super().__init__()


def region_of(machine: Machine, vaddr: int) -> Region | None:
    for r in machine.layout.regions:
        if r.start <= vaddr < r.end:
            return r
    return None


def direct_map_pfn(machine: Machine, vaddr: int) -> int | None:
    """The frame behind a direct-map (lowmem) address, or None."""
    lay = machine.layout
    if lay.page_offset <= vaddr < lay.high_memory:
        return (vaddr - lay.page_offset) >> PAGE_SHIFT
    return None


def lowmem_address(machine: Machine, pfn: int) -> int | None:
    """__va() of a lowmem frame, or None for highmem / out of range."""
    lay = machine.layout
    v = lay.page_offset + (pfn << PAGE_SHIFT)
    if 0 <= pfn < machine.max_pfn and v < lay.high_memory:
        return v
    return None


def user_space_pid(machine: Machine, sel: Selection | None) -> int | None:
    """The process whose user address space a selection is read in: the selected process (a
    "process" selection), the process a lesson's focus puts its address in (``Selection.pid``),
    else the one that runs; None when that process is not alive (no task runs).  Every pane
    that resolves a user address, a VMA, a PTE or a frame for the selection asks this, so
    what is on screen depends on the step and its focus, not on which task runs."""
    procs = machine.processes
    if sel is not None:
        if sel.kind == "process" and sel.value in procs:
            return sel.value
        if sel.pid in procs:
            return sel.pid
    return machine.current if machine.current in procs else None


def is_user_address(machine: Machine, vaddr: int) -> bool:
    """Below PAGE_OFFSET: the address means something only in a process's page tables."""
    return 0 <= vaddr < machine.layout.page_offset


def selected_pfn(machine: Machine, sel: Selection | None) -> int | None:
    """The frame a selection points at (directly, or through the direct map or a walk: a
    user address in the page tables of :func:`user_space_pid`'s process, a kernel address
    in swapper_pg_dir's)."""
    if sel is None or machine is None:
        return None
    if sel.kind == "pfn" and isinstance(sel.value, int):
        return sel.value if 0 <= sel.value < machine.max_pfn else None
    if sel.kind in ("address", "vmalloc") and isinstance(sel.value, int):
        pfn = direct_map_pfn(machine, sel.value)
        if pfn is not None:
            return pfn
        pid = None
        if is_user_address(machine, sel.value):
            pid = user_space_pid(machine, sel)
            if pid is None:             # no process: no user address space to read it in
                return None
        try:
            w = machine.walk(sel.value, pid=pid)
        except MmvizError:              # an address outside the 32-bit space
            return None
        if w.paddr is not None:
            return w.paddr >> PAGE_SHIFT
    return None


def vmalloc_area(machine: Machine, sel: Selection | None) -> VmArea | None:
    """The vmalloc area a "vmalloc" selection (its start address) names, or None."""
    if sel is None or sel.kind != "vmalloc" or not isinstance(sel.value, int):
        return None
    from engine.rmap import vmalloc_area_of
    return vmalloc_area_of(machine, sel.value)


def selected_process(machine: Machine, sel: Selection | None) -> Process | None:
    """The process a "process" selection (a pid) names, or None."""
    if sel is None or sel.kind != "process" or machine is None:
        return None
    return machine.processes.get(sel.value)


_ONE_VIEW: dict[int, tuple[Any, list[int]]] | None = None     # see one_view()


@contextmanager
def one_view() -> Iterator[None]:
    """While the panes draw one view the machine does not change: a process's frames (a walk
    of its page tables, which several panes read: the lesson's and the map's selection
    lines, the map's lit frames) are read once."""
    global _ONE_VIEW
    outer = _ONE_VIEW
    _ONE_VIEW = {} if outer is None else outer
    try:
        yield
    finally:
        _ONE_VIEW = outer


def process_frames(proc: Process) -> list[int]:
    """Frames the process's user page tables map (its resident set), read-only.  Callers
    must not change the list (within :func:`one_view` it is shared)."""
    memo = _ONE_VIEW
    if memo is not None:
        hit = memo.get(id(proc))
        if hit is not None and hit[0] is proc:
            return hit[1]
    pgd = proc.mm.pgd
    out = []
    for leaf in pgd.leaves(0, TASK_SIZE):
        out.append(leaf.paddr >> PAGE_SHIFT)
    if memo is not None:
        memo[id(proc)] = (proc, out)
    return out


def linked_pfns(machine: Machine, sel: Selection | None) -> list[int]:
    """Frames a selection lights up: a vmalloc area's scattered frames, a cache's slabs,
    a process's resident pages."""
    if sel is None or machine is None:
        return []
    proc = selected_process(machine, sel)
    if proc is not None:
        return process_frames(proc)
    if sel.kind == "vmalloc":
        from engine.rmap import vmalloc_frames
        area = vmalloc_area(machine, sel)
        return vmalloc_frames(area) if area is not None else []
    if sel.kind == "cache":
        try:
            cache = machine.slab_cache(str(sel.value))
        except MmvizError:              # a cache destroyed since it was selected
            return []
        out: list[int] = []
        for slab in cache.slabs:
            out.extend(range(slab.pfn, slab.pfn + (1 << slab.order)))
        return out
    return []


def slab_object(machine: Machine, vaddr: int, lang: str = "en") -> str | None:
    """"slab kmalloc-64 object 3 of the slab at pfn 0x1f2" for a slab object's address."""
    from .i18n import tr
    slab = machine.slab_of(vaddr)
    if slab is None:
        return None
    size = slab.cache.size
    first = slab.obj_vaddr(0)
    idx = (vaddr - first) // size if vaddr >= first else -1
    key = "sel.object" if 0 <= idx < slab.objects else "sel.metadata"
    return tr(lang, key, cache=slab.cache.name, idx=idx, pfn=f"{slab.pfn:#x}")


def selected_address(machine: Machine, sel: Selection | None) -> int | None:
    if sel is None or machine is None:
        return None
    if sel.kind in ("address", "vmalloc") and isinstance(sel.value, int):
        return sel.value
    if sel.kind == "pfn" and isinstance(sel.value, int):
        return lowmem_address(machine, sel.value)
    if sel.kind == "region":
        for r in machine.layout.regions:
            if r.name == sel.value:
                return r.start
    return None


def selected_zone(machine: Machine, sel: Selection | None) -> str | None:
    if sel is None or machine is None:
        return None
    if sel.kind == "zone":
        return str(sel.value)
    pfn = selected_pfn(machine, sel)
    if pfn is not None:
        return machine.pfn_zone(pfn)
    return None


def describe(machine: Machine, sel: Selection | None, lang: str = "en") -> str:
    """One line linking the selection across the views (zone, owner, __va, region), in
    ``lang``."""
    if sel is None or machine is None:
        return ""
    from engine.physmem import OWNER_NAMES
    from .i18n import tr
    parts = [sel.label(lang)]
    if sel.kind in ("address", "vmalloc") and isinstance(sel.value, int):
        if is_user_address(machine, sel.value):      # whose page tables the frame is read in
            pid = user_space_pid(machine, sel)
            parts.append(tr(lang, "sel.in_process", comm=machine.processes[pid].comm, pid=pid)
                         if pid is not None else tr(lang, "sel.no_process"))
        r = region_of(machine, sel.value)
        if r is not None:
            parts.append(tr(lang, "sel.in_region", name=tr(lang, f"reg.{r.name}")))
        area = vmalloc_area(machine, sel)
        if area is not None:
            parts.append(tr(lang, "sel.area", start=f"{area.start:#010x}", end=f"{area.end:#010x}",
                            pages=len(area.pages), caller=area.caller or "").rstrip())
        obj = slab_object(machine, sel.value, lang)
        if obj is not None:
            parts.append(obj)
    if sel.kind == "cache":
        parts.append(tr(lang, "sel.slab_pages", n=len(linked_pfns(machine, sel))))
    proc = selected_process(machine, sel)
    if proc is not None:
        parts.append(tr(lang, "sel.proc", comm=proc.comm, vmas=len(proc.vmas),
                        pages=len(process_frames(proc)), cr3=f"{proc.cr3:#010x}"))
    pfn = selected_pfn(machine, sel)
    if pfn is not None:
        zone = machine.pfn_zone(pfn) or tr(lang, "zone.hole")
        owner = OWNER_NAMES[int(machine.memmap.owner[pfn])]
        if sel.kind != "pfn":
            parts.append(f"pfn {pfn:#x}")
        parts.append(tr(lang, "sel.zone_of", zone=zone))
        parts.append(tr(lang, "sel.owner", owner=tr(lang, f"cls.{owner}")))
        v = lowmem_address(machine, pfn)
        parts.append(f"__va {v:#010x}" if v is not None else tr(lang, "sel.highmem"))
    return " · ".join(parts)
