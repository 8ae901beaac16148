"""User processes on the Machine: spawn, fork, exit, VMAs, faults, copy-on-write, swap."""
from __future__ import annotations

from . import physmem as pm
from .errors import ConfigError, KernelOops, SegFault
from .mm import TASK_SIZE, FileRef, MmStruct, mmap_base
from .mmu import access as _access
from .pgtable import PageTables
from .proc_events import ContextSwitch, Exit, Fork, Oops, Spawn


class Process:
    """A task: pid, comm, its mm (VMAs + page tables) and the memory system calls."""

    def __init__(self, m, pid: int, comm: str, mm: MmStruct, ppid: int = 0) -> None:
        self.m, self.pid, self.comm, self.mm, self.ppid = m, pid, comm, mm, ppid
        self.ip = self.sp = 0
        self.symbols: dict[str, int] = {}
        self.task_addr: int | None = None

    @property
    def vmas(self) -> list:
        return list(self.mm.vmas)

    @property
    def cr3(self) -> int:
        return self.mm.pgd.cr3

    def _op(self, fn, *args, **kw):
        from .mmap_ops import do_brk, do_mmap, do_mprotect, do_munmap  # noqa: F401
        m = self.m
        events = m._begin()
        try:
            return fn(m, self, *args, events, **kw)
        finally:
            m._sync_vmas(self, events)
            m._end(events)

    def brk(self, addr: int) -> int:
        from .mmap_ops import do_brk
        return self._op(do_brk, addr)

    def sbrk(self, delta: int) -> int:
        """glibc sbrk(): the old break on success; ENOMEM raises OutOfMemory."""
        from .errors import OutOfMemory
        old = self.mm.brk
        if delta and self.brk(old + delta) != old + delta:
            raise OutOfMemory(f"sbrk({delta:#x}): ENOMEM (brk stays at {old:#x})")
        return old

    def mmap(self, length: int, prot: str = "rw-", flags: str = "private|anonymous",
             addr: int | None = None, file: str | None = None, offset: int = 0) -> int:
        from .mmap_ops import do_mmap
        return self._op(lambda m, p, ev: do_mmap(m, p, length, prot, flags, addr, ev,
                                                 file=file, offset=offset))

    def munmap(self, addr: int, length: int) -> None:
        from .mmap_ops import do_munmap
        self._op(do_munmap, addr, length)

    def mprotect(self, addr: int, length: int, prot: str) -> None:
        from .mmap_ops import do_mprotect
        self._op(do_mprotect, addr, length, prot)

    def maps(self) -> str:
        return self.m.proc_pid(self.pid, "maps")

    def __repr__(self) -> str:
        return f"<Process pid={self.pid} {self.comm} vmas={len(self.mm.vmas)} cr3={self.cr3:#x}>"


class ProcessMixin:
    """m.spawn, m.fork, m.exit, m.current, m.processes, m.write_virt/read_virt, swap."""

    def _init_processes(self) -> None:
        """Called by Machine.__init__ after the kernel allocators are up."""
        from .proc_check import check_processes
        from .swap import SwapState, swap_meminfo
        self.processes: dict[int, Process] = {}
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
        from .vmalloc_sync import check_kernel_pdes
        self.extra_checks.append(check_kernel_pdes)
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
        p = self.processes.get(int(pid))
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
        """fork + exec of a program image (engine.binfmt) with a fresh address space."""
        from .binfmt import exec_image, image_for
        events = self._begin()
        if legacy is None:
            legacy = self.config.flavour.era != "C"     # 2.6: bottom-up from 0x40000000
        pid = self._next_pid
        self._next_pid += 1
        mm = self._new_mm(legacy)
        p = Process(self, pid, name[:15], mm)
        p.task_addr = self._slab("task_struct")
        self.processes[pid] = p
        events.append(Spawn(pid, name, p.cr3))
        self.switch_to(pid, events)
        exec_image(self, p, image_for(name), events)
        self._sync_vmas(p, events)
        mm.update_hiwater()
        self._end(events)
        return p

    def switch_to(self, pid, events=None) -> None:
        """context_switch(): load CR3 (non-global TLB entries go); pid None = kernel."""
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
        """do_fork(): copy the VMAs; private pages are shared copy-on-write."""
        from .memory import copy_range
        parent = self.process(pid)
        events = self._begin()
        legacy = parent.mm.legacy
        mm = self._new_mm(legacy)
        mm.mmap_base = parent.mm.mmap_base
        for k in ("start_code", "end_code", "start_data", "end_data", "start_brk", "brk",
                  "start_stack"):
            setattr(mm, k, getattr(parent.mm, k))
        cpid = self._next_pid
        self._next_pid += 1
        child = Process(self, cpid, parent.comm, mm, ppid=parent.pid)
        child.ip, child.sp, child.symbols = parent.ip, parent.sp, dict(parent.symbols)
        child.task_addr = self._slab("task_struct")
        self.processes[cpid] = child
        for v in parent.mm.vmas:
            nv = v.copy()
            if nv.shm is not None:
                nv.shm.users += 1
            mm.vmas.append(nv)
            if v.shm is None and v.ops is None and v.special is None:
                copy_range(self, parent, child, v, events)
        mm.hiwater_rss = mm.rss
        mm.update_hiwater()
        self._sync_vmas(child, events)
        events.append(Fork(parent.pid, cpid, mm.rss_anon))
        self._end(events)
        return cpid

    def exit(self, pid) -> None:
        """do_exit() -> exit_mmap(): unmap everything, free page tables, the pgd, the mm."""
        from .memory import zap_range
        from .mmap_ops import release_vma
        p = self.process(pid)
        events = self._begin()
        if self.current == p.pid:
            self.switch_to(None, events)
        freed_before = sum(z.free_pages for z in self._all_zones)
        for v in list(p.mm.vmas):
            zap_range(self, p, v.start, v.end, events, free_tables=False)
            release_vma(self, v, events)
        p.mm.vmas.clear()
        self._sync_vmas(p, events)
        tables = p.mm.pgd.release()
        if p.mm.addr is not None:
            self._slab("mm_struct", p.mm.addr)
        if p.task_addr is not None:
            self._slab("task_struct", p.task_addr)
        del self.processes[p.pid]
        freed = sum(z.free_pages for z in self._all_zones) - freed_before
        events.append(Exit(p.pid, freed - len(tables), len(tables)))
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
        self.switch_to(p.pid, events)
        try:
            acc = self._user_access(p, vaddr, kind, events, user=True)
        finally:
            self._sync_vmas(p, events)
            self._end(events)
        return acc

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
        from .fault import do_user_fault
        first = None
        for _ in range(6):
            acc = _access(self.frames, self.cpu, self.tlb, vaddr, kind, user)
            events.extend(acc.events)
            if acc.fault is None:
                break
            first = first or acc.fault
            if vaddr >= TASK_SIZE:
                from .fault import bad_area
                raise bad_area(self, p, vaddr, acc.fault.error_code, events,
                               "user access to kernel space")
            do_user_fault(self, p, vaddr, acc.fault.error_code, events)
        else:
            raise SegFault(f"{p.comm}[{p.pid}]: fault at {vaddr:x} not resolved")
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
        out = bytearray()
        pos = 0
        events = self._begin()
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
        self._end(events)
        return bytes(out)

    def write_virt(self, vaddr: int, data, pid=None) -> None:
        if isinstance(data, str):
            data = data.encode()
        self._rw_virt(vaddr, len(data), pid, bytes(data))

    def read_virt(self, vaddr: int, length: int, pid=None) -> bytes:
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
