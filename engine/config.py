"""Machine configuration and the kernel flavours.

A flavour is data, not code: the two supported kernels differ in the numbers and
formula variants below, and every other module reads them from here.

* ``"6.1"`` -- the Debian 12 i386 kernels (6.1.0-50-686 / -686-pae) of the ground
  truth: era-C layout formulas (cpu_entry_area, LDT remap), kernel loaded at 16 MB,
  first 1 MB reserved, managed pages, THP raising min_free_kbytes.
* ``"2.6"`` -- the classic 2.6.2x layout of the seed articles (2.6.24 formulas):
  MAXMEM 896 MB, kernel at 1 MB, VMALLOC_START rounded to 8 MB, no cpu_entry_area.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .errors import ConfigError

KB = 1 << 10
MB = 1 << 20
GB = 1 << 30

_SIZE_RE = re.compile(r"^\s*(0x[0-9a-fA-F]+|\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?\s*$")
_UNITS = {"": 1, "k": KB, "m": MB, "g": GB, "t": 1 << 40}


def parse_size(value, what: str = "size") -> int:
    """'160M', '4K', '1G', '0x1000', 4096 -> bytes (the kernel's memparse suffixes)."""
    if isinstance(value, bool):
        raise ConfigError(f"{what}: expected a size like 160M, got {value!r}")
    if isinstance(value, int):
        n = value
    elif isinstance(value, str):
        m = _SIZE_RE.match(value)
        if not m:
            raise ConfigError(f"{what}: {value!r} is not a size (try 160M, 1G, 4096)")
        num, unit = m.groups()
        n = int(num, 16) if num.lower().startswith("0x") else float(num)
        n = int(n * _UNITS[unit.lower()])
    else:
        raise ConfigError(f"{what}: expected a size like 160M, got {value!r}")
    if n < 0:
        raise ConfigError(f"{what}: must not be negative")
    return n


# CONFIG_PAGE_OFFSET for each VMSPLIT choice (arch/x86/Kconfig, "Memory split")
SPLITS = {
    "3G": 0xC0000000,
    "3G_OPT": 0xB0000000,   # non-PAE only
    "2G": 0x80000000,
    "2G_OPT": 0x78000000,   # non-PAE only
    "1G": 0x40000000,
}


@dataclass(frozen=True)
class Flavour:
    """Everything that differs between the kernels mmviz models."""
    name: str
    release: str                 # uname -r
    era: str                     # "A" (2.6.24 formulas) or "C" (4.19+ formulas)
    kernel_load: int             # CONFIG_PHYSICAL_START
    # kernel image sections in KB, as the "Memory:" boot line reports them (non-PAE, PAE)
    text_kb: tuple[int, int]
    rwdata_kb: tuple[int, int]
    rodata_kb: tuple[int, int]
    init_kb: tuple[int, int]
    bss_kb: tuple[int, int]
    nr_cpus_config: int          # CONFIG_NR_CPUS (sizes the fixmap and cpu_entry_area)
    kmap_slots_per_cpu: int      # KM_TYPE_NR (2.6) / KM_MAX_IDX (6.x)
    # permanent fixmap slots other than the kmap ones: HOLE, VDSO/DBGP, EARLYCON, APIC,
    # IO-APICs (MAX_IO_APICS = 64), PCIE_MCFG, GHES ... (see REFERENCE §2.4)
    fixmap_fixed_slots: int
    fixmap_boot_slots: int       # early_ioremap btmap slots after the permanent ones
    fixmap_boot_round: int       # era C: btmap block rounded to a page-table boundary (512) or 0
    fixmap_tail_slots: int       # FIX_WP_TEST, FIX_TBOOT_BASE ...
    cea_pages_per_cpu: int       # cpu_entry_area pages per CPU (0: no cpu_entry_area)
    vmalloc_start_rounded: bool  # era A rounds VMALLOC_START up to 8 MB
    vmalloc_param_adds_offset: bool  # vmalloc=N sets __VMALLOC_RESERVE to N (+ 8 MB in B/C)
    maxmem_from_vmalloc_end: bool    # MAXMEM = VMALLOC_END - PAGE_OFFSET - reserve (B/C)
    struct_page_size: int        # sizeof(struct page)
    reserve_low_1m: bool         # 6.x reserves all of the first 1 MB
    min_free_kbytes_max: int     # clamp of calculate_min_free_kbytes
    watermark_scale: bool        # 4.x+: watermark_scale_factor (default 10)
    thp: bool                    # transparent huge pages (khugepaged raises min_free_kbytes)
    managed_pages: bool          # zones report "managed" (3.x+); older kernels use present
    lowmem_reserve_ratio: tuple[int, ...]   # per zone DMA, Normal, HighMem, Movable
    zone_names: tuple[str, ...]  # zones the kernel prints in /proc/zoneinfo
    early_alloc_kb: tuple[int, int]          # other early memblock allocations (log buffer, ...)
    percpu_pages_per_cpu: int
    slab_default: str            # "slub" or "slab"
    smp_alt_kb: int = 0          # .smp_locks, freed once alternatives are patched
    initrd_kb: int = 0           # initramfs reserved at boot, freed after it is unpacked
    fixmap_order_doc: str = ""


FLAVOURS: dict[str, Flavour] = {
    "6.1": Flavour(
        name="6.1", release="6.1.0-50-686", era="C", kernel_load=0x1000000,
        text_kb=(9327, 9423), rwdata_kb=(1246, 1265), rodata_kb=(3188, 3188),
        init_kb=(912, 928), bss_kb=(464, 476),
        nr_cpus_config=32, kmap_slots_per_cpu=16,
        # HOLE, DBGP, EARLYCON, APIC, 64 IO-APICs, PCIE_MCFG, GHES_IRQ, GHES_NMI
        fixmap_fixed_slots=1 + 1 + 1 + 1 + 64 + 1 + 2,
        fixmap_boot_slots=512, fixmap_boot_round=512, fixmap_tail_slots=1,
        cea_pages_per_cpu=40,
        vmalloc_start_rounded=False, vmalloc_param_adds_offset=True,
        maxmem_from_vmalloc_end=True, struct_page_size=40, reserve_low_1m=True,
        min_free_kbytes_max=262144, watermark_scale=True, thp=True, managed_pages=True,
        lowmem_reserve_ratio=(256, 32, 0, 0),
        zone_names=("DMA", "Normal", "HighMem", "Movable"),
        early_alloc_kb=(152, 205), percpu_pages_per_cpu=33, slab_default="slub",
        smp_alt_kb=32, initrd_kb=1048,  # the ground truth's busybox initramfs ("Freeing initrd memory: 1048K")
    ),
    "2.6": Flavour(
        name="2.6", release="2.6.24", era="A", kernel_load=0x100000,
        text_kb=(2029, 2061), rwdata_kb=(915, 930), rodata_kb=(0, 0),
        init_kb=(308, 312), bss_kb=(380, 388),
        nr_cpus_config=8, kmap_slots_per_cpu=13,
        # 2.6.24: HOLE, VDSO, DBGP, EARLYCON, APIC, 64 IO-APICs, ... + ACPI and
        # others; REFERENCE §2.6 counts 180 permanent slots with 8 CPUs.
        fixmap_fixed_slots=180 - 13 * 8,
        fixmap_boot_slots=16, fixmap_boot_round=0, fixmap_tail_slots=1,
        cea_pages_per_cpu=0,
        vmalloc_start_rounded=True, vmalloc_param_adds_offset=False,
        maxmem_from_vmalloc_end=False, struct_page_size=32, reserve_low_1m=False,
        min_free_kbytes_max=65536, watermark_scale=False, thp=False, managed_pages=False,
        lowmem_reserve_ratio=(256, 32, 0),
        zone_names=("DMA", "Normal", "HighMem"),
        early_alloc_kb=(600, 620), percpu_pages_per_cpu=8, slab_default="slab",
    ),
}


@dataclass(frozen=True)
class MachineConfig:
    ram: int = 160 * MB
    pae: bool = False
    nx: bool = False
    pse: bool = True
    pge: bool = True
    vmalloc: int | None = None   # the vmalloc= boot parameter, bytes
    kernel: str = "6.1"
    allocator: str = "slub"
    cpus: int = 1
    swap: int = 0
    pcp: bool = False
    seed: int = 0
    split: str = "3G"
    aslr: bool = False
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def flavour(self) -> Flavour:
        return FLAVOURS[self.kernel]

    @property
    def page_offset(self) -> int:
        return SPLITS[self.split]

    def replace(self, **kw) -> "MachineConfig":
        return replace(self, **kw)


MAX_PHYS_PAE = 64 * GB      # MAX_POSSIBLE_PHYSMEM_BITS 36


def make_config(ram="160M", pae=False, nx=False, pse=True, pge=True, vmalloc=None,
                kernel="6.1", allocator=None, cpus=1, swap=0, pcp=False, seed=0,
                split="3G", aslr=False) -> MachineConfig:
    """Validate boot() arguments; raise ConfigError with one clear line."""
    kernel = str(kernel)
    if kernel not in FLAVOURS:
        raise ConfigError(f"kernel: unknown flavour {kernel!r} (choose 6.1 or 2.6)")
    fl = FLAVOURS[kernel]
    ram_b = parse_size(ram, "ram")
    if ram_b < 16 * MB:
        raise ConfigError(f"ram: {ram!r} is too small; an i386 kernel needs at least 16M")
    if ram_b > MAX_PHYS_PAE:
        raise ConfigError(f"ram: {ram!r} is more than x86-32 can address "
                          f"(PAE: 36-bit physical addresses, 64G at most)")
    if ram_b % (1 << 12):
        raise ConfigError(f"ram: {ram!r} is not a whole number of 4K pages")
    if nx and not pae:
        raise ConfigError("nx: the NX bit exists only in PAE page tables (use pae=True)")
    if split not in SPLITS:
        raise ConfigError(f"split: unknown memory split {split!r} (choose {', '.join(SPLITS)})")
    if pae and split.endswith("_OPT"):
        raise ConfigError(f"split: VMSPLIT_{split} is not available with PAE")
    vm = None if vmalloc in (None, "", 0) else parse_size(vmalloc, "vmalloc")
    if allocator is None:
        allocator = fl.slab_default
    allocator = str(allocator).lower()
    if allocator not in ("slub", "slab"):
        raise ConfigError(f"allocator: unknown {allocator!r} (choose slub or slab)")
    if kernel == "6.1" and allocator == "slab":
        pass  # 6.1 still ships mm/slab.c; allowed
    if not isinstance(cpus, int) or isinstance(cpus, bool) or not 1 <= cpus <= fl.nr_cpus_config:
        raise ConfigError(f"cpus: must be 1..{fl.nr_cpus_config} (CONFIG_NR_CPUS), got {cpus!r}")
    swap_b = parse_size(swap, "swap") if swap else 0
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ConfigError(f"seed: must be an integer, got {seed!r}")
    return MachineConfig(ram=ram_b, pae=bool(pae), nx=bool(nx), pse=bool(pse), pge=bool(pge),
                         vmalloc=vm, kernel=kernel, allocator=allocator, cpus=cpus,
                         swap=swap_b, pcp=bool(pcp), seed=seed, split=split, aslr=bool(aslr))
