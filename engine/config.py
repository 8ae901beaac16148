"""The machine configuration: ``Machine.boot()``'s arguments checked and frozen.

``make_config`` validates RAM, paging modes, the memory split (CONFIG_VMSPLIT), the
allocator, CPUs, swap and the boot command line, and applies build options
(``config={"NR_CPUS": 8, "THP": False}``: the Kconfig inputs of a build) to the
release's :class:`engine.flavour.Flavour`.  The flavours themselves: ``engine.flavour``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .errors import ConfigError, shown, unquoted_hint
from .flavour import ALIASES, FLAVOURS, Flavour, flavour_for

KB = 1 << 10
MB = 1 << 20
GB = 1 << 30

_SIZE_RE = re.compile(r"^\s*(0x[0-9a-fA-F]+|\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?\s*$")
_UNITS = {"": 1, "k": KB, "m": MB, "g": GB, "t": 1 << 40}


def parse_size(value, what: str = "size") -> int:
    """'160M', '4K', '1G', '0x1000', 4096 -> bytes (the kernel's memparse suffixes)."""
    if isinstance(value, bool):
        raise ConfigError(f"{what}: expected a size like 160M, got {shown(value)}")
    if isinstance(value, int):
        n = value
    elif isinstance(value, str):
        m = _SIZE_RE.match(value)
        if not m:
            raise ConfigError(f"{what}: {value!r} is not a size (try 160M, 1G, 4096)")
        num, unit = m.groups()
        _refuse_leading_zero(value, num, unit, what)
        n = int(num, 16) if num.lower().startswith("0x") else float(num)
        n = int(n * _UNITS[unit.lower()])
    else:
        raise ConfigError(f"{what}: expected a size like 160M, got {shown(value)}")
    if n < 0:
        raise ConfigError(f"{what}: must not be negative")
    return n


def _refuse_leading_zero(value: str, num: str, unit: str, what: str) -> None:
    """A decimal with a leading 0 ("010M") is ambiguous: the kernel's memparse() reads it as
    octal (simple_strtoull(ptr, &endptr, 0): 8M; engine.cmdline.memparse, which the boot command
    line's mem=, memmap=, highmem=, vmalloc= follow), Python's int() as decimal.  The API refuses
    it as the command line's --ram does (app/cli_types.py octal_hint), in its words."""
    digits = num.split(".")[0]
    if len(digits) < 2 or digits[0] != "0" or digits[:2].lower() == "0x":
        return
    if set(digits) <= set("01234567"):
        how = f"write {int(digits, 8)}{unit} for octal, {int(digits, 10)}{unit} for decimal"
    else:
        how = f"write {int(digits, 10)}{unit}"
    raise ConfigError(f"{what}: {value.strip()!r} starts with 0, which C reads as octal: {how}")


def byte_count(value, what: str):
    """A size argument of the API (kmalloc, vmalloc, kmem_cache_create, mmap, munmap, mprotect):
    an int is bytes and is returned as is (each call checks its own range), a string is read as
    parse_size() reads it ("4K", "1M", "0x1000"); anything else is a ConfigError
    ("WHAT: size must be a byte count, got 1.5")."""
    if isinstance(value, str):
        return parse_size(value, what)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{what}: size must be a byte count, got {shown(value)}")
    return value


# CONFIG_PAGE_OFFSET for each VMSPLIT choice (arch/x86/Kconfig, "Memory split")
SPLITS = {
    "3G": 0xC0000000,
    "3G_OPT": 0xB0000000,   # non-PAE only
    "2G": 0x80000000,
    "2G_OPT": 0x78000000,   # non-PAE only
    "1G": 0x40000000,
}


@dataclass(frozen=True)
class MachineConfig:
    """What ``Machine.boot()`` was given, validated (make_config); ``m.config``."""
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
    build: Flavour | None = None          # the flavour with build inputs applied
    e820: tuple | None = None             # firmware map (E820Entry, ...); None: QEMU's
    mem: int | None = None                # mem= (bytes)
    memmap: tuple = ()                    # mem=, memmap= in order ((start, size, type|"limit"|"exactmap"), ...)
    highmem: int | None = None            # highmem= (bytes)
    e820_label: str = "BIOS-e820"         # "modified" when the map came from a log's sanitised dump

    @property
    def flavour(self) -> Flavour:
        return self.build if self.build is not None else FLAVOURS[self.kernel]

    @property
    def page_offset(self) -> int:
        return SPLITS[self.split]

    def replace(self, **kw) -> "MachineConfig":
        return replace(self, **kw)


MAX_PHYS_PAE = 64 * GB      # MAX_POSSIBLE_PHYSMEM_BITS 36

# build inputs (CONFIG_* and what decides sizeof(struct page)), each a Flavour field
BUILD_KEYS = {
    "NR_CPUS": "nr_cpus_config", "CONFIG_NR_CPUS": "nr_cpus_config",
    "struct_page_size": "struct_page_size", "THP": "thp", "CONFIG_TRANSPARENT_HUGEPAGE": "thp",
    "PHYSICAL_START": "kernel_load", "CONFIG_PHYSICAL_START": "kernel_load",
    "memory_model": "memory_model", "fixmap_slots": None, "text_kb": "text_kb",
    "data_kb": "rwdata_kb", "init_kb": "init_kb", "rodata_kb": "rodata_kb", "bss_kb": "bss_kb",
    "text_bytes": "text_bytes", "data_bytes": "data_bytes", "init_gap_pages": "init_gap_pages",
    # early allocations a log states, or build options that make them (engine.mem_init)
    "percpu_pages": "percpu_pages_per_cpu", "initrd_kb": "initrd_kb", "initrd_start": "initrd_start_pfn",
    "MEMCG": "memcg", "CONFIG_MEMCG": "memcg", "CGROUP_MEM_RES_CTLR": "memcg",
    "page_cgroup_kb": "page_cgroup_kb", "KFENCE": "kfence_pool_kb", "CONFIG_KFENCE": "kfence_pool_kb",
    "kfence_pool_kb": "kfence_pool_kb", "log_buf_kb": "log_buf_kb", "crashkernel_kb": "crashkernel_kb",
    "stackdepot_kb": "stackdepot_kb", "trampoline_kb": "trampoline_kb", "brk_kb": "brk_log_pages",
    "initial_map_pgt": "initial_map_pgt", "DEBUG_PAGEALLOC": "debug_pagealloc",
    "pcpu_static": "pcpu_static_bytes", "nr_ioapics": "nr_ioapics", "hpet": "hpet",
    "CONFIG_DEBUG_PAGEALLOC": "debug_pagealloc", "debug_pagealloc": "debug_pagealloc",
    # mark_rodata_ro(): text and rodata read-only, their large pages split (engine.init_32)
    "DEBUG_RODATA": "rodata_ro", "CONFIG_DEBUG_RODATA": "rodata_ro", "STRICT_KERNEL_RWX": "rodata_ro",
}


def _apply_build(fl: Flavour, config: dict, pae: bool) -> Flavour:
    from .mem_init import EARLY_KEYS, early_input
    """Flavour fields from config= (CONFIG_NR_CPUS=2, THP=False, struct_page_size=36, ...)."""
    over: dict = {}
    for k, v in (config or {}).items():
        if k in ("HIGHMEM64G", "CONFIG_HIGHMEM64G", "HIGHMEM4G", "CONFIG_HIGHMEM4G", "VMSPLIT",
                 "CONFIG_VMSPLIT"):
            continue                            # handled as pae= / split=
        if k not in BUILD_KEYS:
            raise ConfigError(f"config: unknown build option {k!r} (known: {', '.join(sorted(BUILD_KEYS))})")
        name = BUILD_KEYS[k]
        if name in EARLY_KEYS:
            over[name] = early_input(k, name, v, fl)
            continue
        if k == "fixmap_slots":                 # permanent fixmap slots as a log's fixmap line gives them
            if not isinstance(v, int) or isinstance(v, bool):
                raise ConfigError(f"config: {k} must be a whole number, got {shown(v)}{unquoted_hint(v)}")
            n = int(v) - fl.kmap_slots_per_cpu * int(over.get("nr_cpus_config", fl.nr_cpus_config))
            if n < 4:
                raise ConfigError(f"config: fixmap_slots={v} is fewer than the kmap slots need")
            over["fixmap_fixed_slots"] = n
            over["fixmap_from_log"] = True
            continue
        if name in ("nr_cpus_config", "struct_page_size", "kernel_load", "text_bytes", "data_bytes",
                    "init_gap_pages"):
            v = parse_size(v, k) if isinstance(v, str) and name == "kernel_load" else v
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ConfigError(f"config: {k} must be a whole number, got {shown(v)}{unquoted_hint(v)}")
        if name == "nr_cpus_config" and not 1 <= v <= fl.nr_cpus_max:
            raise ConfigError(f"config: CONFIG_NR_CPUS must be 1..{fl.nr_cpus_max} on i386 {fl.release} "
                              f"(arch/x86/Kconfig), got {v}")
        if name == "struct_page_size" and v not in (32, 36, 40, 44, 48, 64):
            raise ConfigError(f"config: sizeof(struct page) {v} is not one an i386 build gives (32..64)")
        if name == "kernel_load" and (v % 0x100000 or not 0x100000 <= v <= 0x10000000):
            raise ConfigError(f"config: PHYSICAL_START {v:#x} must be a 1 MB multiple in 1M..256M")
        if name in ("rodata_ro", "thp") and not isinstance(v, bool):
            raise ConfigError(f"config: {k} must be true or false, got {shown(v)}")
        if name == "thp" and v and fl.version < (2, 6, 38):     # mm/huge_memory.c is new in 2.6.38
            raise ConfigError(f"config: {k}: transparent hugepages exist from Linux 2.6.38 "
                              f"(this kernel is {fl.release})")
        if name == "rodata_ro" and not v and fl.version >= (4, 6):
            raise ConfigError(f"config: {k} cannot be turned off from 4.6 on (always built in)")
        if name == "memory_model" and v not in ("flatmem", "sparsemem"):
            raise ConfigError(f"config: memory_model must be flatmem or sparsemem, got {shown(v)}")
        if name in ("text_kb", "rwdata_kb", "init_kb", "rodata_kb", "bss_kb"):
            if not isinstance(v, int) or isinstance(v, bool) or v < 0 or v > 64 * 1024:
                raise ConfigError(f"config: {k} must be a size in kB, got {shown(v)}")
            if not v and name in ("text_kb", "init_kb"):     # vmlinux.lds.S: _text.._etext and
                raise ConfigError(f"config: {k} must be 1 kB or more: every i386 image has "   # __init_begin..
                                  f"kernel code and an init section, got 0")                 # __init_end
            v = (v, v)
        over[name] = v
    return replace(fl, **over) if over else fl


def _config_pae(config: dict, pae: bool) -> bool:
    for k in ("HIGHMEM64G", "CONFIG_HIGHMEM64G", "HIGHMEM4G", "CONFIG_HIGHMEM4G"):
        if k in (config or {}):
            if not isinstance(config[k], bool):      # "n" or "maybe" was taken as on
                raise ConfigError(f"config: {k} must be true or false, got {shown(config[k])}")
            wants = config[k] if "64G" in k else not config[k]
            if pae and not wants:        # pae=True (--pae) and a build without PAE: which one?
                raise ConfigError(f"config: {k}={config[k]} builds a kernel without PAE, but PAE was "
                                  f"asked for (pae = true, --pae): give one of the two")
            return wants
    return pae


def make_config(ram="160M", pae=False, nx=False, pse=True, pge=True, vmalloc=None,
                kernel="6.1", allocator=None, cpus=1, swap=0, pcp=False, seed=0,
                split="3G", aslr=False, config=None, e820=None, cmdline="", initrd=None) -> MachineConfig:
    """Validate boot() arguments; raise ConfigError with one clear line.

    initrd: the initramfs image size (bytes or '7M'; None: the flavour's, 0: none); it is
    reserved at boot and freed after populate_rootfs() unpacked it."""
    from .cmdline import parse_cmdline
    from .e820 import parse_e820
    if not isinstance(kernel, str):           # 3.10 as a float is 3.1
        raise ConfigError(f"kernel: must be a release as text (\"2.6.24\", \"3.10\", \"6.1\"), got {shown(kernel)}")
    for name, flag in (("pae", pae), ("nx", nx), ("pse", pse), ("pge", pge), ("pcp", pcp), ("aslr", aslr)):
        if not isinstance(flag, bool):        # pae="no" was a true value: a PAE machine
            raise ConfigError(f"{name}: must be true or false, got {shown(flag)}")
    fl = flavour_for(kernel)
    kernel = ALIASES.get(kernel, kernel)
    if config is not None and not isinstance(config, dict):
        raise ConfigError(f"config: expected a dict like {{'NR_CPUS': 8}}, got {shown(config)}")
    pae = _config_pae(config, pae)
    if not pae and re.search(r"-(pae|bigmem)\b", kernel, re.I):     # Debian/Ubuntu PAE flavours
        raise ConfigError(f"kernel: {kernel!r} names a PAE build (-pae, -bigmem); add pae = true (--pae)")
    for k in ("VMSPLIT", "CONFIG_VMSPLIT"):
        if k in (config or {}):
            split = str(config[k]).upper().replace("VMSPLIT_", "")
    fl = _apply_build(fl, config, pae)
    from .mem_init import early_input
    if initrd is not None:
        fl = replace(fl, initrd_kb=early_input("initrd", "initrd_kb", initrd, fl))
    cmd = parse_cmdline(cmdline, fl.memparse_suffixes, fl.memmap_strict, fl.memmap_list, fl.mem_zero_einval)
    from_cmdline = cmd.get("vmalloc") if vmalloc in (None, "", 0) else None   # bytes, 0 too
    fw = parse_e820(e820) if e820 is not None else None
    if fw is not None:
        from .e820 import usable_bytes
        ram_b = usable_bytes(fw)
    else:
        ram_b = parse_size(ram, "ram")
        if ram_b < 16 * MB:
            more = (f", this one more: its image is loaded at {fl.kernel_load >> 20}M (CONFIG_PHYSICAL_START)"
                    if fl.kernel_load >= 16 * MB else "")
            raise ConfigError(f"ram: {ram!r} is too small; an i386 kernel needs at least 16M{more}")
        if ram_b > MAX_PHYS_PAE:
            raise ConfigError(f"ram: {ram!r} is more than x86-32 can address "
                              f"(PAE: 36-bit physical addresses, 64G at most)")
        if ram_b % (1 << 12):
            raise ConfigError(f"ram: {ram!r} is not a whole number of 4K pages")
    if nx and not pae:
        raise ConfigError("nx: the NX bit exists only in PAE page tables (use pae = true)")
    if split not in SPLITS:
        raise ConfigError(f"split: unknown memory split {split!r} (choose {', '.join(SPLITS)})")
    if pae and split.endswith("_OPT"):
        raise ConfigError(f"split: VMSPLIT_{split} is not available with PAE")
    # vmalloc=0 on the command line is parse_vmalloc()'s 0 (+ 8M from 2.6.28); vmalloc=0 as
    # an argument is the default, as None
    vm = from_cmdline if from_cmdline is not None else \
        None if vmalloc in (None, "", 0) else parse_size(vmalloc, "vmalloc")
    if allocator is None:
        allocator = fl.slab_default
    allocator = str(allocator).lower()
    if allocator not in ("slub", "slab"):
        raise ConfigError(f"allocator: unknown {allocator!r} (choose slub or slab)")
    if not isinstance(cpus, int) or isinstance(cpus, bool) or not 1 <= cpus <= fl.nr_cpus_config:
        raise ConfigError(f"cpus: must be 1..{fl.nr_cpus_config} (CONFIG_NR_CPUS), got {shown(cpus)}")
    swap_b = parse_size(swap, "swap") if swap else 0
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ConfigError(f"seed: must be an integer, got {shown(seed)}")
    base = FLAVOURS.get(kernel)
    build = None if base is not None and fl == base else fl
    return MachineConfig(ram=ram_b, pae=bool(pae), nx=bool(nx), pse=bool(pse), pge=bool(pge),
                         vmalloc=vm, kernel=kernel, allocator=allocator, cpus=cpus,
                         swap=swap_b, pcp=bool(pcp), seed=seed, split=split, aslr=bool(aslr),
                         build=build, e820=tuple(fw) if fw is not None else None,
                         mem=cmd.get("mem"), memmap=tuple(cmd.get("memmap", ())),
                         highmem=cmd.get("highmem"),
                         e820_label="modified" if isinstance(e820, str) and "BIOS-e820" not in e820
                         and "modified:" in e820 else "BIOS-e820")
