"""The simulated machine: ``engine.Machine.boot(...)`` and the public API (API.md).

``Machine`` is a façade.  Its public methods are short delegations, each inside the
one event bracket (``with self.trace as events``), to subsystems named as the kernel
names them:

=================  ==========================================  ===============================
attribute          subsystem                                   kernel
=================  ==========================================  ===============================
``page_alloc``     page_alloc.PageAllocator (zones, buddy)     mm/page_alloc.c
``kmem``           kmalloc.KmemCaches (SLUB or SLAB)           mm/slab_common.c, slub.c, slab.c
``vmap``           vmalloc.Vmalloc                             mm/vmalloc.c
``highmem``        highmem.Highmem (kmap, kmap_atomic)         mm/highmem.c
``kernel_pt``,     init_32.KernelPageTables , mmu.CpuRegs,     arch/x86/mm/init_32.c, the CPU
``cpu``, ``tlb``   mmu.Tlb
tasks              tasks (spawn, fork, exit, accesses)         kernel/fork.c, exit.c, mm/memory.c
``swap_state``     swap.SwapState, swap.kswapd                 mm/swapfile.c, mm/vmscan.c
``trace``          trace.Trace (the events of an operation)    kernel/trace
=================  ==========================================  ===============================

Engine modules receive the machine as the kernel's functions use its globals, and
reach a subsystem through these attributes or the public services named below
(``pgtable_alloc``, ``cr3_for``, ``tasks.fault_in`` ...).
"""
from __future__ import annotations

import random

from . import physmem as pm
from . import tasks
from .boot import BootState
from .config import MachineConfig, make_config
from .errors import BadFree, ConfigError, InvariantError
from .highmem import Highmem
from .invariants import check_machine
from .kmem_checks import check_kalloc
from .slabinfo import kalloc_meminfo, kalloc_node_stats
from .kmalloc import ZERO_SIZE_PTR, KmemCaches
from .init_32 import KernelPageTables
from .lifecycle import atomic, copy_process, exec_new, teardown
from .mmu import (ACCESS_KINDS, EFER_NXE, X86_CR0_PE, X86_CR0_PG, X86_CR0_WP, X86_CR4_PAE, X86_CR4_PGE,
                  X86_CR4_PSE, CpuRegs, Tlb)
from .mmu import walk as _walk
from .page_alloc import PageAllocator
from .physmem import FrameStore
from .task_checks import check_processes
from .task_events import Exit
from .process import Process
from .swap import swap_meminfo
from .trace import Trace
from .vmalloc import Vmalloc
from .vmalloc_sync import check_direct_map, check_kernel_pdes
from .zone import Zone

X86_CR0_MP, X86_CR0_ET, X86_CR0_NE, X86_CR0_AM = 1 << 1, 1 << 4, 1 << 5, 1 << 18
DEFAULT_CALLER = "mmviz_init+0x1a/0x40 [mmviz]"


