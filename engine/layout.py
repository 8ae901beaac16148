"""The 4 GB virtual map of an i386 kernel, computed with the kernel's formulas.

Era A is 2.6.24 (include/asm-x86/pgtable_32.h, highmem.h, page_32.h); era C is
4.19-6.x (arch/x86/include/asm/pgtable_32_areas.h, fixmap.h).  See REFERENCE §2.
"""
from __future__ import annotations

from dataclasses import dataclass

from .config import MB, MachineConfig
from .errors import ConfigError

from .page_types import PAGE_SIZE
VMALLOC_OFFSET = 8 * MB
FIXADDR_TOP = 0xFFFFF000          # __FIXADDR_TOP (no hypervisor reservation)
DEFAULT_VMALLOC_RESERVE = 128 * MB
TOP = 1 << 32


@dataclass(frozen=True)
class Region:
    name: str
    start: int
    end: int          # exclusive
    note: str = ""

    @property
    def size(self) -> int:
        return self.end - self.start

    def __contains__(self, addr: int) -> bool:
        return self.start <= addr < self.end


@dataclass(frozen=True)
class FixmapSlot:
    index: int
    name: str
    vaddr: int



# the names of the layout's regions (Layout.regions, in address order), as lessons focus them
REGION_NAMES = ("user", "direct", "vmalloc", "pkmap", "ldt", "cpu_entry_area", "fixmap_boot", "fixmap", "gap")

def fixmap_slot_names(cfg: MachineConfig) -> list[str]:
    """enum fixed_addresses, permanent part, in index order (REFERENCE §2.4).

    The count of non-kmap slots is the flavour's (or the one a boot log's fixmap line
    gives); IO-APIC slots are trimmed, or other config-dependent slots added, to fit it.
    """
    fl = cfg.flavour
    kmap = [f"FIX_KMAP_BEGIN+{i}" for i in range(fl.kmap_slots_per_cpu * fl.nr_cpus_config)]
    if fl.fixmap_names == "4.15":
        head = ["FIX_HOLE", "FIX_DBGP_BASE", "FIX_EARLYCON_MEM_BASE", "FIX_APIC_BASE"]
        tail = ["FIX_PCIE_MCFG", "FIX_APEI_GHES_IRQ", "FIX_APEI_GHES_NMI"]
    else:
        head = ["FIX_HOLE", "FIX_VDSO", "FIX_DBGP_BASE", "FIX_EARLYCON_MEM_BASE", "FIX_APIC_BASE"]
        tail = ["FIX_F00F_IDT", "FIX_CYCLONE_TIMER", "FIX_PCIE_MCFG"]
    n_io = max(1, min(64, fl.fixmap_fixed_slots - len(head) - len(tail)))
    io_apic = [f"FIX_IO_APIC_BASE_{i}" for i in range(n_io)]
    rest = fl.fixmap_fixed_slots - len(head) - n_io - len(tail)
    other = [f"FIX_ACPI_BEGIN+{i}" for i in range(max(0, rest))]
    if fl.fixmap_names == "4.15":
        names = [*head, *io_apic, *kmap, *tail, *other]
    else:   # 2.6.x/3.x: ... IO_APIC, F00F_IDT, CYCLONE_TIMER, KMAP, ACPI ..., PCIE_MCFG
        names = [*head, *io_apic, *tail[:2], *kmap, *other, *tail[2:]]
    if rest < 0:
        names = names[: len(names) + rest]
    return names


@dataclass(frozen=True)
class Layout:
    page_offset: int
    high_memory: int
    vmalloc_start: int
    vmalloc_end: int
    pkmap_base: int
    last_pkmap: int
    fixaddr_start: int
    fixaddr_top: int
    fixaddr_boot_start: int      # FIXADDR_BOOT_START (2.6) / FIXADDR_TOT_START (6.x)
    cpu_entry_area_base: int     # 0 when the flavour has none
    cpu_entry_area_end: int
    ldt_base: int
    ldt_end: int
    maxmem: int
    vmalloc_reserve: int
    max_low_pfn: int
    fix_kmap_begin: int          # index of FIX_KMAP_BEGIN
    fixmap_slots: tuple[FixmapSlot, ...]
    regions: tuple[Region, ...]
    # the permanent fixmap slot count is an estimate for this release (engine.kversion
    # FIXMAP_CHECKED): FIXADDR_START and everything placed below it may be off by a few pages
    fixmap_estimated: bool = False

    @property
    def pkmap_end(self) -> int:
        return self.pkmap_base + self.last_pkmap * PAGE_SIZE

    @property
    def task_size(self) -> int:
        return self.page_offset

    def fix_to_virt(self, idx: int) -> int:
        return self.fixaddr_top - (idx << 12)

    def region_at(self, vaddr: int) -> Region:
        for r in self.regions:
            if r.start <= vaddr < r.end:
                return r
        raise ValueError(f"address {vaddr:#x} is outside the 32-bit space")


