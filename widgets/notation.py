"""How students read what the engine did: one line per event, in one format.

The format follows the kernel's tracepoints (include/trace/events/kmem.h):
``name: key=value key=value``, addresses, pfns, entries and registers in hex,
counts and orders in decimal, GFP masks by their flag names (``%pGg``), strings bare
(double-quoted when they hold spaces), never a Python repr.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

# fields that hold addresses, frame numbers, entries or registers: always hex
HEX_KEYS = frozenset({"start", "end", "old_start", "old_end", "entry", "pte", "cr3", "vpn",
                      "error_code", "old", "new", "kaddr", "table", "mask"})
# fields that are sizes or counts even when large: decimal
DEC_KEYS = frozenset({"size", "free", "needed", "reclaimed", "nr_pages", "objects", "count",
                      "shared_pages", "freed_pages", "freed_tables", "dropped", "page_size",
                      "object_size", "objects_per_slab", "colour_off", "index", "order",
                      "final_order", "slot", "idx", "set_index", "way", "cpu", "pid", "prev",
                      "next", "parent", "child", "ptes", "low", "high", "min"})


def is_hex_key(key: str) -> bool:
    """Is this field an address, a pfn, an entry or a register (shown in hex)?"""
    return key in HEX_KEYS or key.endswith("pfn") or "addr" in key


@lru_cache(maxsize=4)
def _gfp_table(kernel: str) -> Any:
    from engine.gfp import GfpTable
    return GfpTable(kernel)


def gfp_text(value: Any, kernel: str = "6.1") -> str:
    """A GFP mask by its names: 0xd0 on 2.6 -> GFP_KERNEL (as the kernel's %pGg prints it)."""
    if isinstance(value, str) and not value.lower().startswith("0x"):
        return " | ".join(p.strip() for p in value.split("|"))
    try:
        mask = int(value, 16) if isinstance(value, str) else int(value)
        return _gfp_table(kernel).format(mask)
    except (ValueError, TypeError, KeyError):
        return str(value)


def value_text(key: str, value: Any, kernel: str = "6.1") -> str:
    """One field's value in the students' notation."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "1" if value else "0"
    if key == "gfp":
        return gfp_text(value, kernel)
    if isinstance(value, int):
        if key in DEC_KEYS:
            return str(value)
        if is_hex_key(key) or value >= 0x10000:
            return f"{value:#x}"
        return str(value)
    text = str(value)
    return f'"{text}"' if " " in text or not text else text


def event_text(ev: Any, kernel: str = "6.1") -> str:
    """``Split: zone=Normal pfn=0x1212 order=0 upper_pfn=0x1213`` for any engine event."""
    fields = ev._asdict() if hasattr(ev, "_asdict") else dict(getattr(ev, "__dict__", {}))
    name = getattr(ev, "kind", type(ev).__name__)
    parts = [f"{k.rstrip('_')}={value_text(k, v, kernel)}" for k, v in fields.items()]
    return f"{name}: {' '.join(parts)}" if parts else name