class Machine:
    """A booted i386 machine.  Create it with :meth:`Machine.boot`."""

    ZERO_SIZE_PTR = ZERO_SIZE_PTR
    dry_run = False          # True on the trial copy of an all-or-nothing operation (lifecycle)

    def __init__(self, cfg: MachineConfig) -> None:
        self.config = cfg
        bs = BootState(cfg)
        self.boot_state = bs
        self.layout = bs.layout
        self.memmap = bs.memmap
        self.max_pfn = bs.max_pfn
        self.max_low_pfn = bs.max_low_pfn
        self._all_zones: list[Zone] = bs.zones
        self.kernel_image = bs.kernel_image
        self.reservations = bs.reservations
        self.min_free_kbytes = bs.min_free_kbytes
        self.boot_log: list[str] = list(bs.log)
        self.trace = Trace(list(bs.events))
        self.frames = FrameStore(self.max_pfn << 12)
        self.page_alloc = PageAllocator(self, bs.zones, self.memmap, cfg.flavour.buddy_merge_likely)
        self.buddy, self.gfp = self.page_alloc.buddy, self.page_alloc.gfp
        self.rng = random.Random(cfg.seed)
        self.comm = "insmod"             # the task name the kernel's messages show
        # the invariant checks and /proc counters of each subsystem: fn(m)
        self.extra_checks: list = [check_kalloc, check_processes, check_kernel_pdes,
                                   check_direct_map]
        self.meminfo_hooks: list = [kalloc_meminfo, swap_meminfo]      # -> {field: kB}
        self.node_stat_hooks: list = [kalloc_node_stats]               # -> {stat: pages}
        # the MMU: swapper_pg_dir, control registers, TLB
        self.kernel_pt = KernelPageTables(self)
        cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | X86_CR0_PG
        cr4 = (X86_CR4_PSE if cfg.pse else 0) | (X86_CR4_PAE if cfg.pae else 0) | \
              (X86_CR4_PGE if cfg.pge else 0)
        efer = EFER_NXE if cfg.pae and cfg.nx else 0
        self.cpu = CpuRegs(cr0=cr0, cr3=self.kernel_pt.swapper_pg_dir, cr4=cr4, efer=efer,
                           maxphyaddr=36)
        self.tlb = Tlb(pae=cfg.pae)
        # the kernel allocators: empty caches (no page allocated at boot)
        self.kmem = KmemCaches(self)
        self.vmap = Vmalloc()
        self.highmem = Highmem(self)
        self.current_cpu = 0                 # smp_processor_id() for per-CPU structures
        tasks.init_tasks(self)
        self.trace.current = list(bs.events)

    # -- construction ------------------------------------------------------
    @classmethod
    def boot(cls, ram="160M", pae=False, nx=False, vmalloc=None, kernel="6.1", allocator=None,
             cpus=1, swap=0, pcp=False, seed=0, pse=True, pge=True, split="3G",
             aslr=False, config=None, e820=None, cmdline="", initrd=None) -> "Machine":
        """kernel: a version ("2.6.24", "3.16", "6.1", ...); config: build options
        ({"NR_CPUS": 8, "THP": False, ...}); e820: ranges or a log's e820 lines;
        cmdline: "mem=... memmap=... highmem=... vmalloc=..."; initrd: the initramfs size
        (bytes or "7M"; None: the flavour's) (engine.config, engine.kversion)."""
        if pcp:
            raise ConfigError("pcp: per-CPU page lists are not modelled yet; boot with pcp=False")
        cfg = make_config(ram=ram, pae=pae, nx=nx, pse=pse, pge=pge, vmalloc=vmalloc,
                          kernel=kernel, allocator=allocator, cpus=cpus, swap=swap, pcp=pcp,
                          seed=seed, split=split, aslr=aslr, config=config, e820=e820,
                          cmdline=cmdline, initrd=initrd)
        return cls(cfg)

    @classmethod
    def from_dmesg(cls, text: str, **overrides) -> "Machine":
        """Boot the machine a real boot log describes (engine.dmesg); ``m.dmesg_comparison``
        pairs each real memory line with mmviz's, marked equal / different / missing."""
        from .dmesg import from_dmesg
        return from_dmesg(cls, text, **overrides)

    # -- events --------------------------------------------------------------
    @property
    def events(self) -> list | None:
        """The events of the most recent operation (engine.events; None when not recorded)."""
        return self.trace.events

    @events.setter
    def events(self, value: list | None) -> None:
        self.trace.current = value

    @property
    def record_events(self) -> bool:
        """Whether operations keep their events (a timeline replays without)."""
        return self.trace.record

    @record_events.setter
    def record_events(self, value: bool) -> None:
        self.trace.record = value

    # -- zones -------------------------------------------------------------
    @property
    def zones(self) -> list[Zone]:
        """Populated zones in order DMA, Normal, HighMem."""
        return [z for z in self._all_zones[:3] if z.present]

    @property
    def all_zones(self) -> list[Zone]:
        """Every zone the kernel has, empty ones included (as /proc/zoneinfo lists them)."""
        return list(self._all_zones)

    def zone(self, name: str) -> Zone:
        """The zone by name (case-insensitive); KeyError if there is none."""
        for z in self._all_zones:
            if z.name.lower() == name.lower():
                return z
        raise KeyError(f"no zone named {name!r}")

    def pfn_zone(self, pfn: int) -> str | None:
        """Name of the zone a frame belongs to (None for a hole)."""
        if not 0 <= pfn < self.max_pfn:
            return None
        idx = int(self.memmap.zone[pfn])
        return self._all_zones[idx].name if idx >= 0 else None

    # -- the page allocator (engine.page_alloc) ---------------------------------
    def alloc_pages(self, gfp="GFP_KERNEL", order: int = 0, owner: int = pm.OWNER_PAGES) -> int:
        """alloc_pages(): the pfn of the first frame of a 2^order block.

        gfp: a mask string ("GFP_KERNEL | __GFP_ZERO") or int; order: 0..10; owner: an
        ``OWNER_*`` code of engine.physmem.  Raises ConfigError (bad flag or order),
        OutOfMemory ("page allocation failure: order:N, mode:...")."""
        return self.page_alloc.alloc_pages(gfp, order, owner, self.trace.begin())

    def free_pages(self, pfn: int, order: int = 0) -> None:
        """__free_pages(): give a block back; merges with free buddies.
        Raises BadFree ("BUG: Bad page state ...") for a block not allocated so."""
        self.page_alloc.free_pages(pfn, order, self.trace.begin())

    def get_free_pages(self, gfp="GFP_KERNEL", order: int = 0) -> int:
        """__get_free_pages(): like alloc_pages but returns the direct-map address."""
        mask = self.gfp.parse(gfp)
        if mask & self.gfp.HIGHMEM:
            if not self.config.flavour.get_free_pages_strips_highmem:
                # 2.6.24: VM_BUG_ON((gfp_mask & __GFP_HIGHMEM) != 0)
                raise ConfigError("__get_free_pages: __GFP_HIGHMEM is not allowed "
                                  "(highmem pages have no kernel address)")
            mask &= ~self.gfp.HIGHMEM          # 6.x strips it
        pfn = self.alloc_pages(mask, order)
        return self.layout.page_offset + (pfn << 12)

    def get_free_page(self, gfp="GFP_KERNEL") -> int:
        """__get_free_page(): one page's direct-map address."""
        return self.get_free_pages(gfp, 0)

    def free_pages_addr(self, vaddr: int, order: int = 0) -> None:
        """free_pages(addr, order).  Raises BadFree for an address outside the direct map."""
        L = self.layout
        if not L.page_offset <= vaddr < L.high_memory:
            raise BadFree(f"free_pages: {vaddr:#010x} is not a direct-map (lowmem) address")
        self.free_pages((vaddr - L.page_offset) >> 12, order)

    def pgtable_alloc(self) -> int:
        """pte_alloc_one()/pgd_alloc(): a zeroed page-table frame (OWNER_PGTABLE)."""
        return self.alloc_pages("GFP_KERNEL | __GFP_ZERO", 0, owner=pm.OWNER_PGTABLE)

    def pgtable_free(self, pfn: int) -> None:
        """pte_free(): a page-table frame back to the buddy allocator."""
        self.page_alloc.free(pfn, 0, self.trace.begin(), expect_owner=pm.OWNER_PGTABLE)

    # -- address conversion ----------------------------------------------------
    def virt_to_phys(self, vaddr: int) -> int:
        """__pa(): only meaningful for the direct map (ConfigError elsewhere)."""
        L = self.layout
        if not L.page_offset <= vaddr < L.high_memory:
            raise ConfigError(f"virt_to_phys: {vaddr:#010x} is not in the direct map "
                              f"({L.page_offset:#010x}-{L.high_memory:#010x}); "
                              f"only a page-table walk can translate it")
        return vaddr - L.page_offset

    def phys_to_virt(self, paddr: int) -> int:
        """__va(): only lowmem has a permanent kernel address (ConfigError for highmem)."""
        if not 0 <= paddr < (self.max_low_pfn << 12):
            raise ConfigError(f"phys_to_virt: {paddr:#x} is not lowmem (below "
                              f"{self.max_low_pfn << 12:#x}); highmem needs kmap()")
        return paddr + self.layout.page_offset

    def read_phys(self, paddr: int, length: int) -> bytes:
        """length bytes of simulated physical memory at paddr (untouched frames read 0)."""
        return self.frames.read(paddr, length)

    # -- slab / SLUB and kmalloc (engine.kmalloc) ----------------------------------
    def kmalloc(self, size, gfp="GFP_KERNEL") -> int:
        """kmalloc(): an object of the smallest kmalloc cache that fits (or pages)."""
        with self.trace as ev:
            return self.kmem.kmalloc(self, size, gfp, ev, self.current_cpu)

    def kzalloc(self, size, gfp="GFP_KERNEL") -> int:
        """kzalloc(): kmalloc with __GFP_ZERO."""
        return self.kmalloc(size, f"{gfp} | __GFP_ZERO")

    def kfree(self, vaddr: int) -> None:
        """kfree(): the object back to its cache (or the pages of a large kmalloc)."""
        with self.trace as ev:
            self.kmem.kfree(self, vaddr, ev, self.current_cpu)

    def ksize(self, vaddr: int) -> int:
        """The usable size of a kmalloc'ed object (its cache's object size)."""
        slab, head = self.kmem.find(self, vaddr, "ksize")
        if slab is not None:
            return slab.cache.object_size
        return 4096 << self.kmem.large[head][0]

    def kmem_cache_create(self, name: str, size: int, align: int = 0, flags: str = "") -> str:
        """kmem_cache_create(): the cache's name."""
        with self.trace as ev:
            return self.kmem.create(self, name, size, align, flags, ev)

    def kmem_cache_alloc(self, name: str, gfp="GFP_KERNEL") -> int:
        """kmem_cache_alloc(): an object's vaddr."""
        with self.trace as ev:
            return self.kmem.alloc(self, name, gfp, ev, self.current_cpu)

    def kmem_cache_free(self, name: str, vaddr: int) -> None:
        """kmem_cache_free()."""
        with self.trace as ev:
            self.kmem.free(self, name, vaddr, ev, self.current_cpu)

    def kmem_cache_destroy(self, name: str) -> None:
        """kmem_cache_destroy()."""
        with self.trace as ev:
            self.kmem.destroy(self, name, ev)

    @property
    def slab_caches(self) -> list:
        """Every kmem_cache, oldest first: name, object_size, size, objects_per_slab,
        order, slabs (each with pfn, base, objects, states(), freelist(), where)."""
        return list(self.kmem.caches.values())

    def slab_cache(self, name: str):
        """The kmem_cache of that name."""
        return self.kmem.get(name)

    def slab_of(self, vaddr: int):
        """The slab holding a direct-map address, or None."""
        L = self.layout
        if not L.page_offset <= vaddr < L.high_memory:
            return None
        return self.kmem.slab_of.get((vaddr - L.page_offset) >> 12)

    # -- vmalloc (engine.vmalloc) ----------------------------------------------------
    def vmalloc(self, size, caller: str | None = None) -> int:
        """vmalloc(): page-granular, virtually contiguous, backed frame by frame.
        All or nothing: OutOfMemory leaves the machine as it was (engine.lifecycle)."""
        def run(m: Machine) -> int:
            with m.trace as ev:
                return m.vmap.vmalloc(m, size, caller or DEFAULT_CALLER, ev)
        if isinstance(size, int) and not isinstance(size, bool) and 0 < size:
            nr = min(size >> 12, 1 << 20)
            return atomic(self, nr + (nr >> 10) + 4, run)
        return run(self)

    def vfree(self, vaddr: int) -> None:
        """vfree()."""
        with self.trace as ev:
            self.vmap.vfree(self, vaddr, ev)

    @property
    def vmap_areas(self) -> list:
        """The vmalloc areas in address order: start, end, size (incl. guard), pages, caller."""
        return list(self.vmap.areas)

    # -- highmem (engine.highmem) ------------------------------------------------------
    def kmap(self, pfn: int) -> int:
        """kmap(): the page's kernel address (a pkmap slot for highmem)."""
        with self.trace as ev:
            return self.highmem.kmap(self, pfn, ev)

    def kunmap(self, pfn: int) -> None:
        """kunmap()."""
        with self.trace as ev:
            self.highmem.kunmap(self, pfn, ev)

    def kmap_atomic(self, pfn: int, km_type: str | None = None) -> int:
        """kmap_atomic(); km_type (KM_USER0, ...) only on the 2.6 flavour."""
        with self.trace as ev:
            return self.highmem.kmap_atomic(self, pfn, km_type, self.current_cpu, ev)

    def kunmap_atomic(self, vaddr: int) -> None:
        """kunmap_atomic()."""
        with self.trace as ev:
            self.highmem.kunmap_atomic(self, vaddr, self.current_cpu, ev)

    @property
    def pkmap_count(self) -> tuple:
        """pkmap_count[] of every pkmap slot."""
        return tuple(self.highmem.count)

    @property
    def last_pkmap_nr(self) -> int:
        """Where the next kmap starts looking for a free slot."""
        return self.highmem.last_pkmap_nr

    # -- the MMU (engine.mmu) ---------------------------------------------------------
    @property
    def swapper_pg_dir(self) -> int:
        """Physical address of the kernel's page directory (PDPT under PAE)."""
        return self.kernel_pt.swapper_pg_dir

    def cr3_for(self, pid) -> int:
        """What CR3 holds while task pid runs (swapper_pg_dir for None).
        Raises ConfigError for a pid that names no live process."""
        if pid is None:
            return self.kernel_pt.swapper_pg_dir
        return self.process(pid).cr3

    def walk(self, vaddr: int, pid=None, kind: str = "read", user: bool | None = None):
        """The page walk alone, without side effects (no A/D bits, no TLB fill)."""
        _check_access(vaddr, kind)
        cpu = self.cpu.copy()
        cpu.cr3 = self.cr3_for(pid)
        if user is None:
            user = pid is not None
        return _walk(self.frames, cpu, vaddr, kind, user, set_ad=False)

    def access(self, vaddr: int, kind: str = "read", pid=None, user: bool | None = None):
        """One CPU access through the TLB (kernel mode on swapper_pg_dir when pid is None).

        With a pid the access is a user-mode one in that process; ``user=False`` makes it a
        kernel-mode access while that process runs (its page directory in CR3)."""
        _check_access(vaddr, kind)
        with self.trace.with_list() as ev:
            return tasks.access(self, vaddr, kind, pid, user, ev)

    def flush_tlb(self, pid=None) -> None:
        """flush_tlb_all() (pid None) or a CR3 reload for that process (non-global only)."""
        with self.trace.with_list() as ev:
            if pid is None:
                self.tlb.flush_all(ev)
            else:
                self.tlb.flush_nonglobal(ev)

    def invlpg(self, vaddr: int) -> None:
        """INVLPG: drop the TLB entries of one page."""
        with self.trace.with_list() as ev:
            self.tlb.invlpg(vaddr, ev)

    def load_cr3(self) -> None:
        """MOV CR3, CR3 with the current page directory: the TLB keeps only global entries."""
        with self.trace.with_list() as ev:
            self.tlb.flush_nonglobal(ev)

    # -- tasks (engine.tasks, engine.lifecycle) -----------------------------------------
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

    def spawn(self, name: str = "example", legacy: bool | None = None) -> Process:
        """fork + exec of a program image (engine.binfmt) with a fresh address space.

        All or nothing: OutOfMemory leaves the machine as it was (engine.lifecycle)."""
        if not isinstance(name, str) or not name:
            raise ConfigError(f"spawn: name must be a non-empty string, got {name!r}")

        def run(m: Machine) -> int:
            comm, m.comm = m.comm, name[:15]
            try:
                with m.trace.with_list() as ev:
                    return exec_new(m, name, legacy, ev).pid
            finally:
                m.comm = comm
        return self.processes[atomic(self, 48, run)]

    def switch_to(self, pid=None) -> None:
        """context_switch(): load CR3 (non-global TLB entries go); pid None = kernel.

        Raises ConfigError for a pid that names no live process (nothing changes)."""
        if pid is not None:
            pid = self.process(pid).pid
        with self.trace.with_list() as ev:
            tasks.switch_to(self, pid, ev)

    def fork(self, pid) -> int:
        """do_fork(): copy the VMAs; private pages are shared copy-on-write; the child pid.

        All or nothing: OutOfMemory leaves the machine as it was (engine.lifecycle)."""
        parent = self.process(pid)
        need = len(parent.mm.pgd.owned) + 8 + 2 * len(parent.mm.vmas)

        def run(m: Machine) -> int:
            p = m.process(parent.pid)
            comm, m.comm = m.comm, p.comm
            try:
                with m.trace.with_list() as ev:
                    return copy_process(m, p, ev)
            finally:
                m.comm = comm
        return atomic(self, need, run)

    def exit(self, pid) -> None:
        """do_exit() -> exit_mmap(): unmap everything, free page tables, the pgd, the mm."""
        p = self.process(pid)
        with self.trace.with_list() as ev:
            freed, tables = teardown(self, p, ev)
            ev.append(Exit(p.pid, freed, tables))

    def write_virt(self, vaddr: int, data, pid=None) -> None:
        """Store bytes at vaddr through the MMU (user mode in pid, else kernel mode).
        ConfigError above MAX_RW_BYTES or for a dead pid; faults as m.access."""
        if isinstance(data, str):
            data = data.encode()
        with self.trace.with_list() as ev:
            tasks.rw_virt(self, vaddr, len(data), pid, bytes(data), ev)

    def read_virt(self, vaddr: int, length: int, pid=None) -> bytes:
        """Load length bytes (at most MAX_RW_BYTES) from vaddr through the MMU."""
        with self.trace.with_list() as ev:
            return tasks.rw_virt(self, vaddr, length, pid, None, ev)

    def special_page(self, name: str, idx: int) -> int:
        """The idx-th page of a special mapping ([vdso], [vvar]), allocated on first use."""
        return tasks.special_page(self, name, idx)

    # -- swap, drivers (engine.swap, engine.mapdriver) -----------------------------------
    def reclaim(self) -> int:
        """Wake kswapd now (it also wakes by itself below the low watermark): pages freed."""
        from .swap import kswapd
        with self.trace.with_list() as ev:
            return kswapd(self, ev, force=True)

    def load_map_driver(self, size=4096, device: str = "/dev/mapfile"):
        """insmod the seed's map_driver; mmap ``device`` (shared) to map its buffer."""
        from .mapdriver import load_map_driver
        with self.trace.with_list() as ev:
            return load_map_driver(self, size, device, ev)

    # -- inspection ---------------------------------------------------------
    def proc(self, path: str) -> str:
        """/proc file text in the kernel's format (engine.vmstat)."""
        from .vmstat import render
        return render(self, path)

    def proc_pid(self, pid, name: str) -> str:
        """/proc/<pid>/<name> (maps, status, ...) in the kernel's format."""
        from .task_mmu import render_pid
        return render_pid(self, pid, name)

    def check(self) -> None:
        """Every invariant of every subsystem; raises InvariantError naming the broken one."""
        check_machine(self)

    def region_of(self, vaddr: int) -> str:
        """The layout region's name (user, direct, vmalloc, pkmap, fixmap, gap)."""
        return self.layout.region_at(vaddr).name

    def __repr__(self) -> str:
        c = self.config
        return (f"<Machine ram={c.ram >> 20}M pae={c.pae} kernel={c.kernel} "
                f"zones={[z.name for z in self.zones]}>")


def _check_access(vaddr: int, kind: str) -> None:
    if kind not in ACCESS_KINDS:
        raise ConfigError(f"kind: {kind!r} is not read, write or exec")
    if not 0 <= vaddr < (1 << 32):
        raise ConfigError(f"address {vaddr:#x} is outside the 32-bit space")


__all__ = ["Machine", "InvariantError"]
