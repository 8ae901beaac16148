"""Tasks on the Machine: spawn, fork, exit, context switches, user accesses with their
faults, byte copies through the MMU (kernel/fork.c, kernel/exit.c, kernel/sched's
context_switch, arch/x86/mm/fault.c's do_user_addr_fault retry, mm/memory.c).

Module functions taking the machine, as the kernel's take their global state; the
Machine's public methods (API.md) delegate here inside the trace bracket.  The services
other engine modules use are public here: ``sync_vmas``, ``slab_object``, ``file_ref``,
``new_mm``, ``fault_in``, ``user_access``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import physmem as pm
from .errors import ConfigError, KernelError, KernelOops, OomKilled, OutOfMemory, SegFault, shown
from .mm import TASK_SIZE, FileRef, MmStruct, mmap_base
from .mmu import access as _access
from .pgtable import PageTables
from .task_events import ContextSwitch, Oops
from .process import MAX_RW_BYTES, Process

if TYPE_CHECKING:
    from .machine import Machine


def find_task_by_vpid(m: Machine, pid) -> Process:
    """Machine.process(): the live task with this pid (an int, or a Process).
    Raises ConfigError "pid N: no such process" (ESRCH) or "pid 'x': not a process id"."""
    if isinstance(pid, Process):
        pid = pid.pid
    try:
        key = int(pid)
    except (TypeError, ValueError):
        raise ConfigError(f"pid {pid!r}: not a process id") from None
    p = m.processes.get(key)
    if p is None:
        raise ConfigError(f"pid {pid}: no such process")
    return p


def init_tasks(m: "Machine") -> None:
    """The task state of a booted machine (no task runs: the kernel is current)."""
    from .swap import SwapState, check_swap_size
    check_swap_size(m.config.swap, m.config.pae, m.config.flavour)
    m.processes = {}
    m.kmsg = []                        # printk after boot (engine.kmsg): OOM reports, Bad page map
    m.tainted_mask = 0                 # kernel/panic.c tainted_mask: TAINT_* bits (engine.taint)
    m.current = None
    m.next_pid = 1
    m.files = {}
    m.special_pages = {}
    m.special_pages_names = ("[vdso]", "[vvar]")
    m.map_drivers = {}
    pages = m.config.swap >> 12                    # slot 0 is the header; before ~2.6.33
    m.swap_state = SwapState(pages if m.config.flavour.swap_last_page_used or not pages
                             else pages - 1)      # sys_swapon() lost the last page too
    m.zero_pfn = m.kernel_pt.empty_zero_page >> 12     # in the kernel's .bss (engine.init_32)


# -- services used by the mm code ------------------------------------------------------
def file_ref(m: "Machine", path: str, dev=(3, 3), inode: int | None = None) -> FileRef:
    """The inode behind a path (one per path, created on first use)."""
    ref = m.files.get(path)
    if ref is None:
        ino = inode if inode is not None else 400000 + len(m.files) * 17
        ref = m.files[path] = FileRef(path, dev[0], dev[1], ino)
    return ref


def slab_object(m: "Machine", cache: str, addr: int | None = None) -> int | None:
    """kmem_cache_alloc (addr None: returns the object's vaddr) or kmem_cache_free of a
    task structure (task_struct, mm_struct, vm_area_struct); None if the cache does not
    exist on this allocator or cannot give an object (the task structures are shown,
    not required)."""
    if cache not in m.kmem.caches:
        return None
    try:
        if addr is None:
            return m.kmem_cache_alloc(cache)
        m.kmem_cache_free(cache, addr)
    except KernelError:              # no memory for it, or a bad free: shown, not required
        return None
    return None


def sync_vmas(m: "Machine", p: Process, events) -> None:
    """vm_area_struct objects: one per live VMA (merges free, splits allocate), and their
    anon_vma links (engine.anon_vma): a VMA a split, merge or fork made is linked to the
    anon_vmas its chain names, then a VMA that went is unlinked."""
    from .anon_vma import relink, unlink_anon_vmas
    objs = p.__dict__.setdefault("_vma_objs", {})
    if any(id(t[0]) != k for k, t in objs.items()):     # keyed by id(): a copied process
        objs = p.__dict__["_vma_objs"] = {id(t[0]): t for t in objs.values()}
    live = {id(v): v for v in p.mm.vmas}
    for v in live.values():
        if v.avc:
            relink(m, v)
    for vid in [k for k in objs if k not in live]:
        v, addr = objs.pop(vid)
        if v.avc:
            unlink_anon_vmas(m, v)
        if addr is not None:
            slab_object(m, "vm_area_struct", addr)
    for vid, v in live.items():
        if vid not in objs:
            v.addr = slab_object(m, "vm_area_struct")
            objs[vid] = (v, v.addr)


def special_page(m: "Machine", name: str, idx: int) -> int:
    """The idx-th page of a special mapping ([vdso], [vvar]), allocated on first use."""
    pages = m.special_pages.setdefault(name, [])
    while len(pages) <= idx:
        pfn = m.alloc_pages("GFP_KERNEL", 0)
        m.memmap.refcount[pfn] = 1
        pages.append(pfn)
    return pages[idx]


def new_mm(m: "Machine", legacy: bool) -> MmStruct:
    """mm_alloc() + pgd_alloc(): an empty address space sharing the kernel's mappings.
    Raises ConfigError on a split other than 3G/1G."""
    cfg = m.config
    if cfg.page_offset != TASK_SIZE:
        raise ConfigError("processes need the 3G/1G split (PAGE_OFFSET 0xC0000000)")
    pgd = PageTables(m.frames, cfg.pae, m.pgtable_alloc, m.pgtable_free)
    pgd.clone_top_entries(m.kernel_pt.pt, TASK_SIZE, 1 << 32)     # pgd_ctor
    if cfg.pae:                                   # PREALLOCATED_PMDS for the user GBs
        for i in range(TASK_SIZE >> 30):
            pgd.pde_paddr(i << 30, alloc=True)
    rnd = 0
    if cfg.aslr and (not legacy or cfg.flavour.mmap_legacy_randomized):
        rnd = m.rng.getrandbits(32) & 0xFF        # mmap_rnd_bits = 8
    mm = MmStruct(pgd, legacy, mmap_base(legacy, rnd))
    mm.addr = slab_object(m, "mm_struct")
    return mm


# -- scheduling --------------------------------------------------------------------------
def switch_to(m: "Machine", pid, events) -> None:
    """context_switch(): load CR3 (non-global TLB entries go); pid None = the kernel."""
    if pid != m.current:
        cr3 = m.processes[pid].cr3 if pid is not None else m.swapper_pg_dir
        m.cpu.cr3 = cr3
        m.tlb.flush_nonglobal(events)
        if events is not None:
            events.append(ContextSwitch(m.current, pid, cr3))
        m.current = pid


def resume(m: "Machine", prev, err, events) -> None:
    """A failed access leaves the task that ran before it running (signals are
    delivered by raising; the simulated tasks do not die of them)."""
    if isinstance(err, OomKilled) or m.current == prev:
        return
    if prev is None or prev in m.processes:
        switch_to(m, prev, events)


# -- accesses ------------------------------------------------------------------------------
def access(m: "Machine", vaddr: int, kind: str, pid, user, events, sp=None):
    """m.access(): user mode in process pid (faults handled), or kernel mode.

    ``user=False`` with a pid is a kernel-mode access while that process runs
    (its page directory loaded): a driver touching its vmalloc buffer, copy_to_user.
    ``sp``: the task's stack pointer from now on (a call chain moved it; the pre-4.20 fault
    handler checks stack growth against it)."""
    if sp is not None and pid is not None:
        m.process(pid).sp = sp & 0xFFFF_FFFF
    if pid is not None and user is False:
        return kernel_access_in(m, pid, vaddr, kind, events)
    if pid is None:
        prev = m.current
        if prev is not None:
            switch_to(m, None, events)
        acc = _access(m.frames, m.cpu, m.tlb, vaddr, kind, False)
        events.extend(acc.events)
        if acc.fault is not None:          # no_context(): no exception-table fixup -> oops
            raise kernel_oops(m, vaddr, acc, prev, events)
        acc.events = events
        return acc
    p = m.process(pid)
    prev = m.current
    switch_to(m, p.pid, events)
    try:
        return user_access(m, p, vaddr, kind, events, user=True)
    except KernelError as e:
        resume(m, prev, e, events)
        raise
    finally:
        sync_vmas(m, p, events)


def kernel_access_in(m: "Machine", pid, vaddr: int, kind: str, events):
    """A kernel-mode access while task pid runs: user addresses fault in as for
    copy_to_user; a kernel address may take the 2.6 vmalloc_fault; else an oops."""
    from .vmalloc_sync import vmalloc_fault
    p = m.process(pid)
    prev = m.current
    switch_to(m, p.pid, events)
    if vaddr < TASK_SIZE:
        return user_access(m, p, vaddr, kind, events, user=False)
    acc = _access(m.frames, m.cpu, m.tlb, vaddr, kind, False)
    events.extend(acc.events)
    if acc.fault is not None and vmalloc_fault(m, p, vaddr, events):
        first = acc.fault
        acc = _access(m.frames, m.cpu, m.tlb, vaddr, kind, False)
        events.extend(acc.events)
        if acc.fault is None:
            acc.fault = first          # the fault that was taken and fixed
            acc.events = events
            return acc
    if acc.fault is not None:
        raise kernel_oops(m, vaddr, acc, prev, events)
    acc.events = events
    return acc


def user_access(m: "Machine", p: Process, vaddr: int, kind: str, events, user: bool = True):
    """The access, faults handled (do_user_addr_fault's retry); a fault that finds no
    memory after reclaim runs the OOM killer (engine.oom_kill) and is retried.
    Raises SegFault (SIGSEGV), OomKilled, or OutOfMemory when nothing could be killed."""
    from .fault import bad_area, do_user_fault
    from .oom_kill import out_of_memory
    first = None
    comm, m.comm = m.comm, p.comm        # the kernel's messages name the task
    try:
        for _ in range(6 + len(m.processes)):
            acc = _access(m.frames, m.cpu, m.tlb, vaddr, kind, user)
            events.extend(acc.events)
            if acc.fault is None:
                break
            first = first or acc.fault
            if vaddr >= TASK_SIZE:
                raise bad_area(m, p, vaddr, acc.fault.error_code, events,
                               "user access to kernel space", ("kernel_address", "bad_area"))
            try:
                do_user_fault(m, p, vaddr, acc.fault.error_code, events)
            except OomKilled:
                raise
            except OutOfMemory as e:
                if not out_of_memory(m, p, e.gfp_mask, e.order, events):
                    raise
                switch_to(m, p.pid, events)
        else:
            raise SegFault(f"{p.comm}[{p.pid}]: fault at {vaddr:x} not resolved")
    finally:
        m.comm = comm
    acc.fault = first
    acc.events = events
    return acc


def fault_in(m: "Machine", p: Process, vaddr: int, kind: str, events) -> None:
    """A kernel access to user memory of p (clear_user, copying args at exec)."""
    prev = m.current
    switch_to(m, p.pid, events)
    user_access(m, p, vaddr, kind, events, user=False)
    if prev is not None and prev != p.pid and prev in m.processes:
        switch_to(m, prev, events)


def rw_virt(m: "Machine", vaddr: int, length: int, pid, data: bytes | None, events) -> bytes:
    """copy_{to,from}_user-style bytes through the MMU, page by page (see Machine.read_virt).
    Raises ConfigError for a bad length, more than MAX_RW_BYTES, or a dead pid."""
    what = "write_virt" if data is not None else "read_virt"
    if not isinstance(length, int) or length < 0:
        raise ConfigError(f"{what}: length must be a byte count, got {shown(length)}")
    if length > MAX_RW_BYTES:
        raise ConfigError(f"{what}: {length} bytes is more than mmviz copies in one "
                          f"operation ({MAX_RW_BYTES >> 20}M); split it up")
    if not 0 <= vaddr or vaddr + length > 1 << 32:
        raise ConfigError(f"{what}: {vaddr:#x}+{length:#x} leaves the 4G address space")
    if pid is not None:
        m.process(pid)
    out = bytearray()
    prev = m.current
    try:
        _rw_pages(m, vaddr, length, pid, data, out, events)
    except KernelError as e:
        resume(m, prev, e, events)
        raise
    return bytes(out)


def _rw_pages(m: "Machine", vaddr, length, pid, data, out, events) -> None:
    pos = 0
    while pos < length:
        va = vaddr + pos
        n = min(length - pos, 4096 - (va & 0xFFF))
        kind = "write" if data is not None else "read"
        if pid is None:
            if m.current is not None:
                switch_to(m, None, events)
            acc = _access(m.frames, m.cpu, m.tlb, va, kind, False)
            events.extend(acc.events)
            if acc.fault is not None:
                raise kernel_oops(m, va, acc, None, events)
        else:
            p = m.process(pid)
            switch_to(m, p.pid, events)
            try:
                acc = user_access(m, p, va, kind, events)
            finally:
                sync_vmas(m, p, events)
        if data is not None:
            m.frames.write(acc.paddr, data[pos:pos + n])
        else:
            out += m.read_phys(acc.paddr, n)
        pos += n


def oops_message(m: "Machine", vaddr: int, code: int) -> str:
    """The first line of the flavour's oops for a kernel fault at vaddr (show_fault_oops();
    engine.kversion rule oops_line): 2.6.24 "... at virtual address %08lx", 2.6.26 "... at
    %08lx", 5.0+ "BUG: kernel NULL pointer dereference, address: %px" below PAGE_SIZE."""
    style = m.config.flavour.oops_line
    if style == "page_fault":
        if vaddr < 4096:
            return f"BUG: kernel NULL pointer dereference, address: {vaddr:08x}"
        return f"BUG: unable to handle page fault for address: {vaddr:08x}"
    what = "NULL pointer dereference" if vaddr < 4096 else "paging request"
    at = "at virtual address" if style == "virtual_address" else "at"
    return f"BUG: unable to handle kernel {what} {at} {vaddr:08x}"


def kernel_oops(m: "Machine", vaddr: int, acc, prev, events) -> KernelOops:
    """A kernel-mode fault no fixup handles: the Oops event, the task that ran before
    running again (the simulated oops kills no one), the error to raise; .access is the
    faulting Access (walk and error code)."""
    msg = oops_message(m, vaddr, acc.fault.error_code)
    events.append(Oops(vaddr, acc.fault.error_code, msg))
    acc.events = events
    err = KernelOops(msg)
    err.access = acc
    resume(m, prev, err, events)
    return err


__all__ = ["Process", "MAX_RW_BYTES", "pm"]
