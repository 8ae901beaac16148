"""memblock's early allocations of a 6.1 boot, byte by byte (mm/memblock.c, top-down).

From 2.6.35 the early allocator is memblock: each allocation takes the highest free range of
its size and alignment below memblock.current_limit (max_low_pfn once init_mem_mapping() has
run), and memblock_free_all() (mm/memblock.c free_low_memory_core_early) frees only the whole
pages of each free range (PFN_UP(start) .. PFN_DOWN(end)).  So the "Memory:" line depends on
where the small allocations (SMP_CACHE_BYTES aligned) fall: a page shared by two of them is
one reserved page, a page-sized allocation that starts inside a page spans one page more, and
a freed page-aligned allocation leaves whole free pages.

:func:`place_memblock` makes, in start_kernel()'s order, the allocations whose sizes the
kernel source gives (Debian 6.1 i386, CONFIG_X86_L1_CACHE_SHIFT 6):

* setup_arch(): the relocated initrd (relocate_initrd), paging_init()'s mem_map
  (alloc_node_mem_map) and each zone's pageblock bitmap (setup_usemap), acpi_parse_hpet()'s
  resource, ioapic_setup_resources(), e820__reserve_resources()'s resource array and one
  firmware_map_entry per firmware e820 entry (firmware_map_add_early),
  e820__register_nosave_regions();
* start_kernel(): setup_command_line()'s two copies, pcpu_embed_first_chunk() (the alloc info
  and the areas array, both freed at its end, the chunk, pcpu_setup_first_chunk()'s tables),
  the dentry and inode hashes, trap_init()'s cpu_entry_area page tables once .brk's page-table
  buffer is used up, mm_init()'s KFENCE pool and stack depot, mem_init()'s swiotlb.
"""
from __future__ import annotations

from . import physmem as pm

PAGE = 4096
SMP_CACHE_BYTES = 64            # L1_CACHE_BYTES: X86_L1_CACHE_SHIFT 6 (X86_GENERIC, Debian i386)
RESOURCE_BYTES = (32, 40)       # sizeof(struct resource): resource_size_t 32 / 64 bit (PAE)
HPET_RESOURCE_NAME_SIZE = 9     # arch/x86/kernel/acpi/boot.c acpi_parse_hpet()
IOAPIC_RESOURCE_NAME_SIZE = 11  # arch/x86/kernel/apic/io_apic.c ioapic_setup_resources()
FIRMWARE_MAP_ENTRY_BYTES = 64   # drivers/firmware/memmap.c: u64 start, end; type; list; kobject (36)
NOSAVE_REGION_BYTES = 16        # kernel/power/snapshot.c struct nosave_region
CMDLINE_BYTES = 42              # "console=ttyS0 panic=-1 oops=panic nokaslr" + NUL (ground truth)
PCPU_CHUNK_BYTES = 92           # mm/percpu-internal.h struct pcpu_chunk (MEMCG_KMEM, no PERCPU_STATS)
PCPU_BLOCK_MD_BYTES = 32        # struct pcpu_block_md: 8 ints
PCPU_SLOT_BASE_SHIFT = 5
INIT_PGT_BUF_PAGES = 6          # arch/x86/mm/init.c INIT_PGT_BUF_SIZE: 2 * INIT_PGD_PAGE_TABLES (3)
IO_TLB_NSLABS = 32768           # kernel/dma/swiotlb.c IO_TLB_DEFAULT_SIZE 64 MB >> IO_TLB_SHIFT 11
IO_TLB_SLOT_BYTES = 16          # struct io_tlb_slot: phys_addr_t orig_addr (u64), size_t, unsigned int
IO_TLB_AREA_BYTES = 12          # struct io_tlb_area: unsigned long used, unsigned int index, spinlock


class Memblock:
    """memblock.reserved as byte ranges; alloc() is memblock_alloc_range_nid() top-down."""

    def __init__(self, limit: int, free_ranges: list[tuple[int, int]], reserved: list[tuple[int, int]]):
        self.limit = limit
        self.memory = [(a, min(b, limit)) for a, b in free_ranges if a < limit]
        self.reserved = sorted(r for r in reserved if r[0] < r[1])

    def _free(self):
        """Free byte ranges (memory minus reserved), highest first."""
        out = []
        for a, b in self.memory:
            s = a
            for ra, rb in self.reserved:
                if rb <= s or ra >= b:
                    continue
                if ra > s:
                    out.append((s, ra))
                s = max(s, rb)
            if s < b:
                out.append((s, b))
        return sorted(out, reverse=True)

    def alloc(self, size: int, align: int, min_addr: int = 0) -> int | None:
        """__memblock_find_range_top_down(): the highest aligned start of size free bytes."""
        for a, b in self._free():
            start = (b - size) // align * align
            if start >= max(a, min_addr):
                self.reserved.append((start, start + size))
                self.reserved.sort()
                return start
        return None

    def reserve(self, start: int, size: int) -> bool:
        """memblock_reserve() of a range that must be free RAM below the limit (else False)."""
        if not any(a <= start and start + size <= b for a, b in self._free()):
            return False
        self.reserved.append((start, start + size))
        self.reserved.sort()
        return True

    def free(self, start: int, size: int) -> None:
        """memblock_free(): the exact range leaves memblock.reserved."""
        self.reserved.remove((start, start + size))