def maxmem(cfg: MachineConfig, vmalloc_end: int) -> tuple[int, int]:
    """(MAXMEM, __VMALLOC_RESERVE) for the flavour and the vmalloc= parameter."""
    fl = cfg.flavour
    reserve = DEFAULT_VMALLOC_RESERVE
    if cfg.vmalloc is not None:
        reserve = cfg.vmalloc + (VMALLOC_OFFSET if fl.vmalloc_param_adds_offset else 0)
    if fl.maxmem_from_vmalloc_end:
        mm = vmalloc_end - cfg.page_offset - reserve
    else:
        mm = TOP - cfg.page_offset - reserve
    return mm, reserve


def low_pfn_with_highmem_param(cfg: MachineConfig, max_pfn: int, maxmem_pfn: int) -> int:
    """find_low_pfn_range() (arch/x86/mm/init_32.c) with the highmem= boot option.

    highmem=N moves the top N of RAM into HighMem when it leaves at least 64 MB of lowmem
    ("highmem=%luMB results in <64MB lowmem, ignoring it" otherwise); above MAXMEM the
    lowmem end stays MAXMEM_PFN.
    """
    low = min(max_pfn, maxmem_pfn)
    if cfg.highmem is None or max_pfn > maxmem_pfn or highmem_param_refused(cfg, max_pfn, maxmem_pfn):
        return low                                   # (refused: the kernel prints why, ignores it)
    return max_pfn - (cfg.highmem >> 12)


def highmem_param_refused(cfg: MachineConfig, max_pfn: int, maxmem_pfn: int) -> str:
    """Why find_low_pfn_range() ignores highmem=N, or "": "too_small" (more than the RAM
    above MAXMEM, highmem_pfn_init()), "too_big" (all of lowmem) or "lowmem_too_small" (less
    than 64 MB of lowmem left, lowmem_pfn_init()).  ``max_pfn``: before highmem= caps it;
    highmem_pages is an unsigned int of pages."""
    if cfg.highmem is None:
        return ""
    pages = (cfg.highmem >> 12) & 0xFFFFFFFF
    if max_pfn > maxmem_pfn:
        return "too_small" if pages + maxmem_pfn > max_pfn else ""
    if pages >= max_pfn:
        return "too_big"
    return "lowmem_too_small" if pages and max_pfn - pages < (64 << 8) else ""


