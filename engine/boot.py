"""Booting: firmware map -> max_pfn -> layout -> zones -> reservations -> buddy lists.

Follows setup_arch()/paging_init()/mem_init() of the flavour.  Boot-time
reservations are modelled as memblock (6.1: each allocation byte by byte, top-down
below max_low_pfn, engine.memblock; 2.6.35 .. 6.0: the kernel image, mem_map, the
per-CPU area, the dentry/inode hash tables, swiotlb and a block of other early
allocations calibrated on Debian 6.1's) or bootmem (2.6, bottom-up from 16 MB,
engine.bootmem) regions.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import physmem as pm
from .buddy import free_one_page
from .config import MachineConfig
from .e820 import apply_cmdline, e820_end_pfn, qemu_pc_e820, usable_bytes, usable_pfn_ranges
from .errors import ConfigError
from .events import FreeReserved, Reserve
from .layout import Layout, compute_layout
from .mem_init import block_head_tables, brk_holds_head_tables
from .physmem import MemMap
from .zone import (MAX_ORDER, Zone, calculate_min_free_kbytes, recommended_min_free_kbytes,
                   setup_per_zone_lowmem_reserve, setup_per_zone_wmarks, watermark_size_of)

MAX_DMA_PFN = 0x1000


@dataclass(frozen=True)
class Reservation:
    what: str
    start_pfn: int
    nr_pages: int
    owner: int

    @property
    def end_pfn(self) -> int:
        return self.start_pfn + self.nr_pages


def _pages(nbytes: int) -> int:
    return (nbytes + 4095) >> 12


def _roundup_pow2(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


def hash_entries(nr_kernel_pages: int, scale: int, bucketsize: int = 4) -> int:
    """alloc_large_system_hash() sizing (mm/page_alloc.c)."""
    n = -(-nr_kernel_pages // 256) * 256          # round_up to 1 MB worth of pages
    n >>= scale - 12
    if n * bucketsize < 4096:
        n = 4096 // bucketsize
    return _roundup_pow2(n)


class BootState:
    """Everything boot computes; Machine keeps it."""

    def __init__(self, cfg: MachineConfig) -> None:
        self.cfg = cfg
        fl = cfg.flavour
        self.log: list[str] = []
        self.events: list = []
        self.pcp_parked: dict[int, int] = {}    # mem_init(): pages left on per-CPU lists (engine.mem_init)
        self.firmware_e820 = list(cfg.e820) if cfg.e820 is not None else qemu_pc_e820(cfg.ram)
        self.e820 = apply_cmdline(self.firmware_e820, cfg.memmap, fl.memmap_strict)
        max_arch_pfn = 1 << (24 if cfg.pae else 20)
        ram = usable_pfn_ranges(self.e820, 1 << 24, reserve_page0=False,
                                low_reserved_kb=fl.e820_low_reserved_kb)
        if not ram:
            raise ConfigError("ram: the firmware map leaves no usable RAM")
        raw_last = max((e.end >> 12) for e in self.e820 if e.type == "usable")
        self.raw_last = raw_last
        if cfg.pae:
            self.max_pfn = e820_end_pfn(self.e820, max_arch_pfn)
            self.last_pfn = self.max_pfn
        elif fl.nonpae_4g_clamp == "max_pfn":
            # 2.6.24 find_max_pfn()/find_max_low_pfn(): the last RAM end, clamped to
            # MAX_NONPAE_PFN ("Warning only 4GB will be used."), holes included
            self.max_pfn = min(raw_last, max_arch_pfn)
            self.last_pfn = self.max_pfn
        else:
            # e820_end_pfn(): RAM starting at or above 4 GB is skipped
            self.max_pfn = self.last_pfn = e820_end_pfn(self.e820, max_arch_pfn)
        self.trimmed = raw_last > self.max_pfn
        self.ram_ranges = [(s, min(e, self.max_pfn)) for s, e in ram if s < self.max_pfn]
        self.layout: Layout = compute_layout(cfg, self.max_pfn)
        self.max_pfn_e820 = self.max_pfn          # before highmem= (its refusals: engine.bootlog)
        if cfg.highmem is not None and self.max_pfn > self.layout.max_low_pfn:
            # highmem_pfn_init(): highmem=N caps HighMem at N above MAXMEM_PFN
            cap = self.layout.max_low_pfn + (cfg.highmem >> 12)
            if cap < self.max_pfn:
                self.max_pfn = cap
                self.ram_ranges = [(s, min(e, cap)) for s, e in self.ram_ranges if s < cap]
                self.layout = compute_layout(cfg, self.max_pfn)
        L = self.layout
        self.max_low_pfn = L.max_low_pfn
        if fl.one_active_range:        # 2.6.24 zone_sizes_init(): add_active_range(0, 0, highend_pfn)
            self.ranges = [(0, self.max_pfn)]
        else:
            self.ranges = list(self.ram_ranges)
        self.memmap = MemMap(self.max_pfn)
        self._make_zones()
        self.reservations: list[Reservation] = []
        self.mem_map_phys = 0                # mem_map's physical address (engine.kmsg_page)
        self._reserve()
        self._populate()
        self._watermarks()
        self._mem_init()
        self._write_log(raw_last, max_arch_pfn)
        self._free_initmem()

    # -- zones -------------------------------------------------------------
    def _make_zones(self) -> None:
        fl = self.cfg.flavour
        first = self.ranges[0][0]
        bounds = [(first, min(MAX_DMA_PFN, self.max_low_pfn)),
                  (MAX_DMA_PFN, self.max_low_pfn),
                  (self.max_low_pfn, self.max_pfn)]
        zones = []
        for idx, (s, e) in enumerate(bounds):
            zones.append(Zone(idx, s, e) if e > s else Zone(idx, 0, 0))
        if len(fl.zone_names) > 3:
            zones.append(Zone(3, 0, 0))
        mm = self.memmap
        self.realsize = [0] * len(zones)
        self.memmap_pages = [0] * len(zones)
        free = []                  # RAM in a zone: OWNER_FREE, PG_highmem in HighMem
        for z in zones:
            for s, e in self.ranges:
                lo, hi = max(s, z.start_pfn), min(e, z.end_pfn)
                if hi > lo:
                    self.realsize[z.idx] += hi - lo
                    mm.zone[lo:hi] = z.idx
            for s, e in self.ram_ranges:
                lo, hi = max(s, z.start_pfn), min(e, z.end_pfn)
                if hi > lo:
                    free.append((lo, hi))
                    if z.is_highmem:
                        mm.flags[lo:hi] = pm.PG_highmem
            # free_area_init_core(): the zone's mem_map pages (of its span; calc_memmap_size()
            # uses present pages on SPARSEMEM when the span has large holes, 3.8+)
            pages = z.spanned
            real = self.realsize[z.idx]
            if fl.memory_model == "sparsemem" and fl.managed_pages and pages > real + (real >> 4):
                pages = real
            nbytes = pages * fl.struct_page_size
            mp = ((nbytes + 4095) if fl.memmap_page_align else nbytes) >> 12
            self.memmap_pages[z.idx] = mp
            z.present = self.realsize[z.idx]
            if not fl.managed_pages and z.present > mp:
                z.present -= mp        # before 3.8 present_pages loses the memmap
        # every other frame is a hole: reserved, OWNER_HOLE.  owner and flags start as zeros
        # (OWNER_FREE, no flag) and are written only where they differ: a column's pages
        # never written cost no RAM and no page faults (at 64 GB, 48 MB not touched)
        cur = 0
        for lo, hi in sorted(free) + [(mm.nr_pfns, mm.nr_pfns)]:
            if lo > cur:
                mm.owner[cur:lo] = pm.OWNER_HOLE
                mm.flags[cur:lo] = pm.PG_reserved
            cur = max(cur, hi)
        self.zones = zones

    def zone_of(self, pfn: int) -> Zone:
        for z in self.zones[:3]:
            if z.spanned and z.start_pfn <= pfn < z.end_pfn:
                return z
        raise ValueError(f"pfn {pfn:#x} is in no zone")

    def _ram_subject(self) -> str:
        """What a too-small machine's message blames: "ram: 30M", or the command line's
        "cmdline: mem=15M" when mem= (or memmap=, "cmdline: memmap=") took the RAM away."""
        if usable_bytes(self.e820) >= usable_bytes(self.firmware_e820):
            return f"ram: {_ram_text(self.cfg.ram)}"
        return f"cmdline: mem={_ram_text(self.cfg.mem)}" if self.cfg.mem is not None else "cmdline: memmap="

    # -- reservations --------------------------------------------------------
    def _reserve(self) -> None:
        cfg, fl = self.cfg, self.cfg.flavour
        pae = int(cfg.pae)
        res = self.reservations
        # the kernel image, section by section (vmlinux.lds.S order)
        self.kernel_image: dict[str, tuple[int, int]] = {}
        pos = fl.kernel_load
        sections = [("text", fl.text_kb[pae]), ("rodata", fl.rodata_kb[pae]),
                    ("data", fl.rwdata_kb[pae]), ("init", fl.init_kb[pae]), ("bss", fl.bss_kb[pae])]
        exact = {"text": fl.text_bytes, "data": fl.data_bytes}
        self.image_symbols: dict[str, tuple[int, int]] = {}   # _text.._etext, _etext.._edata (bytes)
        sym = pos
        for name, kb in sections:
            if name == "init" and fl.init_gap_pages:
                n = fl.init_gap_pages        # .data_nosave, .data.page_aligned, ... before __init_begin
                res.append(Reservation("kernel data (page-aligned)", pos >> 12, n, pm.OWNER_KERNEL))
                pos += n << 12
            if name == "bss" and fl.memblock_itemized and fl.smp_alt_kb and not fl.image_gap_pages[pae]:
                smp = _pages(fl.smp_alt_kb * 1024)          # .smp_locks right before .bss
                res.append(Reservation("SMP alternatives", pos >> 12, smp, pm.OWNER_KERNEL))
                pos += smp << 12
            if name == "bss" and fl.image_gap_pages[pae]:
                # between __init_end and __bss_start: .smp_locks (freed once alternatives are
                # patched), .data_nosave, the initramfs section ...
                # (.smp_locks stays the separate "SMP alternatives" block below, freed after boot)
                gap = fl.image_gap_pages[pae]
                smp = _pages(fl.smp_alt_kb * 1024) if fl.memblock_itemized else 0
                res.append(Reservation("kernel other sections", pos >> 12, gap - smp, pm.OWNER_KERNEL))
                if smp:       # .smp_locks: page-aligned, right before .bss (vmlinux.lds.S)
                    res.append(Reservation("SMP alternatives", (pos >> 12) + gap - smp, smp, pm.OWNER_KERNEL))
                pos += gap << 12
            if not kb:
                continue
            nbytes = exact.get(name) or kb * 1024
            if name in exact:
                self.image_symbols[name] = (sym, sym + nbytes)
                sym += nbytes
            n = _pages(sym) - (pos >> 12) if name in exact and fl.text_bytes else _pages(nbytes)
            self.kernel_image[name] = (pos, pos + (n << 12))
            res.append(Reservation(f"kernel {name}", pos >> 12, n, pm.OWNER_KERNEL))
            pos += n << 12
            sym = max(sym, pos) if name not in exact else sym
        self.brk_pfns: list[int] = []
        self.head_tables = 0                 # head_32.S's page tables in .brk (2.6.30 .. 3.8)
        brk_end = 0
        if fl.memblock_itemized:
            # .brk (reserve_brk): head_32.S's page tables (mk_early_pgtbl_32), dmi_alloc()'s
            # strings (one page on QEMU's SMBIOS), then early_alloc_pgt_buf()'s INIT_PGT_BUF
            from .mem_init import head_pgt_baseline
            from .memblock import INIT_PGT_BUF_PAGES
            n = (fl.initial_map_pgt or head_pgt_baseline(fl, cfg.pae)) + 1
            res.append(Reservation("kernel .brk (head_32.S page tables, DMI)", pos >> 12, n, pm.OWNER_KERNEL))
            pos += n << 12
            res.append(Reservation("kernel .brk (early page tables)", pos >> 12, INIT_PGT_BUF_PAGES,
                                   pm.OWNER_KERNEL))
            self.brk_pfns = list(range(pos >> 12, (pos >> 12) + INIT_PGT_BUF_PAGES))
            pos += INIT_PGT_BUF_PAGES << 12
        elif brk_holds_head_tables(fl):      # 2.6.30 .. 3.8: reserve_brk() after .bss
            pos, brk_end = self._reserve_brk_head(pos)
        elif fl.brk_pgt_pages:
            n = fl.brk_log_pages or fl.brk_pgt_pages
            res.append(Reservation("kernel .brk (early page tables)", pos >> 12, n, pm.OWNER_KERNEL))
            self.brk_pfns = list(range(pos >> 12, (pos >> 12) + n))
            pos += n << 12
        if fl.head_pgt_pg0 and not fl.brk_pgt_pages:       # before 2.6.30: pg0 after _end
            from .bootmem import pg0_tables
            n = pg0_tables(pos >> 12, cfg.pae, fl.head_pae_tables)
            res.append(Reservation("kernel pg0 (head_32.S early page tables)", pos >> 12, n, pm.OWNER_KERNEL))
            pos += n << 12
        kernel_end_pfn = max(pos >> 12, brk_end)
        self.kernel_end_pfn = kernel_end_pfn         # _end: past .bss and .brk (and pg0 before 2.6.30)
        if kernel_end_pfn >= self.max_low_pfn - 64 or not self._is_ram(fl.kernel_load >> 12, kernel_end_pfn):
            raise ConfigError(
                f"{self._ram_subject()} is too small for this kernel: its image is loaded at "
                f"{fl.kernel_load >> 20}M (CONFIG_PHYSICAL_START) and ends at "
                f"{(kernel_end_pfn << 12) / (1 << 20):.1f}M, with lowmem ending at "
                f"{(self.max_low_pfn << 12) / (1 << 20):.1f}M (the boot allocations need 256 KB above it)")
        if fl.reserve_low_1m:
            for s, e in self.ram_ranges:
                if s < 0x100:
                    res.append(Reservation("first 1MB (BIOS, real-mode trampoline)", s,
                                           min(e, 0x100) - s, pm.OWNER_BOOTMEM))
        else:
            res.append(Reservation("page 0 (BIOS data)", 0, 1, pm.OWNER_BOOTMEM))

        # nr_kernel_pages: lowmem present minus the mem_map estimate (free_area_init_core)
        self.nr_kernel_pages = 0
        for z in self.zones[:2]:
            real, est = self.realsize[z.idx], self.memmap_pages[z.idx]
            self.nr_kernel_pages += real - est if real > est else 0
        self.dentry_entries = hash_entries(self.nr_kernel_pages, 13)
        self.inode_entries = hash_entries(self.nr_kernel_pages, 14)
        memmap_pages = _pages(((self.max_pfn + 1023) & ~1023) * fl.struct_page_size)
        early = [("initrd (RAMDISK)", _pages(fl.initrd_kb * 1024), pm.OWNER_BOOTMEM),
                 ("SMP alternatives", _pages(fl.smp_alt_kb * 1024), pm.OWNER_KERNEL),
                 ("early allocations (page tables, log buffer, ...)",
                  _pages(fl.early_alloc_kb[pae] * 1024) - block_head_tables(fl, cfg.pae), pm.OWNER_BOOTMEM),
                 ("mem_map", memmap_pages, pm.OWNER_MEMMAP),
                 ("percpu", fl.percpu_pages_per_cpu * cfg.cpus, pm.OWNER_BOOTMEM),
                 ("Dentry cache hash table", _pages(self.dentry_entries * 4), pm.OWNER_BOOTMEM),
                 ("Inode-cache hash table", _pages(self.inode_entries * 4), pm.OWNER_BOOTMEM)]
        from .mem_init import early_allocations
        early += early_allocations(self)
        self.swiotlb = cfg.pae and self.max_pfn > (1 << 20)
        if self.swiotlb:
            early.append(("software IO TLB", 64 * 256, pm.OWNER_BOOTMEM))
        if fl.memblock_itemized:   # memblock, byte by byte (engine.memblock)
            from .memblock import place_memblock
            try:
                placed = place_memblock(self, res, early)
            except ConfigError as e:
                raise ConfigError(f"{self._ram_subject()} is too small for this kernel: {e}") from None
            res.extend(Reservation(*p) for p in placed)
        elif fl.memblock_topdown:    # memblock: top-down below max_low_pfn
            top = self.max_low_pfn
            for what, n, owner in early:
                top -= n
                res.append(Reservation(what, top, n, owner))
                if what == "mem_map":
                    self.mem_map_phys = top << 12
            if top < kernel_end_pfn:
                raise ConfigError(f"{self._ram_subject()} is too small for this kernel: its early "
                                  f"allocations ({(self.max_low_pfn - top) * 4}K) do not fit below "
                                  f"lowmem's end beside the {(kernel_end_pfn << 12) >> 20}M kernel image")
        else:                      # bootmem: bottom-up from MAX_DMA_ADDRESS (16 MB)
            bitmap = _pages((self.max_low_pfn + 7) // 8) if fl.bootmem_bitmap else 0
            from .bootmem import place_bootmem
            taken = [(r.start_pfn, r.end_pfn) for r in res if r.nr_pages]
            try:
                placed = place_bootmem(self, taken, early, kernel_end_pfn, bitmap)
            except ConfigError as e:
                raise ConfigError(f"{self._ram_subject()} is too small for this kernel: {e}") from None
            res.extend(Reservation(*p) for p in placed)
        mm = self.memmap
        for r in res:
            sl = slice(r.start_pfn, r.end_pfn)
            mm.owner[sl] = r.owner
            mm.flags[sl] |= pm.PG_reserved
            mm.refcount[sl] = 1
            self.events.append(Reserve(r.what, r.start_pfn, r.nr_pages))

    def _reserve_brk_head(self, pos: int) -> tuple[int, int]:
        """reserve_brk() (2.6.30 .. 3.8): head_32.S's page tables from __brk_base (page-aligned
        after __bss_stop) and dmi_alloc()'s page (a log's BRK line, or its "initial memory
        mapped", gives them); the rest of .brk up to _end is free RAM.  (new pos, _end pfn)"""
        cfg, fl = self.cfg, self.cfg.flavour
        from .bootmem import BRK_HEAD_RESERVATION, brk_head_tables
        head, end = brk_head_tables(cfg, self.layout.page_offset, pos >> 12)
        head = fl.initial_map_pgt or head
        n = fl.brk_log_pages or head + 1
        self.head_tables = min(head, n)
        self.reservations.append(Reservation(BRK_HEAD_RESERVATION, pos >> 12, n, pm.OWNER_KERNEL))
        return pos + (n << 12), max(end, (pos >> 12) + n)

    def _is_ram(self, s: int, e: int) -> bool:
        return any(a <= s and e <= b for a, b in self.ram_ranges)

    # -- handing free memory to the buddy allocator -------------------------------
    def _populate(self) -> None:
        owner = self.memmap.owner.view(np.ndarray)       # reads: no copy-on-write check
        for z in self.zones:
            if not z.present:
                continue
            runs = _free_runs(owner, z.start_pfn, z.end_pfn)
            z.managed = sum(e - s for s, e in runs)
            for s, e in runs:
                self._free_range(z, s, e)

    def _free_range(self, z: Zone, start: int, end: int) -> None:
        """__free_pages_memory(): the largest naturally aligned chunks, each to the list tail."""
        while start < end:
            order = min(MAX_ORDER - 1, (start & -start).bit_length() - 1 if start else MAX_ORDER - 1)
            while start + (1 << order) > end:
                order -= 1
            free_one_page(z, start, order, True, None)
            start += 1 << order

    # -- watermarks ----------------------------------------------------------
    def _watermarks(self) -> None:
        cfg, fl = self.cfg, self.cfg.flavour
        zones = self.zones
        lowmem = [z for z in zones[:2] if z.present]
        # init_per_zone_wmark_min() is an initcall: what free_init_pages() gave back before it
        # counts from 3.11 (rule wmark_base_frees): .smp_locks (start_kernel -> check_bugs ->
        # alternative_instructions), and while it was module_init (< 4.6) the initrd too
        # (populate_rootfs); .init is freed after every initcall (free_initmem)
        early = self._freed_before_initcalls()
        size = watermark_size_of(fl, early)
        nr_free_buffer_pages = sum(max(0, size(z) - z.watermark_high) for z in lowmem)
        self.min_free_kbytes = calculate_min_free_kbytes(nr_free_buffer_pages * 4, fl.min_free_kbytes_max)
        setup_per_zone_lowmem_reserve(zones, fl.lowmem_reserve_ratio, fl, early)
        setup_per_zone_wmarks(zones, self.min_free_kbytes, fl, early)
        # hugepage_init() (subsys_initcall): THP off below 512 MB of totalram_pages, which has
        # counted every page free_init_pages() gave back (.smp_locks) in every release
        smp = sum(r.nr_pages for r in self.reservations if r.what == "SMP alternatives")
        totalram = sum(z.managed for z in zones) + smp
        self.thp = fl.thp and totalram >= (512 << 8)
        self.thp_raised_from = None
        if self.thp and fl.thp_boot_raise:
            # set_recommended_min_free_kbytes(): late_initcall (< 4.1) or after the core_initcall
            # (4.6+); 4.1-4.5 raise it first and module_init(init_per_zone_wmark_min) undoes it
            pageblock = 512 if cfg.pae else 1024
            nfb = sum(max(0, size(z) - z.watermark_high) for z in lowmem)
            rec = recommended_min_free_kbytes(len(lowmem), pageblock, nfb)
            if rec > self.min_free_kbytes:
                self.thp_raised_from = self.min_free_kbytes
                self.min_free_kbytes = rec
                setup_per_zone_wmarks(zones, self.min_free_kbytes, fl, early)

    def _freed_before_initcalls(self) -> dict[str, int]:
        """Pages per zone that free_init_pages() returns between mem_init() and
        init_per_zone_wmark_min() and that zone->managed_pages counts (rule wmark_base_frees):
        none before 3.11; the "SMP alternatives" block (.smp_locks); before 4.6 the initrd."""
        what = self.cfg.flavour.wmark_base_frees
        out: dict[str, int] = {}
        if what == "none":
            return out
        for r in self.reservations:
            if not r.nr_pages:
                continue
            if r.what == "SMP alternatives" or (what == "smp_locks_initrd" and r.what.startswith("initrd")):
                name = self.zone_of(r.start_pfn).name
                out[name] = out.get(name, 0) + r.nr_pages
        return out

    def _mem_init(self) -> None:
        """mem_init(): free_all_bootmem() parks single pages on per-CPU lists (before 2.6.34)
        and frees the bootmem bitmap itself (engine.mem_init)."""
        from .mem_init import pcp_parked
        bitmap = next((r for r in self.reservations if r.what == "bootmem bitmap" and r.nr_pages), None)
        self.pcp_parked = pcp_parked(self, bitmap)
        if bitmap is not None:
            self._release(bitmap)

    # -- after boot ------------------------------------------------------------
    def _free_initmem(self) -> None:
        """free_initmem(): the .init section goes back to the buddy allocator."""
        if "init" not in self.kernel_image:
            return
        init = next(r for r in self.reservations if r.what == "kernel init")
        self._release(init)
        self.initmem_freed_kb = init.nr_pages * 4
        new_fmt = self.cfg.flavour.log_free_initmem == "K"
        for r in [r for r in self.reservations if r.what == "SMP alternatives" and r.nr_pages]:
            self._release(r)
            self.log.append(f"Freeing SMP alternatives memory: {r.nr_pages * 4}K")
        for r in [r for r in self.reservations if r.what.startswith("initrd") and r.nr_pages]:
            self._release(r)
            self.log.append(f"Freeing initrd memory: {r.nr_pages * 4}{'K' if new_fmt else 'k freed'}")
        if new_fmt:
            self.log.append(f"Freeing unused kernel image (initmem) memory: {self.initmem_freed_kb}K")
        else:
            self.log.append(f"Freeing unused kernel memory: {self.initmem_freed_kb}k freed")

    def _release(self, r: Reservation) -> None:
        """free_reserved_area(): a boot reservation becomes ordinary free memory."""
        s, e = r.start_pfn, r.end_pfn
        mm = self.memmap
        mm.owner[s:e] = pm.OWNER_FREE
        mm.flags[s:e] &= np.uint16(0xFFFF & ~pm.PG_reserved)
        mm.refcount[s:e] = 0
        z = self.zone_of(s)
        z.managed += e - s
        self._free_range(z, s, e)
        self.reservations.remove(r)
        self.events.append(FreeReserved(r.what, s, e - s))

    def _write_log(self, raw_last: int, max_arch_pfn: int) -> None:
        from .bootlog import boot_log_lines
        self.log.extend(boot_log_lines(self, raw_last, max_arch_pfn))


