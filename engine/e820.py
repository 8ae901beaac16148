"""The firmware RAM map (BIOS-e820), as QEMU's i440FX PC machine with SeaBIOS gives it.

QEMU (hw/i386/pc_piix.c): with -m >= 3.5G the RAM below 4 GB stops at 3 GB
(gigabyte-aligned split) and the rest is placed from 4 GB up; SeaBIOS keeps
the EBDA at 0x9fc00, the BIOS at 0xf0000-0xfffff, the top 128 KB of low RAM
for its tables, and the flash at 0xfffc0000.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

GB = 1 << 30
E820_RAM, E820_RESERVED = "usable", "reserved"


@dataclass(frozen=True)
class E820Entry:
    start: int
    end: int          # exclusive
    type: str

    def line(self, style: str = "mem") -> str:
        """The firmware map line: "mem" (3.4+) or "dash" (2.6.x-3.3, exclusive end)."""
        if style == "mem":
            return f"BIOS-e820: [mem {self.start:#018x}-{self.end - 1:#018x}] {self.type}"
        return f" BIOS-e820: {self.start:016x} - {self.end:016x} ({self.type})"


def qemu_pc_e820(ram: int) -> list[E820Entry]:
    below_4g = ram
    if ram >= 0xE0000000:
        below_4g = 0xC0000000
    above_4g = ram - below_4g
    entries = [
        E820Entry(0, 0x9FC00, E820_RAM),
        E820Entry(0x9FC00, 0xA0000, E820_RESERVED),
        E820Entry(0xF0000, 0x100000, E820_RESERVED),
        E820Entry(0x100000, below_4g - 0x20000, E820_RAM),
        E820Entry(below_4g - 0x20000, below_4g, E820_RESERVED),
        E820Entry(0xFFFC0000, 1 << 32, E820_RESERVED),
    ]
    if above_4g:
        entries.append(E820Entry(1 << 32, (1 << 32) + above_4g, E820_RAM))
    return entries


def unbacked(entries: list[E820Entry], start: int, end: int) -> list[tuple[int, int]]:
    """The parts of [start, end) no firmware range describes: no RAM and no device decodes
    them, so a PC reads them as all ones (the PCI master abort of the host bridge)."""
    out, pos = [], start
    for e in sorted(entries, key=lambda e: e.start):
        if e.end <= pos:
            continue
        if e.start >= end:
            break
        if e.start > pos:
            out.append((pos, e.start))
        pos = max(pos, e.end)
        if pos >= end:
            break
    if pos < end:
        out.append((pos, end))
    return out


def usable_pfn_ranges(entries: list[E820Entry], max_arch_pfn: int,
                      reserve_page0: bool, low_reserved_kb: int = 0) -> list[tuple[int, int]]:
    """RAM as whole pages: [PFN_UP(start), PFN_DOWN(end)), page 0 and 640K-1M removed.

    6.x: "e820: update [mem 0x00000000-0x00000fff] usable ==> reserved" and
    "e820: remove [mem 0x000a0000-0x000fffff] usable".
    """
    out = []
    for e in entries:
        if e.type != E820_RAM:
            continue
        s = (e.start + 0xFFF) >> 12
        t = e.end >> 12
        low = max(low_reserved_kb >> 2, 1 if reserve_page0 else 0)
        if s < low:
            s = low
        if s < 0x100 < t and s < 0xA0:
            t = min(t, 0xA0)
        t = min(t, max_arch_pfn)
        if t > s:
            out.append((s, t))
    return out


_DASH = re.compile(r"(?:BIOS-e820|modified|user|e820):?\s+([0-9a-f]{8,16})\s*-\s*([0-9a-f]{8,16})\s+\(([^)]+)\)",
                   re.I)
_MEM = re.compile(r"(?:BIOS-e820|modified|user|e820):?\s+\[mem\s+(0x[0-9a-f]+)-(0x[0-9a-f]+)\]\s+(.+?)\s*$",
                  re.I)
_TYPES = {"usable": E820_RAM, "reserved": E820_RESERVED, "acpi data": "ACPI data",
          "acpi nvs": "ACPI NVS", "unusable": "unusable", "persistent (type 12)": "persistent",
          "persistent": "persistent", "type 12": "persistent"}


def parse_e820(value) -> list[E820Entry]:
    """A firmware map from ranges [(start, end_exclusive, type), ...] or the e820 lines of a log.

    Both log formats: 2.6-3.3 " BIOS-e820: 0000000000000000 - 000000000009f000 (usable)"
    (exclusive end) and 3.4+ "BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable"
    (inclusive end).  When the log also has the sanitised "modified:" map, that one is used.
    Overlapping ranges are resolved as sanitize_e820_map() / e820__update_table() resolve
    them, the highest type winning (the kernel sanitizes the firmware's map before printing it).
    Raises ConfigError: no e820 line, an empty range or one beyond 64G, no usable 1M.
    """
    from .errors import ConfigError
    entries: list[E820Entry] = []
    if isinstance(value, str):
        firmware, modified = [], []
        for line in value.splitlines():
            m = _DASH.search(line)
            if m:
                s, e, t = int(m[1], 16), int(m[2], 16), m[3]
            else:
                m = _MEM.search(line)
                if not m:
                    continue
                s, e, t = int(m[1], 16), int(m[2], 16) + 1, m[3]
            if "e820: update" in line or "e820: remove" in line:
                continue
            t = _TYPES.get(t.strip().lower(), t.strip())
            (modified if "modified" in line or "user:" in line else firmware).append(E820Entry(s, e, t))
        entries = modified or firmware
        if not entries:
            raise ConfigError("e820: no BIOS-e820 lines found (expected ' BIOS-e820: <start> - <end> (usable)' "
                              "or 'BIOS-e820: [mem <start>-<end>] usable')")
    else:
        try:
            for item in value:
                if isinstance(item, E820Entry):
                    entries.append(item)
                    continue
                s, e, *t = item
                from .config import parse_size
                entries.append(E820Entry(parse_size(s, "e820 start"), parse_size(e, "e820 end"),
                                         _TYPES.get(str(t[0]).lower(), str(t[0])) if t else E820_RAM))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"e820: expected [(start, end, type), ...] or log lines ({exc})") from None
    entries.sort(key=lambda x: x.start)
    for e in entries:
        if e.end <= e.start or e.end > (1 << 36):
            raise ConfigError(f"e820: range {e.start:#x}-{e.end:#x} is empty or beyond 64G")
    if any(a.end > b.start for a, b in zip(entries, entries[1:])):
        # a map with overlapping ranges, as firmware may hand it over: the kernel sanitizes it
        # (the highest type wins) before it prints or uses it; a log's map already is
        entries = sanitize(entries)
    if not any(e.type == E820_RAM and e.end - e.start >= (1 << 20) for e in entries):
        raise ConfigError("e820: no usable RAM range of at least 1M")
    return entries


# the e820 type numbers (arch/x86/include/asm/e820.h): sanitize_e820_map() keeps the highest
E820_TYPE_NR = {E820_RAM: 1, E820_RESERVED: 2, "ACPI data": 3, "ACPI NVS": 4, "unusable": 5,
                "persistent": 12}


def _limit(out: list[E820Entry], mem: int, strict: bool) -> list[E820Entry]:
    """mem=N, memmap=N: 2.6.27+ e820_remove_range(N, ULLONG_MAX - N, E820_RAM, 1) cuts every RAM
    range at N; before, limit_regions() cuts the first RAM range reaching N and drops every range
    after it in the table (2.6.24 arch/x86/kernel/e820_32.c:828-850)."""
    lim = []
    for i, e in enumerate(out):
        if e.type == E820_RAM and e.end > mem:
            if e.start < mem:
                lim.append(E820Entry(e.start, mem, e.type))
            if not strict:
                return lim
            continue
        lim.append(e)
    return lim


def sanitize(entries: list[E820Entry]) -> list[E820Entry]:
    """sanitize_e820_map(): overlapping ranges resolved to the highest type number, neighbours
    of one type merged (2.6.28 arch/x86/kernel/e820.c:223-380)."""
    points = sorted({p for e in entries for p in (e.start, e.end)})
    out: list[E820Entry] = []
    for a, b in zip(points, points[1:]):
        types = [e.type for e in entries if e.start <= a and b <= e.end]
        if not types:
            continue
        t = max(types, key=lambda x: E820_TYPE_NR.get(x, 0))
        if out and out[-1].end == a and out[-1].type == t:
            out[-1] = E820Entry(out[-1].start, b, t)
        else:
            out.append(E820Entry(a, b, t))
    return out


def apply_cmdline(entries: list[E820Entry], ops, strict: bool = True) -> list[E820Entry]:
    """mem= and memmap= in command-line order (engine.cmdline parse_cmdline's "memmap"): a range
    added (e820_add_region), RAM limited (_limit), or the firmware map dropped (exactmap); then
    finish_e820_parsing()'s sanitize_e820_map() (2.6.27+; before, a memmap= range overrides the
    firmware's ranges it overlaps, simplified).  ``strict``: rule memmap_strict."""
    out = list(entries)
    for start, size, kind in ops or ():
        if kind == "userdef":           # mem=0 on 2.6.27+: -EINVAL after userdef = 1
            continue
        if kind == "exactmap":
            out = []
        elif kind == "limit":
            out = _limit(out, size, strict)
        elif strict:
            out.append(E820Entry(start, start + size, kind))
        else:
            end = start + size
            cut = [e for e in out if e.end <= start or e.start >= end]
            cut += [E820Entry(e.start, start, e.type) for e in out if e.start < start < e.end]
            cut += [E820Entry(end, e.end, e.type) for e in out if e.start < end < e.end]
            out = sorted(cut + [E820Entry(start, end, kind)], key=lambda x: x.start)
    if strict and list(ops or ()):
        out = sanitize(out)
    return sorted(out, key=lambda x: x.start)


def usable_bytes(entries) -> int:
    """Bytes of the map's usable (RAM) ranges."""
    return sum(e.end - e.start for e in entries if e.type == "usable")


def e820_end_pfn(entries: list[E820Entry], limit_pfn: int) -> int:
    """e820_end_pfn(): the end of the last RAM range starting below limit_pfn, capped at it."""
    last = 0
    for e in entries:
        if e.type != E820_RAM:
            continue
        s, t = e.start >> 12, e.end >> 12
        if s >= limit_pfn:
            continue
        last = max(last, min(t, limit_pfn))
    return last
