"""The simulated machine: ``engine.Machine.boot(...)`` and the public API (API.md)."""
from __future__ import annotations

import random

from . import physmem as pm
from .boot import BootState
from .buddy import BuddyAllocator, _fill, free_one_page, rmqueue
from .config import MachineConfig, make_config
from .errors import BadFree, ConfigError, InvariantError, OutOfMemory
from .events import AllocFail, AllocPages, Fallback, FreePages, WatermarkCheck
from .physmem import OWNER_NAMES
from .physmem import OWNER_PAGES as _OWNER_PAGES
from .gfp import GfpTable
from .invariants import check_machine
from .machine_kalloc import KallocMixin
from .machine_mmu import MmuMixin
from .machine_proc import ProcessMixin
from .physmem import FrameStore
from .zone import Zone


class Machine(MmuMixin, KallocMixin, ProcessMixin):
    """A booted i386 machine.  Create it with :meth:`Machine.boot`."""

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
        self.frames = FrameStore(self.max_pfn << 12)
        self.gfp = GfpTable(cfg.kernel)
        self.buddy = BuddyAllocator(bs.zones, self.memmap, merge_likely=cfg.flavour.era == "C")
        self.rng = random.Random(cfg.seed)
        self.comm = "insmod"             # the task name the kernel's messages show
        self._events: list | None = list(bs.events)
        self.record_events = True
        self._zonelists: dict[int, tuple[list[Zone], int]] = {}
        self._gfp_zero = self.gfp.ZERO
        self._fast: dict = {}
        self._era_c = cfg.flavour.era == "C"
        # extension points for the subsystems layered on top (slab, vmalloc, processes):
        # module-level functions taking the machine (so deepcopy of a Machine stays cheap)
        self.extra_checks: list = []        # fn(m) -> None, raise InvariantError
        self.meminfo_hooks: list = []       # fn(m) -> {meminfo field: kB}
        self.node_stat_hooks: list = []     # fn(m) -> {zoneinfo node stat: pages}
        self._init_mmu()
        self._init_kalloc()
        self._init_processes()
        self.events = list(bs.events)

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
    _ev_list: list | None = None         # the event list read last and how much of it
    _ev_done = 0                         # is already built (a read costs only new events)

    @property
    def events(self) -> list | None:
        """The events of the most recent operation (raw hot-path tuples built on read)."""
        ev = self._events
        if ev:
            n = len(ev)
            start = self._ev_done if ev is self._ev_list else 0
            if start > n or (start and type(ev[0]) is tuple):
                start = 0                    # the list was cleared and refilled meanwhile
            for i in range(start, n):
                e = ev[i]
                if type(e) is tuple:
                    ev[i] = e[0](*e[1:])
            self._ev_list, self._ev_done = ev, n
        return ev

    @events.setter
    def events(self, value: list | None) -> None:
        self._events = value

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

    # -- the page allocator -------------------------------------------------
    def _zonelist(self, mask: int) -> tuple[list[Zone], int]:
        """(zonelist, classzone index) for a mask: highest allowed zone first, then down."""
        hit = self._zonelists.get(mask)
        if hit is None:
            high = self.gfp.high_zoneidx(mask, self._all_zones[2].present > 0)
            zl = [z for z in reversed(self._all_zones[: high + 1]) if z.present]
            hit = self._zonelists[mask] = (zl, high)
        return hit

    def _watermark_ok(self, z: Zone, order: int, mark: int, classzone: int, alloc_high: bool,
                      alloc_harder: bool) -> bool:
        """zone_watermark_ok() of the flavour."""
        free = z.free_pages - ((1 << order) - 1)
        mn = mark
        if alloc_high:
            mn -= mn // 2
        if alloc_harder:
            mn -= mn // 4
        if free <= mn + z.lowmem_reserve[classzone]:
            return False
        if not order:
            return True
        if self.config.flavour.era == "C":
            return any(z.nr_free[o] for o in range(order, len(z.nr_free)))
        for o in range(order):             # 2.6.24: discount lower-order free pages
            free -= z.nr_free[o] << o
            mn >>= 1
            if free <= mn:
                return False
        return True

    def _alloc(self, mask: int, order: int, owner: int, gfp_name: str, events) -> int:
        if not 0 <= order < 11:
            raise ConfigError(f"order: must be 0..10 (MAX_ORDER is 11), got {order}")
        zonelist, classzone = self._zonelist(mask)
        for mark_name in ("low", "min"):
            slow = mark_name == "min"
            alloc_high = slow and bool(mask & self.gfp.HIGH)
            alloc_harder = slow and (bool(mask & self.gfp.ATOMIC) if self.gfp.ATOMIC
                                     else not mask & self.gfp.WAIT)
            prev = None
            for z in zonelist:
                mark = z.watermark_low if not slow else z.watermark_min
                if not self._watermark_ok(z, order, mark, classzone, alloc_high, alloc_harder):
                    if events is not None:
                        events.append(WatermarkCheck(z.name, mark_name, z.free_pages,
                                                     mark + z.lowmem_reserve[classzone]))
                    prev = z
                    continue
                if prev is not None and events is not None:
                    events.append(Fallback(prev.name, z.name))
                pfn = self.buddy.take(z, order, owner, gfp_name, events)
                if pfn >= 0:
                    if mask & self.gfp.ZERO:
                        for p in range(pfn, pfn + (1 << order)):
                            self.frames.zero_frame(p)
                    return pfn
                prev = z
        msg = (f"{self.comm}: page allocation failure: order:{order}, "
               f"mode:{mask:#x}({self.gfp.format(mask)}), nodemask=(null)")
        if events is not None:
            events.append(AllocFail(order, gfp_name, msg))
        raise _alloc_failure(msg, mask, order)

    def _fast_entry(self, gfp) -> tuple:
        """(mask, zonelist, classzone, name, no_fast) for a GFP argument, cached per string."""
        mask = self.gfp.parse(gfp)
        zonelist, classzone = self._zonelist(mask)
        name = gfp if isinstance(gfp, str) else hex(gfp)
        entry = (mask, zonelist, classzone, name, bool(mask & self._gfp_zero))
        if isinstance(gfp, str):
            self._fast[gfp] = entry
        return entry

    def alloc_pages(self, gfp="GFP_KERNEL", order: int = 0, owner: int = pm.OWNER_PAGES) -> int:
        """alloc_pages(): the pfn of the first frame of a 2^order block."""
        fast = self._fast.get(gfp) if gfp.__class__ is str else None
        if fast is None:
            fast = self._fast_entry(gfp)
        mask, zonelist, classzone, name, no_fast = fast
        self._events = events = [] if self.record_events else None
        if not no_fast and (order == 0 or self._era_c) and 0 <= order < 11:
            # get_page_from_freelist() fast path: the first zone of the zonelist whose free
            # pages stay above its low mark (+ lowmem_reserve); 6.x checks order > 0 the same
            # way, then only asks for a non-empty free_area[o >= order] (rmqueue finds it)
            prev = None
            for z in zonelist:
                if z.free_pages - ((1 << order) - 1) > z.watermark_low + z.lowmem_reserve[classzone]:
                    if prev is not None and events is not None:
                        events.append((Fallback, prev.name, z.name))
                    # BuddyAllocator.take() inlined: this is the hottest path of the engine
                    pfn = rmqueue(z, order, events)
                    if pfn < 0:
                        break
                    b = self.buddy
                    b._cow(pfn)
                    if order:
                        b._owner[pfn:pfn + (1 << order)] = _fill(owner, order)
                    else:
                        b._owner[pfn] = owner
                    b._refcount[pfn] = 1
                    b.allocated[pfn] = order
                    if events is not None:
                        events.append((AllocPages, z.name, pfn, order, name, OWNER_NAMES[owner]))
                    return pfn
                if events is not None:
                    events.append((WatermarkCheck, z.name, "low", z.free_pages,
                                   z.watermark_low + z.lowmem_reserve[classzone]))
                prev = z
            if events is not None:
                events.clear()
        return self._alloc(mask, order, owner, name, events)

    def free_pages(self, pfn: int, order: int = 0) -> None:
        """__free_pages(): give a block back; merges with free buddies."""
        self._events = events = [] if self.record_events else None
        b = self.buddy
        if b.allocated.get(pfn) == order and b._owner[pfn] == _OWNER_PAGES:
            z = self._all_zones[b._zone[pfn]]
            b._cow(pfn)
            if order:
                b._owner[pfn:pfn + (1 << order)] = _fill(0, order)
            else:
                b._owner[pfn] = 0                      # OWNER_FREE
            b._refcount[pfn] = 0
            del b.allocated[pfn]
            fpfn, forder = free_one_page(z, pfn, order, False, events, b.merge_likely)
            if events is not None:
                events.append((FreePages, z.name, pfn, order, fpfn, forder))
            return
        self._free(pfn, order, events)

    def _free(self, pfn: int, order: int, events, expect_owner: int | None = pm.OWNER_PAGES) -> None:
        got = self.buddy.allocated.get(pfn)
        z = None
        for zz in self._all_zones:
            if zz.start_pfn <= pfn < zz.start_pfn + zz.spanned:
                z = zz
                break
        if z is None:
            raise BadFree(f"BUG: Bad page state: pfn:{pfn:#x} is not a RAM page")
        if got is None:
            mm = self.memmap
            if pfn in z.buddy_order or mm.owner[pfn] == pm.OWNER_FREE:
                raise BadFree(f"BUG: Bad page state in process {self.comm}  pfn:{pfn:05x} "
                              f"(double free: the page is already free)")
            if mm.flags[pfn] & pm.PG_reserved:
                raise BadFree(f"BUG: Bad page state in process {self.comm}  pfn:{pfn:05x} "
                              f"(page is reserved)")
            raise BadFree(f"BUG: Bad page state in process {self.comm}  pfn:{pfn:05x} "
                          f"(not the first page of an allocated block)")
        if got != order:
            raise BadFree(f"BUG: Bad page state in process {self.comm}  pfn:{pfn:05x} "
                          f"(freed with order {order}, allocated with order {got})")
        if expect_owner is not None and self.buddy._owner[pfn] != expect_owner:
            raise BadFree(f"BUG: Bad page state in process {self.comm}  pfn:{pfn:05x} "
                          f"(page belongs to {pm.OWNER_NAMES[int(self.memmap.owner[pfn])]})")
        self.buddy.give_back(z, pfn, order, events)

    def get_free_pages(self, gfp="GFP_KERNEL", order: int = 0) -> int:
        """__get_free_pages(): like alloc_pages but returns the direct-map address."""
        mask = self.gfp.parse(gfp)
        if mask & self.gfp.HIGHMEM:
            if self.config.flavour.era != "C":
                # 2.6.24: VM_BUG_ON((gfp_mask & __GFP_HIGHMEM) != 0)
                raise ConfigError("__get_free_pages: __GFP_HIGHMEM is not allowed "
                                  "(highmem pages have no kernel address)")
            mask &= ~self.gfp.HIGHMEM          # 6.x strips it
        pfn = self.alloc_pages(mask, order)
        return self.layout.page_offset + (pfn << 12)

    def get_free_page(self, gfp="GFP_KERNEL") -> int:
        return self.get_free_pages(gfp, 0)

    def free_pages_addr(self, vaddr: int, order: int = 0) -> None:
        """free_pages(addr, order)."""
        pfn = self._direct_pfn(vaddr, "free_pages")
        self.free_pages(pfn, order)

    # -- address conversion ----------------------------------------------------
    def _direct_pfn(self, vaddr: int, who: str) -> int:
        L = self.layout
        if not L.page_offset <= vaddr < L.high_memory:
            raise BadFree(f"{who}: {vaddr:#010x} is not a direct-map (lowmem) address")
        return (vaddr - L.page_offset) >> 12

    def virt_to_phys(self, vaddr: int) -> int:
        """__pa(): only meaningful for the direct map."""
        L = self.layout
        if not L.page_offset <= vaddr < L.high_memory:
            raise ConfigError(f"virt_to_phys: {vaddr:#010x} is not in the direct map "
                              f"({L.page_offset:#010x}-{L.high_memory:#010x}); "
                              f"only a page-table walk can translate it")
        return vaddr - L.page_offset

    def phys_to_virt(self, paddr: int) -> int:
        """__va(): only lowmem has a permanent kernel address."""
        if not 0 <= paddr < (self.max_low_pfn << 12):
            raise ConfigError(f"phys_to_virt: {paddr:#x} is not lowmem (below "
                              f"{self.max_low_pfn << 12:#x}); highmem needs kmap()")
        return paddr + self.layout.page_offset

    def read_phys(self, paddr: int, length: int) -> bytes:
        return self.frames.read(paddr, length)

    # -- inspection ---------------------------------------------------------
    def proc(self, path: str) -> str:
        from .procfs import render
        return render(self, path)

    def check(self) -> None:
        check_machine(self)

    def region_of(self, vaddr: int) -> str:
        return self.layout.region_at(vaddr).name

    def __repr__(self) -> str:
        c = self.config
        return (f"<Machine ram={c.ram >> 20}M pae={c.pae} kernel={c.kernel} "
                f"zones={[z.name for z in self.zones]}>")


def _alloc_failure(msg: str, mask: int, order: int) -> OutOfMemory:
    """The error, carrying the mask and order for the OOM killer (built in a function:
    a local in the raising frame would tie the exception and the frame in a cycle)."""
    err = OutOfMemory(msg)
    err.gfp_mask, err.order = mask, order
    return err


__all__ = ["Machine", "InvariantError"]
