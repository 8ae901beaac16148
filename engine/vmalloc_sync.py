"""Keeping processes' page directories in step with new kernel page tables (non-PAE).

A non-PAE process has its own copy of the kernel's PDEs 768-1023, taken at fork/exec
(pgd_ctor).  When vmalloc later needs a new page table, only swapper_pg_dir gets the
new PDE.  The two flavours close that gap differently:

* 2.6 (arch/x86/mm/fault_32.c ``vmalloc_fault``): lazily.  A kernel-mode access to the
  vmalloc area while a process's page directory is loaded faults (not present); the
  fault handler copies the PDE from swapper_pg_dir (init_mm) and the access is retried.
* 6.1 (mm/vmalloc.c ``arch_sync_kernel_mappings`` with PGTBL_PMD_MODIFIED on x86-32):
  eagerly.  As soon as a new kernel page table is installed, its PDE is copied into
  every page directory on pgd_list; vmalloc faults no longer exist.

Under PAE every process shares the kernel PMD, so nothing needs syncing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .paging import _PAGE_PRESENT

if TYPE_CHECKING:
    from .machine import Machine

TASK_SIZE_SHIFT = 22


def _pde_index_range(start: int, end: int) -> range:
    return range(start >> 22, ((end - 1) >> 22) + 1)


def sync_kernel_pdes(m: Machine, start: int, end: int, events: list | None) -> int:
    """arch_sync_kernel_mappings(): copy swapper's PDEs for [start, end) into every pgd."""
    if m.config.pae or not m.config.flavour.vmalloc_sync_eager:
        return 0
    procs = m.processes
    if not procs:
        return 0
    kpt = m.kernel_pt.pt
    copied = 0
    for i in _pde_index_range(start, end):
        src = kpt._rd(kpt.root + 4 * i)
        if not src & _PAGE_PRESENT:
            continue
        for p in procs.values():
            pgd = p.mm.pgd
            dst = pgd.root + 4 * i
            if pgd._rd(dst) != src:
                pgd._wr(dst, src)
                copied += 1
                if events is not None:
                    from .kmem_events import PdeSync
                    events.append(PdeSync(p.pid, i << 22, src, "arch_sync_kernel_mappings"))
    return copied


def vmalloc_fault(m: Machine, p, vaddr: int, events: list | None) -> bool:
    """2.6's vmalloc_fault(): copy the missing PDE from swapper_pg_dir; True if fixed."""
    L = m.layout
    if m.config.pae or not (L.vmalloc_start <= vaddr < L.vmalloc_end):
        return False
    kpt = m.kernel_pt.pt
    i = vaddr >> 22
    src = kpt._rd(kpt.root + 4 * i)
    pgd = p.mm.pgd
    if not src & _PAGE_PRESENT or pgd._rd(pgd.root + 4 * i) == src:
        return False
    pgd._wr(pgd.root + 4 * i, src)
    if events is not None:
        from .kmem_events import PdeSync
        events.append(PdeSync(p.pid, i << 22, src, "vmalloc_fault"))
    return True


def check_kernel_pdes(m: Machine) -> None:
    """Invariant: a process's kernel PDE is swapper's, or (2.6, lazily) not present yet."""
    from .errors import InvariantError
    if m.config.pae:
        return
    kpt = m.kernel_pt.pt
    lazy = not m.config.flavour.vmalloc_sync_eager
    for p in m.processes.values():
        pgd = p.mm.pgd
        for i in range(m.layout.page_offset >> 22, 1024):
            src = kpt._rd(kpt.root + 4 * i)
            mine = pgd._rd(pgd.root + 4 * i)
            if mine != src and not (lazy and not mine & _PAGE_PRESENT):
                raise InvariantError(f"pid {p.pid}: kernel PDE {i} is {mine:#010x}, "
                                     f"swapper_pg_dir has {src:#010x}")


def check_direct_map(m: Machine) -> None:
    """Invariant: swapper_pg_dir still maps the direct map (PAGE_OFFSET + x -> x) for
    all of lowmem; a scribbled kernel PDE is what the next kernel access would oops on."""
    from .errors import InvariantError
    from .tasks import oops_message
    L = m.layout
    pt = m.kernel_pt.pt
    span = (2 << 20) if m.config.pae else (4 << 20)
    top = L.page_offset + (m.max_low_pfn << 12)
    va = L.page_offset
    while va < top:
        for probe in (va, min(va + span, top) - 4096):
            hit = pt.lookup(probe)
            got = None if hit is None else hit.paddr + (probe - hit.vaddr)
            if got != probe - L.page_offset:
                what = "is not mapped" if hit is None else f"maps {got:#x}"
                raise InvariantError(f"{oops_message(m, probe, 0)} (swapper_pg_dir: the "
                                     f"direct-map address {probe:#010x} {what})")
        va += span