def compute_layout(cfg: MachineConfig, max_pfn: int) -> Layout:
    fl = cfg.flavour
    pmd_size = (2 if cfg.pae else 4) * MB
    pmd_mask = ~(pmd_size - 1) & (TOP - 1)
    ptrs_per_pte = 512 if cfg.pae else 1024
    last_pkmap = 512 if cfg.pae else 1024

    names = fixmap_slot_names(cfg)
    perm = len(names)
    fixaddr_start = FIXADDR_TOP - perm * PAGE_SIZE
    # boot-time (early_ioremap) slots after __end_of_permanent_fixed_addresses
    btmap_end = perm
    rnd = fl.fixmap_boot_round
    # 2.6.25-2.6.33 round FIX_BTMAP_END up to the next 512 (2.6.27: 256) slots always; 2.6.34+ only when the
    # block would straddle a page table (rule fixmap_boot_round_always)
    straddles = (perm ^ (perm + fl.fixmap_boot_slots - 1)) & -ptrs_per_pte
    if rnd and (straddles or fl.fixmap_boot_round_always):
        btmap_end = perm + rnd - (perm & (rnd - 1))
    end_of_fixed = btmap_end + fl.fixmap_boot_slots + fl.fixmap_tail_slots
    fixaddr_boot_start = FIXADDR_TOP - end_of_fixed * PAGE_SIZE

    cea_base = cea_end = ldt_base = ldt_end = 0
    if fl.pkmap_base_from == "cea":
        # 4.15+: cpu_entry_area below the fixmap (from FIXADDR_TOT_START since 4.19),
        # the LDT remap PMD below it (4.19+), then the pkmap PMD
        cea_pages = fl.cea_pages_per_cpu * fl.nr_cpus_config
        top = fixaddr_boot_start if fl.cea_from_tot_start else fixaddr_start
        cea_base = (top - PAGE_SIZE * (cea_pages + 1)) & pmd_mask
        cea_end = cea_base + (cea_pages + 1) * PAGE_SIZE
        below = cea_base
        if fl.ldt_remap:
            ldt_base = (cea_base - PAGE_SIZE) & pmd_mask
            ldt_end = ldt_base + pmd_size
            below = ldt_base
        pkmap_base = (below - PAGE_SIZE) & pmd_mask
    elif fl.pkmap_base_from == "fixaddr_start":
        pkmap_base = (fixaddr_start - PAGE_SIZE * (last_pkmap + 1)) & pmd_mask
    else:
        pkmap_base = (fixaddr_boot_start - PAGE_SIZE * (last_pkmap + 1)) & pmd_mask
    vmalloc_end = pkmap_base - 2 * PAGE_SIZE

    mm, reserve = maxmem(cfg, vmalloc_end)
    if mm < 32 * MB:
        raise ConfigError(f"vmalloc: a {reserve >> 20}M vmalloc reserve leaves "
                          f"{max(mm, 0) >> 20}M of lowmem; the kernel needs far more")
    maxmem_pfn = mm >> 12
    max_low_pfn = low_pfn_with_highmem_param(cfg, max_pfn, maxmem_pfn)
    high_memory = cfg.page_offset + (max_low_pfn << 12)
    if fl.vmalloc_start_rounded:     # unsigned long: a high_memory near 4G wraps it to the bottom
        vmalloc_start = ((high_memory + 2 * VMALLOC_OFFSET - 1) & ~(VMALLOC_OFFSET - 1)) & (TOP - 1)
    else:
        vmalloc_start = (high_memory + VMALLOC_OFFSET) & (TOP - 1)
    # mem_init()'s checks, in its order: 2.6.24 BUG_ON(VMALLOC_START > VMALLOC_END) (>= once
    # MAXMEM leaves the 8M hole, "i386: vmalloc size fix"), then BUG_ON(high_memory > VMALLOC_START)
    op = ">=" if fl.vmalloc_param_adds_offset else ">"
    if vmalloc_start >= vmalloc_end:
        raise ConfigError(f"vmalloc: a {reserve >> 20}M reserve puts VMALLOC_START {vmalloc_start:#x} above "
                          f"VMALLOC_END {vmalloc_end:#x}; the kernel stops at mem_init()'s "
                          f"BUG_ON(VMALLOC_START {op} VMALLOC_END)")
    if high_memory > vmalloc_start:
        raise ConfigError(f"vmalloc: a {reserve >> 20}M reserve leaves lowmem ending at {high_memory:#x}, so "
                          f"VMALLOC_START wraps past 4G to {vmalloc_start:#x}; the kernel stops at mem_init()'s "
                          f"BUG_ON((unsigned long)high_memory > VMALLOC_START)")
    regions: list[Region] = []

    def add(name, start, end, note=""):
        if end <= start:
            return
        if regions and regions[-1].end < start:
            regions.append(Region("gap", regions[-1].end, start, "unmapped hole"))
        regions.append(Region(name, start, end, note))

    add("user", 0, cfg.page_offset, "user space: 0 .. TASK_SIZE")
    add("direct", cfg.page_offset, high_memory, "lowmem direct map: PAGE_OFFSET .. high_memory")
    add("vmalloc", vmalloc_start, vmalloc_end, "VMALLOC_START .. VMALLOC_END")
    add("pkmap", pkmap_base, pkmap_base + last_pkmap * PAGE_SIZE, "kmap(): PKMAP_BASE, LAST_PKMAP pages")
    if ldt_end:
        add("ldt", ldt_base, ldt_end, "LDT remap (PTI)")
    if cea_end:
        add("cpu_entry_area", cea_base, cea_end, "per-CPU entry area (GDT, TSS, entry stacks)")
    add("fixmap_boot", fixaddr_boot_start, fixaddr_start, "boot-time fixmap (early_ioremap)")
    from .kversion import fixmap_checked
    estimated = not fl.fixmap_from_log and not fixmap_checked(fl.version)
    add("fixmap", fixaddr_start, FIXADDR_TOP, "fixmap: FIXADDR_START .. FIXADDR_TOP" + (
        f" ({perm} permanent slots: an estimate for {fl.release}; a boot log's fixmap line "
        f"gives the real count)" if estimated else ""))
    add("gap", FIXADDR_TOP, TOP, "FIX_HOLE: the top page is never mapped")
    # merge the early-fixmap range into its own name only where it is not empty
    slots = tuple(FixmapSlot(i, n, FIXADDR_TOP - (i << 12)) for i, n in enumerate(names))
    fix_kmap_begin = names.index("FIX_KMAP_BEGIN+0")
    return Layout(
        page_offset=cfg.page_offset, high_memory=high_memory, vmalloc_start=vmalloc_start,
        vmalloc_end=vmalloc_end, pkmap_base=pkmap_base, last_pkmap=last_pkmap,
        fixaddr_start=fixaddr_start, fixaddr_top=FIXADDR_TOP,
        fixaddr_boot_start=fixaddr_boot_start, cpu_entry_area_base=cea_base,
        cpu_entry_area_end=cea_end, ldt_base=ldt_base, ldt_end=ldt_end, maxmem=mm,
        vmalloc_reserve=reserve, max_low_pfn=max_low_pfn, fix_kmap_begin=fix_kmap_begin,
        fixmap_slots=slots, regions=tuple(regions), fixmap_estimated=estimated)
