"""User processes on the Machine: spawn, fork, exit, VMAs, faults, copy-on-write, swap."""
from __future__ import annotations

from . import physmem as pm
from .errors import ConfigError, KernelError, KernelOops, OomKilled, OutOfMemory, SegFault
from .mm import TASK_SIZE, FileRef, MmStruct, mmap_base
from .mmu import access as _access
from .lifecycle import copy_process, exec_new
from .pgtable import PageTables
from .proc_events import ContextSwitch, Exit, Oops
from .process import MAX_RW_BYTES, Process

__all__ = ["Process", "ProcessMixin", "MAX_RW_BYTES"]


class ProcessMixin:
    """m.spawn, m.fork, m.exit, m.current, m.processes, m.write_virt/read_virt, swap."""

    def _init_processes(self) -> None:
        """Called by Machine.__init__ after the kernel allocators are up."""
        from .proc_check import check_processes
        from .swap import SwapState, check_swap_size, swap_meminfo
        check_swap_size(self.config.swap, self.config.pae, self.config.kernel)
        self.processes: dict[int, Process] = {}
        self.kmsg: list[str] = []          # printk after boot (engine.kmsg): OOM reports, Bad page map
        self.current: int | None = None
        self._next_pid = 1
        self._anon_vma_seq = 0
        self._files: dict[str, FileRef] = {}
        self._special: dict[str, list[int]] = {}
        self.special_pages_names = ("[vdso]", "[vvar]")
        self.map_drivers: dict = {}
        self.swap_state = SwapState(self.config.swap >> 12)
        bss = self.kernel_image["bss"]
        self.zero_pfn = (bss[1] >> 12) - 1          # empty_zero_page, in the kernel's .bss
        self.extra_checks.append(check_processes)
        from .vmalloc_sync import check_direct_map, check_kernel_pdes
        self.extra_checks.append(check_kernel_pdes)
        self.extra_checks.append(check_direct_map)
        self.meminfo_hooks.append(swap_meminfo)

    # -- events -------------------------------------------------------------------
    def _begin(self) -> list:
        self._op_events = []
        return self._op_events

    def _end(self, events) -> None:
        self._events = events if self.record_events else None

    # -- helpers used by the mm code ---------------------------------------------------
    def _next_anon_vma(self) -> int:
        self._anon_vma_seq += 1
        return self._anon_vma_seq

    def _file_ref(self, path: str, dev=(3, 3), inode: int | None = None) -> FileRef:
        ref = self._files.get(path)
        if ref is None:
            ino = inode if inode is not None else 400000 + len(self._files) * 17
            ref = self._files[path] = FileRef(path, dev[0], dev[1], ino)
        return ref

    def _pgtable_alloc(self) -> int:
        pfn = self.alloc_pages("GFP_KERNEL | __GFP_ZERO", 0, owner=pm.OWNER_PGTABLE)
        ev = getattr(self, "_op_events", None)
        if ev is not None and self._events:
            ev.extend(self._events)
        return pfn

    def _pgtable_free(self, pfn: int) -> None:
        self._free(pfn, 0, getattr(self, "_op_events", None), expect_owner=pm.OWNER_PGTABLE)

    def _slab(self, cache: str, addr: int | None = None):
        """kmem_cache_alloc/free on the real caches when the slab allocator is there."""
        fn = getattr(self, "kmem_cache_alloc" if addr is None else "kmem_cache_free", None)
        if fn is None:
            return None
        ev = getattr(self, "_op_events", None)
        try:
            out = fn(cache) if addr is None else fn(cache, addr)
        except Exception:                         # cache not created by this allocator
            return None
        if ev is not None and self._events and self._events is not ev:
            ev.extend(self._events)
        return out

    def _sync_vmas(self, p: Process, events) -> None:
        """vm_area_struct objects: one per live VMA (merges free, splits allocate)."""
        objs = p.__dict__.setdefault("_vma_objs", {})
        if any(id(t[0]) != k for k, t in objs.items()):     # keyed by id(): a copied process
            objs = p.__dict__["_vma_objs"] = {id(t[0]): t for t in objs.values()}
        live = {id(v): v for v in p.mm.vmas}
        for vid in [k for k in objs if k not in live]:
            addr = objs.pop(vid)[1]
            if addr is not None:
                self._slab("vm_area_struct", addr)
        for vid, v in live.items():
            if vid not in objs:
                v.addr = self._slab("vm_area_struct")
                objs[vid] = (v, v.addr)

    def special_page(self, name: str, idx: int) -> int:
        pages = self._special.setdefault(name, [])
        while len(pages) <= idx:
            pages.append(self._pgtable_alloc_special())
        pfn = pages[idx]
        return pfn

    def _pgtable_alloc_special(self) -> int:
        pfn = self.alloc_pages("GFP_KERNEL", 0)
        self.memmap.refcount[pfn] = 1
        return pfn

    def process(self, pid) -> Process:
        """The live task with this pid; ConfigError (ESRCH) if there is none."""
        if isinstance(pid, Process):
            pid = pid.pid
        try:
            key = int(pid)
        except (TypeError, ValueError):
            raise ConfigError(f"pid {pid!r}: not a process id") from None
        p = self.processes.get(key)
        if p is None:
            raise ConfigError(f"pid {pid}: no such process")
        return p

    # -- processes ---------------------------------------------------------------------
    def _new_mm(self, legacy: bool) -> MmStruct:
        cfg = self.config
        if cfg.page_offset != TASK_SIZE:
            raise ConfigError("processes need the 3G/1G split (PAGE_OFFSET 0xC0000000)")
        pgd = PageTables(self.frames, cfg.pae, self._pgtable_alloc, self._pgtable_free)
        pgd.clone_top_entries(self.kernel_pt.pt, TASK_SIZE, 1 << 32)     # pgd_ctor
        if cfg.pae:                                   # PREALLOCATED_PMDS for the user GBs
            for i in range(TASK_SIZE >> 30):
                pgd.pde_paddr(i << 30, alloc=True)
        rnd = 0
        if cfg.aslr and (not legacy or cfg.flavour.era == "C"):
            rnd = self.rng.getrandbits(32) & 0xFF        # mmap_rnd_bits = 8
        mm = MmStruct(pgd, legacy, mmap_base(legacy, rnd))
        mm.addr = self._slab("mm_struct")
        return mm

    def spawn(self, name: str = "example", legacy: bool | None = None) -> Process:
        """fork + exec of a program image (engine.binfmt) with a fresh address space.

        All or nothing: OutOfMemory leaves the machine as it was (engine.lifecycle)."""
        from .lifecycle import atomic
        if not isinstance(name, str) or not name:
            raise ConfigError(f"spawn: name must be a non-empty string, got {name!r}")
        pid = atomic(self, 48, lambda mm: mm._spawn(name, legacy).pid)
        return self.processes[pid]

    def _spawn(self, name: str, legacy: bool | None) -> Process:
        comm, self.comm = self.comm, name[:15]
        try:
            return exec_new(self, name, legacy)
        finally:
            self.comm = comm

    def switch_to(self, pid=None, events=None) -> None:
        """context_switch(): load CR3 (non-global TLB entries go); pid None = kernel.

        Raises ConfigError for a pid that names no live process (nothing changes)."""
        if pid is not None:
            pid = self.process(pid).pid
        own = events is None
        if own:
            events = self._begin()
        if pid != self.current:
            cr3 = self.processes[pid].cr3 if pid is not None else self.swapper_pg_dir
            self.cpu.cr3 = cr3
            self.tlb.flush_nonglobal(events)
            events.append(ContextSwitch(self.current, pid, cr3))
            self.current = pid
        if own:
            self._end(events)

    def load_cr3(self) -> None:
        """MOV CR3, CR3 with the current page directory: the TLB keeps only global entries."""
        events = self._begin()
        self.tlb.flush_nonglobal(events)
        self._end(events)

    def fork(self, pid) -> int:
        """do_fork(): copy the VMAs; private pages are shared copy-on-write.

        All or nothing: OutOfMemory leaves the machine as it was (engine.lifecycle)."""
        from .lifecycle import atomic
        parent = self.process(pid)
        need = len(parent.mm.pgd.owned) + 8 + 2 * len(parent.mm.vmas)
        return atomic(self, need, lambda mm: mm._fork(parent.pid))

    def _fork(self, pid) -> int:
        parent = self.process(pid)
        comm, self.comm = self.comm, parent.comm
        try:
            return copy_process(self, parent)
        finally:
            self.comm = comm

    def exit(self, pid) -> None:
        """do_exit() -> exit_mmap(): unmap everything, free page tables, the pgd, the mm."""
        from .lifecycle import teardown
        p = self.process(pid)
        events = self._begin()
        freed, tables = teardown(self, p, events)
        events.append(Exit(p.pid, freed, tables))
        self._end(events)

    # -- accesses ----------------------------------------------------------------------
    def _access_with_faults(self, vaddr: int, kind: str, pid, user=None):
        """m.access(): user mode in process pid (faults handled), or kernel mode.

        ``user=False`` with a pid is a kernel-mode access while that process runs
        (its page directory loaded): a driver touching its vmalloc buffer, copy_to_user.
        """
        if pid is not None and user is False:
            return self._kernel_access_in(pid, vaddr, kind)
        events = self._begin()
        if pid is None:
            if self.current is not None:
                self.switch_to(None, events)
            acc = _access(self.frames, self.cpu, self.tlb, vaddr, kind, False)
            events.extend(acc.events)
            acc.events = events
            self._end(events)
            return acc
        p = self.process(pid)
        prev = self.current
        self.switch_to(p.pid, events)
        try:
            acc = self._user_access(p, vaddr, kind, events, user=True)
        except KernelError as e:
            self._resume(prev, e, events)
            raise
        finally:
            self._sync_vmas(p, events)
            self._end(events)
        return acc

    def _resume(self, prev, err, events) -> None:
        """A failed access leaves the task that ran before it running (signals are
        delivered by raising; the simulated tasks do not die of them)."""
        if isinstance(err, OomKilled) or self.current == prev:
            return
        if prev is None or prev in self.processes:
            self.switch_to(prev, events)

    def _kernel_access_in(self, pid, vaddr: int, kind: str):
        from .vmalloc_sync import vmalloc_fault
        events = self._begin()
        p = self.process(pid)
        self.switch_to(p.pid, events)
        try:
            if vaddr < TASK_SIZE:
                return self._user_access(p, vaddr, kind, events, user=False)
            acc = _access(self.frames, self.cpu, self.tlb, vaddr, kind, False)
            events.extend(acc.events)
            if acc.fault is not None and vmalloc_fault(self, p, vaddr, events):
                first = acc.fault
                acc = _access(self.frames, self.cpu, self.tlb, vaddr, kind, False)
                events.extend(acc.events)
                if acc.fault is None:
                    acc.fault = first          # the fault that was taken and fixed
                    acc.events = events
                    return acc
            if acc.fault is not None:
                raise KernelOops(_oops_message(self, vaddr, acc.fault.error_code))
            acc.events = events
            return acc
        finally:
            self._end(events)

    def _user_access(self, p, vaddr, kind, events, user=True):
        """The access, faults handled; a fault that finds no memory after reclaim runs
        the OOM killer (engine.oom_kill) and is retried."""
        from .fault import do_user_fault
        from .oom_kill import out_of_memory
        first = None
        comm, self.comm = self.comm, p.comm        # the kernel's messages name the task
        try:
            for _ in range(6 + len(self.processes)):
                acc = _access(self.frames, self.cpu, self.tlb, vaddr, kind, user)
                events.extend(acc.events)
                if acc.fault is None:
                    break
                first = first or acc.fault
                if vaddr >= TASK_SIZE:
                    from .fault import bad_area
                    raise bad_area(self, p, vaddr, acc.fault.error_code, events,
                                   "user access to kernel space")
                try:
                    do_user_fault(self, p, vaddr, acc.fault.error_code, events)
                except OomKilled:
                    raise
                except OutOfMemory as e:
                    if not out_of_memory(self, p, getattr(e, "gfp_mask", 0),
                                         getattr(e, "order", 0), events):
                        raise
                    self.switch_to(p.pid, events)
            else:
                raise SegFault(f"{p.comm}[{p.pid}]: fault at {vaddr:x} not resolved")
        finally:
            self.comm = comm
        acc.fault = first
        acc.events = events
        return acc

    def _fault_in(self, p, vaddr: int, kind: str, events) -> None:
        """A kernel access to user memory of p (clear_user, copying args at exec)."""
        prev = self.current
        self.switch_to(p.pid, events)
        self._user_access(p, vaddr, kind, events, user=False)
        if prev is not None and prev != p.pid and prev in self.processes:
            self.switch_to(prev, events)

    def _rw_virt(self, vaddr: int, length: int, pid, data: bytes | None):
        what = "write_virt" if data is not None else "read_virt"
        if not isinstance(length, int) or length < 0:
            raise ConfigError(f"{what}: length must be a byte count, got {length!r}")
        if length > MAX_RW_BYTES:
            raise ConfigError(f"{what}: {length} bytes is more than mmviz copies in one "
                              f"operation ({MAX_RW_BYTES >> 20}M); split it up")
        if not 0 <= vaddr or vaddr + length > 1 << 32:
            raise ConfigError(f"{what}: {vaddr:#x}+{length:#x} leaves the 4G address space")
        if pid is not None:
            self.process(pid)
        out = bytearray()
        pos = 0
        events = self._begin()
        prev = self.current
        try:
            self._rw_pages(vaddr, length, pid, data, out, events)
        except KernelError as e:
            self._resume(prev, e, events)
            self._end(events)
            raise
        self._end(events)
        return bytes(out)

    def _rw_pages(self, vaddr, length, pid, data, out, events) -> None:
        pos = 0
        while pos < length:
            va = vaddr + pos
            n = min(length - pos, 4096 - (va & 0xFFF))
            kind = "write" if data is not None else "read"
            if pid is None:
                if self.current is not None:
                    self.switch_to(None, events)
                acc = _access(self.frames, self.cpu, self.tlb, va, kind, False)
                events.extend(acc.events)
                if acc.fault is not None:
                    msg = _oops_message(self, va, acc.fault.error_code)
                    events.append(Oops(va, acc.fault.error_code, msg))
                    self._end(events)
                    raise KernelOops(msg)
            else:
                p = self.process(pid)
                self.switch_to(p.pid, events)
                try:
                    acc = self._user_access(p, va, kind, events)
                finally:
                    self._sync_vmas(p, events)
                    self._end(events)
            if data is not None:
                self.frames.write(acc.paddr, data[pos:pos + n])
            else:
                out += self.frames.read(acc.paddr, n)
            pos += n

    def write_virt(self, vaddr: int, data, pid=None) -> None:
        """Store bytes at vaddr through the MMU (user mode in pid, else kernel mode).
        ConfigError above MAX_RW_BYTES or for a dead pid; faults as m.access."""
        if isinstance(data, str):
            data = data.encode()
        self._rw_virt(vaddr, len(data), pid, bytes(data))

    def read_virt(self, vaddr: int, length: int, pid=None) -> bytes:
        """Load length bytes (at most MAX_RW_BYTES) from vaddr through the MMU."""
        return self._rw_virt(vaddr, length, pid, None)

    # -- swap and /proc ------------------------------------------------------------------
    def reclaim(self) -> int:
        """Wake kswapd now (it also wakes by itself below the low watermark)."""
        from .swap import kswapd
        events = self._begin()
        n = kswapd(self, events, force=True)
        self._end(events)
        return n

    def load_map_driver(self, size=4096, device: str = "/dev/mapfile"):
        """insmod the seed's map_driver; mmap ``device`` (shared) to map its buffer."""
        from .mapdriver import load_map_driver
        events = self._begin()
        drv = load_map_driver(self, size, device)
        self._end(events)
        return drv

    def proc_pid(self, pid, name: str) -> str:
        from .proc_procfs import render_pid
        return render_pid(self, pid, name)


def _oops_message(m, vaddr: int, code: int) -> str:
    if m.config.flavour.era == "C":
        return f"BUG: unable to handle page fault for address: {vaddr:08x}"
    if vaddr < 4096:
        return f"BUG: unable to handle kernel NULL pointer dereference at {vaddr:08x}"
    return f"BUG: unable to handle kernel paging request at {vaddr:08x}"
