"""The kernel command line options that shape memory: mem=, memmap=, highmem=, vmalloc=.

arch/x86/kernel/e820.c parse_memopt / parse_memmap_one, arch/x86/mm/init_32.c
parse_highmem, arch/x86/mm/pgtable_32.c parse_vmalloc.  Other words are ignored,
as the kernel hands them to init.
"""
from __future__ import annotations

from .errors import ConfigError, shown

_KIND = {"@": "usable", "#": "ACPI data", "$": "reserved", "!": "persistent"}
_HEX = "0123456789abcdefABCDEF"
_SHIFT = {"k": 10, "m": 20, "g": 30, "t": 40, "p": 50, "e": 60}
_U64 = (1 << 64) - 1


def memparse(text: str, suffixes: str = "kmgtpe") -> tuple[int, str]:
    """lib/cmdline.c memparse(): (value, what follows it).  simple_strtoull(ptr, &endptr, 0) --
    base 16 after "0x" followed by a hex digit, 8 after any other leading 0 ("010M" is 8M, "09M"
    is 0 with "9M" left), else 10; digits while they are digits of the base (2.6.24
    lib/vsprintf.c simple_strtoull, 6.1 lib/kstrtox.c _parse_integer_fixup_radix) -- then one
    suffix, K M G (2.6.24 lib/cmdline.c:129-146), also T P E from 3.15 (4.1.19 l.131-151;
    rule memparse_suffixes), each a shift of 10 more; unsigned long long arithmetic wraps."""
    i, base = 0, 10
    if text[:1] == "0":
        base = 8
        if text[1:2] in ("x", "X") and text[2:3] != "" and text[2] in _HEX:
            i, base = 2, 16
    value = 0
    while i < len(text) and text[i] in _HEX and int(text[i], 16) < base:
        value = (value * base + int(text[i], 16)) & _U64
        i += 1
    c = text[i:i + 1].lower()
    if c and c in suffixes.lower():
        value, i = (value << _SHIFT[c]) & _U64, i + 1
    return value, text[i:]


def _memparse(s: str, what: str, suffixes: str) -> int:
    """memparse() of mem=, highmem=, vmalloc=: the kernel's parsers ignore what follows the
    number (6.1 arch/x86/kernel/e820.c parse_memopt, arch/x86/mm/init_32.c parse_highmem,
    arch/x86/mm/pgtable_32.c parse_vmalloc).  A value with no number is refused: memparse() reads 0
    without moving, which 6.1's parse_memopt() refuses (-EINVAL) and 2.6.24's takes as mem=0."""
    value, rest = memparse(s, suffixes)
    if rest == s:
        raise ConfigError(f"{what}: {s!r} is not a size (try 160M, 1G, 4096)")
    return value


def _memmap_ops(val: str, suffixes: str, strict: bool, lists: bool) -> list[tuple[int, int, str]]:
    """memmap=VALUE as the release parses it: [(start, size, kind)], kind an e820 type, "limit"
    (a size alone: RAM above it removed, as mem=) or "exactmap" (the firmware map dropped).

    Before 2.6.27 (``strict`` False, arch/x86/kernel/e820_32.c parse_memmap) one range and
    whatever follows it ignored; from 2.6.27 (parse_memmap_opt) text after the range is -EINVAL,
    refused here; from 3.9 (``lists``) a list of ranges split at ','.  A part with no number is
    refused (2.6.27+ -EINVAL; before, memparse()'s 0 would limit RAM to nothing)."""
    ops = []
    for part in val.split(",") if lists else [val]:
        if part == "exactmap" or (strict and part.startswith("exactmap")):
            ops.append((0, 0, "exactmap"))      # strcmp() before 2.6.27, strncmp(p, "exactmap", 8) after
            continue
        # parse_memmap_one(): memparse() the size, the kind, memparse() the start
        size, rest = memparse(part, suffixes)
        kind = rest[:1]
        if rest == part:
            tail = None
        elif kind in _KIND:
            start, tail = memparse(rest[1:], suffixes)
            tail = None if tail == rest[1:] else tail
        else:
            start, tail, kind = 0, rest, ""
        if tail is None or (tail and strict):
            raise ConfigError(f"cmdline: memmap={part!r} is not size@start, size$start, "
                              f"size#start or size!start")
        ops.append((start, size, _KIND[kind] if kind else "limit"))
    return ops


def parse_cmdline(text, suffixes: str = "kmgtpe", strict: bool = True, lists: bool = True,
                  mem_zero_einval: bool = True) -> dict:
    """'mem=512M memmap=64M$0x10000000 highmem=1G vmalloc=256M' -> a dict of bytes and ranges;
    every size read as the kernel's memparse() reads it (``suffixes``: the release's).

    "memmap": mem= and memmap= in command-line order (the order parse_early_param() runs their
    handlers), each [(start, size, kind)] as _memmap_ops() gives (mem=N is (0, N, "limit"));
    ``strict``, ``lists``, ``mem_zero_einval``: rules memmap_strict (2.6.27), memmap_list (3.9)
    and mem_zero_einval (mem=0 ignored, as (0, 0, "userdef"): the map kept, userdef set)."""
    if text is None:
        return {}
    if not isinstance(text, str):
        raise ConfigError(f"cmdline: expected a string like 'mem=512M', got {shown(text)}")
    out: dict = {}
    memmap: list = []
    for word in text.split():
        key, _, val = word.partition("=")
        if key == "mem":
            if val.lower() == "nopentium":
                continue
            size = _memparse(val, "mem=", suffixes)
            if size == 0 and mem_zero_einval:   # parse_memopt(): userdef = 1, then -EINVAL
                memmap.append((0, 0, "userdef"))
                continue
            out["mem"] = size
            memmap.append((0, size, "limit"))
        elif key == "highmem":
            out["highmem"] = _memparse(val, "highmem=", suffixes)
        elif key == "vmalloc":
            out["vmalloc"] = _memparse(val, "vmalloc=", suffixes)
        elif key == "memmap":
            memmap += _memmap_ops(val, suffixes, strict, lists)
    if memmap:
        out["memmap"] = memmap
    return out