RUN_BLOCK = 4096           # frames; a multiple of 1 << (MAX_ORDER - 1): no buddy block crosses it


def _runs_of(mask, base: int) -> list[tuple[int, int]]:
    """[s, e) runs of True in a boolean array (index + base)."""
    change = np.flatnonzero(mask[1:] != mask[:-1]) + 1
    bounds = [0, *change.tolist(), len(mask)]
    return [(base + s, base + e) for s, e in zip(bounds[:-1], bounds[1:]) if mask[s]]


def _free_runs(owner, lo: int, hi: int) -> list[tuple[int, int]]:
    """[s, e) runs of frames in [lo, hi) whose owner is OWNER_FREE, in pfn order.  Found a
    block of RUN_BLOCK frames at a time: a block's largest owner is 0 when all of it is free,
    and only the other blocks are looked at frame by frame, so no frame-sized temporary is
    made (at 64 GB a 16 MB mask cost its page faults on every boot)."""
    runs: list[tuple[int, int]] = []

    def add(s: int, e: int) -> None:
        if runs and runs[-1][1] == s:
            runs[-1] = (runs[-1][0], e)
        else:
            runs.append((s, e))

    first = min(hi, -(-lo // RUN_BLOCK) * RUN_BLOCK)
    nb = (hi - first) // RUN_BLOCK
    last = first + nb * RUN_BLOCK
    pieces = [(lo, first, None)]
    if nb:
        whole = owner[first:last].reshape(nb, RUN_BLOCK).max(axis=1) == pm.OWNER_FREE
        for s, e in _runs_of(whole, 0):               # runs of wholly free blocks
            pieces.append((first + s * RUN_BLOCK, first + e * RUN_BLOCK, True))
        for b in np.flatnonzero(~whole).tolist():     # blocks with something else in them
            pieces.append((first + b * RUN_BLOCK, first + (b + 1) * RUN_BLOCK, None))
    pieces.append((last, hi, None))
    for s, e, all_free in sorted(pieces, key=lambda p: p[:2]):
        if e <= s:
            continue
        if all_free:
            add(s, e)
        else:
            for rs, re in _runs_of(owner[s:e] == pm.OWNER_FREE, s):
                add(rs, re)
    return runs


def _ram_text(nbytes: int) -> str:
    """The RAM size as given, without rounding: "30M", "31232K"."""
    return f"{nbytes >> 20}M" if nbytes % (1 << 20) == 0 else f"{nbytes >> 10}K"
