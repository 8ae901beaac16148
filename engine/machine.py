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
from typing import TYPE_CHECKING

from . import physmem as pm
from . import lifecycle, tasks
from .boot import BootState
from .config import MachineConfig, make_config
from .errors import BadFree, ConfigError, InvariantError
from .highmem import Highmem
from .invariants import check_machine
from .kmem_checks import check_kalloc
from .kmsg import report_failure
from .slabinfo import kalloc_meminfo, kalloc_node_stats
from .kmalloc import ZERO_SIZE_PTR, KmemCaches
from .machine_kmem import KernelMemoryApi
from .init_32 import KernelPageTables
from .lifecycle import teardown
from .mmu import (ACCESS_KINDS, EFER_NXE, X86_CR0_PE, X86_CR0_PG, X86_CR0_WP, X86_CR4_PAE, X86_CR4_PGE,
                  X86_CR4_PSE, CpuRegs, Tlb)
from .mmu import walk as _walk
from . import page_alloc
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

if TYPE_CHECKING:
    from .dmesg import DmesgFacts
    from .dmesg_compare import LinePair

X86_CR0_MP, X86_CR0_ET, X86_CR0_NE, X86_CR0_AM = 1 << 1, 1 << 4, 1 << 5, 1 << 18
class Machine(KernelMemoryApi):
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
        self.trace.on_failure = self._report_failure
        self.frames = FrameStore(self.max_pfn << 12)
        self.page_alloc = PageAllocator(self, bs.zones, self.memmap, cfg.flavour.buddy_merge_likely)
        self.buddy, self.gfp = self.page_alloc.buddy, self.page_alloc.gfp
        self._gfp_fast = self.page_alloc._fast          # alloc_pages()'s per-GFP entries
        self.rng = random.Random(cfg.seed)
        self.comm = "insmod"             # the task name the kernel's messages show
        self.dmesg_facts: DmesgFacts | None = None    # booted from a real log: what it said (engine.dmesg)
        self.dmesg_comparison: list[LinePair] = []    # ... and each real memory line beside mmviz's
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
        """Boot a machine: firmware map, zones, buddy allocator, slab, kernel page tables.

        Args:
            ram: RAM in bytes, or a size string ("160M", "4G"); 16M .. 64G.
            pae, nx, pse, pge: CPU/paging modes (nx needs pae).
            vmalloc: the vmalloc= boot parameter, bytes or size string (None: default).
            kernel: a release ("2.6.24", "3.16", "6.1", ...; "2.6" and "6.1" are aliases).
            allocator: "slub" or "slab" (None: the release's default).
            cpus: online CPUs, 1..CONFIG_NR_CPUS.  swap: swap area size, bytes or string.
            pcp: per-CPU page lists on.  seed: for ASLR and sampling.  split: "3G", "2G", "1G", ...
            aslr: randomise mmap/stack/brk.  config: build options ({"NR_CPUS": 8, "THP": False}).
            e820: firmware ranges or a boot log's e820 lines.  cmdline: "mem= memmap= highmem= vmalloc=".
            initrd: the initramfs size in bytes or a size string ("7M"; None: the flavour's).
        Returns:
            the booted Machine; m.boot_log holds the kernel's memory lines.
        Raises:
            ConfigError: one line per impossible input, e.g. "ram: '1M' is too small; an i386 kernel
                needs at least 16M", "nx: the NX bit exists only in PAE page tables (use pae = true)".
        Kernel: start_kernel() memory setup: setup_arch (e820, init_memory_mapping), paging_init,
            free_area_init_nodes, mem_init, kmem_cache_init."""
        if pcp:
            raise ConfigError("pcp: per-CPU page lists are not modelled yet; boot with pcp = false")
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
    def _report_failure(self, err: BaseException) -> None:
        """An outermost operation failed: the kernel's oops/BUG/WARNING lines go to m.kmsg."""
        report_failure(self, err)

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
    # alloc_pages(gfp, order, owner) and free_pages(pfn, order): the allocator's hot path,
    # one function each in engine.page_alloc (their docstrings give the API)
    alloc_pages = page_alloc.alloc_pages
    free_pages = page_alloc.free_pages

    def get_free_pages(self, gfp="GFP_KERNEL", order: int = 0) -> int:
        """Take 2^order frames of lowmem and return their direct-map address.

        Args:
            gfp: a GFP mask, names joined by "|" ("GFP_KERNEL", "GFP_DMA | __GFP_ZERO"), or an int.
            order: log2 of the number of pages, 0..10.
        Returns:
            the vaddr (PAGE_OFFSET + paddr) of the first frame.
        Raises:
            OutOfMemory: as alloc_pages.
            ConfigError: "__get_free_pages: __GFP_HIGHMEM is not allowed (highmem pages have no kernel
                address)" on releases whose VM_BUG_ON refuses it (newer ones strip the flag)
                "gfp: unknown flag 'X' ..." for a GFP name this release does not have.
        Kernel: mm/page_alloc.c __get_free_pages()."""
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
        """Free 2^order frames given by their direct-map address.

        Args:
            vaddr: the address get_free_pages returned.
            order: log2 of the number of pages.
        Returns:
            None.
        Raises:
            BadFree: "free_pages: 0x00001000 is not a direct-map (lowmem) address", or as free_pages.
        Kernel: mm/page_alloc.c free_pages() -> __free_pages(virt_to_page(addr), order)."""
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
        """Translate a direct-map address by arithmetic (no page walk).

        Args:
            vaddr: an address in the direct map (PAGE_OFFSET .. high_memory).
        Returns:
            the paddr (vaddr - PAGE_OFFSET).
        Raises:
            ConfigError: "virt_to_phys: 0x00001000 is not in the direct map (0xc0000000-0xc3fe0000); only a
                page-table walk can translate it".
        Kernel: arch/x86/include/asm/io.h virt_to_phys() / __pa()."""
        L = self.layout
        if not L.page_offset <= vaddr < L.high_memory:
            raise ConfigError(f"virt_to_phys: {vaddr:#010x} is not in the direct map "
                              f"({L.page_offset:#010x}-{L.high_memory:#010x}); "
                              f"only a page-table walk can translate it")
        return vaddr - L.page_offset

    def phys_to_virt(self, paddr: int) -> int:
        """Translate a lowmem physical address to its direct-map address.

        Args:
            paddr: a physical address below high_memory's.
        Returns:
            the vaddr (paddr + PAGE_OFFSET).
        Raises:
            ConfigError: "phys_to_virt: 0x3f000000 is not lowmem (below 0x36bfe000); highmem needs kmap()".
        Kernel: arch/x86/include/asm/io.h phys_to_virt() / __va()."""
        if not 0 <= paddr < (self.max_low_pfn << 12):
            raise ConfigError(f"phys_to_virt: {paddr:#x} is not lowmem (below "
                              f"{self.max_low_pfn << 12:#x}); highmem needs kmap()")
        return paddr + self.layout.page_offset

    def read_phys(self, paddr: int, length: int) -> bytes:
        """Bytes of simulated physical memory: page-table frames hold real entries, RAM mmviz
        has not written and firmware-reserved ranges (BIOS tables, ROM, MMIO registers: not
        modelled) read as zeros, and addresses no firmware (e820) range describes read as
        0xff, as on a PC (nothing decodes them: the host bridge's master abort returns ones).

        Args:
            paddr: the first byte's physical address.
            length: bytes to read.
        Returns:
            the bytes.
        Raises:
            nothing.
        Kernel: what /dev/mem or crash's rd -p shows."""
        from .e820 import unbacked
        data = self.frames.read(paddr, length)
        holes = unbacked(self.boot_state.firmware_e820, paddr, paddr + length)
        if not holes:
            return data
        out = bytearray(data)
        for s, e in holes:
            out[s - paddr:e - paddr] = b"\xff" * (e - s)
        return bytes(out)

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
        """The page walk alone, with no side effects (no A/D bits, no TLB fill, no fault handling).

        Args:
            vaddr: the virtual address.
            pid: walk that process's page tables; None: swapper_pg_dir's (the kernel's,
                no user mappings).
            kind: "read", "write" or "exec" (decides the #PF error code).
            user: a CPL-3 walk (None: user when pid is given).
        Returns:
            a Walk: steps (WalkStep level, table_paddr, index, entry_paddr, entry), paddr, fault,
            page_size (bytes).
        Raises:
            ConfigError: "kind: ... is not read, write or exec", "address ... is outside the 32-bit space",
                "pid N: no such process".
        Kernel: the x86 MMU walk (SDM Vol. 3A §4.3, §4.4); crash's vtop."""
        _check_access(vaddr, kind)
        cpu = self.cpu.copy()
        cpu.cr3 = self.cr3_for(pid)
        if user is None:
            user = pid is not None
        return _walk(self.frames, cpu, vaddr, kind, user, set_ad=False)

    def access(self, vaddr: int, kind: str = "read", pid=None, user: bool | None = None,
               sp: int | None = None):
        """One CPU access: TLB lookup, page walk on a miss, Accessed/Dirty bits, and on a #PF the
        kernel's fault handler (demand paging, COW, swap-in, stack growth, SIGSEGV or oops).

        Args:
            vaddr: the virtual address (0 .. 2**32-1).
            kind: "read", "write" or "exec" (engine.mmu.ACCESS_KINDS).
            pid: user mode in that process; None: kernel mode on the current page tables.
            user: False for a kernel-mode access while process pid runs.
            sp: the task's stack pointer from now on (a call chain moved it down); None keeps it.
        Returns:
            an Access: paddr (or None), tlb_hit, walk (or None), fault (or None), events.
        Raises:
            SegFault: "x[1]: segfault at 10 ip 08048388 sp bffffab0 error 4 in x[8048000+1000]".
            KernelOops: "BUG: unable to handle page fault for address: ..." (the release's wording).
            ConfigError: "kind: 'fetch' is not read, write or exec",
                "address 0x... is outside the 32-bit space".
        Kernel: the x86 MMU (SDM Vol. 3A ch. 4) and arch/x86/mm/fault.c exc_page_fault -> handle_mm_fault."""
        _check_access(vaddr, kind)
        with self.trace.with_list() as ev:
            return tasks.access(self, vaddr, kind, pid, user, ev, sp)

    def flush_tlb(self, pid=None) -> None:
        """Flush the TLB: the non-global entries (a CR3 reload) for a process, or everything.

        Args:
            pid: flush for that process's address space; None: a full flush (global entries too).
        Returns:
            None.
        Raises:
            nothing (an unknown pid flushes nothing).
        Kernel: arch/x86/mm/tlb.c flush_tlb_mm() / flush_tlb_all()."""
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
        return tasks.find_task_by_vpid(self, pid)

    def spawn(self, name: str = "example", legacy: bool | None = None) -> Process:
        """Start a process: task_struct, mm, page directory, and exec of a small ELF image.

        Args:
            name: the task's comm (cut to 15 characters, TASK_COMM_LEN).
            legacy: the legacy (bottom-up) mmap layout (None: the release's default).
        Returns:
            the Process (pid, mm, vmas, cr3).
        Raises:
            OutOfMemory: when its page tables or slab objects cannot be allocated (nothing changes).
            ConfigError: "processes need the 3G/1G split (PAGE_OFFSET 0xC0000000)".
        Kernel: kernel/fork.c kernel_clone() + fs/exec.c execve (load_elf_binary, setup_arg_pages)."""
        return self.processes[lifecycle.spawn(self, name, legacy)]

    def switch_to(self, pid=None) -> None:
        """Context switch to a process (its page directory in CR3; None: the kernel's).

        Args:
            pid: the process to run, or None for swapper_pg_dir.
            events: an event list to append to (None: a new operation).
        Returns:
            None.
        Raises:
            ConfigError: "pid N: no such process".
        Kernel: kernel/sched/core.c context_switch() -> switch_mm() (load_cr3)."""
        if pid is not None:
            pid = self.process(pid).pid
        with self.trace.with_list() as ev:
            tasks.switch_to(self, pid, ev)

    def fork(self, pid) -> int:
        """Copy a process: its VMAs, and its page tables with private pages made copy-on-write.

        Args:
            pid: the parent's pid (int, or a Process).
        Returns:
            the child's pid.
        Raises:
            ConfigError: "pid N: no such process".
            OutOfMemory: when the copy cannot be allocated (nothing changes).
        Kernel: kernel/fork.c copy_process() -> dup_mm() -> dup_mmap() -> copy_page_range()."""
        return lifecycle.fork(self, pid)

    def exit(self, pid) -> None:
        """End a process: unmap its VMAs, free its pages, page tables, mm and task.

        Args:
            pid: the process's pid.
        Returns:
            None.
        Raises:
            ConfigError: "pid N: no such process".
        Kernel: kernel/exit.c do_exit() -> exit_mm() -> mmput() -> exit_mmap()."""
        p = self.process(pid)
        with self.trace.with_list() as ev:
            freed, tables = teardown(self, p, ev)
            ev.append(Exit(p.pid, freed, tables))

    def write_virt(self, vaddr: int, data, pid=None) -> None:
        """Write bytes through the MMU, as a CPU store would (faults handled as access does).

        Args:
            vaddr: the first byte's virtual address.
            data: bytes (or str, UTF-8).
            pid: user mode in that process; None: kernel mode.
        Returns:
            None.
        Raises:
            SegFault: "x[1]: segfault at 8048000 ip ... error 6 in x[8048000+1000] ...".
            KernelOops: a kernel-mode fault with no fixup
                ("BUG: unable to handle page fault for address: ...").
            ConfigError: more than the largest operation mmviz takes at once.
        Not all or nothing, as on the CPU: a store that faults part way leaves the bytes before
        the faulting one stored and the pages they needed faulted in.
        Kernel: the CPU's store plus arch/x86/mm/fault.c handle_page_fault on a #PF."""
        if isinstance(data, str):
            data = data.encode()
        with self.trace.with_list() as ev:
            tasks.rw_virt(self, vaddr, len(data), pid, bytes(data), ev)

    def read_virt(self, vaddr: int, length: int, pid=None) -> bytes:
        """Read bytes through the MMU, as CPU loads would (faults handled as access does).

        Args:
            vaddr: the first byte's virtual address.
            length: bytes to read.
            pid: user mode in that process; None: kernel mode.
        Returns:
            the bytes read.
        Raises:
            SegFault / KernelOops: as write_virt (the pages faulted in before the faulting byte
                stay, as on the CPU).
        Kernel: the CPU's loads plus arch/x86/mm/fault.c on a #PF."""
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
        """A /proc file in the kernel's exact format for this release.

        Args:
            path: "/proc/buddyinfo", "/proc/zoneinfo", "/proc/meminfo", "/proc/slabinfo",
                "/proc/vmallocinfo", "/proc/<pid>/maps", "/proc/<pid>/status", ...
        Returns:
            the file's text.
        Raises:
            ConfigError: "/proc/nope: no such file in this machine's /proc (try /proc/buddyinfo, ...)".
        Kernel: the show functions of mm/vmstat.c, fs/proc/meminfo.c, mm/slab_common.c,
            mm/vmalloc.c and fs/proc/task_mmu.c."""
        from .procfs import render
        return render(self, path)

    def proc_pid(self, pid, name: str) -> str:
        """/proc/<pid>/<name> (maps, status, ...) in the kernel's format."""
        from .procfs import render_pid
        return render_pid(self, pid, name)

    def check(self) -> None:
        """Run every subsystem's invariant checks (buddy lists, mem_map, slabs, page tables, TLB).

        Returns:
            None.
        Raises:
            InvariantError: naming the broken invariant, the zone/cache/pid and pfn, e.g. "pid 1: kernel
                PDE 770 is 0x00000000, swapper_pg_dir has 0x01234067".
        Kernel: the spirit of CONFIG_DEBUG_VM / CONFIG_SLUB_DEBUG checks."""
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
