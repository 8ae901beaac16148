"""The kernel command line options that shape memory: mem=, memmap=, highmem=, vmalloc=.

arch/x86/kernel/e820.c parse_memopt / parse_memmap_one, arch/x86/mm/init_32.c
parse_highmem, arch/x86/mm/pgtable_32.c parse_vmalloc.  Other words are ignored,
as the kernel hands them to init.
"""
from __future__ import annotations

import re

from .errors import ConfigError

_MEMMAP = re.compile(r"^(?P<size>[0-9a-fx]+[kmg]?)(?P<kind>[@#$!])(?P<start>[0-9a-fx]+[kmg]?)$", re.I)
_KIND = {"@": "usable", "#": "ACPI data", "$": "reserved", "!": "persistent"}


def _memparse(s: str, what: str) -> int:
    from .config import parse_size
    return parse_size(s, what)


def parse_cmdline(text) -> dict:
    """'mem=512M memmap=64M$0x10000000 highmem=1G vmalloc=256M' -> a dict of bytes and ranges."""
    if text is None:
        return {}
    if not isinstance(text, str):
        raise ConfigError(f"cmdline: expected a string like 'mem=512M', got {text!r}")
    out: dict = {}
    memmap: list = []
    for word in text.split():
        key, _, val = word.partition("=")
        if key == "mem":
            if val.lower() == "nopentium":
                continue
            out["mem"] = _memparse(val, "mem=")
        elif key == "highmem":
            out["highmem"] = _memparse(val, "highmem=")
        elif key == "vmalloc":
            out["vmalloc"] = _memparse(val, "vmalloc=")
        elif key == "memmap":
            for part in val.split(","):
                if part == "exactmap":
                    out["exactmap"] = True
                    continue
                m = _MEMMAP.match(part)
                if not m:
                    raise ConfigError(f"cmdline: memmap={part!r} is not size@start, size$start, "
                                      f"size#start or size!start")
                memmap.append((_memparse(m["start"], "memmap="), _memparse(m["size"], "memmap="),
                               _KIND[m["kind"]]))
    if memmap:
        out["memmap"] = memmap
    return out
