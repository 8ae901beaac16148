"""Booting from a real boot log: read the machine out of a dmesg, compare mmviz's lines with it.

What is read (each with a stated default when the log lacks it):
version ("Linux version"), the e820 map (both formats, "modified:" preferred), the
command line (mem=, memmap=, highmem=, vmalloc=), CONFIG_NR_CPUS (the setup_percpu line),
PAE ("max_arch_pfn = 0x1000000", a 2048 kB pkmap, else what only a PAE kernel prints: NX
active, "*pdpt = ", a -pae release), NX, the CPU count, the memory split and the kernel
image (".text"/".data" of the layout block, else the "Memory:" line), and the fixmap size
of the layout block.  Lines may carry dmesg's, syslog's or journalctl's prefixes; a file
with several boots (kern.log) is read as its last boot.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dmesg_compare import SPLIT_WHY, LinePair, compare_lines, memory_total, memory_why
from .dmesg_compare import memory_delta, report, summary  # noqa: F401  (engine.dmesg.report, ... as before)
from .errors import ConfigError, shown

_PREFIX = re.compile(
    # syslog ("Dec  1 14:00:00 host kernel: "), ISO time (rsyslog, Ubuntu 24.04's kern.log),
    # journalctl -o short-monotonic ("[    0.000000] host kernel: ")
    r"^(?:(?:[A-Z][a-z]{2} +\d+ [\d:]+|\d{4}-\d\d-\d\dT\S+|\[\s*\d+\.\d+\]) \S+ kernel: )?"
    r"(?:.*?kernel: (?=(?:> )?(?:<\d>)?\[))?"           # any other "... kernel: " before a timestamp
    r"(?:> )?(?:<\d>)?(?:\[\s*\d+\.\d+\] ?)?"
    r"(?:\[\s*[TC]\d+\] ?)?")                           # CONFIG_PRINTK_CALLER's "[    T0] "
MEMORY_LINE = re.compile(
    r"^( ?BIOS-e820| ?modified:|e820: (update|remove|last_pfn)|last_pfn|init_memory_mapping|\d+MB (HIGH|LOW)MEM|"
    r"  mapped low ram|  low ram|Zone (PFN )?ranges|  (DMA|Normal|HighMem|Movable) |Movable zone start|"
    r"early_node_map|    \d+: |Early memory node|  node +\d|Initmem setup|On node|  \w+ zone: |"
    r"Built \d+ zonelists|Initializing (HighMem|Movable)|Memory: |virtual kernel memory layout|"
    r"    (fixmap|pkmap|vmalloc|lowmem) *:|  cpu_entry :|      \.(init|data|text) :|Entering add_active_range|"
    r"Warning only|Use a HIGHMEM64G|Dentry cache|Inode-cache|user-defined physical RAM map| ?user: |"
    r"only \d+MB highmem pages available|highmem size )")


def strip_prefix(line: str) -> str:
    """'[    0.000000]  BIOS-e820: ...' -> ' BIOS-e820: ...' (timestamp, syslog date and host,
    journalctl's monotonic time, printk's caller id, '> ' and '<6>' removed)."""
    m = _PREFIX.match(line)
    return line[m.end():] if m else line


def last_boot(lines: list[str]) -> tuple[list[str], int]:
    """The lines of the last boot in a log that holds several (kern.log, journalctl -k: each
    boot starts with its "Linux version" line), and how many boots it holds."""
    starts = [i for i, l in enumerate(lines) if l.startswith("Linux version ")]
    return (lines[starts[-1]:] if len(starts) > 1 else lines), max(1, len(starts))


@dataclass
class DmesgFacts:
    """What a boot log says about its machine; ``defaults`` names what it did not say."""
    kernel: str = "6.1"
    pae: bool = False
    nx: bool = False
    cpus: int = 1
    split: str = "3G"
    e820: str | None = None
    cmdline: str = ""
    config: dict = field(default_factory=dict)
    defaults: list = field(default_factory=list)
    lines: list = field(default_factory=list)      # the log's memory lines, prefixes stripped

    def boot_kwargs(self) -> dict:
        kw = {"kernel": self.kernel, "pae": self.pae, "nx": self.nx, "cpus": self.cpus,
              "split": self.split, "config": dict(self.config), "cmdline": self.cmdline}
        if self.e820:
            kw["e820"] = self.e820
        return kw


_SPLIT_OF = {0xC0000000: "3G", 0xB0000000: "3G_OPT", 0x80000000: "2G", 0x78000000: "2G_OPT",
             0x40000000: "1G"}


# a serial console's capture: terminal control sequences (CSI "\x1b[2J", OSC titles, two-byte
# escapes) and the other control characters but tab, which would hide a line's start
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|"
                      r"[\x00-\x08\x0b-\x1f\x7f]")


_RELEASE = r"[0-9]+\.[0-9]+(?:\.[0-9]+(?:\.[0-9]+)?)?"     # 6.1, 2.6.31, 2.6.32.69 (ASCII digits)
_STAMPED_START = re.compile(r"\[\s*\d+\.\d+\]\s*Linux version [0-9]")


def _unglued(line: str) -> str:
    """``line`` from its "[    0.000000] Linux version" on, if words precede that."""
    at = line.find("Linux version ")
    if at <= 0:
        return line
    m = _STAMPED_START.search(line, max(0, at - 40), at + 15)
    return line[m.start():] if m and m.start() > 0 else line


def read_dmesg(text: str) -> DmesgFacts:
    """Parse a boot log into DmesgFacts; never raises on odd input."""
    plain = _CONTROL.sub("", str(text).replace("\r\n", "\n"))
    # a boot's first line after the boot loader's words on the same console line ("Probing
    # EDD ... ok[    0.000000] Linux version ..."): the boot starts there
    lines, boots = last_boot([strip_prefix(_unglued(l)) for l in plain.splitlines()])
    f = DmesgFacts()
    if boots > 1:
        f.defaults.append(f"boots: the log holds {boots} boots; the last one is read")
    f.lines = [l for l in lines if MEMORY_LINE.match(l)]
    joined = "\n".join(lines)
    m = re.search(rf"Linux version ({_RELEASE})", joined)
    # the boot loader's image name on the command line (BOOT_IMAGE=/boot/vmlinuz-2.6.31-20-generic)
    image = re.search(rf"Kernel command line:.*?BOOT_IMAGE=\S*?vmlinuz-({_RELEASE})", joined)
    if m:
        f.kernel = m.group(1)
    elif image:
        f.kernel = image.group(1)
        f.defaults.append(f"kernel version: no 'Linux version' line, {f.kernel} read from BOOT_IMAGE")
    else:
        named = re.search(r"^Linux version (\S+)", joined, re.M)
        f.defaults.append(f"kernel version: the 'Linux version' line names no release ({named.group(1)!r}), "
                          f"6.1 assumed (--kernel RELEASE gives it)" if named else
                          "kernel version: no 'Linux version' line, 6.1 assumed (--kernel RELEASE gives it)")
        old = next((label for label, pattern in _OLD_FORMATS if pattern.search(joined)), None)
        if old:                              # formats 6.1 no longer prints: say so
            f.defaults.append(f"kernel version: the log's formats are older than 6.1's ({old}): "
                              f"its lines will differ unless --kernel gives its release")
    e820 = [l for l in lines if re.match(r"^ ?(BIOS-e820|modified)", l)]
    if e820:
        f.e820 = "\n".join(e820)
    else:
        f.defaults.append("e820: no firmware map in the log, QEMU's map for the RAM size assumed")
    m = re.search(r"Kernel command line: (.*)", joined)
    if m:
        f.cmdline = " ".join(w for w in m.group(1).split()
                             if w.split("=")[0] in ("mem", "memmap", "highmem", "vmalloc"))
    else:
        f.defaults.append("command line: no 'Kernel command line' line, no mem=, memmap=, "
                          "highmem= or vmalloc= assumed")
    m = re.search(r"max_arch_pfn = (0x[0-9a-f]+)", joined)
    pkmap = re.search(r"pkmap\s*:\s*0x([0-9a-f]+)\s*-\s*0x([0-9a-f]+)", joined)
    if m:
        f.pae = int(m.group(1), 16) > 0x100000
    elif pkmap:
        f.pae = int(pkmap.group(2), 16) - int(pkmap.group(1), 16) == 2 << 20
    else:
        f.pae = _pae_said(joined)
        f.defaults.append(f"PAE: no max_arch_pfn or pkmap line, {'PAE' if f.pae else 'non-PAE'} assumed")
    f.nx = f.pae and "NX (Execute Disable) protection: active" in joined
    m = re.search(r"^(?:setup_percpu: )?NR_CPUS:(\d+) nr_cpumask_bits:", joined, re.M)
    if m:
        f.config["NR_CPUS"] = int(m.group(1))
    else:
        f.defaults.append("CONFIG_NR_CPUS: no setup_percpu line, the flavour's default assumed")
    cpus = None
    for pat in (r"nr_cpu_ids:(\d+)", r"Allowing (\d+) CPUs", r"CPUs=(\d+)"):
        m = re.search(pat, joined)
        if m:
            cpus = int(m.group(1))
            break
    if cpus is None:
        f.defaults.append("CPUs: none counted in the log, 1 assumed")
        cpus = 1
    nr = f.config.get("NR_CPUS")
    f.cpus = max(1, min(cpus, nr)) if nr else cpus
    m = re.search(r"lowmem\s*:\s*0x([0-9a-f]+)", joined)
    if m and int(m.group(1), 16) in _SPLIT_OF:
        f.split = _SPLIT_OF[int(m.group(1), 16)]
    _image(f, joined)
    _early(f, joined)
    return f


# lines only kernels older than 6.1 print, as a note names them
_OLD_FORMATS = (("Zone PFN ranges", re.compile(r"^Zone PFN ranges", re.M)),
                ("early_node_map", re.compile(r"^early_node_map", re.M)),
                ("BIOS-e820 ... - ...", re.compile(r"^ ?BIOS-e820: [0-9a-f]{16} - ", re.M)),
                ("'Memory: ...k/...k available' < 3.11", re.compile(r"^Memory: \d+k/\d+k available", re.M)),
                ("'virtual kernel memory layout' < 5.11",
                 re.compile(r"^virtual kernel memory layout", re.M)))


def _ram_of_total(cls, kw: dict, facts: DmesgFacts):
    """A log without its firmware map: the RAM size whose QEMU map gives the "Memory:" line's
    total (num_physpages, or the present pages from 3.11), found by booting and correcting
    (the total moves with the RAM page for page); the default size if the log has no such
    line or no size fits.  Says which in ``facts.defaults``."""
    said = next((i for i, d in enumerate(facts.defaults) if d.startswith("e820: no firmware map")), None)
    want = memory_total("\n".join(facts.lines))
    if want is None or said is None:
        return "160M"
    ram = (want << 10) + (1 << 20)
    for _ in range(3):
        try:
            ours = memory_total("\n".join(cls.boot(**dict(kw, ram=ram)).boot_log))
        except ConfigError:
            break
        if ours is None:
            break
        if ours == want:
            facts.defaults[said] = (f"e820: no firmware map in the log, QEMU's map for {ram >> 10}K of RAM "
                                    f"assumed: the size whose pages give the Memory line's total ({want}k)")
            return ram
        ram += (want - ours) << 10
    facts.defaults[said] = (f"e820: no firmware map in the log, and no RAM size of QEMU's map gives the "
                            f"Memory line's total ({want}k): 160M assumed")
    return "160M"


def _pae_said(joined: str) -> bool:
    """PAE by what only a PAE kernel prints: NX active (x86_report_nx(): NX needs PAE on
    i386), an oops's "*pdpt = " line, a release named -pae or -bigmem (Debian, Ubuntu).
    "NX ... cannot be enabled: non-PAE kernel!" says the opposite."""
    if "non-PAE kernel" in joined:
        return False
    return ("NX (Execute Disable) protection: active" in joined or "*pdpt = " in joined
            or re.search(r"^Linux version \S*(?:pae|bigmem)", joined, re.M | re.I) is not None)


_INITRD = (re.compile(r"RAMDISK: \[mem (0x[0-9a-f]+)-(0x[0-9a-f]+)\]"),       # 3.4+: end inclusive
           re.compile(r"RAMDISK: ([0-9a-f]{8,16}) - ([0-9a-f]{8,16})"))        # 2.6.28+: end exclusive
_UNPACKS = ("Unpacking initramfs", "Early unpacking initramfs", "Trying to unpack rootfs image")


def _early(f: DmesgFacts, joined: str) -> None:
    """The early allocations the log states (engine.mem_init): initrd, per-CPU units, the
    page_cgroup array, the KFENCE pool, a memblock log buffer, the crash kernel."""
    m = _INITRD[0].search(joined)
    if m:
        a, b = int(m.group(1), 16), int(m.group(2), 16) + 1
    elif _INITRD[1].search(joined):
        m = _INITRD[1].search(joined)
        a, b = int(m.group(1), 16), int(m.group(2), 16)
    if m:
        f.config["initrd_kb"] = (((b + 4095) & ~4095) - (a & ~4095)) >> 10
        moved = re.search(r"Allocated new RAMDISK: (?:\[mem )?(?:0x)?([0-9a-f]{8,16})", joined)
        f.config["initrd_start"] = int(moved.group(1), 16) if moved else a     # relocate_initrd()
    elif (m := re.search(r"Freeing initrd memory: (\d+)[kK]", joined)):
        f.config["initrd_kb"] = int(m.group(1))
    else:
        f.config["initrd_kb"] = 0
        said = "the log unpacks an initramfs but gives no size" if any(
            u in joined for u in _UNPACKS) else "no RAMDISK or 'Freeing initrd memory' line"
        f.defaults.append(f"initrd: {said}; none assumed (initrd= sets it)")
    m = re.search(r"(?:PERCPU|percpu): Embedded (\d+) pages(?:/cpu| at)", joined)
    if m:
        f.config["percpu_pages"] = int(m.group(1))
    m = re.search(r"(?:PERCPU|percpu): Embedded \d+ pages/cpu (?:@\S+ )?s(\d+) ", joined)
    if m:                   # the static part: the size of the first chunk's maps (engine.memblock)
        f.config["pcpu_static"] = int(m.group(1))
    ioapics = set(re.findall(r"IOAPIC\[(\d+)\]: apic_id", joined))
    if ioapics:             # the MADT was parsed: one resource per IO-APIC, HPET's if it has one
        f.config["nr_ioapics"] = len(ioapics)
        f.config["hpet"] = "ACPI: HPET id:" in joined
    _early_boot(f, joined)
    for key, pat, unit in (("page_cgroup_kb", r"allocated (\d+) bytes of page_cgroup", 1),
                           ("stackdepot_kb", r"stackdepot hash table entries: \d+ \(order: \d+, (\d+) bytes", 1),
                           ("kfence_pool_kb", r"kfence: initialized - using (\d+) bytes", 1),
                           ("log_buf_kb", r"log_buf_len: (\d+) bytes", 1),
                           ("crashkernel_kb", r"Reserving (\d+)MB of memory at .*crashkernel", 1 << 20)):
        m = re.search(pat, joined)
        if m:
            f.config[key] = (int(m.group(1)) * unit + 1023) >> 10


_EARLY_RES = re.compile(r"#\d+ \[([0-9a-f]{10}) - ([0-9a-f]{10})\] +(TEXT DATA BSS|BRK) ")


def _early_boot(f: DmesgFacts, joined: str) -> None:
    """Page tables and image ends the log states (engine.mem_init): head_32.S's initial
    mapping ("initial memory mapped"), debug_pagealloc ("debug: unmapping init"), the real-mode
    trampoline ("Base memory trampoline"), 2.6.29-2.6.35's early reservation list (TEXT DATA
    BSS, BRK; printed when they become bootmem)."""
    m = re.search(r"initial memory mapped ?: (?:0 - ([0-9a-f]+)|\[mem 0x[0-9a-f]+-(0x[0-9a-f]+)\])", joined)
    if m:
        end = int(m.group(1), 16) if m.group(1) else int(m.group(2), 16) + 1
        f.config["initial_map_pgt"] = -(-end // ((2 if f.pae else 4) << 20))
    if "debug: unmapping init [mem" in joined:
        f.config["DEBUG_PAGEALLOC"] = True
    m = re.search(r"Base memory trampoline at \[[0-9a-f]+\] [0-9a-f]+ size (\d+)", joined)
    if m:
        f.config["trampoline_kb"] = int(m.group(1)) >> 10
    for a, b, what in _EARLY_RES.findall(joined):
        a, b = int(a, 16), int(b, 16)
        if what == "BRK":
            f.config["brk_kb"] = (((b + 4095) & ~4095) - (a & ~4095)) >> 10
        else:           # __bss_stop: what follows __init_end is .bss (and .smp_locks, .data_nosave)
            init = re.search(r"\.init\s*:\s*0x[0-9a-f]+\s*-\s*0x([0-9a-f]+)", joined)
            page_offset = {v: k for k, v in _SPLIT_OF.items()}[f.split]
            if init and b > int(init.group(1), 16) - page_offset:
                f.config["bss_kb"] = -(-(b - (int(init.group(1), 16) - page_offset)) // 1024)


def _image(f: DmesgFacts, joined: str) -> None:
    """Kernel image: layout block symbols (exact) or the "Memory:" line's kB; the fixmap size."""
    text = re.search(r"\.text\s*:\s*0x([0-9a-f]+)\s*-\s*0x([0-9a-f]+)", joined)
    data = re.search(r"\.data\s*:\s*0x([0-9a-f]+)\s*-\s*0x([0-9a-f]+)", joined)
    init = re.search(r"\.init\s*:\s*0x([0-9a-f]+)\s*-\s*0x([0-9a-f]+)", joined)
    page_offset = {v: k for k, v in _SPLIT_OF.items()}[f.split]
    if text and data:
        t0, t1 = int(text.group(1), 16), int(text.group(2), 16)
        d0, d1 = int(data.group(1), 16), int(data.group(2), 16)
        load = t0 - page_offset
        if load % 0x100000 == 0 and 0x100000 <= load <= 0x10000000:
            f.config["PHYSICAL_START"] = load
        f.config["text_bytes"], f.config["data_bytes"] = t1 - t0, d1 - d0
        f.config["text_kb"], f.config["data_kb"] = (t1 - t0) >> 10, (d1 - d0) >> 10
        f.config["rodata_kb"] = 0
    if init:
        i0 = int(init.group(1), 16)
        f.config["init_kb"] = (int(init.group(2), 16) - i0) >> 10
        if text and data:
            f.config["init_gap_pages"] = max(0, (i0 - ((d1 + 4095) & ~4095)) >> 12)
    mem = re.search(r"Memory: .*?\((\d+)[kK] kernel code, (.*?)\)", joined)
    if mem and not text:
        f.config["text_kb"] = int(mem.group(1))
        for val, name in re.findall(r"(\d+)[kK] (rwdata|rodata|data|init|bss)", mem.group(2)):
            f.config[{"data": "data_kb", "rwdata": "data_kb"}.get(name, name + "_kb")] = int(val)
        if "rwdata" not in mem.group(2):
            f.config.setdefault("rodata_kb", 0)
    elif not mem and not text:
        f.defaults.append("kernel image: no 'Memory:' line or layout block, the flavour's sizes assumed")
    for key, what in (("text_kb", "kernel code (.text)"), ("init_kb", "init (.init)"), ("data_kb", "data")):
        kb = f.config.get(key)
        if kb is not None and (kb < 0 or (kb == 0 and key != "data_kb")):
            raise ConfigError(f"the log's kernel image has {kb}k of {what}: no i386 image has that "
                              f"(vmlinux.lds.S: every image has kernel code and an init section)")
    fix = re.search(r"fixmap\s*:\s*0x([0-9a-f]+)\s*-\s*0x([0-9a-f]+)", joined)
    if fix:
        f.config["fixmap_slots"] = (int(fix.group(2), 16) - int(fix.group(1), 16)) >> 12