def usemap_bytes(zone_start_pfn: int, spanned: int, pageblock_pages: int) -> int:
    """usemap_size() (mm/page_alloc.c): NR_PAGEBLOCK_BITS (4 with CONFIG_COMPACTION) per
    pageblock, rounded up to longs; the zone's start offset in its first pageblock counts."""
    size = spanned + zone_start_pfn % pageblock_pages
    bits = -(-size // pageblock_pages) * 4
    return -(-bits // 32) * 4


def e820_table_entries(firmware) -> int:
    """Entries of e820_table after trim_bios_range(): page 0 becomes its own reserved entry."""
    n = len(firmware)
    first = min(firmware, key=lambda e: e.start) if firmware else None
    if first is not None and first.start == 0 and first.type == "usable" and first.end > PAGE:
        n += 1
    return n


def nosave_regions(e820, limit_pfn: int) -> list[tuple[int, int]]:
    """e820__register_nosave_regions() as Debian's 6.1.176 has it: the gaps between RAM
    entries of e820_table (page 0 already reserved by trim_bios_range()) and after the last
    one up to max_pfn, each a register_nosave_region() and its memblock_alloc()
    ("PM: hibernation: Registered nosave memory: [mem ...]", two lines at 1 GB, three at 4 GB)."""
    out, last = [], 0
    for e in sorted(e820, key=lambda e: e.start):
        if e.type != "usable":
            continue
        start = max(e.start, PAGE) if e.start == 0 else e.start     # page 0 is reserved
        if last < start:
            out.append((last // PAGE, -(-start // PAGE)))
        last = e.end
    if last // PAGE < limit_pfn:
        out.append((last // PAGE, limit_pfn))
    return [r for r in out if r[0] < r[1]]


def page_table_phases(bs) -> list[int]:
    """Kernel page tables alloc_low_pages() needs in each phase of the boot: init_mem_mapping(),
    permanent_kmaps_init(), setup_cpu_entry_area_ptes().  The first INIT_PGT_BUF_PAGES come
    from .brk, the rest from memblock.

    * init_mem_mapping(): the lowmem tail below max_low_pfn in 4 KB pages (every lowmem PMD
      past head_32.S's tables with debug_pagealloc), then early_ioremap_page_table_range_init():
      page_table_range_init() from the PMD of __fix_to_virt(__end_of_fixed_addresses - 1)
      (FIX_WP_TEST, one page above FIXADDR_TOT_START) to the top, one table per PMD not yet
      present (the btmap's bm_pte and head_32.S's initial_pg_fixmap at the top are), plus a copy
      for each kmap PMD when the kmap slots span two (page_table_kmap_check);
    * paging_init() -> permanent_kmaps_init(): the pkmap PMD;
    * trap_init() -> setup_cpu_entry_area_ptes(): each cpu_entry_area PMD not yet present (its
      last one may be the fixmap's first)."""
    L, pae, fl = bs.layout, bs.cfg.pae, bs.cfg.flavour
    pmd = (2 if pae else 4) << 20
    head = fl.initial_map_pgt or (18 if pae else 9)
    lim = bs.max_low_pfn << 12
    if fl.debug_pagealloc:
        direct = max(0, -(-lim // pmd) - head)
    else:
        direct = int(lim % pmd != 0 and lim // pmd >= head)
    slots, top = L.fixmap_slots, L.fixaddr_top
    permanent = len(slots)
    # FIX_BTMAP_END/BEGIN (arch/x86/include/asm/fixmap.h): the 512 boot slots never cross a PMD
    ptrs = 512 if pae else 1024
    btmap_end = permanent + 512 - (permanent & 511) if (permanent ^ (permanent + 511)) & -ptrs else permanent
    virt = lambda idx: top - idx * PAGE
    first = (L.fixaddr_boot_start + PAGE) // pmd          # the PMD of the last fixmap slot
    last = (1 << 32) // pmd - 1                           # initial_pg_fixmap's
    present = {virt(btmap_end + 511) // pmd, last}
    kmap = [s.index for s in slots if s.name.startswith("FIX_KMAP_BEGIN")]
    kmap_pmds = range(virt(max(kmap)) // pmd, virt(min(kmap)) // pmd + 1) if kmap else range(0)
    fixmap = sum(1 for p in range(first, last + 1) if p not in present)
    fixmap += len(kmap_pmds) if len(kmap_pmds) > 1 else 0
    cea = 0
    if L.cpu_entry_area_end > L.cpu_entry_area_base:
        cea = sum(1 for p in range(L.cpu_entry_area_base // pmd, -(-L.cpu_entry_area_end // pmd))
                  if p < first)
    out, buf = [], INIT_PGT_BUF_PAGES
    for need in (direct + fixmap, 1, cea):
        from_brk = min(buf, need)
        buf -= from_brk
        out.append(need - from_brk)
    return out


def _pcpu_tables(fl, pae: bool, cpus: int) -> list[tuple[str, int]]:
    """pcpu_setup_first_chunk() / pcpu_alloc_first_chunk() (mm/percpu.c), one group."""
    unit = fl.percpu_pages_per_cpu * PAGE
    static = fl.pcpu_static_bytes[int(pae)] or (unit - 8 * PAGE)
    region_pages = (static % PAGE + unit - static + PAGE - 1) // PAGE
    bits = region_pages * PAGE // 4                       # PCPU_MIN_ALLOC_SIZE 4
    slots = max(unit.bit_length() - PCPU_SLOT_BASE_SHIFT + 2, 1) + 4   # .. to_depopulate slot + 1
    return [("group_offsets", 4), ("group_sizes", 4), ("unit_map", 4 * cpus), ("unit_off", 4 * cpus),
            ("pcpu_chunk_lists", slots * 8),
            ("first chunk", PCPU_CHUNK_BYTES + 4 * -(-region_pages // 32)),
            ("alloc_map", -(-bits // 32) * 4), ("bound_map", -(-(bits + 1) // 32) * 4),
            ("md_blocks", region_pages * PCPU_BLOCK_MD_BYTES)]


def place_memblock(bs, res, early) -> list[tuple[str, int, int, int]]:
    """(what, start pfn, pages, owner) of the early memblock allocations still reserved at
    mem_init(), in the order start_kernel() makes them; pages shared with an earlier
    allocation belong to it.  ``res``: the reservations made so far (image, .brk, low 1 MB);
    ``early``: boot.py's (what, pages, owner) list (sizes of mem_map, per-CPU, hashes, ...)."""
    cfg, fl = bs.cfg, bs.cfg.flavour
    pae = int(cfg.pae)
    by = {e[0]: e for e in early}
    mb = Memblock(bs.max_low_pfn * PAGE, [(a * PAGE, b * PAGE) for a, b in bs.ram_ranges],
                  [(r.start_pfn * PAGE, r.end_pfn * PAGE) for r in res if r.nr_pages])
    done: list[tuple[str, int, int, int]] = []        # (what, start byte, end byte, owner)

    def alloc(what, size, align, owner=pm.OWNER_BOOTMEM, min_addr=0):
        if size <= 0:
            return None
        s = mb.alloc(size, align, min_addr)
        if s is None:
            from .errors import ConfigError
            raise ConfigError(f"its early allocations ({what}) do not fit below lowmem's end")
        done.append((what, s, s + size, owner))
        return s

    def pages_of(name, owner=pm.OWNER_BOOTMEM):
        if name in by and by[name][1]:
            alloc(name, by[name][1] * PAGE, PAGE, by[name][2])

    initrd = by.get("initrd (RAMDISK)", ("", 0, 0))
    at = fl.initrd_start_pfn
    if initrd[1] and at >= 0 and mb.reserve(at * PAGE, initrd[1] * PAGE):
        # early_reserve_initrd(): where the log says it lies, in lowmem (not relocated)
        done.append((initrd[0], at * PAGE, (at + initrd[1]) * PAGE, initrd[2]))
        by.pop(initrd[0])
    early_pgt, pkmap_pgt, cea_pgt = page_table_phases(bs)
    for _ in range(early_pgt):           # init_mem_mapping(), before reserve_initrd()
        alloc("direct-map and fixmap page tables", PAGE, PAGE)
    for name in ("log buffer (log_buf_len)", "initrd (RAMDISK)", "crash kernel (crashkernel=)"):
        pages_of(name)
    for _ in range(pkmap_pgt):
        alloc("pkmap page table (memblock)", PAGE, PAGE)
    if "mem_map" in by:
        spanned = -(-bs.max_pfn // 1024) * 1024 - bs.ranges[0][0] // 1024 * 1024
        bs.mem_map_phys = alloc("mem_map", spanned * fl.struct_page_size, SMP_CACHE_BYTES, pm.OWNER_MEMMAP)
    pb = 512 if cfg.pae else 1024
    for z in bs.zones:
        if z.spanned:
            alloc(f"pageblock flags ({z.name})", usemap_bytes(z.start_pfn, z.spanned, pb), SMP_CACHE_BYTES)
    if fl.hpet:
        alloc("HPET resource", RESOURCE_BYTES[pae] + HPET_RESOURCE_NAME_SIZE, SMP_CACHE_BYTES)
    alloc("IO-APIC resources", (RESOURCE_BYTES[pae] + IOAPIC_RESOURCE_NAME_SIZE) * fl.nr_ioapics,
          SMP_CACHE_BYTES)
    alloc("e820 resources", RESOURCE_BYTES[pae] * e820_table_entries(bs.firmware_e820), SMP_CACHE_BYTES)
    for _ in bs.firmware_e820:
        alloc("firmware memmap entries", FIRMWARE_MAP_ENTRY_BYTES, SMP_CACHE_BYTES)
    for _ in nosave_regions(bs.e820, bs.max_pfn):
        alloc("nosave regions", NOSAVE_REGION_BYTES, SMP_CACHE_BYTES)
    for _ in range(2):                     # saved_command_line, static_command_line
        alloc("command line", CMDLINE_BYTES, SMP_CACHE_BYTES)
    if "percpu" in by:
        ai = alloc("pcpu_alloc_info", PAGE, PAGE)
        areas = alloc("pcpu areas", PAGE, SMP_CACHE_BYTES)
        unit = fl.percpu_pages_per_cpu * PAGE
        alloc("percpu", unit * cfg.cpus, PAGE, by["percpu"][2], min_addr=16 << 20)
        for what, n in _pcpu_tables(fl, cfg.pae, cfg.cpus):
            alloc(f"percpu {what}", n, SMP_CACHE_BYTES)
        for s in (ai, areas):              # pcpu_free_alloc_info(), memblock_free(areas)
            mb.free(s, PAGE)
            done[:] = [d for d in done if d[1] != s]
    for name in ("Dentry cache hash table", "Inode-cache hash table"):
        if name in by:
            n = bs.dentry_entries if name.startswith("Dentry") else bs.inode_entries
            alloc(name, n * 4, SMP_CACHE_BYTES, by[name][2])
    for _ in range(cea_pgt):
        alloc("cpu_entry_area page tables", PAGE, PAGE)
    for name in ("KFENCE pool", "stack depot hash table"):
        pages_of(name)
    if "software IO TLB" in by:
        alloc("software IO TLB", by["software IO TLB"][1] * PAGE, PAGE)
        alloc("software IO TLB slots", -(-IO_TLB_NSLABS * IO_TLB_SLOT_BYTES // PAGE) * PAGE, PAGE)
        alloc("software IO TLB areas", IO_TLB_AREA_BYTES, SMP_CACHE_BYTES)
    for what, n, owner in early:           # anything else a log states: page-aligned, in order
        if n and what not in _HANDLED and what not in _NOT_MEMBLOCK:
            alloc(what, n * PAGE, PAGE, owner)
    return _to_pages(done, [(r.start_pfn, r.end_pfn) for r in res if r.nr_pages])


_HANDLED = {"log buffer (log_buf_len)", "initrd (RAMDISK)", "crash kernel (crashkernel=)", "mem_map",
            "percpu", "Dentry cache hash table", "Inode-cache hash table", "KFENCE pool",
            "stack depot hash table", "software IO TLB"}
# in the image (.smp_locks, .brk) or made by other allocators than memblock in 6.1
_NOT_MEMBLOCK = {"SMP alternatives", "early allocations (page tables, log buffer, ...)",
                 "initial page tables (head_32.S, .brk)", "zone wait tables", "PID hash table",
                 "real-mode trampoline", "direct-map page tables (debug_pagealloc: 4 KB pages)"}


def _to_pages(done, taken) -> list[tuple[str, int, int, int]]:
    """Each allocation's pages not already held by an earlier reservation (one run each)."""
    held = list(taken)
    is_held = lambda p: any(a <= p < b for a, b in held)
    out = []
    for what, s, e, owner in done:
        first, last = s // PAGE, -(-e // PAGE)
        while first < last and is_held(first):
            first += 1
        while last > first and is_held(last - 1):
            last -= 1
        if last > first:
            out.append((what, first, last - first, owner))
            held.append((first, last))
    return out