# build facts the log prints as they are (setup_percpu's NR_CPUS, the layout block's fixmap and
# .text); the others are read from sums or assumed, and config= may set them
_PRINTED = ("NR_CPUS", "fixmap_slots", "PHYSICAL_START")


def _config_the_log_lacks(facts: DmesgFacts, config: dict) -> None:
    """config= of from_dmesg() gives what the log does not print: a value the log states
    otherwise is a ConfigError, and so is an NR_CPUS below the CPUs the log counts."""
    from .config import BUILD_KEYS
    said = {BUILD_KEYS.get(k, k): (k, v) for k, v in facts.config.items() if k in _PRINTED}
    for k, v in (config or {}).items():
        key, theirs = said.get(BUILD_KEYS.get(k, k), (None, None))
        if key is not None and theirs != v:
            raise ConfigError(f"config: {k}={shown(v)}: the log gives {key}={shown(theirs)}; config gives "
                              f"only what the log does not print")
        if BUILD_KEYS.get(k) == "nr_cpus_config" and isinstance(v, int) and v < facts.cpus:
            raise ConfigError(f"config: {k}={v} is fewer than the {facts.cpus} CPU(s) the log counts")


def from_dmesg(cls, text: str, **overrides):
    """Machine.from_dmesg(): boot the machine a log describes; keep the comparison on it.
    ConfigError for what is no log at all: not text (bytes: decode them first) or empty."""
    if not isinstance(text, str):
        hint = " (decode the bytes first)" if isinstance(text, (bytes, bytearray)) else ""
        raise ConfigError(f"dmesg: expected the log as text, got {type(text).__name__}{hint}")
    if not text.strip():
        raise ConfigError("dmesg: the log is empty")
    facts = read_dmesg(text)
    if "kernel" in overrides:
        said = [d for d in facts.defaults if d.startswith("kernel version")]
        if not said:
            raise ConfigError(f"kernel: the log says Linux {facts.kernel}; a release is given "
                              f"only for a log without a 'Linux version' line")
        facts.defaults = [d for d in facts.defaults if d not in said]
    kw = facts.boot_kwargs()
    for k, v in overrides.items():
        if k == "config":
            _config_the_log_lacks(facts, v)
            kw["config"].update(v)
        else:
            kw[k] = v
    try:
        if "e820" not in kw and "ram" not in kw:
            kw["ram"] = _ram_of_total(cls, kw, facts)
        m = cls.boot(**kw)
    except ConfigError as err:               # a fact of the log that the assumed release refuses
        if not any(d.startswith("kernel version") for d in facts.defaults):
            raise
        raise ConfigError(f"kernel: the log's lines do not fit Linux {kw['kernel']}, assumed for a "
                          f"log without its release ({err}); --kernel RELEASE gives it") from None
    # sizeof(struct page) is not printed, but "Total pages" depends on it: take the size
    # (32, 36, 40, 44 bytes) that reproduces the log's line
    real_total = next((l for l in facts.lines if l.startswith("Built ")), None)
    if real_total and real_total not in m.boot_log and "struct_page_size" not in kw["config"]:
        for size in (32, 36, 40, 44):
            kw2 = dict(kw, config=dict(kw["config"], struct_page_size=size))
            try:
                cand = cls.boot(**kw2)
            except Exception:       # noqa: BLE001 -- a candidate that does not boot is not it
                continue
            if real_total in cand.boot_log:
                m = cand
                facts.defaults.append(f"sizeof(struct page): {size}, the size whose memmap gives "
                                      f"the log's Total pages")
                break
    m.dmesg_facts = facts
    m.dmesg_comparison = [LinePair(p.status, p.real, p.ours, "; ".join(filter(None, (
                              p.why if p.why == SPLIT_WHY else "", memory_why(m, p.real, p.ours)))))
                          if p.status == "different" and p.real.startswith("Memory: ") else p
                          for p in compare_lines(facts.lines, m.boot_log)]
    return m
